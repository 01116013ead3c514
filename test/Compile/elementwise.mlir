// A library of plain linalg and arith on tensors with a dynamic dimension:
// its metadata, a call, and what it links and exports.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %cc %S/Inputs/driver.c -I%seqmix_src_root/include -ldl -o %t/driver
// RUN: seqmix-compile %s --target=cpu -o %t/lib.so
// RUN: %t/driver %t/lib.so | FileCheck %s --check-prefix=META
// RUN: %t/driver %t/lib.so add N=3 iota 1,1,1,1,2,2,2,2,3,3,3,3 | FileCheck %s --check-prefix=ADD
// RUN: %t/driver %t/lib.so add N=0 iota iota | FileCheck %s --check-prefix=EMPTY
// RUN: %t/driver %t/lib.so axpy N=2 -1,0,1,2,3,4,5,6 1,1,1,1,1,1,1,1 | FileCheck %s --check-prefix=AXPY
// RUN: ldd %t/lib.so | FileCheck %s --check-prefix=LDD
// RUN: nm -D --defined-only %t/lib.so | FileCheck %s --check-prefix=EXPORTS

// META:      abi_version 1, 2 functions
// META-NEXT: function add: device cpu, entry set, symbols [N]
// META-NEXT:   input 0 input0: f32 [N, 4]
// META-NEXT:   input 1 input1: f32 [N, 4]
// META-NEXT:   output 0 sum: f32 [N, 4]
// META-NEXT: function axpy: device cpu, entry set, symbols [N]
// META-NEXT:   input 0 x: f64 [N, 4]
// META-NEXT:   input 1 y: f64 [N, 4]
// META-NEXT:   output 0 output0: f64 [N, 4]

// ADD:      status 0
// ADD-NEXT: sum = 1 2 3 4 6 7 8 9 11 12 13 14

// EMPTY:      status 0
// EMPTY-NEXT: sum ={{$}}

// 2.5 * x + exp(y - 1)
// AXPY:      status 0
// AXPY-NEXT: output0 = -1.5 1 3.5 6 8.5 11 13.5 16

// The library needs neither MLIR nor LLVM at run time.
// LDD-NOT: libMLIR
// LDD-NOT: libLLVM
// LDD:     libc.so

// It exports the ABI and nothing of the compiled module.
// EXPORTS-NOT: _mlir_ciface
// EXPORTS:     T seqmix_entry_add
// EXPORTS:     T seqmix_entry_axpy
// EXPORTS:     T seqmix_last_error
// EXPORTS:     T seqmix_library
// EXPORTS-NOT: _mlir_ciface

func.func @add(%a: tensor<?x4xf32> {seqmix.dims = ["N", 4]},
               %b: tensor<?x4xf32> {seqmix.dims = ["N", 4]})
    -> (tensor<?x4xf32> {seqmix.dims = ["N", 4], seqmix.name = "sum"}) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?x4xf32>
  %init = tensor.empty(%n) : tensor<?x4xf32>
  %sum = linalg.add ins(%a, %b : tensor<?x4xf32>, tensor<?x4xf32>)
                    outs(%init : tensor<?x4xf32>) -> tensor<?x4xf32>
  return %sum : tensor<?x4xf32>
}

func.func @axpy(%x: tensor<?x4xf64> {seqmix.dims = ["N", 4], seqmix.name = "x"},
                %y: tensor<?x4xf64> {seqmix.dims = ["N", 4], seqmix.name = "y"})
    -> (tensor<?x4xf64> {seqmix.dims = ["N", 4]}) {
  %a = arith.constant dense<2.5> : tensor<4xf64>
  %one = arith.constant 1.0 : f64
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf64>
  %init = tensor.empty(%n) : tensor<?x4xf64>
  %ax = linalg.generic {
      indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>,
                       affine_map<(i, j) -> (i, j)>],
      iterator_types = ["parallel", "parallel"]}
      ins(%x, %a : tensor<?x4xf64>, tensor<4xf64>) outs(%init : tensor<?x4xf64>) {
  ^bb0(%xi: f64, %ai: f64, %out: f64):
    %m = arith.mulf %xi, %ai : f64
    linalg.yield %m : f64
  } -> tensor<?x4xf64>
  %ones = tensor.splat %one[%n] : tensor<?x4xf64>
  %ym1 = arith.subf %y, %ones : tensor<?x4xf64>
  %e = math.exp %ym1 : tensor<?x4xf64>
  %r = arith.addf %ax, %e : tensor<?x4xf64>
  return %r : tensor<?x4xf64>
}
func.func private @unused_helper() {
  return
}
