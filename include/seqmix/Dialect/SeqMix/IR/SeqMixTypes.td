//===- SeqMixTypes.td - seqmix types -----------------------*- tablegen -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_DIALECT_SEQMIX_IR_SEQMIXTYPES_TD
#define SEQMIX_DIALECT_SEQMIX_IR_SEQMIXTYPES_TD

include "seqmix/Dialect/SeqMix/IR/SeqMixAttrs.td"

def SeqMix_MixerType : TypeDef<SeqMix_Dialect, "Mixer"> {
  let mnemonic = "mixer";
  let summary = "a virtual T×T matrix per batch element and head";
  let description = [{
    `!seqmix.mixer<BxHxT, #structure>` stands for B·H matrices of size T×T
    whose structure (`#seqmix.lowrank`, `#seqmix.semiseparable`,
    `#seqmix.dense`, `#seqmix.diagonal`, `#seqmix.sum`) says which entries
    may be non-zero and how the matrix can be applied. The matrix is never
    stored unless a `seqmix.materialize` asks for it. B and T may be dynamic
    (`?`); the head count H is static: it is the number of output heads
    (value heads for semiseparable and low-rank mixers, query heads for
    attention).

    ```mlir
    !seqmix.mixer<?x16x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>
    ```
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$shape,
                        "::mlir::seqmix::MixerStructureAttrInterface":$structure);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t getBatch() const { return getShape()[0]; }
    int64_t getNumHeads() const { return getShape()[1]; }
    int64_t getSeqLen() const { return getShape()[2]; }
    /// The same type with another structure.
    MixerType withStructure(::mlir::seqmix::MixerStructureAttrInterface s) const {
      return MixerType::get(getContext(), getShape(), s);
    }
  }];
}

// Kept as a plain `Type` in C++ so that the assembly formats print mixer types
// in full (`!seqmix.mixer<...>`), as readers expect.
def SeqMix_AnyMixer : Type<CPred<"::llvm::isa<::mlir::seqmix::MixerType>($_self)">,
    "seqmix mixer">;

#endif // SEQMIX_DIALECT_SEQMIX_IR_SEQMIXTYPES_TD
