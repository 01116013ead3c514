//===- SeqMixInterfaces.td - seqmix interfaces -------------*- tablegen -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_DIALECT_SEQMIX_IR_SEQMIXINTERFACES_TD
#define SEQMIX_DIALECT_SEQMIX_IR_SEQMIXINTERFACES_TD

include "mlir/IR/OpBase.td"

//===----------------------------------------------------------------------===//
// Interfaces
//===----------------------------------------------------------------------===//

def SeqMix_MixerStructureAttrInterface
    : AttrInterface<"MixerStructureAttrInterface"> {
  let cppNamespace = "::mlir::seqmix";
  let description = [{
    An attribute that describes the structure of the virtual T×T matrix of a
    `!seqmix.mixer` type: which entries can be non-zero, whether the mixer
    carries a recurrent state, and what its transpose is.
  }];
  let methods = [
    InterfaceMethod<"Whether M_ij = 0 for every j > i.", "bool", "isCausal">,
    InterfaceMethod<"Whether M_ij = 0 for every j < i.", "bool",
                    "isAnticausal">,
    InterfaceMethod<[{The structure of Mᵀ, or null when the transpose has no
                      seqmix meaning.}], "::mlir::Attribute", "getTransposed">,
    InterfaceMethod<[{Number of causal semiseparable terms, the ones that
                      carry a recurrent state.}], "unsigned",
                    "getNumStatefulTerms">,
    InterfaceMethod<[{State size K of the stateful term, or nullopt.}],
                    "std::optional<int64_t>", "getStateSize">,
  ];
}

#endif // SEQMIX_DIALECT_SEQMIX_IR_SEQMIXINTERFACES_TD
