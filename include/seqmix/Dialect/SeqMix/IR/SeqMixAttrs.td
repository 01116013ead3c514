//===- SeqMixAttrs.td - seqmix attributes ------------------*- tablegen -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_DIALECT_SEQMIX_IR_SEQMIXATTRS_TD
#define SEQMIX_DIALECT_SEQMIX_IR_SEQMIXATTRS_TD

include "seqmix/Dialect/SeqMix/IR/SeqMixBase.td"

class SeqMix_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<SeqMix_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

class SeqMix_DefaultEnumParameter<EnumAttrInfo info, string value>
    : EnumParameter<info> {
  let defaultValue = value;
}

def SeqMix_StructureInterfaceMethods
    : DeclareAttrInterfaceMethods<SeqMix_MixerStructureAttrInterface>;

//===----------------------------------------------------------------------===//
// Structures of the T×T matrix
//===----------------------------------------------------------------------===//

def SeqMix_LowRankAttr : SeqMix_Attr<"LowRank", "lowrank",
    [SeqMix_StructureInterfaceMethods]> {
  let summary = "a non-causal low-rank matrix M = scale · Q Kᵀ";
  let description = [{
    The structure of a non-causal low-rank mixer of rank `rank` (the key
    dimension K): every entry may be non-zero. It is applied either as
    `Q (Kᵀ V)` or as `(Q Kᵀ) V`.

    ```mlir
    !seqmix.mixer<2x8x1024, #seqmix.lowrank<rank = 64>>
    ```
  }];
  let parameters = (ins "int64_t":$rank);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def SeqMix_SemiseparableAttr : SeqMix_Attr<"Semiseparable", "semiseparable",
    [SeqMix_StructureInterfaceMethods]> {
  let summary = "a K-semiseparable matrix given by a linear recurrence";
  let description = [{
    The structure of a semiseparable mixer with a state of `state` = K rows:
    `S_t = A_t S_{t-1} + B_t v_tᵀ`, `o_t = scale · S_tᵀ q_t` where

    | decay | transition | A_t | B_t |
    |---|---|---|---|
    | none | additive | I | k_t |
    | static | additive | γ_h I, log γ_h given per head | k_t |
    | scalar | additive | exp(g_t) I | k_t |
    | diagonal | additive | Diag(exp(g_t)) | k_t |
    | none, static, scalar | delta | exp(g_t) (I − β_t k_t k_tᵀ) | β_t k_t |
    | diagonal | delta | (I − β_t k_t k_tᵀ) Diag(exp(g_t)) | β_t k_t |

    With `direction = anticausal` the matrix is the transpose of the causal
    one (M_ij for i ≤ j): the result of `seqmix.transpose`, whose recurrence
    runs from the last token to the first.

    ```mlir
    #seqmix.semiseparable<state = 128, decay = scalar, transition = delta>
    ```
  }];
  let parameters = (ins
    "int64_t":$state,
    EnumParameter<SeqMix_DecayKind>:$decay,
    EnumParameter<SeqMix_Transition>:$transition,
    SeqMix_DefaultEnumParameter<SeqMix_Direction,
                                "::mlir::seqmix::Direction::Causal">:$direction
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def SeqMix_DenseAttr : SeqMix_Attr<"Dense", "dense",
    [SeqMix_StructureInterfaceMethods]> {
  let summary = "a dense softmax-attention matrix";
  let description = [{
    The structure of softmax attention, `M = rowsoftmax(mask(scale · Q Kᵀ))`:
    full rank, with `mask = causal` lower-triangular, and with `window = W`
    (W > 0) banded: query i sees keys `i − W + 1 … i`. `kv_heads` is the
    number of key/value heads; the mixer's own head count (the query heads)
    is a multiple of it (grouped-query attention).

    ```mlir
    #seqmix.dense<kv_heads = 2, mask = causal, window = 256>
    ```
  }];
  let parameters = (ins
    "int64_t":$kv_heads,
    SeqMix_DefaultEnumParameter<SeqMix_DenseMask,
                                "::mlir::seqmix::DenseMask::Causal">:$mask,
    DefaultValuedParameter<"int64_t", "0">:$window
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def SeqMix_DiagonalAttr : SeqMix_Attr<"Diagonal", "diagonal",
    [SeqMix_StructureInterfaceMethods]> {
  let summary = "a diagonal matrix";
  let description = [{
    The structure of a diagonal term `M = Diag(d)`, such as Mamba2's `D` skip
    connection or Hydra's diagonal.

    ```mlir
    !seqmix.mixer<?x8x?, #seqmix.diagonal>
    ```
  }];
}

def SeqMix_SumAttr : SeqMix_Attr<"Sum", "sum",
    [SeqMix_StructureInterfaceMethods]> {
  let summary = "the sum of mixers of other structures";
  let description = [{
    The structure of `seqmix.add`: a sum of at least two terms, none of them
    a sum itself (sums are flattened). Hydra's quasiseparable matrix is the
    sum of a causal and an anticausal semiseparable matrix and a diagonal.

    ```mlir
    #seqmix.sum<[#seqmix.semiseparable<state = 64, decay = scalar, transition = additive>,
                 #seqmix.diagonal]>
    ```
  }];
  let parameters = (ins ArrayRefParameter<"::mlir::Attribute">:$terms);
  let assemblyFormat = "`<` `[` $terms `]` `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Compilation attributes
//===----------------------------------------------------------------------===//

def SeqMix_FormAttr : SeqMix_Attr<"Form", "form"> {
  let summary = "the form in which seqmix.apply computes its mixer";
  let description = [{
    Chosen by `seqmix-select-form` (or pinned by hand) and obeyed by the
    lowerings:

    - `parallel`: the T×T matrix is materialised tile by tile and multiplied
      with V (for a non-causal low-rank mixer: `(Q Kᵀ) V`);
    - `recurrent`: the state is scanned token by token (for a non-causal
      low-rank mixer: `Q (Kᵀ V)`);
    - `chunked`: dense blocks of `chunk` tokens on the diagonal, the state
      passed between blocks. On a GPU, `carry` says how the state moves from
      chunk to chunk (`onchip`: one CTA walks all chunks; `segments`: the
      sequence is split into segments with a prefix across them;
      `materialized`: per-chunk states go through memory) and `split_v`
      how many CTAs share the value dimension.

    `chunk`, `carry` and `split_v` are only meaningful for `chunked`; `chunk`
    is a power of two.

    ```mlir
    #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>
    #seqmix.form<recurrent>
    ```
  }];
  let parameters = (ins
    EnumParameter<SeqMix_FormKind>:$kind,
    DefaultValuedParameter<"int64_t", "0">:$chunk,
    OptionalParameter<"std::optional<::mlir::seqmix::Carry>">:$carry,
    DefaultValuedParameter<"int64_t", "0">:$split_v
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

def SeqMix_TargetAttr : SeqMix_Attr<"Target", "target"> {
  let summary = "the machine a module is compiled for";
  let description = [{
    Placed on a module under the name `seqmix.target`; read by
    `seqmix-select-form`'s cost model. `chip` is `"cpu"`, `"sm_80"`,
    `"sm_90"` or `"sm_90a"`. The other parameters describe the machine; any
    left out (or 0) takes the chip's default (see `docs/Rationale.md`):
    `sms` multiprocessors (cores for the CPU), `hbm_gbps` memory bandwidth in
    GB/s, `smem_kb` shared memory per multiprocessor in KiB, `gflops` the
    dense bf16 (CPU: fp32) arithmetic rate in GFLOP/s.

    ```mlir
    module attributes {seqmix.target = #seqmix.target<chip = "sm_90a", sms = 132, hbm_gbps = 3000>} {}
    ```
  }];
  let parameters = (ins
    StringRefParameter<"the chip name">:$chip,
    DefaultValuedParameter<"int64_t", "0">:$sms,
    DefaultValuedParameter<"int64_t", "0">:$hbm_gbps,
    DefaultValuedParameter<"int64_t", "0">:$smem_kb,
    DefaultValuedParameter<"int64_t", "0">:$gflops
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Whether the target is a GPU.
    bool isGPU() const { return getChip() != "cpu"; }
    /// The parameters with the chip's defaults filled in.
    TargetAttr withDefaults() const;
  }];
}

#endif // SEQMIX_DIALECT_SEQMIX_IR_SEQMIXATTRS_TD
