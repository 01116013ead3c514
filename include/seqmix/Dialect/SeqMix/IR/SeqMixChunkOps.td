//===- SeqMixChunkOps.td - the chunked level of seqmix -----*- tablegen -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// The chunk-level ops: what `seqmix.apply` with `#seqmix.form<chunked>`
// becomes (seqmix-expand-chunked) before it is lowered to linalg. Each op is
// pure, works on tensors, and is runnable and testable on its own.
//
// Common conventions of every op in this file:
// - per batch row b and value head h (q/k head h / (Hv / H), consecutive
//   grouping), the token axis T is split into chunks of `chunk` = C tokens;
//   the last chunk of a sequence may be shorter. With the optional `seqlens`
//   (N + 1 cumulative offsets, i32 or i64; batch size 1) the batch packs N
//   sequences and chunks restart at every sequence start, so that no chunk
//   straddles two sequences. Token t lies in the chunk [c0, c0 + L) and is
//   its row i = t - c0.
// - `G` is the chunk-local inclusive cumsum of log gates (`chunk_cumsum`),
//   `[B, T, Hv]` (scalar decay) or `[B, T, Hv, K]` (diagonal decay); only
//   non-positive differences G_i - G_j (j <= i), G_last - G_j and G_i itself
//   are exponentiated.
// - Inputs of floating-point type (bf16, f16, f32) are computed in f32;
//   results are f32.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_DIALECT_SEQMIX_IR_SEQMIXCHUNKOPS_TD
#define SEQMIX_DIALECT_SEQMIX_IR_SEQMIXCHUNKOPS_TD

class SeqMix_ChunkOp<string mnemonic, list<Trait> traits = []>
    : SeqMix_Op<mnemonic, traits> {
  let hasVerifier = 1;
}

def SeqMix_ChunkCumsumOp : SeqMix_ChunkOp<"chunk_cumsum"> {
  let summary = "chunk-local inclusive cumsum of log gates";
  let description = [{
    `G[b, t, h(, k)] = Σ_{s = c0}^{t} g[b, s, h(, k)]`: the inclusive prefix
    sum of the log gates `g` (`[B, T, Hv]` for a scalar decay or
    `[B, T, Hv, K]` for a diagonal one, f32), restarted at the first token
    c0 of every chunk of `chunk` tokens (and of every packed sequence given
    by `seqlens`). With gates `g ≤ 0` every `G` is non-positive and
    `exp(G_i − G_j)` for `j ≤ i` of one chunk is the decay from token j to
    token i.

    ```mlir
    %G = seqmix.chunk_cumsum %g {chunk = 64 : i64}
        : tensor<2x?x8xf32> -> tensor<2x?x8xf32>
    %Gd = seqmix.chunk_cumsum %gk seqlens(%cu : tensor<4xi64>) {chunk = 16 : i64}
        : tensor<1x?x8x128xf32> -> tensor<1x?x8x128xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$gate,
                       Optional<AnyRankedTensor>:$seqlens, I64Attr:$chunk);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $gate (`seqlens` `(` $seqlens^ `:` type($seqlens) `)`)?
    attr-dict `:` type($gate) `->` type($result)
  }];
}

def SeqMix_ChunkGramOp : SeqMix_ChunkOp<"chunk_gram",
    [AttrSizedOperandSegments]> {
  let summary = "intra-chunk decayed products x yᵀ";
  let description = [{
    The lower-triangular block of each chunk of the decayed product of `x`
    and `y` (both `[B, T, H, K]`), stored row by row as `[B, T, Hv, C]` in
    f32:

    ```
    A[b, t, h, j] = Σ_d x[b, t, g, d] · y[b, c0 + j, g, d] · exp(G[b, t, h(, d)] − G[b, c0 + j, h(, d)])
                    for j ≤ t − c0 (j < t − c0 with `strict`), else 0
    ```

    with `g = h / (Hv / H)`, c0 the first token of t's chunk and `G` the
    optional chunk-local cumsum `decay` (`[B, T, Hv]` or `[B, T, Hv, K]`;
    without it the exponential factor is 1). Columns past the end of a
    partial chunk are 0; masked entries are selected, never multiplied, and
    the exponent is a difference `G_i − G_j` with `j ≤ i`. `x = q, y = k`
    gives the intra-chunk scores (inclusive), `x = y = k` with `strict` the
    matrix of the delta rule's triangular solve. The number of value heads
    `Hv` (a multiple of H) is the result's.

    ```mlir
    %A = seqmix.chunk_gram %q, %k decay(%G : tensor<2x?x8x64xf32>) {chunk = 64 : i64}
        : tensor<2x?x4x64xbf16>, tensor<2x?x4x64xbf16> -> tensor<2x?x8x64xf32>
    %Akk = seqmix.chunk_gram %k, %k {chunk = 64 : i64, strict}
        : tensor<2x?x4x64xbf16>, tensor<2x?x4x64xbf16> -> tensor<2x?x4x64xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$x, AnyRankedTensor:$y,
                       Optional<AnyRankedTensor>:$decay,
                       Optional<AnyRankedTensor>:$seqlens, I64Attr:$chunk,
                       UnitAttr:$strict);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $x `,` $y
    (`decay` `(` $decay^ `:` type($decay) `)`)?
    (`seqlens` `(` $seqlens^ `:` type($seqlens) `)`)?
    attr-dict `:` type($x) `,` type($y) `->` type($result)
  }];
}

def SeqMix_TriInverseOp : SeqMix_ChunkOp<"tri_inverse"> {
  let summary = "the UT/WY transform (I + diag(β) stril(A))⁻¹ diag(β) per chunk";
  let description = [{
    For each chunk of L ≤ C tokens, with `A_c` the L×L block of `a` (rows
    c0 … c0 + L − 1, columns 0 … L − 1; only its strictly lower triangle is
    read) and `β_c` the chunk's `beta`:

    ```
    T_c = (I + diag(β_c) stril(A_c))⁻¹ diag(β_c)
    ```

    returned row by row as `[B, T, Hv, C]` in f32 (lower triangular; columns
    past the end of a partial chunk are 0). It is computed by forward
    substitution, `T[i, :] = β_i (e_i − Σ_{j<i} A[i, j] T[j, :])`. With
    `a = chunk_gram(k, k, strict)` this is the matrix of the delta rule's
    WY (UT) representation: `T V` and `T (K ∘ exp(G))` are the chunk's `U`
    and `W` (`seqmix.wy_apply`).

    ```mlir
    %T = seqmix.tri_inverse %Akk, %beta {chunk = 64 : i64}
        : tensor<2x?x8x64xf32>, tensor<2x?x8xbf16> -> tensor<2x?x8x64xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$a, AnyRankedTensor:$beta,
                       Optional<AnyRankedTensor>:$seqlens, I64Attr:$chunk);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $a `,` $beta (`seqlens` `(` $seqlens^ `:` type($seqlens) `)`)?
    attr-dict `:` type($a) `,` type($beta) `->` type($result)
  }];
}

def SeqMix_WYApplyOp : SeqMix_ChunkOp<"wy_apply",
    [AttrSizedOperandSegments]> {
  let summary = "the delta rule's W = T (K ∘ exp(G)) and U = T V per chunk";
  let description = [{
    Multiplies each chunk's lower-triangular block of `t` (`[B, T, Hv, C]`,
    from `seqmix.tri_inverse`; entries above the diagonal are not read) with
    the chunk's keys, decayed to the chunk start, and with its values:

    ```
    W[b, t, h, :] = Σ_{j ≤ t − c0} T[b, t, h, j] · k[b, c0 + j, g, :] ∘ exp(G[b, c0 + j, h(, :)])
    U[b, t, h, :] = Σ_{j ≤ t − c0} T[b, t, h, j] · v[b, c0 + j, h, :]
    ```

    with `g = h / (Hv / H)`; `k` is `[B, T, H, K]`, `v` `[B, T, Hv, V]`,
    `decay` the optional chunk-local cumsum. `W` is `[B, T, Hv, K]`, `U`
    `[B, T, Hv, V]`, both f32. Within a chunk the delta rule's corrected
    values are then `V' = U − W h` for the state `h` at the chunk start
    (`seqmix.chunk_state_scan`).

    ```mlir
    %w, %u = seqmix.wy_apply %T, %k, %v decay(%G : tensor<2x?x8xf32>) {chunk = 64 : i64}
        : tensor<2x?x8x64xf32>, tensor<2x?x4x128xbf16>, tensor<2x?x8x128xbf16>
        -> tensor<2x?x8x128xf32>, tensor<2x?x8x128xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$t, AnyRankedTensor:$k,
                       AnyRankedTensor:$v, Optional<AnyRankedTensor>:$decay,
                       Optional<AnyRankedTensor>:$seqlens, I64Attr:$chunk);
  let results = (outs AnyRankedTensor:$w, AnyRankedTensor:$u);
  let assemblyFormat = [{
    $t `,` $k `,` $v
    (`decay` `(` $decay^ `:` type($decay) `)`)?
    (`seqlens` `(` $seqlens^ `:` type($seqlens) `)`)?
    attr-dict `:` type($t) `,` type($k) `,` type($v) `->` type($w) `,`
    type($u)
  }];
}

def SeqMix_ChunkStateScanOp : SeqMix_ChunkOp<"chunk_state_scan",
    [AttrSizedOperandSegments]> {
  let summary = "the sequential scan of the state across chunks";
  let description = [{
    Walks the chunks of every sequence in order, from the state
    `h = init[n]` (or 0), and records the state at the start of each chunk.
    For a chunk of tokens c0 … c0 + L − 1 (last token l = c0 + L − 1), per
    batch row b and value head (whose q/k head is g), with `h` the K×V state:

    ```
    states[b, c] = h                                   (the state at the chunk start)
    v'_t = u_t − hᵀ w_t          with `w`, else v'_t = u_t
    h ← exp(G_l) ∘ h + Σ_{t in chunk} (k[b, t, g] ∘ exp(G_l − G_t)) v'_tᵀ
    ```

    where `∘ exp(G)` scales the rows of the K×V state by a scalar
    (`decay` `[B, T, Hv]`) or per row (`[B, T, Hv, K]`) and is omitted
    without `decay`. For an additive transition `u` is the values (times
    Mamba2's `dt`) and there is no `w`; for the delta rule `w` and `u` come
    from `seqmix.wy_apply` and `v'` ("v_new") is the third result.

    Operands: `k` `[B, T, H, K]`, `u` `[B, T, Hv, V]`, `w` `[B, T, Hv, K]`,
    `init` `[N, Hv, K, V]` f32. Results: `states` `[B, NT, Hv, K, V]` with
    NT = ceil(T / C), or, with `seqlens`, the total number of chunks of the
    packed sequences (dynamic; chunks numbered in packed order);
    `final_state` `[N, Hv, K, V]` (an empty sequence keeps its initial
    state); and `v_new` `[B, T, Hv, V]` exactly when `w` is given. All f32.

    ```mlir
    %h, %hT, %vn = seqmix.chunk_state_scan %k, %u w(%w : tensor<2x?x8x128xf32>)
        decay(%G : tensor<2x?x8xf32>) init(%h0 : tensor<2x8x128x128xf32>) {chunk = 64 : i64}
        : tensor<2x?x4x128xbf16>, tensor<2x?x8x128xf32>
        -> tensor<2x?x8x128x128xf32>, tensor<2x8x128x128xf32>, tensor<2x?x8x128xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$k, AnyRankedTensor:$u,
                       Optional<AnyRankedTensor>:$w,
                       Optional<AnyRankedTensor>:$decay,
                       Optional<AnyRankedTensor>:$init,
                       Optional<AnyRankedTensor>:$seqlens, I64Attr:$chunk);
  let results = (outs AnyRankedTensor:$states, AnyRankedTensor:$final_state,
                      Optional<AnyRankedTensor>:$v_new);
  let assemblyFormat = [{
    $k `,` $u
    (`w` `(` $w^ `:` type($w) `)`)?
    (`decay` `(` $decay^ `:` type($decay) `)`)?
    (`init` `(` $init^ `:` type($init) `)`)?
    (`seqlens` `(` $seqlens^ `:` type($seqlens) `)`)?
    attr-dict `:` type($k) `,` type($u) `->` type($states) `,`
    type($final_state) (`,` type($v_new)^)?
  }];
}

def SeqMix_ChunkOutputOp : SeqMix_ChunkOp<"chunk_output",
    [AttrSizedOperandSegments]> {
  let summary = "the output of each chunk: inter-chunk plus intra-chunk part";
  let description = [{
    For token t of a chunk starting at c0, state `h_c = states[b, c]` at the
    chunk start (from `seqmix.chunk_state_scan`), per value head h (q/k head
    `g = h / (Hv / H)`):

    ```
    o[b, t, h, :] = scale · ( (q[b, t, g] ∘ exp(G[b, t, h(, :)]))ᵀ h_c + Σ_{j ≤ t − c0} A[b, t, h, j] · v[b, c0 + j, h, :] )
    ```

    `q` is `[B, T, H, K]`; `a` `[B, T, Hv, C]` the intra-chunk scores from
    `seqmix.chunk_gram` (only the lower triangle of each chunk block is
    read); `v` `[B, T, Hv, V]` the values (for the delta rule, `v_new`);
    `states` `[B, NT, Hv, K, V]`; `decay` the optional chunk-local cumsum;
    `scale` defaults to 1. The result is `[B, T, Hv, V]` in f32.

    ```mlir
    %o = seqmix.chunk_output %q, %A, %v, %h decay(%G : tensor<2x?x8xf32>)
        {chunk = 64 : i64, scale = 0.088388347648318433 : f64}
        : tensor<2x?x4x128xbf16>, tensor<2x?x8x64xf32>, tensor<2x?x8x128xf32>,
          tensor<2x?x8x128x128xf32> -> tensor<2x?x8x128xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$q, AnyRankedTensor:$a,
                       AnyRankedTensor:$v, AnyRankedTensor:$states,
                       Optional<AnyRankedTensor>:$decay,
                       Optional<AnyRankedTensor>:$seqlens, I64Attr:$chunk,
                       OptionalAttr<F64Attr>:$scale);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $q `,` $a `,` $v `,` $states
    (`decay` `(` $decay^ `:` type($decay) `)`)?
    (`seqlens` `(` $seqlens^ `:` type($seqlens) `)`)?
    attr-dict `:` type($q) `,` type($a) `,` type($v) `,` type($states) `->`
    type($result)
  }];
  let extraClassDeclaration = [{
    /// The scale, 1 when not given.
    double getScaleOrDefault() {
      if (auto scale = getScale())
        return scale->convertToDouble();
      return 1.0;
    }
  }];
}

#endif // SEQMIX_DIALECT_SEQMIX_IR_SEQMIXCHUNKOPS_TD
