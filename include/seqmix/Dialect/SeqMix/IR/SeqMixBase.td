//===- SeqMixBase.td - seqmix dialect definition -----------*- tablegen -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_DIALECT_SEQMIX_IR_SEQMIXBASE_TD
#define SEQMIX_DIALECT_SEQMIX_IR_SEQMIXBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def SeqMix_Dialect : Dialect {
  let name = "seqmix";
  let cppNamespace = "::mlir::seqmix";
  let summary = "Sequence mixers as structured matrices";
  let description = [{
    The `seqmix` dialect represents sequence mixers (causal linear attention,
    RetNet and Lightning attention, simple GLA, GLA, Mamba2 SSD, DeltaNet,
    Gated DeltaNet, KDA, softmax attention and their relatives) as
    *structured matrices*: one virtual T×T matrix `M` per batch element and
    head, never stored unless materialised, applied to a sequence of values.

    Constructors (`seqmix.lowrank`, `seqmix.semiseparable`,
    `seqmix.attention`, `seqmix.diagonal`) build a value of type
    `!seqmix.mixer<BxHxT, #structure>`; algebra ops (`seqmix.transpose`,
    `seqmix.add`) combine them; consumers (`seqmix.apply`,
    `seqmix.materialize`) give tensors back.

    Every causal semiseparable mixer has, per batch `b` and value head `h`
    (query/key head `h / (Hv / H)`), with state `S ∈ R^{K×V}` and `S_0` the
    initial state or zero, the meaning

    ```
    S_t = A_t S_{t-1} + B_t v_tᵀ          o_t = scale · S_tᵀ q_t
    M_ij = scale · q_iᵀ A_i A_{i-1} ⋯ A_{j+1} B_j  for i ≥ j, else 0
    ```

    where `A_t` and `B_t` depend on the decay kind and the transition (see
    `seqmix.semiseparable`). The form in which a mixer is computed
    (parallel, recurrent or chunked) is chosen later, by
    `seqmix-select-form`, and recorded as a `#seqmix.form` attribute on each
    `seqmix.apply`; the module may carry a `#seqmix.target` describing the
    machine under the `seqmix.target` attribute name.
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// The discardable attribute that holds a module's `#seqmix.target`.
    static constexpr ::llvm::StringLiteral getTargetAttrName() {
      return ::llvm::StringLiteral("seqmix.target");
    }
    /// The attribute of `seqmix.apply` that holds its `#seqmix.form`.
    static constexpr ::llvm::StringLiteral getFormAttrName() {
      return ::llvm::StringLiteral("form");
    }
  private:
    void registerAttributes();
    void registerTypes();
  public:
  }];
}

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def SeqMix_DecayKind : I32EnumAttr<"DecayKind",
    "how the state of a semiseparable mixer decays between tokens", [
      I32EnumAttrCase<"None", 0, "none">,
      I32EnumAttrCase<"Static", 1, "static">,
      I32EnumAttrCase<"Scalar", 2, "scalar">,
      I32EnumAttrCase<"Diagonal", 3, "diagonal">]> {
  let cppNamespace = "::mlir::seqmix";
  let genSpecializedAttr = 0;
}

def SeqMix_Transition : I32EnumAttr<"Transition",
    "how a token is written into the state of a semiseparable mixer", [
      I32EnumAttrCase<"Additive", 0, "additive">,
      I32EnumAttrCase<"Delta", 1, "delta">]> {
  let cppNamespace = "::mlir::seqmix";
  let genSpecializedAttr = 0;
}

def SeqMix_Direction : I32EnumAttr<"Direction",
    "which triangle of the T×T matrix a semiseparable mixer occupies", [
      I32EnumAttrCase<"Causal", 0, "causal">,
      I32EnumAttrCase<"Anticausal", 1, "anticausal">]> {
  let cppNamespace = "::mlir::seqmix";
  let genSpecializedAttr = 0;
}

def SeqMix_DenseMask : I32EnumAttr<"DenseMask",
    "the mask of a dense (softmax) mixer", [
      I32EnumAttrCase<"Full", 0, "full">,
      I32EnumAttrCase<"Causal", 1, "causal">]> {
  let cppNamespace = "::mlir::seqmix";
  let genSpecializedAttr = 0;
}

def SeqMix_FormKind : I32EnumAttr<"FormKind",
    "the form in which seqmix.apply computes a mixer", [
      I32EnumAttrCase<"Parallel", 0, "parallel">,
      I32EnumAttrCase<"Recurrent", 1, "recurrent">,
      I32EnumAttrCase<"Chunked", 2, "chunked">]> {
  let cppNamespace = "::mlir::seqmix";
  let genSpecializedAttr = 0;
}

def SeqMix_Carry : I32EnumAttr<"Carry",
    "how the chunked form carries the state from chunk to chunk on a GPU", [
      I32EnumAttrCase<"OnChip", 0, "onchip">,
      I32EnumAttrCase<"Segments", 1, "segments">,
      I32EnumAttrCase<"Materialized", 2, "materialized">]> {
  let cppNamespace = "::mlir::seqmix";
  let genSpecializedAttr = 0;
}

include "seqmix/Dialect/SeqMix/IR/SeqMixInterfaces.td"

#endif // SEQMIX_DIALECT_SEQMIX_IR_SEQMIXBASE_TD
