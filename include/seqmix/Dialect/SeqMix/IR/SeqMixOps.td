//===- SeqMixOps.td - seqmix operations --------------------*- tablegen -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_DIALECT_SEQMIX_IR_SEQMIXOPS_TD
#define SEQMIX_DIALECT_SEQMIX_IR_SEQMIXOPS_TD

include "seqmix/Dialect/SeqMix/IR/SeqMixTypes.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributes.td"

class SeqMix_Op<string mnemonic, list<Trait> traits = []>
    : Op<SeqMix_Dialect, mnemonic, !listconcat([Pure], traits)>;

//===----------------------------------------------------------------------===//
// Constructors
//===----------------------------------------------------------------------===//

def SeqMix_LowRankOp : SeqMix_Op<"lowrank"> {
  let summary = "non-causal low-rank mixer M = scale · Q Kᵀ";
  let description = [{
    Builds the non-causal mixer of vision and diffusion linear attention:
    per batch `b` and value head `h` (query/key head `g = h / (Hv / H)`),
    `M[b, h] = scale · Q[b, :, g] K[b, :, g]ᵀ`, a T×T matrix of rank at most
    K. `q` and `k` are `[B, T, H, K]`; the result has `Hv` heads, a multiple
    of `H`. `scale` defaults to `K^-1/2`.

    ```mlir
    %m = seqmix.lowrank %q, %k {scale = 0.125 : f64}
        : tensor<2x256x4x64xbf16>, tensor<2x256x4x64xbf16>
        -> !seqmix.mixer<2x4x256, #seqmix.lowrank<rank = 64>>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$q, AnyRankedTensor:$k,
                       OptionalAttr<F64Attr>:$scale);
  let results = (outs SeqMix_AnyMixer:$result);
  let assemblyFormat = [{
    $q `,` $k attr-dict `:` type($q) `,` type($k) `->` type($result)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The scale, K^-1/2 when not given.
    double getScaleOrDefault();
  }];
}

def SeqMix_SemiseparableOp : SeqMix_Op<"semiseparable",
    [AttrSizedOperandSegments]> {
  let summary = "causal mixer given by a linear state recurrence";
  let description = [{
    Builds the mixer of a linear recurrence with a K×V state per batch `b`
    and value head `h` (query/key head `g = h / (Hv / H)`, consecutive
    grouping). With `S_0` the initial state of `seqmix.apply` (or zero):

    ```
    S_t = A_t S_{t-1} + B_t v_tᵀ,      o_t = scale · S_tᵀ q_t
    M_ij = scale · q_iᵀ A_i A_{i-1} ⋯ A_{j+1} B_j  for i ≥ j, else 0
    ```

    The result type's `#seqmix.semiseparable` structure fixes `A_t` and `B_t`:

    | decay | gate operand | transition | A_t | B_t |
    |---|---|---|---|---|
    | none | — | additive | I | k_t (· dt_t) |
    | static | `[Hv]`, log γ | additive | γ_h I | k_t (· dt_t) |
    | scalar | `[B, T, Hv]`, g | additive | exp(g_t) I | k_t (· dt_t) |
    | diagonal | `[B, T, Hv, K]`, g | additive | Diag(exp(g_t)) | k_t (· dt_t) |
    | none, static, scalar | as above | delta | exp(g_t)(I − β_t k_t k_tᵀ) | β_t k_t |
    | diagonal | as above | delta | (I − β_t k_t k_tᵀ) Diag(exp(g_t)) | β_t k_t |

    Gates are natural logarithms in f32. `beta` (`[B, T, Hv]`) is required
    by, and only allowed with, the delta transition. `dt` (`[B, T, Hv]`,
    f32) scales `B_t` of an additive transition per token: Mamba2's Δ, so
    that the mixer applies to `x` rather than `dt · x` and a diagonal `D`
    term can be added. `scale` defaults to `K^-1/2`.

    | family | q, k | decay | transition | other |
    |---|---|---|---|---|
    | causal linear attention | q, k | none | additive | |
    | RetNet, Lightning | q, k | static | additive | |
    | simple GLA | q, k | scalar | additive | |
    | GLA | q, k | diagonal | additive | |
    | Mamba2 SSD | C, B (groups = q/k heads) | scalar, g = A·dt | additive | `dt`, scale 1, `+ seqmix.diagonal` D |
    | DeltaNet | q, k | none | delta | β |
    | Gated DeltaNet | q, k | scalar | delta | β |
    | KDA | q, k | diagonal | delta | β |

    ```mlir
    // Gated DeltaNet with 4 q/k heads and 8 value heads.
    %m = seqmix.semiseparable %q, %k gate(%g : tensor<?x?x8xf32>)
        beta(%beta : tensor<?x?x8xbf16>)
        : tensor<?x?x4x128xbf16>, tensor<?x?x4x128xbf16>
        -> !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = delta>>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$q, AnyRankedTensor:$k,
                       Optional<AnyRankedTensor>:$gate,
                       Optional<AnyRankedTensor>:$beta,
                       Optional<AnyRankedTensor>:$dt,
                       OptionalAttr<F64Attr>:$scale);
  let results = (outs SeqMix_AnyMixer:$result);
  let assemblyFormat = [{
    $q `,` $k
    (`gate` `(` $gate^ `:` type($gate) `)`)?
    (`beta` `(` $beta^ `:` type($beta) `)`)?
    (`dt` `(` $dt^ `:` type($dt) `)`)?
    attr-dict `:` type($q) `,` type($k) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    /// The structure of the result.
    SemiseparableAttr getStructure();
    /// The scale, K^-1/2 when not given.
    double getScaleOrDefault();
  }];
}

def SeqMix_AttentionOp : SeqMix_Op<"attention"> {
  let summary = "dense softmax attention matrix";
  let description = [{
    Builds `M[b, h] = rowsoftmax(mask(scale · Q[b, :, h] K[b, :, h / (Hq / Hkv)]ᵀ))`
    for `q` `[B, T, Hq, K]` and `k` `[B, T, Hkv, K]`, with `Hq` a multiple of
    `Hkv` (grouped-query attention: consecutive query heads share a key/value
    head). The mask is the result structure's: `causal` keeps `j ≤ i`, and a
    window `W > 0` keeps `i − W < j` (causal) or `|i − j| < W` (full).
    Applied to `v` `[B, T, Hkv, V]` it gives `[B, T, Hq, V]`. `scale` defaults
    to `K^-1/2`. This is the dense baseline and the layer type of hybrids.

    ```mlir
    %m = seqmix.attention %q, %k
        : tensor<1x?x16x128xbf16>, tensor<1x?x4x128xbf16>
        -> !seqmix.mixer<1x16x?, #seqmix.dense<kv_heads = 4, window = 1024>>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$q, AnyRankedTensor:$k,
                       OptionalAttr<F64Attr>:$scale);
  let results = (outs SeqMix_AnyMixer:$result);
  let assemblyFormat = [{
    $q `,` $k attr-dict `:` type($q) `,` type($k) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    DenseAttr getStructure();
    /// The scale, K^-1/2 when not given.
    double getScaleOrDefault();
  }];
}

def SeqMix_DiagonalOp : SeqMix_Op<"diagonal"> {
  let summary = "diagonal mixer M = Diag(d)";
  let description = [{
    Builds a diagonal term: `M[b, h]_ii = d[h]` for `d` of shape `[H]` (a
    per-head constant such as Mamba2's `D`), or `d[b, i, h]` for `d` of shape
    `[B, T, H]` (per token, such as Hydra's `D + fc_D(x)`). The result gives B
    and T when `d` does not.

    ```mlir
    %d = seqmix.diagonal %D : tensor<64xf32> -> !seqmix.mixer<?x64x?, #seqmix.diagonal>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$d);
  let results = (outs SeqMix_AnyMixer:$result);
  let assemblyFormat = "$d attr-dict `:` type($d) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Algebra
//===----------------------------------------------------------------------===//

def SeqMix_TransposeOp : SeqMix_Op<"transpose",
    [DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "transpose of a mixer, Mᵀ";
  let description = [{
    The transpose of every T×T matrix: a causal semiseparable mixer becomes
    anticausal (its recurrence runs backwards in time: the backward pass, and
    the second half of bidirectional mixers such as Hydra), a low-rank
    `scale · Q Kᵀ` becomes `scale · K Qᵀ`, a diagonal stays itself. Softmax
    attention has no transpose here (its row normalisation does not carry
    over). What scaled a column of M (`dt`, β: the input token j) scales a
    row of Mᵀ (the output token): a bidirectional model whose backward scan
    needs Δ at the input token folds it into the operand that becomes the
    column (see `examples/hydra.mlir`).

    ```mlir
    %mt = seqmix.transpose %m : !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 64, decay = scalar, transition = additive>>
    ```
  }];
  let arguments = (ins SeqMix_AnyMixer:$input);
  let results = (outs SeqMix_AnyMixer:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def SeqMix_AddOp : SeqMix_Op<"add",
    [DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "sum of two mixers, M₁ + M₂";
  let description = [{
    The entry-wise sum of two mixers of the same head count and compatible
    batch and sequence lengths. Its structure is a `#seqmix.sum` of the
    operands' terms. Mamba2 with its `D` skip is a semiseparable mixer plus a
    diagonal; Hydra is a causal semiseparable mixer, plus another one
    transposed, plus a diagonal.

    ```mlir
    %m2 = seqmix.add %ss, %d
        : !seqmix.mixer<?x64x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>,
          !seqmix.mixer<?x64x?, #seqmix.diagonal>
    ```
  }];
  let arguments = (ins SeqMix_AnyMixer:$lhs, SeqMix_AnyMixer:$rhs);
  let results = (outs SeqMix_AnyMixer:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)";
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Consumers
//===----------------------------------------------------------------------===//

def SeqMix_ApplyOp : SeqMix_Op<"apply", [AttrSizedOperandSegments]> {
  let summary = "apply a mixer to a sequence of values, O = M V";
  let description = [{
    Computes `O[b, :, h, :] = M[b, h] V[b, :, h', :]` for `value` of shape
    `[B, T, Hv', V]`, where `h' = h` except for softmax attention
    (`h' = h / (Hq / Hkv)`). The output is `[B, T, H, V]` with the value's
    element type.

    A mixer with exactly one causal semiseparable term has a state: `init`
    (`[N, H, K, V]`, f32) is `S_0`, adding `scale · q_iᵀ A_i ⋯ A_1 S_0` to
    row i, and the optional second result is the final state `S_T` in the
    same shape. With `seqlens`, a 1-D i32 or i64 tensor of `N + 1`
    cumulative offsets, the batch (of size 1) packs N sequences of uneven
    length: the mixer is applied to each on its own (no entry of M crosses a
    boundary) and each starts from its own initial state; otherwise `N = B`.

    `form` records how the product is computed (`#seqmix.form`); a form
    written by hand is kept by `seqmix-select-form`.

    ```mlir
    %o, %sT = seqmix.apply %m, %v init(%s0 : tensor<2x8x128x128xf32>)
        {form = #seqmix.form<chunked, chunk = 64>}
        : !seqmix.mixer<2x8x?, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>,
          tensor<2x?x8x128xbf16> -> tensor<2x?x8x128xbf16>, tensor<2x8x128x128xf32>
    ```
  }];
  let arguments = (ins SeqMix_AnyMixer:$mixer, AnyRankedTensor:$value,
                       Optional<AnyRankedTensor>:$init,
                       Optional<AnyRankedTensor>:$seqlens,
                       OptionalAttr<SeqMix_FormAttr>:$form);
  let results = (outs AnyRankedTensor:$output,
                      Optional<AnyRankedTensor>:$final_state);
  let assemblyFormat = [{
    $mixer `,` $value
    (`init` `(` $init^ `:` type($init) `)`)?
    (`seqlens` `(` $seqlens^ `:` type($seqlens) `)`)?
    attr-dict `:` type($mixer) `,` type($value) `->` type($output)
    (`,` type($final_state)^)?
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Checks that the `form` attribute, if any, applies to the mixer.
    ::mlir::LogicalResult verifyForm();
  }];
}

def SeqMix_MaterializeOp : SeqMix_Op<"materialize"> {
  let summary = "the T×T matrices of a mixer as a tensor";
  let description = [{
    Returns `M` as a `[B, H, T, T]` tensor of floats: the parallel form, and
    attention maps in tests. Entries outside the structure are zero.

    ```mlir
    %M = seqmix.materialize %m
        : !seqmix.mixer<1x4x16, #seqmix.lowrank<rank = 8>> -> tensor<1x4x16x16xf32>
    ```
  }];
  let arguments = (ins SeqMix_AnyMixer:$mixer);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$mixer attr-dict `:` type($mixer) `->` type($result)";
  let hasVerifier = 1;
}

include "seqmix/Dialect/SeqMix/IR/SeqMixChunkOps.td"

#endif // SEQMIX_DIALECT_SEQMIX_IR_SEQMIXOPS_TD
