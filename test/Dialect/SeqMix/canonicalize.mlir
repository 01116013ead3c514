// RUN: seqmix-opt %s -canonicalize -split-input-file | FileCheck %s

!ss = !seqmix.mixer<2x4x64, #seqmix.semiseparable<state = 32, decay = scalar, transition = additive>>
!sst = !seqmix.mixer<2x4x64, #seqmix.semiseparable<state = 32, decay = scalar, transition = additive, direction = anticausal>>

// (Mᵀ)ᵀ = M.
// CHECK-LABEL: func.func @transpose_of_transpose
// CHECK-SAME: (%[[Q:.*]]: tensor<2x64x4x32xf32>, %[[K:.*]]: tensor<2x64x4x32xf32>, %[[G:.*]]: tensor<2x64x4xf32>, %[[V:.*]]: tensor<2x64x4x16xf32>)
// CHECK: %[[M:.*]] = seqmix.semiseparable %[[Q]], %[[K]] gate(%[[G]]
// CHECK-NOT: seqmix.transpose
// CHECK: seqmix.apply %[[M]], %[[V]]
func.func @transpose_of_transpose(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>,
                                  %g: tensor<2x64x4xf32>, %v: tensor<2x64x4x16xf32>)
    -> tensor<2x64x4x16xf32> {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<2x64x4xf32>)
      : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !ss
  %t = seqmix.transpose %m : !ss
  %tt = seqmix.transpose %t : !sst
  %o = seqmix.apply %tt, %v : !ss, tensor<2x64x4x16xf32> -> tensor<2x64x4x16xf32>
  return %o : tensor<2x64x4x16xf32>
}

// -----

// A static decay of exactly zero (γ = 1) is no decay.
// CHECK-LABEL: func.func @static_decay_zero
// CHECK-NOT: arith.constant
// CHECK: %[[M:.*]] = seqmix.semiseparable %{{.*}}, %{{.*}} : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32> -> !seqmix.mixer<2x4x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
// CHECK: seqmix.apply %[[M]], %{{.*}} : !seqmix.mixer<2x4x64, #seqmix.semiseparable<state = 32, decay = none, transition = additive>>
func.func @static_decay_zero(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>,
                             %v: tensor<2x64x4x16xf32>) -> tensor<2x64x4x16xf32> {
  %gamma = arith.constant dense<0.0> : tensor<4xf32>
  %m = seqmix.semiseparable %q, %k gate(%gamma : tensor<4xf32>)
      : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32>
      -> !seqmix.mixer<2x4x64, #seqmix.semiseparable<state = 32, decay = static, transition = additive>>
  %o = seqmix.apply %m, %v
      : !seqmix.mixer<2x4x64, #seqmix.semiseparable<state = 32, decay = static, transition = additive>>,
        tensor<2x64x4x16xf32> -> tensor<2x64x4x16xf32>
  return %o : tensor<2x64x4x16xf32>
}

// -----

// A per-token or per-channel gate of zero is no decay either, also for the
// delta rule, and the algebra ops above the mixer take the new type.
// CHECK-LABEL: func.func @diagonal_gate_zero_delta
// CHECK: %[[M:.*]] = seqmix.semiseparable %{{.*}}, %{{.*}} beta(%{{.*}} : tensor<1x8x2xf32>) : {{.*}} -> !seqmix.mixer<1x2x8, #seqmix.semiseparable<state = 4, decay = none, transition = delta>>
// CHECK: %[[D:.*]] = seqmix.diagonal
// CHECK: %[[S:.*]] = seqmix.add %[[M]], %[[D]] : !seqmix.mixer<1x2x8, #seqmix.semiseparable<state = 4, decay = none, transition = delta>>, !seqmix.mixer<1x2x8, #seqmix.diagonal>
// CHECK: seqmix.apply %[[S]], %{{.*}} : !seqmix.mixer<1x2x8, #seqmix.sum<[#seqmix.semiseparable<state = 4, decay = none, transition = delta>, #seqmix.diagonal]>>
func.func @diagonal_gate_zero_delta(%q: tensor<1x8x2x4xf32>, %k: tensor<1x8x2x4xf32>,
                                    %b: tensor<1x8x2xf32>, %d: tensor<2xf32>,
                                    %v: tensor<1x8x2x3xf32>) -> tensor<1x8x2x3xf32> {
  %g = arith.constant dense<0.0> : tensor<1x8x2x4xf32>
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<1x8x2x4xf32>) beta(%b : tensor<1x8x2xf32>)
      : tensor<1x8x2x4xf32>, tensor<1x8x2x4xf32>
      -> !seqmix.mixer<1x2x8, #seqmix.semiseparable<state = 4, decay = diagonal, transition = delta>>
  %dm = seqmix.diagonal %d : tensor<2xf32> -> !seqmix.mixer<1x2x8, #seqmix.diagonal>
  %s = seqmix.add %m, %dm
      : !seqmix.mixer<1x2x8, #seqmix.semiseparable<state = 4, decay = diagonal, transition = delta>>,
        !seqmix.mixer<1x2x8, #seqmix.diagonal>
  %o = seqmix.apply %s, %v
      : !seqmix.mixer<1x2x8, #seqmix.sum<[#seqmix.semiseparable<state = 4, decay = diagonal, transition = delta>, #seqmix.diagonal]>>,
        tensor<1x8x2x3xf32> -> tensor<1x8x2x3xf32>
  return %o : tensor<1x8x2x3xf32>
}

// -----

// A non-zero gate stays.
// CHECK-LABEL: func.func @nonzero_gate_kept
// CHECK: arith.constant dense<-1.000000e-01>
// CHECK: decay = static
func.func @nonzero_gate_kept(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>,
                             %v: tensor<2x64x4x16xf32>) -> tensor<2x64x4x16xf32> {
  %gamma = arith.constant dense<-0.1> : tensor<4xf32>
  %m = seqmix.semiseparable %q, %k gate(%gamma : tensor<4xf32>)
      : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32>
      -> !seqmix.mixer<2x4x64, #seqmix.semiseparable<state = 32, decay = static, transition = additive>>
  %o = seqmix.apply %m, %v
      : !seqmix.mixer<2x4x64, #seqmix.semiseparable<state = 32, decay = static, transition = additive>>,
        tensor<2x64x4x16xf32> -> tensor<2x64x4x16xf32>
  return %o : tensor<2x64x4x16xf32>
}

// -----

// A zero gate whose mixer escapes the function keeps its type.
// CHECK-LABEL: func.func @zero_gate_escaping
// CHECK: decay = static
func.func @zero_gate_escaping(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>)
    -> !seqmix.mixer<2x4x64, #seqmix.semiseparable<state = 32, decay = static, transition = additive>> {
  %gamma = arith.constant dense<0.0> : tensor<4xf32>
  %m = seqmix.semiseparable %q, %k gate(%gamma : tensor<4xf32>)
      : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32>
      -> !seqmix.mixer<2x4x64, #seqmix.semiseparable<state = 32, decay = static, transition = additive>>
  return %m : !seqmix.mixer<2x4x64, #seqmix.semiseparable<state = 32, decay = static, transition = additive>>
}

// -----

// M + Diag(0) = M, on either side.
// CHECK-LABEL: func.func @add_zero_diagonal
// CHECK: %[[M:.*]] = seqmix.semiseparable
// CHECK-NOT: seqmix.diagonal
// CHECK-NOT: seqmix.add
// CHECK: seqmix.apply %[[M]], %{{.*}} : !seqmix.mixer<2x4x64, #seqmix.semiseparable<state = 32, decay = scalar, transition = additive>>
func.func @add_zero_diagonal(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>,
                             %g: tensor<2x64x4xf32>, %v: tensor<2x64x4x16xf32>)
    -> tensor<2x64x4x16xf32> {
  %zero = arith.constant dense<0.0> : tensor<4xf32>
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<2x64x4xf32>)
      : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32>
      -> !seqmix.mixer<2x4x64, #seqmix.semiseparable<state = 32, decay = scalar, transition = additive>>
  %d = seqmix.diagonal %zero : tensor<4xf32> -> !seqmix.mixer<2x4x64, #seqmix.diagonal>
  %s = seqmix.add %d, %m
      : !seqmix.mixer<2x4x64, #seqmix.diagonal>,
        !seqmix.mixer<2x4x64, #seqmix.semiseparable<state = 32, decay = scalar, transition = additive>>
  %o = seqmix.apply %s, %v
      : !seqmix.mixer<2x4x64, #seqmix.sum<[#seqmix.diagonal, #seqmix.semiseparable<state = 32, decay = scalar, transition = additive>]>>,
        tensor<2x64x4x16xf32> -> tensor<2x64x4x16xf32>
  return %o : tensor<2x64x4x16xf32>
}

// -----

// A non-zero diagonal stays.
// CHECK-LABEL: func.func @add_nonzero_diagonal
// CHECK: seqmix.add
func.func @add_nonzero_diagonal(%m: !seqmix.mixer<2x4x64, #seqmix.lowrank<rank = 8>>,
                                %v: tensor<2x64x4x16xf32>) -> tensor<2x64x4x16xf32> {
  %one = arith.constant dense<1.0> : tensor<4xf32>
  %d = seqmix.diagonal %one : tensor<4xf32> -> !seqmix.mixer<2x4x64, #seqmix.diagonal>
  %s = seqmix.add %m, %d : !seqmix.mixer<2x4x64, #seqmix.lowrank<rank = 8>>, !seqmix.mixer<2x4x64, #seqmix.diagonal>
  %o = seqmix.apply %s, %v
      : !seqmix.mixer<2x4x64, #seqmix.sum<[#seqmix.lowrank<rank = 8>, #seqmix.diagonal]>>,
        tensor<2x64x4x16xf32> -> tensor<2x64x4x16xf32>
  return %o : tensor<2x64x4x16xf32>
}

// -----

// A diagonal is its own transpose.
// CHECK-LABEL: func.func @transpose_diagonal
// CHECK-NOT: seqmix.transpose
// CHECK: seqmix.materialize %arg0
func.func @transpose_diagonal(%d: !seqmix.mixer<?x4x?, #seqmix.diagonal>) -> tensor<?x4x?x?xf32> {
  %t = seqmix.transpose %d : !seqmix.mixer<?x4x?, #seqmix.diagonal>
  %m = seqmix.materialize %t : !seqmix.mixer<?x4x?, #seqmix.diagonal> -> tensor<?x4x?x?xf32>
  return %m : tensor<?x4x?x?xf32>
}

// -----

// (scale · Q Kᵀ)ᵀ = scale · K Qᵀ.
// CHECK-LABEL: func.func @transpose_lowrank
// CHECK-SAME: (%[[Q:.*]]: tensor<1x16x2x8xf32>, %[[K:.*]]: tensor<1x16x2x8xf32>
// CHECK: %[[M:.*]] = seqmix.lowrank %[[K]], %[[Q]] {scale = 5.000000e-01 : f64}
// CHECK-NOT: seqmix.transpose
// CHECK: seqmix.materialize %[[M]]
func.func @transpose_lowrank(%q: tensor<1x16x2x8xf32>, %k: tensor<1x16x2x8xf32>)
    -> tensor<1x2x16x16xf32> {
  %m = seqmix.lowrank %q, %k {scale = 0.5 : f64}
      : tensor<1x16x2x8xf32>, tensor<1x16x2x8xf32> -> !seqmix.mixer<1x2x16, #seqmix.lowrank<rank = 8>>
  %t = seqmix.transpose %m : !seqmix.mixer<1x2x16, #seqmix.lowrank<rank = 8>>
  %r = seqmix.materialize %t : !seqmix.mixer<1x2x16, #seqmix.lowrank<rank = 8>> -> tensor<1x2x16x16xf32>
  return %r : tensor<1x2x16x16xf32>
}

// -----

// An attention window as long as the (static) sequence masks nothing.
// CHECK-LABEL: func.func @window_covers_sequence
// CHECK: seqmix.attention {{.*}} -> !seqmix.mixer<1x4x128, #seqmix.dense<kv_heads = 2>>
// CHECK: seqmix.apply {{.*}} : !seqmix.mixer<1x4x128, #seqmix.dense<kv_heads = 2>>
func.func @window_covers_sequence(%q: tensor<1x128x4x16xbf16>, %k: tensor<1x128x2x16xbf16>,
                                  %v: tensor<1x128x2x16xbf16>) -> tensor<1x128x4x16xbf16> {
  %m = seqmix.attention %q, %k : tensor<1x128x4x16xbf16>, tensor<1x128x2x16xbf16>
      -> !seqmix.mixer<1x4x128, #seqmix.dense<kv_heads = 2, window = 128>>
  %o = seqmix.apply %m, %v : !seqmix.mixer<1x4x128, #seqmix.dense<kv_heads = 2, window = 128>>,
      tensor<1x128x2x16xbf16> -> tensor<1x128x4x16xbf16>
  return %o : tensor<1x128x4x16xbf16>
}

// -----

// A shorter window, or a dynamic sequence length, keeps the window.
// CHECK-LABEL: func.func @window_kept
// CHECK: window = 127
// CHECK: window = 4096
func.func @window_kept(%q: tensor<1x128x4x16xbf16>, %k: tensor<1x128x2x16xbf16>,
                       %qd: tensor<1x?x4x16xbf16>, %kd: tensor<1x?x2x16xbf16>)
    -> (tensor<1x4x128x128xf32>, tensor<1x4x?x?xf32>) {
  %m = seqmix.attention %q, %k : tensor<1x128x4x16xbf16>, tensor<1x128x2x16xbf16>
      -> !seqmix.mixer<1x4x128, #seqmix.dense<kv_heads = 2, window = 127>>
  %a = seqmix.materialize %m : !seqmix.mixer<1x4x128, #seqmix.dense<kv_heads = 2, window = 127>> -> tensor<1x4x128x128xf32>
  %md = seqmix.attention %qd, %kd : tensor<1x?x4x16xbf16>, tensor<1x?x2x16xbf16>
      -> !seqmix.mixer<1x4x?, #seqmix.dense<kv_heads = 2, window = 4096>>
  %b = seqmix.materialize %md : !seqmix.mixer<1x4x?, #seqmix.dense<kv_heads = 2, window = 4096>> -> tensor<1x4x?x?xf32>
  return %a, %b : tensor<1x4x128x128xf32>, tensor<1x4x?x?xf32>
}

// -----

// Unused mixers fold away (the constructors are pure).
// CHECK-LABEL: func.func @dead_mixer
// CHECK-NEXT: return
func.func @dead_mixer(%q: tensor<2x64x4x32xf32>, %k: tensor<2x64x4x32xf32>) {
  %m = seqmix.lowrank %q, %k : tensor<2x64x4x32xf32>, tensor<2x64x4x32xf32>
      -> !seqmix.mixer<2x4x64, #seqmix.lowrank<rank = 32>>
  return
}
