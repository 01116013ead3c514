// RUN: seqmix-opt %s -inline | FileCheck %s

// seqmix ops are pure and may be inlined.
!m = !seqmix.mixer<2x4x16, #seqmix.lowrank<rank = 8>>

func.func private @mix(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x4x8xf32>, %v: tensor<2x16x4x8xf32>) -> tensor<2x16x4x8xf32> {
  %m = seqmix.lowrank %q, %k : tensor<2x16x4x8xf32>, tensor<2x16x4x8xf32> -> !m
  %o = seqmix.apply %m, %v {form = #seqmix.form<parallel>} : !m, tensor<2x16x4x8xf32> -> tensor<2x16x4x8xf32>
  return %o : tensor<2x16x4x8xf32>
}

// CHECK-LABEL: func.func @caller
// CHECK-NOT: call
// CHECK: seqmix.lowrank
// CHECK: seqmix.apply
func.func @caller(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x4x8xf32>, %v: tensor<2x16x4x8xf32>) -> tensor<2x16x4x8xf32> {
  %o = func.call @mix(%q, %k, %v) : (tensor<2x16x4x8xf32>, tensor<2x16x4x8xf32>, tensor<2x16x4x8xf32>) -> tensor<2x16x4x8xf32>
  return %o : tensor<2x16x4x8xf32>
}
