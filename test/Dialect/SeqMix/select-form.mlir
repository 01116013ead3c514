// RUN: seqmix-opt %s --seqmix-select-form --remarks-filter=seqmix-select-form \
// RUN:   -split-input-file -verify-diagnostics | FileCheck %s

// Decisions of the cost model only; the lowering of each form is tested
// elsewhere. Without a #seqmix.target the module is compiled for the CPU.

!sgla = !seqmix.mixer<1x4x4096, #seqmix.semiseparable<state = 64, decay = scalar, transition = additive>>

// Long sequences on the CPU: chunked (linear in T, matrix products).
// CHECK-LABEL: func.func @cpu_long
// CHECK: seqmix.apply {{.*}} {form = #seqmix.form<chunked, chunk = 64>}
func.func @cpu_long(%q: tensor<1x4096x4x64xf32>, %k: tensor<1x4096x4x64xf32>,
                    %g: tensor<1x4096x4xf32>, %v: tensor<1x4096x4x64xf32>) -> tensor<1x4096x4x64xf32> {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<1x4096x4xf32>)
      : tensor<1x4096x4x64xf32>, tensor<1x4096x4x64xf32> -> !sgla
  // expected-remark @below {{chose #seqmix.form<chunked, chunk = 64> on cpu}}
  %o = seqmix.apply %m, %v : !sgla, tensor<1x4096x4x64xf32> -> tensor<1x4096x4x64xf32>
  return %o : tensor<1x4096x4x64xf32>
}

// -----

!ss = !seqmix.mixer<8x16x1, #seqmix.semiseparable<state = 128, decay = scalar, transition = delta>>

// One decoding step: recurrent.
// CHECK-LABEL: func.func @cpu_decode
// CHECK: seqmix.apply {{.*}} {form = #seqmix.form<recurrent>}
func.func @cpu_decode(%q: tensor<8x1x16x128xbf16>, %k: tensor<8x1x16x128xbf16>,
                      %g: tensor<8x1x16xf32>, %b: tensor<8x1x16xbf16>,
                      %v: tensor<8x1x16x128xbf16>, %s: tensor<8x16x128x128xf32>)
    -> (tensor<8x1x16x128xbf16>, tensor<8x16x128x128xf32>) {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<8x1x16xf32>) beta(%b : tensor<8x1x16xbf16>)
      : tensor<8x1x16x128xbf16>, tensor<8x1x16x128xbf16> -> !ss
  // expected-remark @below {{chose #seqmix.form<recurrent> on cpu}}
  %o, %sT = seqmix.apply %m, %v init(%s : tensor<8x16x128x128xf32>)
      : !ss, tensor<8x1x16x128xbf16> -> tensor<8x1x16x128xbf16>, tensor<8x16x128x128xf32>
  return %o, %sT : tensor<8x1x16x128xbf16>, tensor<8x16x128x128xf32>
}

// -----

!la = !seqmix.mixer<2x4x100, #seqmix.semiseparable<state = 128, decay = none, transition = additive>>

// Short sequences: parallel (T·(K+V) below chunk·(K+V) + 4·K·V per token).
// CHECK-LABEL: func.func @cpu_short
// CHECK: seqmix.apply {{.*}} {form = #seqmix.form<parallel>}
func.func @cpu_short(%q: tensor<2x100x4x128xf32>, %k: tensor<2x100x4x128xf32>,
                     %v: tensor<2x100x4x128xf32>) -> tensor<2x100x4x128xf32> {
  %m = seqmix.semiseparable %q, %k : tensor<2x100x4x128xf32>, tensor<2x100x4x128xf32> -> !la
  // expected-remark @below {{chose #seqmix.form<parallel> on cpu}}
  %o = seqmix.apply %m, %v : !la, tensor<2x100x4x128xf32> -> tensor<2x100x4x128xf32>
  return %o : tensor<2x100x4x128xf32>
}

// -----

!la = !seqmix.mixer<2x4x100, #seqmix.semiseparable<state = 128, decay = none, transition = additive>>

// A form given by hand is kept.
// CHECK-LABEL: func.func @pinned
// CHECK: seqmix.apply {{.*}} {form = #seqmix.form<recurrent>}
func.func @pinned(%m: !la, %v: tensor<2x100x4x128xf32>) -> tensor<2x100x4x128xf32> {
  // expected-remark @below {{keeps the form given: #seqmix.form<recurrent>}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<recurrent>} : !la, tensor<2x100x4x128xf32> -> tensor<2x100x4x128xf32>
  return %o : tensor<2x100x4x128xf32>
}

// -----

!la = !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>

// Dynamic sizes are assumed (assume-seq-len, assume-batch) and said so.
// CHECK-LABEL: func.func @dynamic
// CHECK: seqmix.apply {{.*}} {form = #seqmix.form<chunked, chunk = 64>}
func.func @dynamic(%m: !la, %v: tensor<?x?x4x64xf32>) -> tensor<?x?x4x64xf32> {
  // expected-remark @below {{B = 1, H = 4, T = 4096, K = 64, V = 64, assuming B = 1, assuming T = 4096}}
  %o = seqmix.apply %m, %v : !la, tensor<?x?x4x64xf32> -> tensor<?x?x4x64xf32>
  return %o : tensor<?x?x4x64xf32>
}

// -----

!attn = !seqmix.mixer<1x8x4096, #seqmix.dense<kv_heads = 2>>

// Softmax attention has only the parallel form.
// CHECK-LABEL: func.func @attention
// CHECK: seqmix.apply {{.*}} {form = #seqmix.form<parallel>}
func.func @attention(%q: tensor<1x4096x8x64xbf16>, %k: tensor<1x4096x2x64xbf16>,
                     %v: tensor<1x4096x2x64xbf16>) -> tensor<1x4096x8x64xbf16> {
  %m = seqmix.attention %q, %k : tensor<1x4096x8x64xbf16>, tensor<1x4096x2x64xbf16> -> !attn
  // expected-remark @below {{chose #seqmix.form<parallel> on cpu}}
  %o = seqmix.apply %m, %v : !attn, tensor<1x4096x2x64xbf16> -> tensor<1x4096x8x64xbf16>
  return %o : tensor<1x4096x8x64xbf16>
}

// -----

!lr = !seqmix.mixer<2x4x4096, #seqmix.lowrank<rank = 32>>

// A non-causal low-rank mixer over a long sequence: Q (Kᵀ V), the recurrent form.
// CHECK-LABEL: func.func @lowrank_long
// CHECK: seqmix.apply {{.*}} {form = #seqmix.form<recurrent>}
func.func @lowrank_long(%m: !lr, %v: tensor<2x4096x4x32xf32>) -> tensor<2x4096x4x32xf32> {
  // expected-remark @below {{chose #seqmix.form<recurrent> on cpu}}
  %o = seqmix.apply %m, %v : !lr, tensor<2x4096x4x32xf32> -> tensor<2x4096x4x32xf32>
  return %o : tensor<2x4096x4x32xf32>
}

// -----

// On an H100, many (batch, head, V-tile) CTAs: the state stays on chip.
module attributes {seqmix.target = #seqmix.target<chip = "sm_90a">} {
  // CHECK-LABEL: func.func @h100_batched
  // CHECK: {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>}
  func.func @h100_batched(%m: !seqmix.mixer<8x16x4096, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>,
                          %v: tensor<8x4096x16x128xbf16>) -> tensor<8x4096x16x128xbf16> {
    // expected-remark @below {{carry onchip: B*H*(V/64) = 256 CTAs give each of the 132 multiprocessors at least one}}
    %o = seqmix.apply %m, %v : !seqmix.mixer<8x16x4096, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>,
        tensor<8x4096x16x128xbf16> -> tensor<8x4096x16x128xbf16>
    return %o : tensor<8x4096x16x128xbf16>
  }
}

// -----

// On an H100, one long sequence and few heads: split T into segments.
module attributes {seqmix.target = #seqmix.target<chip = "sm_90a">} {
  // CHECK-LABEL: func.func @h100_long_single
  // CHECK: {form = #seqmix.form<chunked, chunk = 64, carry = segments, split_v = 2>}
  func.func @h100_long_single(%m: !seqmix.mixer<1x16x65536, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>,
                              %v: tensor<1x65536x16x128xbf16>) -> tensor<1x65536x16x128xbf16> {
    // expected-remark @below {{carry segments: B*H*(V/64) = 32 CTAs would leave most of the 132 multiprocessors idle, so T = 65536 is split into 8 segments}}
    %o = seqmix.apply %m, %v : !seqmix.mixer<1x16x65536, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>,
        tensor<1x65536x16x128xbf16> -> tensor<1x65536x16x128xbf16>
    return %o : tensor<1x65536x16x128xbf16>
  }
}

// -----

// Packed sequences stay on chip: the segments carry does not take seqlens.
module attributes {seqmix.target = #seqmix.target<chip = "sm_90a">} {
  // CHECK-LABEL: func.func @h100_long_packed
  // CHECK: {form = #seqmix.form<chunked, chunk = 64, carry = onchip, split_v = 2>}
  func.func @h100_long_packed(%m: !seqmix.mixer<1x16x65536, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>,
                              %v: tensor<1x65536x16x128xbf16>, %cu: tensor<2xi32>) -> tensor<1x65536x16x128xbf16> {
    // expected-remark @below {{carry onchip: packed sequences (seqlens) are not split into segments yet}}
    %o = seqmix.apply %m, %v seqlens(%cu : tensor<2xi32>) : !seqmix.mixer<1x16x65536, #seqmix.semiseparable<state = 128, decay = scalar, transition = additive>>,
        tensor<1x65536x16x128xbf16> -> tensor<1x65536x16x128xbf16>
    return %o : tensor<1x65536x16x128xbf16>
  }
}

// -----

// A state too large for shared memory goes through memory.
module attributes {seqmix.target = #seqmix.target<chip = "sm_90a", smem_kb = 100>} {
  // CHECK-LABEL: func.func @h100_big_state
  // CHECK: carry = materialized
  func.func @h100_big_state(%m: !seqmix.mixer<8x16x4096, #seqmix.semiseparable<state = 256, decay = none, transition = additive>>,
                            %v: tensor<8x4096x16x128xbf16>) -> tensor<8x4096x16x128xbf16> {
    // expected-remark @below {{carry materialized: a 256x64 fp32 state tile (64 KiB) does not fit in half of the 100 KiB of shared memory}}
    %o = seqmix.apply %m, %v : !seqmix.mixer<8x16x4096, #seqmix.semiseparable<state = 256, decay = none, transition = additive>>,
        tensor<8x4096x16x128xbf16> -> tensor<8x4096x16x128xbf16>
    return %o : tensor<8x4096x16x128xbf16>
  }
}
