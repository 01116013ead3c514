// RUN: seqmix-opt %s -split-input-file -verify-diagnostics

// Negative tests of the chunk-level ops: every diagnostic of their
// verifiers. Unless said otherwise B = 2, T = 64, H = 4 q/k heads,
// Hv = 8 value heads, K = 32, V = 16, chunks of C = 16 tokens: q, k
// [B, T, H, K]; values [B, T, Hv, V]; gates [B, T, Hv] or [B, T, Hv, K];
// intra-chunk matrices [B, T, Hv, C]; per-chunk states [B, NT, Hv, K, V]
// with NT = 4; states [N, Hv, K, V].

//===----------------------------------------------------------------------===//
// seqmix.chunk_cumsum
//===----------------------------------------------------------------------===//

// A chunk of 0 tokens.
func.func @chunk_cumsum_a_chunk_of_0_tokens(%g: tensor<2x64x8xf32>) {
  // expected-error @+1 {{attribute 'chunk' must be positive, but got 0}}
  %c = seqmix.chunk_cumsum %g {chunk = 0 : i64} : tensor<2x64x8xf32> -> tensor<2x64x8xf32>
  return
}

// -----

// A gate of rank 2.
func.func @chunk_cumsum_a_gate_of_rank_2(%g: tensor<2x64xf32>) {
  // expected-error @+1 {{operand 'gate' must be a rank-3 tensor [B, T, Hv] (scalar decay) or a rank-4 tensor [B, T, Hv, K] (diagonal decay), but got 'tensor<2x64xf32>'}}
  %c = seqmix.chunk_cumsum %g {chunk = 16 : i64} : tensor<2x64xf32> -> tensor<2x64xf32>
  return
}

// -----

// Gates are f32.
func.func @chunk_cumsum_gates_are_f32(%g: tensor<2x64x8xbf16>) {
  // expected-error @+1 {{operand 'gate' must have element type f32, but got 'bf16'}}
  %c = seqmix.chunk_cumsum %g {chunk = 16 : i64} : tensor<2x64x8xbf16> -> tensor<2x64x8xf32>
  return
}

// -----

// The result has another shape.
func.func @chunk_cumsum_the_result_has_another_shape(%g: tensor<2x64x8xf32>) {
  // expected-error @+1 {{result must be an f32 tensor of the shape of 'gate' ('tensor<2x64x8xf32>'), but got 'tensor<2x64x4xf32>'}}
  %c = seqmix.chunk_cumsum %g {chunk = 16 : i64} : tensor<2x64x8xf32> -> tensor<2x64x4xf32>
  return
}

// -----

// The result is not f32.
func.func @chunk_cumsum_the_result_is_not_f32(%g: tensor<2x64x8xf32>) {
  // expected-error @+1 {{result must be an f32 tensor of the shape of 'gate' ('tensor<2x64x8xf32>'), but got 'tensor<2x64x8xf16>'}}
  %c = seqmix.chunk_cumsum %g {chunk = 16 : i64} : tensor<2x64x8xf32> -> tensor<2x64x8xf16>
  return
}

// -----

// seqlens of rank 2.
func.func @chunk_cumsum_seqlens_of_rank_2(%g: tensor<1x64x8xf32>, %cu: tensor<2x2xi64>) {
  // expected-error @+1 {{operand 'seqlens' must be a rank-1 tensor [N + 1], but got 'tensor<2x2xi64>'}}
  %c = seqmix.chunk_cumsum %g seqlens(%cu : tensor<2x2xi64>) {chunk = 16 : i64} : tensor<1x64x8xf32> -> tensor<1x64x8xf32>
  return
}

// -----

// seqlens of floats.
func.func @chunk_cumsum_seqlens_of_floats(%g: tensor<1x64x8xf32>, %cu: tensor<3xf32>) {
  // expected-error @+1 {{operand 'seqlens' must have element type i32 or i64, but got 'f32'}}
  %c = seqmix.chunk_cumsum %g seqlens(%cu : tensor<3xf32>) {chunk = 16 : i64} : tensor<1x64x8xf32> -> tensor<1x64x8xf32>
  return
}

// -----

// seqlens with a batch of 2.
func.func @chunk_cumsum_seqlens_with_a_batch_of_2(%g: tensor<2x64x8xf32>, %cu: tensor<3xi64>) {
  // expected-error @+1 {{'seqlens' requires batch size 1 (sequences packed along T), but the batch of 'gate' is 2}}
  %c = seqmix.chunk_cumsum %g seqlens(%cu : tensor<3xi64>) {chunk = 16 : i64} : tensor<2x64x8xf32> -> tensor<2x64x8xf32>
  return
}

// -----

// seqlens with one offset.
func.func @chunk_cumsum_seqlens_with_one_offset(%g: tensor<1x64x8xf32>, %cu: tensor<1xi32>) {
  // expected-error @+1 {{operand 'seqlens' must hold at least 2 offsets (N + 1 for N >= 1 sequences), but has 1}}
  %c = seqmix.chunk_cumsum %g seqlens(%cu : tensor<1xi32>) {chunk = 16 : i64} : tensor<1x64x8xf32> -> tensor<1x64x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// seqmix.chunk_gram
//===----------------------------------------------------------------------===//

// x of rank 3.
func.func @chunk_gram_x_of_rank_3(%x: tensor<2x64x32xf32>, %y: tensor<2x64x4x32xf32>) {
  // expected-error @+1 {{operand 'x' must be a rank-4 tensor [B, T, H, K], but got 'tensor<2x64x32xf32>'}}
  %a = seqmix.chunk_gram %x, %y {chunk = 16 : i64} : tensor<2x64x32xf32>, tensor<2x64x4x32xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// x of integers.
func.func @chunk_gram_x_of_integers(%x: tensor<2x64x4x32xi32>, %y: tensor<2x64x4x32xf32>) {
  // expected-error @+1 {{operand 'x' must have element type bf16, f16 or f32, but got 'i32'}}
  %a = seqmix.chunk_gram %x, %y {chunk = 16 : i64} : tensor<2x64x4x32xi32>, tensor<2x64x4x32xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// y has another batch.
func.func @chunk_gram_y_has_another_batch(%x: tensor<2x64x4x32xf32>, %y: tensor<3x64x4x32xf32>) {
  // expected-error @+1 {{batch B of 'y' (3) and of 'x' (2) differ}}
  %a = seqmix.chunk_gram %x, %y {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<3x64x4x32xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// y has another length.
func.func @chunk_gram_y_has_another_length(%x: tensor<2x64x4x32xf32>, %y: tensor<2x63x4x32xf32>) {
  // expected-error @+1 {{sequence length T of 'y' (63) and of 'x' (64) differ}}
  %a = seqmix.chunk_gram %x, %y {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x63x4x32xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// y has other heads.
func.func @chunk_gram_y_has_other_heads(%x: tensor<2x64x4x32xf32>, %y: tensor<2x64x2x32xf32>) {
  // expected-error @+1 {{head count H of 'y' (2) and of 'x' (4) differ}}
  %a = seqmix.chunk_gram %x, %y {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x2x32xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// y has another K.
func.func @chunk_gram_y_has_another_k(%x: tensor<2x64x4x32xf32>, %y: tensor<2x64x4x16xf32>) {
  // expected-error @+1 {{K of 'y' (16) and of 'x' (32) differ}}
  %a = seqmix.chunk_gram %x, %y {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x4x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// A dynamic K.
func.func @chunk_gram_a_dynamic_k(%x: tensor<2x64x4x?xf32>) {
  // expected-error @+1 {{K of 'x' must be static}}
  %a = seqmix.chunk_gram %x, %x {chunk = 16 : i64} : tensor<2x64x4x?xf32>, tensor<2x64x4x?xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// A result of rank 3.
func.func @chunk_gram_a_result_of_rank_3(%x: tensor<2x64x4x32xf32>) {
  // expected-error @+1 {{result 'result' must be a rank-4 tensor [B, T, Hv, C], but got 'tensor<2x64x8xf32>'}}
  %a = seqmix.chunk_gram %x, %x {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> tensor<2x64x8xf32>
  return
}

// -----

// A result in bf16.
func.func @chunk_gram_a_result_in_bf16(%x: tensor<2x64x4x32xf32>) {
  // expected-error @+1 {{result 'result' must have element type f32, but got 'bf16'}}
  %a = seqmix.chunk_gram %x, %x {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> tensor<2x64x8x16xbf16>
  return
}

// -----

// The result has C = 8 columns for chunks of 16.
func.func @chunk_gram_the_result_has_c_8_columns(%x: tensor<2x64x4x32xf32>) {
  // expected-error @+1 {{chunk size C (dimension 3) of result 'result' must be 'chunk' = 16, but got 8}}
  %a = seqmix.chunk_gram %x, %x {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> tensor<2x64x8x8xf32>
  return
}

// -----

// The result's C is dynamic.
func.func @chunk_gram_the_result_s_c_is_dynamic(%x: tensor<2x64x4x32xf32>) {
  // expected-error @+1 {{chunk size C (dimension 3) of result 'result' must be 'chunk' = 16, but got ?}}
  %a = seqmix.chunk_gram %x, %x {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> tensor<2x64x8x?xf32>
  return
}

// -----

// Dynamic q/k heads.
func.func @chunk_gram_dynamic_q_k_heads(%x: tensor<2x64x?x32xf32>) {
  // expected-error @+1 {{head count H of 'x' must be static}}
  %a = seqmix.chunk_gram %x, %x {chunk = 16 : i64} : tensor<2x64x?x32xf32>, tensor<2x64x?x32xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// Dynamic value heads.
func.func @chunk_gram_dynamic_value_heads(%x: tensor<2x64x4x32xf32>) {
  // expected-error @+1 {{value heads Hv of 'result' must be static}}
  %a = seqmix.chunk_gram %x, %x {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> tensor<2x64x?x16xf32>
  return
}

// -----

// Zero value heads.
func.func @chunk_gram_zero_value_heads(%x: tensor<2x64x4x32xf32>) {
  // expected-error @+1 {{value heads Hv of 'result' must be positive}}
  %a = seqmix.chunk_gram %x, %x {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> tensor<2x64x0x16xf32>
  return
}

// -----

// 6 value heads over 4 q/k heads.
func.func @chunk_gram_6_value_heads_over_4_q(%x: tensor<2x64x4x32xf32>) {
  // expected-error @+1 {{value heads Hv of 'result' (6) must be a multiple of the q/k heads H of 'x' (4)}}
  %a = seqmix.chunk_gram %x, %x {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> tensor<2x64x6x16xf32>
  return
}

// -----

// A decay of rank 2.
func.func @chunk_gram_a_decay_of_rank_2(%x: tensor<2x64x4x32xf32>, %g: tensor<2x64xf32>) {
  // expected-error @+1 {{operand 'decay' must be a rank-3 tensor [B, T, Hv] (scalar decay) or a rank-4 tensor [B, T, Hv, K] (diagonal decay), but got 'tensor<2x64xf32>'}}
  %a = seqmix.chunk_gram %x, %x decay(%g : tensor<2x64xf32>) {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// A decay in bf16.
func.func @chunk_gram_a_decay_in_bf16(%x: tensor<2x64x4x32xf32>, %g: tensor<2x64x8xbf16>) {
  // expected-error @+1 {{operand 'decay' must have element type f32, but got 'bf16'}}
  %a = seqmix.chunk_gram %x, %x decay(%g : tensor<2x64x8xbf16>) {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// A decay of another length.
func.func @chunk_gram_a_decay_of_another_length(%x: tensor<2x64x4x32xf32>, %g: tensor<2x32x8xf32>) {
  // expected-error @+1 {{sequence length T of 'decay' (32) and of 'x' (64) differ}}
  %a = seqmix.chunk_gram %x, %x decay(%g : tensor<2x32x8xf32>) {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// A decay over the q/k heads instead of the value heads.
func.func @chunk_gram_a_decay_over_the_q_k(%x: tensor<2x64x4x32xf32>, %g: tensor<2x64x4xf32>) {
  // expected-error @+1 {{value heads Hv of 'decay' (4) and of 'result' (8) differ}}
  %a = seqmix.chunk_gram %x, %x decay(%g : tensor<2x64x4xf32>) {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// A diagonal decay of another K.
func.func @chunk_gram_a_diagonal_decay_of_another_k(%x: tensor<2x64x4x32xf32>, %g: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{K of 'decay' (16) and of 'x' (32) differ}}
  %a = seqmix.chunk_gram %x, %x decay(%g : tensor<2x64x8x16xf32>) {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// seqmix.tri_inverse
//===----------------------------------------------------------------------===//

// A chunk of negative size.
func.func @tri_inverse_a_chunk_of_negative_size(%a: tensor<2x64x8x16xf32>, %b: tensor<2x64x8xf32>) {
  // expected-error @+1 {{attribute 'chunk' must be positive, but got -16}}
  %t = seqmix.tri_inverse %a, %b {chunk = -16 : i64} : tensor<2x64x8x16xf32>, tensor<2x64x8xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// a in bf16.
func.func @tri_inverse_a_in_bf16(%a: tensor<2x64x8x16xbf16>, %b: tensor<2x64x8xf32>) {
  // expected-error @+1 {{operand 'a' must have element type f32, but got 'bf16'}}
  %t = seqmix.tri_inverse %a, %b {chunk = 16 : i64} : tensor<2x64x8x16xbf16>, tensor<2x64x8xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// a has 32 columns for chunks of 16.
func.func @tri_inverse_a_has_32_columns_for_chunks(%a: tensor<2x64x8x32xf32>, %b: tensor<2x64x8xf32>) {
  // expected-error @+1 {{chunk size C (dimension 3) of operand 'a' must be 'chunk' = 16, but got 32}}
  %t = seqmix.tri_inverse %a, %b {chunk = 16 : i64} : tensor<2x64x8x32xf32>, tensor<2x64x8xf32> -> tensor<2x64x8x32xf32>
  return
}

// -----

// beta of rank 4.
func.func @tri_inverse_beta_of_rank_4(%a: tensor<2x64x8x16xf32>, %b: tensor<2x64x8x1xf32>) {
  // expected-error @+1 {{operand 'beta' must be a rank-3 tensor [B, T, Hv], but got 'tensor<2x64x8x1xf32>'}}
  %t = seqmix.tri_inverse %a, %b {chunk = 16 : i64} : tensor<2x64x8x16xf32>, tensor<2x64x8x1xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// a's value heads are dynamic.
func.func @tri_inverse_a_s_value_heads_are_dynamic(%a: tensor<2x64x?x16xf32>, %b: tensor<2x64x8xf32>) {
  // expected-error @+1 {{value heads Hv of 'a' must be static}}
  %t = seqmix.tri_inverse %a, %b {chunk = 16 : i64} : tensor<2x64x?x16xf32>, tensor<2x64x8xf32> -> tensor<2x64x?x16xf32>
  return
}

// -----

// beta over other heads.
func.func @tri_inverse_beta_over_other_heads(%a: tensor<2x64x8x16xf32>, %b: tensor<2x64x4xf32>) {
  // expected-error @+1 {{value heads Hv of 'beta' (4) and of 'a' (8) differ}}
  %t = seqmix.tri_inverse %a, %b {chunk = 16 : i64} : tensor<2x64x8x16xf32>, tensor<2x64x4xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// The result has another shape.
func.func @tri_inverse_the_result_has_another_shape(%a: tensor<2x64x8x16xf32>, %b: tensor<2x64x8xf32>) {
  // expected-error @+1 {{result must be an f32 tensor of the shape of 'a' ('tensor<2x64x8x16xf32>'), but got 'tensor<2x64x8x8xf32>'}}
  %t = seqmix.tri_inverse %a, %b {chunk = 16 : i64} : tensor<2x64x8x16xf32>, tensor<2x64x8xf32> -> tensor<2x64x8x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// seqmix.wy_apply
//===----------------------------------------------------------------------===//

// t is not f32.
func.func @wy_apply_t_is_not_f32(%t: tensor<2x64x8x16xf16>, %k: tensor<2x64x4x32xf32>, %v: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{operand 't' must have element type f32, but got 'f16'}}
  %w, %u = seqmix.wy_apply %t, %k, %v {chunk = 16 : i64} : tensor<2x64x8x16xf16>, tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x64x8x32xf32>, tensor<2x64x8x16xf32>
  return
}

// -----

// k of another batch.
func.func @wy_apply_k_of_another_batch(%t: tensor<2x64x8x16xf32>, %k: tensor<1x64x4x32xf32>, %v: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{batch B of 'k' (1) and of 't' (2) differ}}
  %w, %u = seqmix.wy_apply %t, %k, %v {chunk = 16 : i64} : tensor<2x64x8x16xf32>, tensor<1x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x64x8x32xf32>, tensor<2x64x8x16xf32>
  return
}

// -----

// 8 value heads over 3 q/k heads.
func.func @wy_apply_8_value_heads_over_3_q(%t: tensor<2x64x8x16xf32>, %k: tensor<2x64x3x32xf32>, %v: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{value heads Hv of 't' (8) must be a multiple of the q/k heads H of 'k' (3)}}
  %w, %u = seqmix.wy_apply %t, %k, %v {chunk = 16 : i64} : tensor<2x64x8x16xf32>, tensor<2x64x3x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x64x8x32xf32>, tensor<2x64x8x16xf32>
  return
}

// -----

// k's K is dynamic.
func.func @wy_apply_k_s_k_is_dynamic(%t: tensor<2x64x8x16xf32>, %k: tensor<2x64x4x?xf32>, %v: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{K of 'k' must be static}}
  %w, %u = seqmix.wy_apply %t, %k, %v {chunk = 16 : i64} : tensor<2x64x8x16xf32>, tensor<2x64x4x?xf32>, tensor<2x64x8x16xf32> -> tensor<2x64x8x32xf32>, tensor<2x64x8x16xf32>
  return
}

// -----

// v over the q/k heads.
func.func @wy_apply_v_over_the_q_k_heads(%t: tensor<2x64x8x16xf32>, %k: tensor<2x64x4x32xf32>, %v: tensor<2x64x4x16xf32>) {
  // expected-error @+1 {{value heads Hv of 'v' (4) and of 't' (8) differ}}
  %w, %u = seqmix.wy_apply %t, %k, %v {chunk = 16 : i64} : tensor<2x64x8x16xf32>, tensor<2x64x4x32xf32>, tensor<2x64x4x16xf32> -> tensor<2x64x8x32xf32>, tensor<2x64x8x16xf32>
  return
}

// -----

// A diagonal decay of another K.
func.func @wy_apply_a_diagonal_decay_of_another_k(%t: tensor<2x64x8x16xf32>, %k: tensor<2x64x4x32xf32>, %v: tensor<2x64x8x16xf32>, %g: tensor<2x64x8x8xf32>) {
  // expected-error @+1 {{K of 'decay' (8) and of 'k' (32) differ}}
  %w, %u = seqmix.wy_apply %t, %k, %v decay(%g : tensor<2x64x8x8xf32>) {chunk = 16 : i64} : tensor<2x64x8x16xf32>, tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x64x8x32xf32>, tensor<2x64x8x16xf32>
  return
}

// -----

// w of rank 3.
func.func @wy_apply_w_of_rank_3(%t: tensor<2x64x8x16xf32>, %k: tensor<2x64x4x32xf32>, %v: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{result 'w' must be a rank-4 tensor [B, T, Hv, K], but got 'tensor<2x64x256xf32>'}}
  %w, %u = seqmix.wy_apply %t, %k, %v {chunk = 16 : i64} : tensor<2x64x8x16xf32>, tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x64x256xf32>, tensor<2x64x8x16xf32>
  return
}

// -----

// u in bf16.
func.func @wy_apply_u_in_bf16(%t: tensor<2x64x8x16xf32>, %k: tensor<2x64x4x32xf32>, %v: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{result 'u' must have element type f32, but got 'bf16'}}
  %w, %u = seqmix.wy_apply %t, %k, %v {chunk = 16 : i64} : tensor<2x64x8x16xf32>, tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x64x8x32xf32>, tensor<2x64x8x16xbf16>
  return
}

// -----

// w over the q/k heads.
func.func @wy_apply_w_over_the_q_k_heads(%t: tensor<2x64x8x16xf32>, %k: tensor<2x64x4x32xf32>, %v: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{value heads Hv of 'w' (4) and of 't' (8) differ}}
  %w, %u = seqmix.wy_apply %t, %k, %v {chunk = 16 : i64} : tensor<2x64x8x16xf32>, tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32>
  return
}

// -----

// w of another K.
func.func @wy_apply_w_of_another_k(%t: tensor<2x64x8x16xf32>, %k: tensor<2x64x4x32xf32>, %v: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{K of 'w' (16) and of 'k' (32) differ}}
  %w, %u = seqmix.wy_apply %t, %k, %v {chunk = 16 : i64} : tensor<2x64x8x16xf32>, tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>, tensor<2x64x8x16xf32>
  return
}

// -----

// u over the q/k heads.
func.func @wy_apply_u_over_the_q_k_heads(%t: tensor<2x64x8x16xf32>, %k: tensor<2x64x4x32xf32>, %v: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{value heads Hv of 'u' (4) and of 't' (8) differ}}
  %w, %u = seqmix.wy_apply %t, %k, %v {chunk = 16 : i64} : tensor<2x64x8x16xf32>, tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x64x8x32xf32>, tensor<2x64x4x16xf32>
  return
}

// -----

// u of another value dimension.
func.func @wy_apply_u_of_another_value_dimension(%t: tensor<2x64x8x16xf32>, %k: tensor<2x64x4x32xf32>, %v: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{value dimension V of 'u' (8) and of 'v' (16) differ}}
  %w, %u = seqmix.wy_apply %t, %k, %v {chunk = 16 : i64} : tensor<2x64x8x16xf32>, tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x64x8x32xf32>, tensor<2x64x8x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// seqmix.chunk_state_scan
//===----------------------------------------------------------------------===//

// u of integers.
func.func @chunk_state_scan_u_of_integers(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xi8>) {
  // expected-error @+1 {{operand 'u' must have element type bf16, f16 or f32, but got 'i8'}}
  %r:2 = seqmix.chunk_state_scan %k, %u {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xi8> -> tensor<2x4x8x32x16xf32>, tensor<2x8x32x16xf32>
  return
}

// -----

// 6 value heads over 4 q/k heads.
func.func @chunk_state_scan_6_value_heads_over_4_q(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x6x16xf32>) {
  // expected-error @+1 {{value heads Hv of 'u' (6) must be a multiple of the q/k heads H of 'k' (4)}}
  %r:2 = seqmix.chunk_state_scan %k, %u {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x6x16xf32> -> tensor<2x4x6x32x16xf32>, tensor<2x6x32x16xf32>
  return
}

// -----

// k's K is dynamic.
func.func @chunk_state_scan_k_s_k_is_dynamic(%k: tensor<2x64x4x?xf32>, %u: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{K of 'k' must be static}}
  %r:2 = seqmix.chunk_state_scan %k, %u {chunk = 16 : i64} : tensor<2x64x4x?xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x8x32x16xf32>, tensor<2x8x32x16xf32>
  return
}

// -----

// A scalar decay over the q/k heads.
func.func @chunk_state_scan_a_scalar_decay_over_the_q(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>, %g: tensor<2x64x4xf32>) {
  // expected-error @+1 {{value heads Hv of 'decay' (4) and of 'u' (8) differ}}
  %r:2 = seqmix.chunk_state_scan %k, %u decay(%g : tensor<2x64x4xf32>) {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x8x32x16xf32>, tensor<2x8x32x16xf32>
  return
}

// -----

// w of rank 3.
func.func @chunk_state_scan_w_of_rank_3(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>, %w: tensor<2x64x8xf32>) {
  // expected-error @+1 {{operand 'w' must be a rank-4 tensor [B, T, Hv, K], but got 'tensor<2x64x8xf32>'}}
  %r:3 = seqmix.chunk_state_scan %k, %u w(%w : tensor<2x64x8xf32>) {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x8x32x16xf32>, tensor<2x8x32x16xf32>, tensor<2x64x8x16xf32>
  return
}

// -----

// w over the q/k heads.
func.func @chunk_state_scan_w_over_the_q_k_heads(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>, %w: tensor<2x64x4x32xf32>) {
  // expected-error @+1 {{value heads Hv of 'w' (4) and of 'u' (8) differ}}
  %r:3 = seqmix.chunk_state_scan %k, %u w(%w : tensor<2x64x4x32xf32>) {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x8x32x16xf32>, tensor<2x8x32x16xf32>, tensor<2x64x8x16xf32>
  return
}

// -----

// w of another K.
func.func @chunk_state_scan_w_of_another_k(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>, %w: tensor<2x64x8x64xf32>) {
  // expected-error @+1 {{K of 'w' (64) and of 'k' (32) differ}}
  %r:3 = seqmix.chunk_state_scan %k, %u w(%w : tensor<2x64x8x64xf32>) {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x8x32x16xf32>, tensor<2x8x32x16xf32>, tensor<2x64x8x16xf32>
  return
}

// -----

// init of rank 3.
func.func @chunk_state_scan_init_of_rank_3(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>, %h0: tensor<2x8x512xf32>) {
  // expected-error @+1 {{operand 'init' must be a rank-4 tensor [N, Hv, K, V], but got 'tensor<2x8x512xf32>'}}
  %r:2 = seqmix.chunk_state_scan %k, %u init(%h0 : tensor<2x8x512xf32>) {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x8x32x16xf32>, tensor<2x8x32x16xf32>
  return
}

// -----

// init in bf16.
func.func @chunk_state_scan_init_in_bf16(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>, %h0: tensor<2x8x32x16xbf16>) {
  // expected-error @+1 {{operand 'init' must have element type f32, but got 'bf16'}}
  %r:2 = seqmix.chunk_state_scan %k, %u init(%h0 : tensor<2x8x32x16xbf16>) {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x8x32x16xf32>, tensor<2x8x32x16xf32>
  return
}

// -----

// init for 3 sequences in a batch of 2.
func.func @chunk_state_scan_init_for_3_sequences_in_a(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>, %h0: tensor<3x8x32x16xf32>) {
  // expected-error @+1 {{operand 'init' has N = 3 (dimension 0), but the batch B of 'k' is 2}}
  %r:2 = seqmix.chunk_state_scan %k, %u init(%h0 : tensor<3x8x32x16xf32>) {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x8x32x16xf32>, tensor<2x8x32x16xf32>
  return
}

// -----

// init for 3 sequences, seqlens for 2.
func.func @chunk_state_scan_init_for_3_sequences_seqlens_for(%k: tensor<1x64x4x32xf32>, %u: tensor<1x64x8x16xf32>, %h0: tensor<3x8x32x16xf32>, %cu: tensor<3xi32>) {
  // expected-error @+1 {{operand 'init' has N = 3 (dimension 0), but the offsets 'seqlens' give N = 2}}
  %r:2 = seqmix.chunk_state_scan %k, %u init(%h0 : tensor<3x8x32x16xf32>) seqlens(%cu : tensor<3xi32>) {chunk = 16 : i64} : tensor<1x64x4x32xf32>, tensor<1x64x8x16xf32> -> tensor<1x?x8x32x16xf32>, tensor<2x8x32x16xf32>
  return
}

// -----

// init over the q/k heads.
func.func @chunk_state_scan_init_over_the_q_k_heads(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>, %h0: tensor<2x4x32x16xf32>) {
  // expected-error @+1 {{value heads Hv of 'init' (4) and of 'u' (8) differ}}
  %r:2 = seqmix.chunk_state_scan %k, %u init(%h0 : tensor<2x4x32x16xf32>) {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x8x32x16xf32>, tensor<2x8x32x16xf32>
  return
}

// -----

// init of another K.
func.func @chunk_state_scan_init_of_another_k(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>, %h0: tensor<2x8x16x16xf32>) {
  // expected-error @+1 {{K of 'init' (16) and of 'k' (32) differ}}
  %r:2 = seqmix.chunk_state_scan %k, %u init(%h0 : tensor<2x8x16x16xf32>) {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x8x32x16xf32>, tensor<2x8x32x16xf32>
  return
}

// -----

// init of another value dimension.
func.func @chunk_state_scan_init_of_another_value_dimension(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>, %h0: tensor<2x8x32x32xf32>) {
  // expected-error @+1 {{value dimension V of 'init' (32) and of 'u' (16) differ}}
  %r:2 = seqmix.chunk_state_scan %k, %u init(%h0 : tensor<2x8x32x32xf32>) {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x8x32x16xf32>, tensor<2x8x32x16xf32>
  return
}

// -----

// states of rank 4.
func.func @chunk_state_scan_states_of_rank_4(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{result 'states' must be a rank-5 tensor [B, NT, Hv, K, V], but got 'tensor<2x4x8x512xf32>'}}
  %r:2 = seqmix.chunk_state_scan %k, %u {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x8x512xf32>, tensor<2x8x32x16xf32>
  return
}

// -----

// states in f16.
func.func @chunk_state_scan_states_in_f16(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{result 'states' must have element type f32, but got 'f16'}}
  %r:2 = seqmix.chunk_state_scan %k, %u {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x8x32x16xf16>, tensor<2x8x32x16xf32>
  return
}

// -----

// states of another batch.
func.func @chunk_state_scan_states_of_another_batch(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{batch B of 'states' (1) and of 'k' (2) differ}}
  %r:2 = seqmix.chunk_state_scan %k, %u {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<1x4x8x32x16xf32>, tensor<2x8x32x16xf32>
  return
}

// -----

// states over the q/k heads.
func.func @chunk_state_scan_states_over_the_q_k_heads(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{value heads Hv of 'states' (4) and of 'u' (8) differ}}
  %r:2 = seqmix.chunk_state_scan %k, %u {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x4x32x16xf32>, tensor<2x8x32x16xf32>
  return
}

// -----

// states of another K.
func.func @chunk_state_scan_states_of_another_k(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{K of 'states' (16) and of 'k' (32) differ}}
  %r:2 = seqmix.chunk_state_scan %k, %u {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x8x16x16xf32>, tensor<2x8x32x16xf32>
  return
}

// -----

// states of another value dimension.
func.func @chunk_state_scan_states_of_another_value_dimension(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{value dimension V of 'states' (8) and of 'u' (16) differ}}
  %r:2 = seqmix.chunk_state_scan %k, %u {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x8x32x8xf32>, tensor<2x8x32x16xf32>
  return
}

// -----

// 64 tokens in chunks of 16 are 4 chunks, not 5.
func.func @chunk_state_scan_64_tokens_in_chunks_of_16(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{chunk count NT (dimension 1) of result 'states' must be ceil(T / chunk) = 4 for T = 64, but got 5}}
  %r:2 = seqmix.chunk_state_scan %k, %u {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x5x8x32x16xf32>, tensor<2x8x32x16xf32>
  return
}

// -----

// With seqlens the chunk count is dynamic.
func.func @chunk_state_scan_with_seqlens_the_chunk_count_is(%k: tensor<1x64x4x32xf32>, %u: tensor<1x64x8x16xf32>, %cu: tensor<3xi64>) {
  // expected-error @+1 {{chunk count NT (dimension 1) of result 'states' must be dynamic with 'seqlens' (it depends on the offsets), but got 4}}
  %r:2 = seqmix.chunk_state_scan %k, %u seqlens(%cu : tensor<3xi64>) {chunk = 16 : i64} : tensor<1x64x4x32xf32>, tensor<1x64x8x16xf32> -> tensor<1x4x8x32x16xf32>, tensor<2x8x32x16xf32>
  return
}

// -----

// final_state for 1 sequence in a batch of 2.
func.func @chunk_state_scan_final_state_for_1_sequence_in(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{result 'final_state' has N = 1 (dimension 0), but the batch B of 'k' is 2}}
  %r:2 = seqmix.chunk_state_scan %k, %u {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x8x32x16xf32>, tensor<1x8x32x16xf32>
  return
}

// -----

// The delta rule without v_new.
func.func @chunk_state_scan_the_delta_rule_without_v_new(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>, %w: tensor<2x64x8x32xf32>) {
  // expected-error @+1 {{operand 'w' (the delta rule) requires the result 'v_new'}}
  %r:2 = seqmix.chunk_state_scan %k, %u w(%w : tensor<2x64x8x32xf32>) {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x8x32x16xf32>, tensor<2x8x32x16xf32>
  return
}

// -----

// v_new without the delta rule.
func.func @chunk_state_scan_v_new_without_the_delta_rule(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{result 'v_new' requires the operand 'w' (the delta rule)}}
  %r:3 = seqmix.chunk_state_scan %k, %u {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x8x32x16xf32>, tensor<2x8x32x16xf32>, tensor<2x64x8x16xf32>
  return
}

// -----

// v_new in bf16.
func.func @chunk_state_scan_v_new_in_bf16(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>, %w: tensor<2x64x8x32xf32>) {
  // expected-error @+1 {{result 'v_new' must have element type f32, but got 'bf16'}}
  %r:3 = seqmix.chunk_state_scan %k, %u w(%w : tensor<2x64x8x32xf32>) {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x8x32x16xf32>, tensor<2x8x32x16xf32>, tensor<2x64x8x16xbf16>
  return
}

// -----

// v_new over the q/k heads.
func.func @chunk_state_scan_v_new_over_the_q_k(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>, %w: tensor<2x64x8x32xf32>) {
  // expected-error @+1 {{value heads Hv of 'v_new' (4) and of 'u' (8) differ}}
  %r:3 = seqmix.chunk_state_scan %k, %u w(%w : tensor<2x64x8x32xf32>) {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x8x32x16xf32>, tensor<2x8x32x16xf32>, tensor<2x64x4x16xf32>
  return
}

// -----

// v_new of another value dimension.
func.func @chunk_state_scan_v_new_of_another_value_dimension(%k: tensor<2x64x4x32xf32>, %u: tensor<2x64x8x16xf32>, %w: tensor<2x64x8x32xf32>) {
  // expected-error @+1 {{value dimension V of 'v_new' (32) and of 'u' (16) differ}}
  %r:3 = seqmix.chunk_state_scan %k, %u w(%w : tensor<2x64x8x32xf32>) {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32> -> tensor<2x4x8x32x16xf32>, tensor<2x8x32x16xf32>, tensor<2x64x8x32xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// seqmix.chunk_output
//===----------------------------------------------------------------------===//

// q of rank 5.
func.func @chunk_output_q_of_rank_5(%q: tensor<2x64x4x32x1xf32>, %a: tensor<2x64x8x16xf32>, %v: tensor<2x64x8x16xf32>, %h: tensor<2x4x8x32x16xf32>) {
  // expected-error @+1 {{operand 'q' must be a rank-4 tensor [B, T, H, K], but got 'tensor<2x64x4x32x1xf32>'}}
  %o = seqmix.chunk_output %q, %a, %v, %h {chunk = 16 : i64} : tensor<2x64x4x32x1xf32>, tensor<2x64x8x16xf32>, tensor<2x64x8x16xf32>, tensor<2x4x8x32x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// a has 64 columns for chunks of 16.
func.func @chunk_output_a_has_64_columns_for_chunks(%q: tensor<2x64x4x32xf32>, %a: tensor<2x64x8x64xf32>, %v: tensor<2x64x8x16xf32>, %h: tensor<2x4x8x32x16xf32>) {
  // expected-error @+1 {{chunk size C (dimension 3) of operand 'a' must be 'chunk' = 16, but got 64}}
  %o = seqmix.chunk_output %q, %a, %v, %h {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x64xf32>, tensor<2x64x8x16xf32>, tensor<2x4x8x32x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// a has 5 value heads over 4 q/k heads.
func.func @chunk_output_a_has_5_value_heads_over(%q: tensor<2x64x4x32xf32>, %a: tensor<2x64x5x16xf32>, %v: tensor<2x64x8x16xf32>, %h: tensor<2x4x8x32x16xf32>) {
  // expected-error @+1 {{value heads Hv of 'a' (5) must be a multiple of the q/k heads H of 'q' (4)}}
  %o = seqmix.chunk_output %q, %a, %v, %h {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x5x16xf32>, tensor<2x64x8x16xf32>, tensor<2x4x8x32x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// q's K is dynamic.
func.func @chunk_output_q_s_k_is_dynamic(%q: tensor<2x64x4x?xf32>, %a: tensor<2x64x8x16xf32>, %v: tensor<2x64x8x16xf32>, %h: tensor<2x4x8x32x16xf32>) {
  // expected-error @+1 {{K of 'q' must be static}}
  %o = seqmix.chunk_output %q, %a, %v, %h {chunk = 16 : i64} : tensor<2x64x4x?xf32>, tensor<2x64x8x16xf32>, tensor<2x64x8x16xf32>, tensor<2x4x8x32x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// v over the q/k heads.
func.func @chunk_output_v_over_the_q_k_heads(%q: tensor<2x64x4x32xf32>, %a: tensor<2x64x8x16xf32>, %v: tensor<2x64x4x16xf32>, %h: tensor<2x4x8x32x16xf32>) {
  // expected-error @+1 {{value heads Hv of 'v' (4) and of 'a' (8) differ}}
  %o = seqmix.chunk_output %q, %a, %v, %h {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32>, tensor<2x64x4x16xf32>, tensor<2x4x8x32x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// A diagonal decay of another K.
func.func @chunk_output_a_diagonal_decay_of_another_k(%q: tensor<2x64x4x32xf32>, %a: tensor<2x64x8x16xf32>, %v: tensor<2x64x8x16xf32>, %h: tensor<2x4x8x32x16xf32>, %g: tensor<2x64x8x64xf32>) {
  // expected-error @+1 {{K of 'decay' (64) and of 'q' (32) differ}}
  %o = seqmix.chunk_output %q, %a, %v, %h decay(%g : tensor<2x64x8x64xf32>) {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32>, tensor<2x64x8x16xf32>, tensor<2x4x8x32x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// seqlens with a batch of 2.
func.func @chunk_output_seqlens_with_a_batch_of_2(%q: tensor<2x64x4x32xf32>, %a: tensor<2x64x8x16xf32>, %v: tensor<2x64x8x16xf32>, %h: tensor<2x4x8x32x16xf32>, %cu: tensor<3xi64>) {
  // expected-error @+1 {{'seqlens' requires batch size 1 (sequences packed along T), but the batch of 'q' is 2}}
  %o = seqmix.chunk_output %q, %a, %v, %h seqlens(%cu : tensor<3xi64>) {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32>, tensor<2x64x8x16xf32>, tensor<2x4x8x32x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// states of another value dimension.
func.func @chunk_output_states_of_another_value_dimension(%q: tensor<2x64x4x32xf32>, %a: tensor<2x64x8x16xf32>, %v: tensor<2x64x8x16xf32>, %h: tensor<2x4x8x32x32xf32>) {
  // expected-error @+1 {{value dimension V of 'states' (32) and of 'v' (16) differ}}
  %o = seqmix.chunk_output %q, %a, %v, %h {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32>, tensor<2x64x8x16xf32>, tensor<2x4x8x32x32xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// states for 3 chunks of 16 of 64 tokens.
func.func @chunk_output_states_for_3_chunks_of_16(%q: tensor<2x64x4x32xf32>, %a: tensor<2x64x8x16xf32>, %v: tensor<2x64x8x16xf32>, %h: tensor<2x3x8x32x16xf32>) {
  // expected-error @+1 {{chunk count NT (dimension 1) of operand 'states' must be ceil(T / chunk) = 4 for T = 64, but got 3}}
  %o = seqmix.chunk_output %q, %a, %v, %h {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32>, tensor<2x64x8x16xf32>, tensor<2x3x8x32x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// A negative scale.
func.func @chunk_output_a_negative_scale(%q: tensor<2x64x4x32xf32>, %a: tensor<2x64x8x16xf32>, %v: tensor<2x64x8x16xf32>, %h: tensor<2x4x8x32x16xf32>) {
  // expected-error @+1 {{scale must be finite and positive, but got -1}}
  %o = seqmix.chunk_output %q, %a, %v, %h {chunk = 16 : i64, scale = -1.0 : f64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32>, tensor<2x64x8x16xf32>, tensor<2x4x8x32x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// A result of rank 3.
func.func @chunk_output_a_result_of_rank_3(%q: tensor<2x64x4x32xf32>, %a: tensor<2x64x8x16xf32>, %v: tensor<2x64x8x16xf32>, %h: tensor<2x4x8x32x16xf32>) {
  // expected-error @+1 {{result 'result' must be a rank-4 tensor [B, T, Hv, V], but got 'tensor<2x64x128xf32>'}}
  %o = seqmix.chunk_output %q, %a, %v, %h {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32>, tensor<2x64x8x16xf32>, tensor<2x4x8x32x16xf32> -> tensor<2x64x128xf32>
  return
}

// -----

// A result of another length.
func.func @chunk_output_a_result_of_another_length(%q: tensor<2x64x4x32xf32>, %a: tensor<2x64x8x16xf32>, %v: tensor<2x64x8x16xf32>, %h: tensor<2x4x8x32x16xf32>) {
  // expected-error @+1 {{sequence length T of 'result' (32) and of 'q' (64) differ}}
  %o = seqmix.chunk_output %q, %a, %v, %h {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32>, tensor<2x64x8x16xf32>, tensor<2x4x8x32x16xf32> -> tensor<2x32x8x16xf32>
  return
}

// -----

// A result over the q/k heads.
func.func @chunk_output_a_result_over_the_q_k(%q: tensor<2x64x4x32xf32>, %a: tensor<2x64x8x16xf32>, %v: tensor<2x64x8x16xf32>, %h: tensor<2x4x8x32x16xf32>) {
  // expected-error @+1 {{value heads Hv of 'result' (4) and of 'a' (8) differ}}
  %o = seqmix.chunk_output %q, %a, %v, %h {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32>, tensor<2x64x8x16xf32>, tensor<2x4x8x32x16xf32> -> tensor<2x64x4x16xf32>
  return
}

// -----

// A result of another value dimension.
func.func @chunk_output_a_result_of_another_value_dimension(%q: tensor<2x64x4x32xf32>, %a: tensor<2x64x8x16xf32>, %v: tensor<2x64x8x16xf32>, %h: tensor<2x4x8x32x16xf32>) {
  // expected-error @+1 {{value dimension V of 'result' (8) and of 'v' (16) differ}}
  %o = seqmix.chunk_output %q, %a, %v, %h {chunk = 16 : i64} : tensor<2x64x4x32xf32>, tensor<2x64x8x16xf32>, tensor<2x64x8x16xf32>, tensor<2x4x8x32x16xf32> -> tensor<2x64x8x8xf32>
  return
}
