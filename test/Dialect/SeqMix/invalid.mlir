// RUN: seqmix-opt %s -split-input-file -verify-diagnostics

// Negative tests: every diagnostic of the seqmix dialect. Shapes follow the
// conventions of the dialect: q, k [B, T, H, K]; value [B, T, Hv, V];
// gates static [Hv], scalar [B, T, Hv], diagonal [B, T, Hv, K];
// beta, dt [B, T, Hv]; state [N, Hv, K, V] in f32. Unless said otherwise
// B = 2, T = 64, H = 4, Hv = 8, K = 32, V = 16.

//===----------------------------------------------------------------------===//
// !seqmix.mixer
//===----------------------------------------------------------------------===//

// The structure is not a mixer structure.
// expected-error @+1 {{expected a mixer structure (#seqmix.lowrank, #seqmix.semiseparable, #seqmix.dense, #seqmix.diagonal or #seqmix.sum), but got #seqmix.form<parallel>}}
func.func private @not_a_structure(!seqmix.mixer<2x8x64, #seqmix.form<parallel>>)

// -----

// The structure is a builtin attribute.
// expected-error @+1 {{expected a mixer structure (#seqmix.lowrank, #seqmix.semiseparable, #seqmix.dense, #seqmix.diagonal or #seqmix.sum), but got 32 : i64}}
func.func private @builtin_structure(!seqmix.mixer<2x8x64, 32>)

// -----

// Two dimensions instead of BxHxT.
// expected-error @+1 {{!seqmix.mixer must have a shape BxHxT (3 dimensions), but got 2}}
func.func private @rank_2(!seqmix.mixer<8x64, #seqmix.diagonal>)

// -----

// Four dimensions instead of BxHxT.
// expected-error @+1 {{!seqmix.mixer must have a shape BxHxT (3 dimensions), but got 4}}
func.func private @rank_4(!seqmix.mixer<2x8x64x64, #seqmix.diagonal>)

// -----

// The head count is dynamic.
// expected-error @+1 {{!seqmix.mixer head count must be static and positive}}
func.func private @dynamic_heads(!seqmix.mixer<2x?x64, #seqmix.diagonal>)

// -----

// The head count is zero.
// expected-error @+1 {{!seqmix.mixer head count must be static and positive}}
func.func private @zero_heads(!seqmix.mixer<2x0x64, #seqmix.diagonal>)

// -----

// 6 query heads cannot be grouped over 4 key/value heads.
// expected-error @+1 {{!seqmix.mixer query heads (6) must be a multiple of the key/value heads (4)}}
func.func private @dense_heads_not_multiple(!seqmix.mixer<2x6x64, #seqmix.dense<kv_heads = 4>>)

// -----

// Same, for a dense term of a sum.
// expected-error @+1 {{!seqmix.mixer query heads (8) must be a multiple of the key/value heads (3)}}
func.func private @sum_dense_heads_not_multiple(!seqmix.mixer<2x8x64, #seqmix.sum<[#seqmix.dense<kv_heads = 3>, #seqmix.diagonal]>>)

//===----------------------------------------------------------------------===//
// Structure attributes
//===----------------------------------------------------------------------===//

// -----

// A low-rank mixer of rank 0.
// expected-error @+1 {{#seqmix.lowrank rank must be positive, but got 0}}
func.func private @lowrank_rank_zero(!seqmix.mixer<2x8x64, #seqmix.lowrank<rank = 0>>)

// -----

// A semiseparable mixer with a negative state size.
// expected-error @+1 {{#seqmix.semiseparable state size must be positive, but got -4}}
func.func private @semiseparable_state_negative(!seqmix.mixer<2x8x64, #seqmix.semiseparable<state = -4, decay = none, transition = additive>>)

// -----

// No key/value heads.
// expected-error @+1 {{#seqmix.dense kv_heads must be positive, but got 0}}
func.func private @dense_kv_heads_zero(!seqmix.mixer<2x8x64, #seqmix.dense<kv_heads = 0>>)

// -----

// A negative attention window.
// expected-error @+1 {{#seqmix.dense window must be positive (or 0 for none), but got -1}}
func.func private @dense_window_negative(!seqmix.mixer<2x8x64, #seqmix.dense<kv_heads = 2, window = -1>>)

// -----

// A sum of one term.
// expected-error @+1 {{#seqmix.sum needs at least two terms, but got 1}}
func.func private @sum_one_term(!seqmix.mixer<2x8x64, #seqmix.sum<[#seqmix.diagonal]>>)

// -----

// A sum nested in a sum.
// expected-error @+1 {{#seqmix.sum terms must not be sums (flatten them)}}
func.func private @sum_nested(!seqmix.mixer<2x8x64, #seqmix.sum<[#seqmix.diagonal, #seqmix.sum<[#seqmix.diagonal, #seqmix.lowrank<rank = 4>]>]>>)

// -----

// A term of a sum that is not a structure.
// expected-error @+1 {{#seqmix.sum term must be a mixer structure, but got 1 : i64}}
func.func private @sum_term_not_structure(!seqmix.mixer<2x8x64, #seqmix.sum<[#seqmix.diagonal, 1 : i64]>>)

//===----------------------------------------------------------------------===//
// #seqmix.form
//===----------------------------------------------------------------------===//

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @form_unknown_kind(%m: !mixer, %v: tensor<2x64x8x16xf32>) {
  // An unknown form.
  // expected-error @+1 {{expected 'parallel', 'recurrent' or 'chunked', but got 'blocked'}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<blocked>} : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @form_unknown_parameter(%m: !mixer, %v: tensor<2x64x8x16xf32>) {
  // 'block' is not a parameter of #seqmix.form.
  // expected-error @+1 {{unknown #seqmix.form parameter 'block' (expected chunk, carry or split_v)}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, block = 64>} : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @form_unknown_carry(%m: !mixer, %v: tensor<2x64x8x16xf32>) {
  // An unknown way of carrying the state.
  // expected-error @+1 {{expected carry 'onchip', 'segments' or 'materialized', but got 'global'}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, carry = global>} : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @form_chunk_not_power_of_two(%m: !mixer, %v: tensor<2x64x8x16xf32>) {
  // A chunk of 48 tokens.
  // expected-error @+1 {{#seqmix.form: chunk must be a power of two, but got 48}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 48>} : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @form_chunk_negative(%m: !mixer, %v: tensor<2x64x8x16xf32>) {
  // A negative chunk.
  // expected-error @+1 {{#seqmix.form: chunk must be a power of two, but got -64}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = -64>} : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @form_chunk_on_parallel(%m: !mixer, %v: tensor<2x64x8x16xf32>) {
  // 'chunk' on a form that is not chunked.
  // expected-error @+1 {{#seqmix.form: 'chunk', 'carry' and 'split_v' only apply to the chunked form, not 'parallel'}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<parallel, chunk = 64>} : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @form_carry_on_recurrent(%m: !mixer, %v: tensor<2x64x8x16xf32>) {
  // 'carry' on a form that is not chunked.
  // expected-error @+1 {{#seqmix.form: 'chunk', 'carry' and 'split_v' only apply to the chunked form, not 'recurrent'}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<recurrent, carry = onchip>} : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @form_split_v_on_recurrent(%m: !mixer, %v: tensor<2x64x8x16xf32>) {
  // 'split_v' on a form that is not chunked.
  // expected-error @+1 {{#seqmix.form: 'chunk', 'carry' and 'split_v' only apply to the chunked form, not 'recurrent'}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<recurrent, split_v = 2>} : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @form_split_v_negative(%m: !mixer, %v: tensor<2x64x8x16xf32>) {
  // A negative split of the value dimension.
  // expected-error @+1 {{#seqmix.form: split_v must not be negative, but got -2}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64, split_v = -2>} : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

//===----------------------------------------------------------------------===//
// #seqmix.target and the seqmix.* discardable attributes
//===----------------------------------------------------------------------===//

// -----

// An unknown chip.
// expected-error @+1 {{#seqmix.target: unknown chip 'sm_100' (expected "cpu", "sm_80", "sm_90" or "sm_90a")}}
module attributes {seqmix.target = #seqmix.target<chip = "sm_100">} {}

// -----

// A negative number of multiprocessors.
// expected-error @+1 {{#seqmix.target: sms must not be negative, but got -1}}
module attributes {seqmix.target = #seqmix.target<chip = "sm_90", sms = -1>} {}

// -----

// A negative memory bandwidth.
// expected-error @+1 {{#seqmix.target: hbm_gbps must not be negative, but got -3000}}
module attributes {seqmix.target = #seqmix.target<chip = "sm_90", hbm_gbps = -3000>} {}

// -----

// A negative amount of shared memory.
// expected-error @+1 {{#seqmix.target: smem_kb must not be negative, but got -228}}
module attributes {seqmix.target = #seqmix.target<chip = "sm_90a", smem_kb = -228>} {}

// -----

// A negative arithmetic rate.
// expected-error @+1 {{#seqmix.target: gflops must not be negative, but got -50}}
module attributes {seqmix.target = #seqmix.target<chip = "cpu", gflops = -50>} {}

// -----

// seqmix.target holds a string, not a #seqmix.target.
// expected-error @+1 {{'seqmix.target' must be a #seqmix.target attribute, but got "sm_90"}}
module attributes {seqmix.target = "sm_90"} {}

// -----

// seqmix.target holds another seqmix attribute.
// expected-error @+1 {{'seqmix.target' must be a #seqmix.target attribute, but got #seqmix.form<parallel>}}
module attributes {seqmix.target = #seqmix.form<parallel>} {}

// -----

// seqmix.target on a function instead of a module.
// expected-error @+1 {{'seqmix.target' may only be placed on a builtin.module}}
func.func @target_on_func() attributes {seqmix.target = #seqmix.target<chip = "sm_90">} {
  return
}

// -----

// An unknown attribute of the seqmix namespace.
// expected-error @+1 {{unknown seqmix attribute 'seqmix.foo'}}
module attributes {seqmix.foo = 1 : i64} {}

// -----

// seqmix.form is an attribute of seqmix.apply, not of the seqmix namespace.
// expected-error @+1 {{unknown seqmix attribute}}
func.func @unknown_attr_on_func() attributes {seqmix.form = #seqmix.form<parallel>} {
  return
}

//===----------------------------------------------------------------------===//
// q and k of the constructors
//===----------------------------------------------------------------------===//

// -----

func.func @q_rank(%q: tensor<2x64x32xf32>, %k: tensor<2x64x4x32xf32>) {
  // q has no head dimension.
  // expected-error @+1 {{'seqmix.lowrank' op operand 'q' must be a rank-4 tensor [B, T, H, K], but got 'tensor<2x64x32xf32>'}}
  %m = seqmix.lowrank %q, %k : tensor<2x64x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x4x64, #seqmix.lowrank<rank = 32>>
  return
}

// -----

func.func @k_rank(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32x1xf32>) {
  // k has five dimensions.
  // expected-error @+1 {{'seqmix.semiseparable' op operand 'k' must be a rank-4 tensor [B, T, H, K], but got 'tensor<2x64x4x32x1xf32>'}}
  %m = seqmix.semiseparable %q, %k : tensor<2x64x4x32xf32>, tensor<2x64x4x32x1xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
  return
}

// -----

func.func @q_integer(%q: tensor<2x64x4x32xi32>, %k: tensor<2x64x4x32xi32>) {
  // q of i32.
  // expected-error @+1 {{'seqmix.attention' op operand 'q' must have element type bf16, f16 or f32, but got 'i32'}}
  %m = seqmix.attention %q, %k : tensor<2x64x4x32xi32>, tensor<2x64x4x32xi32> -> !seqmix.mixer<2x4x64, #seqmix.dense<kv_heads = 4>>
  return
}

// -----

func.func @q_f64(%q: tensor<2x64x4x32xf64>, %k: tensor<2x64x4x32xf64>) {
  // q of f64.
  // expected-error @+1 {{'seqmix.semiseparable' op operand 'q' must have element type bf16, f16 or f32, but got 'f64'}}
  %m = seqmix.semiseparable %q, %k : tensor<2x64x4x32xf64>, tensor<2x64x4x32xf64> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
  return
}

// -----

func.func @k_other_type(%q: tensor<2x64x4x32xbf16>, %k: tensor<2x64x4x32xf16>) {
  // k of f16 while q is bf16.
  // expected-error @+1 {{'seqmix.lowrank' op operands 'q' and 'k' must have one element type, but 'q' has 'bf16' and 'k' has 'f16'}}
  %m = seqmix.lowrank %q, %k : tensor<2x64x4x32xbf16>, tensor<2x64x4x32xf16> -> !seqmix.mixer<2x4x64, #seqmix.lowrank<rank = 32>>
  return
}

// -----

func.func @qk_batch(%q: tensor<2x64x4x32xf32>, %k: tensor<3x64x4x32xf32>) {
  // B of q and k differ.
  // expected-error @+1 {{'seqmix.semiseparable' op batch B of 'q' (2) and of 'k' (3) differ}}
  %m = seqmix.semiseparable %q, %k : tensor<2x64x4x32xf32>, tensor<3x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
  return
}

// -----

func.func @qk_length(%q: tensor<2x64x4x32xf32>, %k: tensor<2x128x4x32xf32>) {
  // T of q and k differ.
  // expected-error @+1 {{'seqmix.attention' op sequence length T of 'q' (64) and of 'k' (128) differ}}
  %m = seqmix.attention %q, %k : tensor<2x64x4x32xf32>, tensor<2x128x4x32xf32> -> !seqmix.mixer<2x4x64, #seqmix.dense<kv_heads = 4>>
  return
}

// -----

func.func @qk_key_dim_semiseparable(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x64xf32>) {
  // K of q and k differ.
  // expected-error @+1 {{'seqmix.semiseparable' op K of 'q' (32) and of 'k' (64) differ}}
  %m = seqmix.semiseparable %q, %k : tensor<2x64x4x32xf32>, tensor<2x64x4x64xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
  return
}

// -----

func.func @qk_key_dim_lowrank(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x16xf32>) {
  // K of q and k differ.
  // expected-error @+1 {{'seqmix.lowrank' op K of 'q' (32) and of 'k' (16) differ}}
  %m = seqmix.lowrank %q, %k : tensor<2x64x4x32xf32>, tensor<2x64x4x16xf32> -> !seqmix.mixer<2x4x64, #seqmix.lowrank<rank = 32>>
  return
}

// -----

func.func @qk_key_dim_attention(%q: tensor<2x64x8x32xf32>, %k: tensor<2x64x2x64xf32>) {
  // K of q and k differ.
  // expected-error @+1 {{'seqmix.attention' op K of 'q' (32) and of 'k' (64) differ}}
  %m = seqmix.attention %q, %k : tensor<2x64x8x32xf32>, tensor<2x64x2x64xf32> -> !seqmix.mixer<2x8x64, #seqmix.dense<kv_heads = 2>>
  return
}

// -----

func.func @q_dynamic_heads(%q: tensor<2x64x?x32xf32>, %k: tensor<2x64x4x32xf32>) {
  // The heads of q are not known.
  // expected-error @+1 {{'seqmix.lowrank' op head count H of 'q' must be static}}
  %m = seqmix.lowrank %q, %k : tensor<2x64x?x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x4x64, #seqmix.lowrank<rank = 32>>
  return
}

// -----

func.func @k_dynamic_heads(%q: tensor<2x64x8x32xf32>, %k: tensor<2x64x?x32xf32>) {
  // The heads of k are not known.
  // expected-error @+1 {{'seqmix.attention' op head count H of 'k' must be static}}
  %m = seqmix.attention %q, %k : tensor<2x64x8x32xf32>, tensor<2x64x?x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.dense<kv_heads = 2>>
  return
}

// -----

func.func @q_dynamic_key_dim(%q: tensor<2x64x4x?xf32>, %k: tensor<2x64x4x?xf32>) {
  // K is not known.
  // expected-error @+1 {{'seqmix.semiseparable' op K of 'q' must be static}}
  %m = seqmix.semiseparable %q, %k : tensor<2x64x4x?xf32>, tensor<2x64x4x?xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
  return
}

// -----

func.func @qk_heads_semiseparable(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x2x32xf32>) {
  // q and k of a semiseparable mixer have the same heads.
  // expected-error @+1 {{'seqmix.semiseparable' op head count H of 'q' (4) and of 'k' (2) differ}}
  %m = seqmix.semiseparable %q, %k : tensor<2x64x4x32xf32>, tensor<2x64x2x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
  return
}

// -----

func.func @qk_heads_lowrank(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x2x32xf32>) {
  // q and k of a low-rank mixer have the same heads.
  // expected-error @+1 {{'seqmix.lowrank' op head count H of 'q' (4) and of 'k' (2) differ}}
  %m = seqmix.lowrank %q, %k : tensor<2x64x4x32xf32>, tensor<2x64x2x32xf32> -> !seqmix.mixer<2x4x64, #seqmix.lowrank<rank = 32>>
  return
}

// -----

func.func @scale_zero(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>) {
  // A scale of 0.
  // expected-error @+1 {{'seqmix.lowrank' op scale must be finite and positive, but got 0}}
  %m = seqmix.lowrank %q, %k {scale = 0.0 : f64} : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x4x64, #seqmix.lowrank<rank = 32>>
  return
}

// -----

func.func @scale_negative(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>) {
  // A negative scale.
  // expected-error @+1 {{'seqmix.semiseparable' op scale must be finite and positive, but got -5.000000e-01}}
  %m = seqmix.semiseparable %q, %k {scale = -0.5 : f64} : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
  return
}

// -----

func.func @scale_infinite(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>) {
  // An infinite scale.
  // expected-error @+1 {{'seqmix.attention' op scale must be finite and positive, but got INF}}
  %m = seqmix.attention %q, %k {scale = 0x7FF0000000000000 : f64} : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x4x64, #seqmix.dense<kv_heads = 4>>
  return
}

// -----

func.func @result_batch(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>) {
  // The result has another batch than q.
  // expected-error @+1 {{'seqmix.lowrank' op batch B of 'result' (4) and of 'q' (2) differ}}
  %m = seqmix.lowrank %q, %k : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<4x4x64, #seqmix.lowrank<rank = 32>>
  return
}

// -----

func.func @result_length(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>) {
  // The result has another sequence length than q.
  // expected-error @+1 {{'seqmix.semiseparable' op sequence length T of 'result' (128) and of 'q' (64) differ}}
  %m = seqmix.semiseparable %q, %k : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x128, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
  return
}

// -----

func.func @attention_result_length(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>) {
  // The result has another sequence length than q.
  // expected-error @+1 {{'seqmix.attention' op sequence length T of 'result' (32) and of 'q' (64) differ}}
  %m = seqmix.attention %q, %k : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x4x32, #seqmix.dense<kv_heads = 4>>
  return
}

//===----------------------------------------------------------------------===//
// seqmix.lowrank
//===----------------------------------------------------------------------===//

// -----

func.func @lowrank_structure(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>) {
  // seqmix.lowrank builds a #seqmix.lowrank mixer.
  // expected-error @+1 {{'seqmix.lowrank' op result structure must be #seqmix.lowrank, but got #seqmix.diagonal}}
  %m = seqmix.lowrank %q, %k : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x4x64, #seqmix.diagonal>
  return
}

// -----

func.func @lowrank_rank(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>) {
  // The rank of the structure is not K.
  // expected-error @+1 {{'seqmix.lowrank' op result rank (16) must equal K of 'q' and 'k' (32)}}
  %m = seqmix.lowrank %q, %k : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x4x64, #seqmix.lowrank<rank = 16>>
  return
}

// -----

func.func @lowrank_heads(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>) {
  // 6 value heads cannot share 4 q/k heads.
  // expected-error @+1 {{'seqmix.lowrank' op result heads (6) must be a multiple of the q/k heads (4)}}
  %m = seqmix.lowrank %q, %k : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x6x64, #seqmix.lowrank<rank = 32>>
  return
}

//===----------------------------------------------------------------------===//
// seqmix.semiseparable
//===----------------------------------------------------------------------===//

// -----

func.func @semiseparable_structure(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>) {
  // seqmix.semiseparable builds a #seqmix.semiseparable mixer.
  // expected-error @+1 {{'seqmix.semiseparable' op result structure must be #seqmix.semiseparable, but got #seqmix.lowrank<rank = 32>}}
  %m = seqmix.semiseparable %q, %k : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.lowrank<rank = 32>>
  return
}

// -----

func.func @semiseparable_state(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>) {
  // The state size of the structure is not K.
  // expected-error @+1 {{'seqmix.semiseparable' op result state size (64) must equal K of 'q' and 'k' (32)}}
  %m = seqmix.semiseparable %q, %k : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>
  return
}

// -----

func.func @semiseparable_heads(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>) {
  // 6 value heads cannot share 4 q/k heads.
  // expected-error @+1 {{'seqmix.semiseparable' op value heads of the result (6) must be a multiple of the q/k heads (4)}}
  %m = seqmix.semiseparable %q, %k : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x6x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
  return
}

// -----

func.func @semiseparable_fewer_value_heads(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>) {
  // Fewer value heads than q/k heads.
  // expected-error @+1 {{'seqmix.semiseparable' op value heads of the result (2) must be a multiple of the q/k heads (4)}}
  %m = seqmix.semiseparable %q, %k : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x2x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
  return
}

// -----

func.func @gate_with_decay_none(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>, %g: tensor<2x64x8xf32>) {
  // A gate without a decay.
  // expected-error @+1 {{'seqmix.semiseparable' op decay 'none' takes no 'gate' operand}}
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<2x64x8xf32>) : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
  return
}

// -----

func.func @static_decay_without_gate(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>) {
  // A static decay without its gate.
  // expected-error @+1 {{'seqmix.semiseparable' op decay 'static' requires a 'gate' operand of shape [Hv]}}
  %m = seqmix.semiseparable %q, %k : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = static, transition = additive>>
  return
}

// -----

func.func @scalar_decay_without_gate(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>) {
  // A scalar decay without its gate.
  // expected-error @+1 {{'seqmix.semiseparable' op decay 'scalar' requires a 'gate' operand of shape [B, T, Hv]}}
  %m = seqmix.semiseparable %q, %k : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = scalar, transition = additive>>
  return
}

// -----

func.func @diagonal_decay_without_gate(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>, %b: tensor<2x64x8xf32>) {
  // A diagonal decay without its gate.
  // expected-error @+1 {{'seqmix.semiseparable' op decay 'diagonal' requires a 'gate' operand of shape [B, T, Hv, K]}}
  %m = seqmix.semiseparable %q, %k beta(%b : tensor<2x64x8xf32>) : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = diagonal, transition = delta>>
  return
}

// -----

func.func @static_gate_rank(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>, %g: tensor<2x64x8xf32>) {
  // A per-token gate for a static decay.
  // expected-error @+1 {{'seqmix.semiseparable' op operand 'gate' must have rank 1 [Hv] for decay 'static', but got 'tensor<2x64x8xf32>'}}
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<2x64x8xf32>) : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = static, transition = additive>>
  return
}

// -----

func.func @scalar_gate_rank(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>, %g: tensor<2x64x8x32xf32>) {
  // A per-channel gate for a scalar decay.
  // expected-error @+1 {{'seqmix.semiseparable' op operand 'gate' must have rank 3 [B, T, Hv] for decay 'scalar', but got 'tensor<2x64x8x32xf32>'}}
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<2x64x8x32xf32>) : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = scalar, transition = additive>>
  return
}

// -----

func.func @diagonal_gate_rank(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>, %g: tensor<2x64x8xf32>) {
  // A per-head gate for a diagonal decay.
  // expected-error @+1 {{'seqmix.semiseparable' op operand 'gate' must have rank 4 [B, T, Hv, K] for decay 'diagonal', but got 'tensor<2x64x8xf32>'}}
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<2x64x8xf32>) : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = diagonal, transition = additive>>
  return
}

// -----

func.func @static_gate_heads(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>, %g: tensor<4xf32>) {
  // One gate per q/k head instead of per value head.
  // expected-error @+1 {{'seqmix.semiseparable' op value heads Hv of 'gate' (4) and of 'result' (8) differ}}
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<4xf32>) : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = static, transition = additive>>
  return
}

// -----

func.func @scalar_gate_batch(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>, %g: tensor<1x64x8xf32>) {
  // The gate has another batch than q.
  // expected-error @+1 {{'seqmix.semiseparable' op batch B of 'gate' (1) and of 'q' (2) differ}}
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<1x64x8xf32>) : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = scalar, transition = additive>>
  return
}

// -----

func.func @scalar_gate_length(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>, %g: tensor<2x32x8xf32>) {
  // The gate has another sequence length than q.
  // expected-error @+1 {{'seqmix.semiseparable' op sequence length T of 'gate' (32) and of 'q' (64) differ}}
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<2x32x8xf32>) : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = scalar, transition = additive>>
  return
}

// -----

func.func @scalar_gate_heads(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>, %g: tensor<2x64x4xf32>) {
  // The gate has the q/k heads instead of the value heads.
  // expected-error @+1 {{'seqmix.semiseparable' op value heads Hv of 'gate' (4) and of 'result' (8) differ}}
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<2x64x4xf32>) : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = scalar, transition = additive>>
  return
}

// -----

func.func @diagonal_gate_key_dim(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>, %g: tensor<2x64x8x16xf32>) {
  // The diagonal gate has another K than q.
  // expected-error @+1 {{'seqmix.semiseparable' op K of 'gate' (16) and of 'q' (32) differ}}
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<2x64x8x16xf32>) : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = diagonal, transition = additive>>
  return
}

// -----

func.func @gate_bf16(%q: tensor<2x64x4x32xbf16>, %k: tensor<2x64x4x32xbf16>, %g: tensor<2x64x8xbf16>) {
  // Gates are f32, whatever the type of q.
  // expected-error @+1 {{'seqmix.semiseparable' op operand 'gate' must have element type f32, but got 'bf16'}}
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<2x64x8xbf16>) : tensor<2x64x4x32xbf16>, tensor<2x64x4x32xbf16> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = scalar, transition = additive>>
  return
}

// -----

func.func @beta_without_delta(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>, %b: tensor<2x64x8xf32>) {
  // beta belongs to the delta transition.
  // expected-error @+1 {{'seqmix.semiseparable' op transition 'additive' takes no 'beta' operand}}
  %m = seqmix.semiseparable %q, %k beta(%b : tensor<2x64x8xf32>) : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
  return
}

// -----

func.func @delta_without_beta(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>, %g: tensor<2x64x8xf32>) {
  // The delta transition needs beta.
  // expected-error @+1 {{'seqmix.semiseparable' op transition 'delta' requires a 'beta' operand of shape [B, T, Hv]}}
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<2x64x8xf32>) : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = scalar, transition = delta>>
  return
}

// -----

func.func @beta_rank(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>, %b: tensor<8xf32>) {
  // beta is per token, not per head.
  // expected-error @+1 {{'seqmix.semiseparable' op operand 'beta' must be a rank-3 tensor [B, T, Hv], but got 'tensor<8xf32>'}}
  %m = seqmix.semiseparable %q, %k beta(%b : tensor<8xf32>) : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = delta>>
  return
}

// -----

func.func @beta_batch(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>, %b: tensor<4x64x8xf32>) {
  // beta has another batch than q.
  // expected-error @+1 {{'seqmix.semiseparable' op batch B of 'beta' (4) and of 'q' (2) differ}}
  %m = seqmix.semiseparable %q, %k beta(%b : tensor<4x64x8xf32>) : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = delta>>
  return
}

// -----

func.func @beta_length(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>, %b: tensor<2x63x8xf32>) {
  // beta has another sequence length than q.
  // expected-error @+1 {{'seqmix.semiseparable' op sequence length T of 'beta' (63) and of 'q' (64) differ}}
  %m = seqmix.semiseparable %q, %k beta(%b : tensor<2x63x8xf32>) : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = delta>>
  return
}

// -----

func.func @beta_heads(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>, %b: tensor<2x64x4xf32>) {
  // beta has the q/k heads instead of the value heads.
  // expected-error @+1 {{'seqmix.semiseparable' op value heads Hv of 'beta' (4) and of 'result' (8) differ}}
  %m = seqmix.semiseparable %q, %k beta(%b : tensor<2x64x4xf32>) : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = delta>>
  return
}

// -----

func.func @beta_element_type(%q: tensor<2x64x4x32xbf16>, %k: tensor<2x64x4x32xbf16>, %b: tensor<2x64x8xf16>) {
  // beta is f32 or the type of q (bf16), not f16.
  // expected-error @+1 {{'seqmix.semiseparable' op operand 'beta' must have element type f32 or the element type of 'q', but got 'f16'}}
  %m = seqmix.semiseparable %q, %k beta(%b : tensor<2x64x8xf16>) : tensor<2x64x4x32xbf16>, tensor<2x64x4x32xbf16> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = delta>>
  return
}

// -----

func.func @dt_with_delta(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>, %b: tensor<2x64x8xf32>, %dt: tensor<2x64x8xf32>) {
  // dt belongs to the additive transition.
  // expected-error @+1 {{'seqmix.semiseparable' op transition 'delta' takes no 'dt' operand (its input scale is 'beta')}}
  %m = seqmix.semiseparable %q, %k beta(%b : tensor<2x64x8xf32>) dt(%dt : tensor<2x64x8xf32>) : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = delta>>
  return
}

// -----

func.func @dt_rank(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>, %g: tensor<2x64x8xf32>, %dt: tensor<2x64x8x1xf32>) {
  // dt is [B, T, Hv].
  // expected-error @+1 {{'seqmix.semiseparable' op operand 'dt' must be a rank-3 tensor [B, T, Hv], but got 'tensor<2x64x8x1xf32>'}}
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<2x64x8xf32>) dt(%dt : tensor<2x64x8x1xf32>) : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = scalar, transition = additive>>
  return
}

// -----

func.func @dt_length(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>, %dt: tensor<2x128x8xf32>) {
  // dt has another sequence length than q.
  // expected-error @+1 {{'seqmix.semiseparable' op sequence length T of 'dt' (128) and of 'q' (64) differ}}
  %m = seqmix.semiseparable %q, %k dt(%dt : tensor<2x128x8xf32>) : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
  return
}

// -----

func.func @dt_element_type(%q: tensor<2x64x4x32xbf16>, %k: tensor<2x64x4x32xbf16>, %dt: tensor<2x64x8xbf16>) {
  // dt is f32, whatever the type of q.
  // expected-error @+1 {{'seqmix.semiseparable' op operand 'dt' must have element type f32, but got 'bf16'}}
  %m = seqmix.semiseparable %q, %k dt(%dt : tensor<2x64x8xbf16>) : tensor<2x64x4x32xbf16>, tensor<2x64x4x32xbf16> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
  return
}

//===----------------------------------------------------------------------===//
// seqmix.attention
//===----------------------------------------------------------------------===//

// -----

func.func @attention_structure(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>) {
  // seqmix.attention builds a #seqmix.dense mixer.
  // expected-error @+1 {{'seqmix.attention' op result structure must be #seqmix.dense, but got #seqmix.lowrank<rank = 32>}}
  %m = seqmix.attention %q, %k : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x4x64, #seqmix.lowrank<rank = 32>>
  return
}

// -----

func.func @attention_heads_not_multiple(%q: tensor<2x64x6x32xf32>, %k: tensor<2x64x4x32xf32>) {
  // 6 query heads cannot be grouped over 4 key/value heads.
  // expected-error @+1 {{'seqmix.attention' op query heads of 'q' (6) must be a multiple of the key/value heads of 'k' (4)}}
  %m = seqmix.attention %q, %k : tensor<2x64x6x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x6x64, #seqmix.dense<kv_heads = 2>>
  return
}

// -----

func.func @attention_more_kv_heads(%q: tensor<2x64x2x32xf32>, %k: tensor<2x64x4x32xf32>) {
  // More key/value heads than query heads.
  // expected-error @+1 {{'seqmix.attention' op query heads of 'q' (2) must be a multiple of the key/value heads of 'k' (4)}}
  %m = seqmix.attention %q, %k : tensor<2x64x2x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x2x64, #seqmix.dense<kv_heads = 2>>
  return
}

// -----

func.func @attention_result_heads(%q: tensor<2x64x8x32xf32>, %k: tensor<2x64x2x32xf32>) {
  // The result has the key/value heads instead of the query heads.
  // expected-error @+1 {{'seqmix.attention' op result heads (2) must equal the query heads of 'q' (8)}}
  %m = seqmix.attention %q, %k : tensor<2x64x8x32xf32>, tensor<2x64x2x32xf32> -> !seqmix.mixer<2x2x64, #seqmix.dense<kv_heads = 2>>
  return
}

// -----

func.func @attention_kv_heads(%q: tensor<2x64x8x32xf32>, %k: tensor<2x64x2x32xf32>) {
  // kv_heads of the structure is not the heads of k.
  // expected-error @+1 {{'seqmix.attention' op result kv_heads (4) must equal the heads of 'k' (2)}}
  %m = seqmix.attention %q, %k : tensor<2x64x8x32xf32>, tensor<2x64x2x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.dense<kv_heads = 4>>
  return
}

//===----------------------------------------------------------------------===//
// seqmix.diagonal
//===----------------------------------------------------------------------===//

// -----

func.func @diagonal_structure(%d: tensor<8xf32>) {
  // seqmix.diagonal builds a #seqmix.diagonal mixer.
  // expected-error @+1 {{'seqmix.diagonal' op result structure must be #seqmix.diagonal, but got #seqmix.lowrank<rank = 8>}}
  %m = seqmix.diagonal %d : tensor<8xf32> -> !seqmix.mixer<?x8x?, #seqmix.lowrank<rank = 8>>
  return
}

// -----

func.func @diagonal_element_type(%d: tensor<8xi32>) {
  // d of integers.
  // expected-error @+1 {{'seqmix.diagonal' op operand 'd' must have element type bf16, f16 or f32, but got 'i32'}}
  %m = seqmix.diagonal %d : tensor<8xi32> -> !seqmix.mixer<?x8x?, #seqmix.diagonal>
  return
}

// -----

func.func @diagonal_rank(%d: tensor<64x8xf32>) {
  // d is neither [H] nor [B, T, H].
  // expected-error @+1 {{'seqmix.diagonal' op operand 'd' must be a rank-1 tensor [H] or a rank-3 tensor [B, T, H], but got 'tensor<64x8xf32>'}}
  %m = seqmix.diagonal %d : tensor<64x8xf32> -> !seqmix.mixer<2x8x64, #seqmix.diagonal>
  return
}

// -----

func.func @diagonal_scalar(%d: tensor<f32>) {
  // d of rank 0.
  // expected-error @+1 {{'seqmix.diagonal' op operand 'd' must be a rank-1 tensor [H] or a rank-3 tensor [B, T, H], but got 'tensor<f32>'}}
  %m = seqmix.diagonal %d : tensor<f32> -> !seqmix.mixer<2x8x64, #seqmix.diagonal>
  return
}

// -----

func.func @diagonal_heads(%d: tensor<4xf32>) {
  // One entry per head: 4 instead of 8.
  // expected-error @+1 {{'seqmix.diagonal' op head count H of 'd' (4) and of 'result' (8) differ}}
  %m = seqmix.diagonal %d : tensor<4xf32> -> !seqmix.mixer<?x8x?, #seqmix.diagonal>
  return
}

// -----

func.func @diagonal_per_token_batch(%d: tensor<1x64x8xf32>) {
  // A per-token d with another batch than the result.
  // expected-error @+1 {{'seqmix.diagonal' op batch B of 'd' (1) and of 'result' (2) differ}}
  %m = seqmix.diagonal %d : tensor<1x64x8xf32> -> !seqmix.mixer<2x8x64, #seqmix.diagonal>
  return
}

// -----

func.func @diagonal_per_token_length(%d: tensor<2x32x8xf32>) {
  // A per-token d with another sequence length than the result.
  // expected-error @+1 {{'seqmix.diagonal' op sequence length T of 'd' (32) and of 'result' (64) differ}}
  %m = seqmix.diagonal %d : tensor<2x32x8xf32> -> !seqmix.mixer<2x8x64, #seqmix.diagonal>
  return
}

// -----

func.func @diagonal_per_token_heads(%d: tensor<2x64x4xf32>) {
  // A per-token d with another head count than the result.
  // expected-error @+1 {{'seqmix.diagonal' op head count H of 'd' (4) and of 'result' (8) differ}}
  %m = seqmix.diagonal %d : tensor<2x64x4xf32> -> !seqmix.mixer<2x8x64, #seqmix.diagonal>
  return
}

//===----------------------------------------------------------------------===//
// seqmix.transpose and seqmix.add
//===----------------------------------------------------------------------===//

// -----

func.func @transpose_attention(%m: !seqmix.mixer<2x8x64, #seqmix.dense<kv_heads = 2>>) {
  // Softmax attention has no transpose.
  // expected-error @+1 {{a mixer of structure #seqmix.dense<kv_heads = 2> has no transpose (softmax attention's row normalisation does not carry over)}}
  %t = seqmix.transpose %m : !seqmix.mixer<2x8x64, #seqmix.dense<kv_heads = 2>>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.sum<[#seqmix.dense<kv_heads = 8>, #seqmix.diagonal]>>
func.func @transpose_sum_with_attention(%m: !mixer) {
  // Nor has a sum with a softmax attention term.
  // expected-error @+1 {{has no transpose (softmax attention's row normalisation does not carry over)}}
  %t = seqmix.transpose %m : !mixer
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.dense<kv_heads = 2, mask = full>>
func.func @transpose_attention_generic(%m: !mixer) {
  // Same, in the generic form with an explicit result type.
  // expected-error @+2 {{a mixer of structure #seqmix.dense<kv_heads = 2, mask = full> has no transpose}}
  // expected-error @+1 {{'seqmix.transpose' op failed to infer returned types}}
  %t = "seqmix.transpose"(%m) : (!mixer) -> !mixer
  return
}

// -----

!a = !seqmix.mixer<2x8x64, #seqmix.lowrank<rank = 32>>
!b = !seqmix.mixer<2x4x64, #seqmix.diagonal>
func.func @add_heads(%a: !a, %b: !b) {
  // 8 heads plus 4 heads.
  // expected-error @+1 {{head count H of 'lhs' (8) and of 'rhs' (4) differ}}
  %s = seqmix.add %a, %b : !a, !b
  return
}

// -----

!a = !seqmix.mixer<2x8x64, #seqmix.lowrank<rank = 32>>
!b = !seqmix.mixer<1x8x64, #seqmix.diagonal>
func.func @add_batch(%a: !a, %b: !b) {
  // Batches 2 and 1.
  // expected-error @+1 {{batch B of 'lhs' (2) and of 'rhs' (1) differ}}
  %s = seqmix.add %a, %b : !a, !b
  return
}

// -----

!a = !seqmix.mixer<?x8x64, #seqmix.lowrank<rank = 32>>
!b = !seqmix.mixer<2x8x128, #seqmix.diagonal>
func.func @add_length(%a: !a, %b: !b) {
  // Sequence lengths 64 and 128.
  // expected-error @+1 {{sequence length T of 'lhs' (64) and of 'rhs' (128) differ}}
  %s = seqmix.add %a, %b : !a, !b
  return
}

//===----------------------------------------------------------------------===//
// seqmix.apply
//===----------------------------------------------------------------------===//

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.lowrank<rank = 32>>
func.func @value_rank(%m: !mixer, %v: tensor<2x64x128xf32>) {
  // The value has no head dimension.
  // expected-error @+1 {{'seqmix.apply' op operand 'value' must be a rank-4 tensor [B, T, H, V], but got 'tensor<2x64x128xf32>'}}
  %o = seqmix.apply %m, %v : !mixer, tensor<2x64x128xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.lowrank<rank = 32>>
func.func @value_i8(%m: !mixer, %v: tensor<2x64x8x16xi8>) {
  // A value of i8.
  // expected-error @+1 {{'seqmix.apply' op operand 'value' must have element type bf16, f16 or f32, but got 'i8'}}
  %o = seqmix.apply %m, %v : !mixer, tensor<2x64x8x16xi8> -> tensor<2x64x8x16xi8>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.lowrank<rank = 32>>
func.func @value_batch(%m: !mixer, %v: tensor<3x64x8x16xf32>) {
  // The value has another batch than the mixer.
  // expected-error @+1 {{'seqmix.apply' op batch B of 'value' (3) and of 'mixer' (2) differ}}
  %o = seqmix.apply %m, %v : !mixer, tensor<3x64x8x16xf32> -> tensor<3x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @value_length(%m: !mixer, %v: tensor<2x128x8x16xf32>) {
  // The value has another sequence length than the mixer.
  // expected-error @+1 {{'seqmix.apply' op sequence length T of 'value' (128) and of 'mixer' (64) differ}}
  %o = seqmix.apply %m, %v : !mixer, tensor<2x128x8x16xf32> -> tensor<2x128x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @value_heads(%m: !mixer, %v: tensor<2x64x4x16xf32>) {
  // The value has the q/k heads instead of the value heads.
  // expected-error @+1 {{'seqmix.apply' op heads of 'value' (4) must equal the mixer heads (8)}}
  %o = seqmix.apply %m, %v : !mixer, tensor<2x64x4x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.dense<kv_heads = 2>>
func.func @attention_value_heads(%m: !mixer, %v: tensor<2x64x8x16xf32>) {
  // Softmax attention reads the key/value heads: 2, not 8.
  // expected-error @+1 {{'seqmix.apply' op heads of 'value' (8) must equal the mixer key/value heads (2)}}
  %o = seqmix.apply %m, %v : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.lowrank<rank = 32>>
func.func @output_rank(%m: !mixer, %v: tensor<2x64x8x16xf32>) {
  // The output has its heads folded into V.
  // expected-error @+1 {{'seqmix.apply' op result 'output' must be a rank-4 tensor [B, T, H, V], but got 'tensor<2x64x128xf32>'}}
  %o = seqmix.apply %m, %v : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x128xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.lowrank<rank = 32>>
func.func @output_element_type(%m: !mixer, %v: tensor<2x64x8x16xbf16>) {
  // The output has another element type than the value.
  // expected-error @+1 {{'seqmix.apply' op result 'output' must have the element type of 'value', but got 'f32'}}
  %o = seqmix.apply %m, %v : !mixer, tensor<2x64x8x16xbf16> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<?x8x?, #seqmix.lowrank<rank = 32>>
func.func @output_batch(%m: !mixer, %v: tensor<2x64x8x16xf32>) {
  // The output has another batch than the value.
  // expected-error @+1 {{'seqmix.apply' op batch B of 'output' (4) and of 'value' (2) differ}}
  %o = seqmix.apply %m, %v : !mixer, tensor<2x64x8x16xf32> -> tensor<4x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<?x8x?, #seqmix.lowrank<rank = 32>>
func.func @output_length(%m: !mixer, %v: tensor<2x64x8x16xf32>) {
  // The output has another sequence length than the value.
  // expected-error @+1 {{'seqmix.apply' op sequence length T of 'output' (32) and of 'value' (64) differ}}
  %o = seqmix.apply %m, %v : !mixer, tensor<2x64x8x16xf32> -> tensor<2x32x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.dense<kv_heads = 2>>
func.func @output_heads(%m: !mixer, %v: tensor<2x64x2x16xf32>) {
  // Softmax attention gives the query heads (8), not the key/value heads.
  // expected-error @+1 {{'seqmix.apply' op head count H of 'output' (2) and of 'mixer' (8) differ}}
  %o = seqmix.apply %m, %v : !mixer, tensor<2x64x2x16xf32> -> tensor<2x64x2x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.lowrank<rank = 32>>
func.func @output_value_dim(%m: !mixer, %v: tensor<2x64x8x16xf32>) {
  // The output has another value dimension than the value.
  // expected-error @+1 {{'seqmix.apply' op value dimension V of 'output' (32) and of 'value' (16) differ}}
  %o = seqmix.apply %m, %v : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x32xf32>
  return
}

// -----

!mixer = !seqmix.mixer<1x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @seqlens_rank(%m: !mixer, %v: tensor<1x64x8x16xf32>, %cu: tensor<2x2xi32>) {
  // seqlens is a 1-D tensor of offsets.
  // expected-error @+1 {{'seqmix.apply' op operand 'seqlens' must be a rank-1 tensor [N + 1], but got 'tensor<2x2xi32>'}}
  %o = seqmix.apply %m, %v seqlens(%cu : tensor<2x2xi32>) : !mixer, tensor<1x64x8x16xf32> -> tensor<1x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<1x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @seqlens_f32(%m: !mixer, %v: tensor<1x64x8x16xf32>, %cu: tensor<4xf32>) {
  // Offsets of f32.
  // expected-error @+1 {{'seqmix.apply' op operand 'seqlens' must have element type i32 or i64, but got 'f32'}}
  %o = seqmix.apply %m, %v seqlens(%cu : tensor<4xf32>) : !mixer, tensor<1x64x8x16xf32> -> tensor<1x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @seqlens_batch(%m: !mixer, %v: tensor<2x64x8x16xf32>, %cu: tensor<4xi32>) {
  // Packed sequences need a batch of 1.
  // expected-error @+1 {{'seqmix.apply' op 'seqlens' requires batch size 1 (sequences packed along T), but the batch is 2}}
  %o = seqmix.apply %m, %v seqlens(%cu : tensor<4xi32>) : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<?x8x?, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @seqlens_value_batch(%m: !mixer, %v: tensor<3x64x8x16xf32>, %cu: tensor<?xi64>) {
  // Same, with the batch known from the value only.
  // expected-error @+1 {{'seqmix.apply' op 'seqlens' requires batch size 1 (sequences packed along T), but the batch is 3}}
  %o = seqmix.apply %m, %v seqlens(%cu : tensor<?xi64>) : !mixer, tensor<3x64x8x16xf32> -> tensor<3x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<1x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @seqlens_one_offset(%m: !mixer, %v: tensor<1x64x8x16xf32>, %cu: tensor<1xi32>) {
  // One offset delimits no sequence.
  // expected-error @+1 {{'seqmix.apply' op operand 'seqlens' must hold at least 2 offsets (N + 1 for N >= 1 sequences), but has 1}}
  %o = seqmix.apply %m, %v seqlens(%cu : tensor<1xi32>) : !mixer, tensor<1x64x8x16xf32> -> tensor<1x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.dense<kv_heads = 8>>
func.func @init_attention(%m: !mixer, %v: tensor<2x64x8x16xf32>, %h: tensor<2x8x32x16xf32>) {
  // Softmax attention has no state.
  // expected-error @+1 {{'seqmix.apply' op operand 'init' requires a mixer with exactly one causal semiseparable term, but the mixer has 0}}
  %o = seqmix.apply %m, %v init(%h : tensor<2x8x32x16xf32>) : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.lowrank<rank = 32>>
func.func @init_lowrank(%m: !mixer, %v: tensor<2x64x8x16xf32>, %h: tensor<2x8x32x16xf32>) {
  // A non-causal low-rank mixer has no state.
  // expected-error @+1 {{'seqmix.apply' op operand 'init' requires a mixer with exactly one causal semiseparable term, but the mixer has 0}}
  %o = seqmix.apply %m, %v init(%h : tensor<2x8x32x16xf32>) : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive, direction = anticausal>>
func.func @final_state_anticausal(%m: !mixer, %v: tensor<2x64x8x16xf32>) {
  // An anticausal mixer (a transpose) carries no forward state.
  // expected-error @+1 {{'seqmix.apply' op result 'final_state' requires a mixer with exactly one causal semiseparable term, but the mixer has 0}}
  %o, %s = seqmix.apply %m, %v : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>, tensor<2x8x32x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.sum<[#seqmix.semiseparable<state = 32, decay = none, transition = additive>, #seqmix.semiseparable<state = 32, decay = scalar, transition = additive>]>>
func.func @init_two_states(%m: !mixer, %v: tensor<2x64x8x16xf32>, %h: tensor<2x8x32x16xf32>) {
  // A sum of two causal semiseparable terms has two states.
  // expected-error @+1 {{'seqmix.apply' op operand 'init' requires a mixer with exactly one causal semiseparable term, but the mixer has 2}}
  %o = seqmix.apply %m, %v init(%h : tensor<2x8x32x16xf32>) : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @init_rank(%m: !mixer, %v: tensor<2x64x8x16xf32>, %h: tensor<8x32x16xf32>) {
  // The state has no sequence dimension.
  // expected-error @+1 {{'seqmix.apply' op state 'init' must be a rank-4 tensor [N, H, K, V], but got 'tensor<8x32x16xf32>'}}
  %o = seqmix.apply %m, %v init(%h : tensor<8x32x16xf32>) : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @init_element_type(%m: !mixer, %v: tensor<2x64x8x16xbf16>, %h: tensor<2x8x32x16xbf16>) {
  // States are f32, whatever the type of the value.
  // expected-error @+1 {{'seqmix.apply' op state 'init' must have element type f32, but got 'bf16'}}
  %o = seqmix.apply %m, %v init(%h : tensor<2x8x32x16xbf16>) : !mixer, tensor<2x64x8x16xbf16> -> tensor<2x64x8x16xbf16>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @init_count(%m: !mixer, %v: tensor<2x64x8x16xf32>, %h: tensor<3x8x32x16xf32>) {
  // 3 initial states for a batch of 2.
  // expected-error @+1 {{'seqmix.apply' op state 'init' has N = 3 (dimension 0), but the mixer's batch B is 2}}
  %o = seqmix.apply %m, %v init(%h : tensor<3x8x32x16xf32>) : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<1x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @init_count_seqlens(%m: !mixer, %v: tensor<1x64x8x16xf32>, %h: tensor<1x8x32x16xf32>, %cu: tensor<4xi32>) {
  // 1 initial state for 3 packed sequences.
  // expected-error @+1 {{'seqmix.apply' op state 'init' has N = 1 (dimension 0), but 'seqlens' holds offsets of N = 3}}
  %o = seqmix.apply %m, %v init(%h : tensor<1x8x32x16xf32>) seqlens(%cu : tensor<4xi32>) : !mixer, tensor<1x64x8x16xf32> -> tensor<1x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @init_heads(%m: !mixer, %v: tensor<2x64x8x16xf32>, %h: tensor<2x4x32x16xf32>) {
  // A state per q/k head instead of per value head.
  // expected-error @+1 {{'seqmix.apply' op head count H of 'init' (4) and of 'mixer' (8) differ}}
  %o = seqmix.apply %m, %v init(%h : tensor<2x4x32x16xf32>) : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @init_state_size(%m: !mixer, %v: tensor<2x64x8x16xf32>, %h: tensor<2x8x16x32xf32>) {
  // K and V swapped.
  // expected-error @+1 {{'seqmix.apply' op state size K of 'init' (16) and of 'mixer' (32) differ}}
  %o = seqmix.apply %m, %v init(%h : tensor<2x8x16x32xf32>) : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @init_value_dim(%m: !mixer, %v: tensor<2x64x8x16xf32>, %h: tensor<2x8x32x64xf32>) {
  // The state has another value dimension than the value.
  // expected-error @+1 {{'seqmix.apply' op value dimension V of 'init' (64) and of 'value' (16) differ}}
  %o = seqmix.apply %m, %v init(%h : tensor<2x8x32x64xf32>) : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @final_state_rank(%m: !mixer, %v: tensor<2x64x8x16xf32>) {
  // The final state flattened.
  // expected-error @+1 {{'seqmix.apply' op state 'final_state' must be a rank-4 tensor [N, H, K, V], but got 'tensor<2x4096xf32>'}}
  %o, %s = seqmix.apply %m, %v : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>, tensor<2x4096xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @final_state_element_type(%m: !mixer, %v: tensor<2x64x8x16xf16>) {
  // States are f32, whatever the type of the value.
  // expected-error @+1 {{'seqmix.apply' op state 'final_state' must have element type f32, but got 'f16'}}
  %o, %s = seqmix.apply %m, %v : !mixer, tensor<2x64x8x16xf16> -> tensor<2x64x8x16xf16>, tensor<2x8x32x16xf16>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @final_state_count(%m: !mixer, %v: tensor<2x64x8x16xf32>, %h: tensor<2x8x32x16xf32>) {
  // A final state for one sequence of a batch of 2.
  // expected-error @+1 {{'seqmix.apply' op state 'final_state' has N = 1 (dimension 0), but the mixer's batch B is 2}}
  %o, %s = seqmix.apply %m, %v init(%h : tensor<2x8x32x16xf32>) : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>, tensor<1x8x32x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<1x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @final_state_count_seqlens(%m: !mixer, %v: tensor<1x64x8x16xf32>, %cu: tensor<3xi64>) {
  // 3 final states for 2 packed sequences.
  // expected-error @+1 {{'seqmix.apply' op state 'final_state' has N = 3 (dimension 0), but 'seqlens' holds offsets of N = 2}}
  %o, %s = seqmix.apply %m, %v seqlens(%cu : tensor<3xi64>) : !mixer, tensor<1x64x8x16xf32> -> tensor<1x64x8x16xf32>, tensor<3x8x32x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @final_state_heads(%m: !mixer, %v: tensor<2x64x8x16xf32>) {
  // A final state per q/k head instead of per value head.
  // expected-error @+1 {{'seqmix.apply' op head count H of 'final_state' (4) and of 'mixer' (8) differ}}
  %o, %s = seqmix.apply %m, %v : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>, tensor<2x4x32x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.sum<[#seqmix.semiseparable<state = 32, decay = scalar, transition = additive>, #seqmix.diagonal]>>
func.func @final_state_state_size(%m: !mixer, %v: tensor<2x64x8x16xf32>) {
  // The final state of the semiseparable term of a sum has K = 32, not 64.
  // expected-error @+1 {{'seqmix.apply' op state size K of 'final_state' (64) and of 'mixer' (32) differ}}
  %o, %s = seqmix.apply %m, %v : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>, tensor<2x8x64x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @final_state_value_dim(%m: !mixer, %v: tensor<2x64x8x16xf32>) {
  // The final state has another value dimension than the value.
  // expected-error @+1 {{'seqmix.apply' op value dimension V of 'final_state' (8) and of 'value' (16) differ}}
  %o, %s = seqmix.apply %m, %v : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>, tensor<2x8x32x8xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.dense<kv_heads = 2>>
func.func @recurrent_attention(%m: !mixer, %v: tensor<2x64x2x16xf32>) {
  // Softmax attention has no recurrent form.
  // expected-error @+1 {{'seqmix.apply' op form 'recurrent' does not apply: softmax attention has only the parallel form}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<recurrent>} : !mixer, tensor<2x64x2x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.dense<kv_heads = 8, window = 16>>
func.func @chunked_attention(%m: !mixer, %v: tensor<2x64x8x16xf32>) {
  // Nor a chunked one.
  // expected-error @+1 {{'seqmix.apply' op form 'chunked' does not apply: softmax attention has only the parallel form}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 16>} : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.lowrank<rank = 32>>
func.func @chunked_lowrank(%m: !mixer, %v: tensor<2x64x8x16xf32>) {
  // A non-causal low-rank mixer has no chunked form.
  // expected-error @+1 {{'seqmix.apply' op form 'chunked' does not apply: a non-causal low-rank mixer has no chunked form (use parallel for (Q Kᵀ) V or recurrent for Q (Kᵀ V))}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64>} : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.sum<[#seqmix.semiseparable<state = 32, decay = scalar, transition = additive>, #seqmix.lowrank<rank = 32>]>>
func.func @chunked_sum_with_lowrank(%m: !mixer, %v: tensor<2x64x8x16xf32>, %h: tensor<2x8x32x16xf32>) {
  // Nor has a sum with a low-rank term (checked after the state).
  // expected-error @+1 {{'seqmix.apply' op form 'chunked' does not apply: a non-causal low-rank mixer has no chunked form}}
  %o = seqmix.apply %m, %v init(%h : tensor<2x8x32x16xf32>) {form = #seqmix.form<chunked>} : !mixer, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

//===----------------------------------------------------------------------===//
// seqmix.materialize
//===----------------------------------------------------------------------===//

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.lowrank<rank = 32>>
func.func @materialize_rank(%m: !mixer) {
  // The batch and head dimensions folded together.
  // expected-error @+1 {{'seqmix.materialize' op result must be a rank-4 tensor [B, H, T, T], but got 'tensor<16x64x64xf32>'}}
  %t = seqmix.materialize %m : !mixer -> tensor<16x64x64xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.lowrank<rank = 32>>
func.func @materialize_element_type(%m: !mixer) {
  // Matrices of f64.
  // expected-error @+1 {{'seqmix.materialize' op result must have element type bf16, f16 or f32, but got 'f64'}}
  %t = seqmix.materialize %m : !mixer -> tensor<2x8x64x64xf64>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.diagonal>
func.func @materialize_batch(%m: !mixer) {
  // Another batch than the mixer.
  // expected-error @+1 {{'seqmix.materialize' op batch B of 'result' (1) and of 'mixer' (2) differ}}
  %t = seqmix.materialize %m : !mixer -> tensor<1x8x64x64xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.diagonal>
func.func @materialize_layout(%m: !mixer) {
  // [B, T, H, T] instead of [B, H, T, T].
  // expected-error @+1 {{'seqmix.materialize' op head count H of 'result' (64) and of 'mixer' (8) differ}}
  %t = seqmix.materialize %m : !mixer -> tensor<2x64x8x64xf32>
  return
}

// -----

!mixer = !seqmix.mixer<2x8x64, #seqmix.diagonal>
func.func @materialize_rows(%m: !mixer) {
  // 32 rows instead of T = 64.
  // expected-error @+1 {{'seqmix.materialize' op sequence length T of 'result' (32) and of 'mixer' (64) differ}}
  %t = seqmix.materialize %m : !mixer -> tensor<2x8x32x64xf32>
  return
}

// -----

// A head count of zero.
func.func @zero_heads(%q: tensor<2x64x0x32xf32>, %k: tensor<2x64x0x32xf32>) {
  // expected-error @+1 {{'seqmix.semiseparable' op head count H of 'q' must be positive}}
  %m = seqmix.semiseparable %q, %k : tensor<2x64x0x32xf32>, tensor<2x64x0x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
  return
}

// -----

// A key/value head count of zero.
func.func @zero_kv_heads(%q: tensor<2x64x8x32xf32>, %k: tensor<2x64x0x32xf32>) {
  // expected-error @+1 {{'seqmix.attention' op head count H of 'k' must be positive}}
  %m = seqmix.attention %q, %k : tensor<2x64x8x32xf32>, tensor<2x64x0x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.dense<kv_heads = 2>>
  return
}

// -----

// Transposing a tensor.
func.func @transpose_tensor(%v: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{operand 'input' must be a !seqmix.mixer, but got 'tensor<2x64x8x16xf32>'}}
  %o = seqmix.transpose %v : tensor<2x64x8x16xf32>
  return
}

// -----

// Adding a tensor.
func.func @add_tensor(%v: tensor<2x64x8x16xf32>, %m: !seqmix.mixer<2x8x64, #seqmix.diagonal>) {
  // expected-error @+1 {{operand 'lhs' must be a !seqmix.mixer, but got 'tensor<2x64x8x16xf32>'}}
  %o = seqmix.add %v, %m : tensor<2x64x8x16xf32>, !seqmix.mixer<2x8x64, #seqmix.diagonal>
  return
}

// -----

// A value whose head count is dynamic.
func.func @dynamic_value_heads(%m: !seqmix.mixer<2x8x64, #seqmix.lowrank<rank = 32>>, %v: tensor<2x64x?x16xf32>) {
  // expected-error @+1 {{'seqmix.apply' op head count H of 'value' must be static}}
  %o = seqmix.apply %m, %v : !seqmix.mixer<2x8x64, #seqmix.lowrank<rank = 32>>, tensor<2x64x?x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// The terms of a sum read different numbers of value heads.
func.func @sum_value_heads(%m: !seqmix.mixer<2x8x64, #seqmix.sum<[#seqmix.dense<kv_heads = 2>, #seqmix.diagonal]>>, %v: tensor<2x64x2x16xf32>) {
  // expected-error @+1 {{'seqmix.apply' op the terms of the mixer read different numbers of value heads (2 and 8)}}
  %o = seqmix.apply %m, %v : !seqmix.mixer<2x8x64, #seqmix.sum<[#seqmix.dense<kv_heads = 2>, #seqmix.diagonal]>>, tensor<2x64x2x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// A #seqmix.form parameter given twice.
func.func @form_twice(%m: !seqmix.mixer<2x8x64, #seqmix.diagonal>, %v: tensor<2x64x8x16xf32>) {
  // expected-error @+1 {{#seqmix.form parameter 'chunk' given twice}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64, chunk = 32>} : !seqmix.mixer<2x8x64, #seqmix.diagonal>, tensor<2x64x8x16xf32> -> tensor<2x64x8x16xf32>
  return
}

// -----

// A materialized matrix that is not square.
func.func @materialize_not_square(%m: !seqmix.mixer<2x8x?, #seqmix.diagonal>) -> tensor<2x8x64x32xf32> {
  // expected-error @+1 {{'seqmix.materialize' op sequence length T of 'result rows' (64) and of 'result columns' (32) differ}}
  %t = seqmix.materialize %m : !seqmix.mixer<2x8x?, #seqmix.diagonal> -> tensor<2x8x64x32xf32>
  return %t : tensor<2x8x64x32xf32>
}

// -----

// The constructor builds causal mixers; anticausal ones come from seqmix.transpose.
func.func @anticausal_constructor(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>) {
  // expected-error @+1 {{'seqmix.semiseparable' op builds causal mixers only: write an anticausal one as the seqmix.transpose of a causal one}}
  %m = seqmix.semiseparable %q, %k : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x8x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive, direction = anticausal>>
  return
}
