// Functions of several results: computed, constant, an input returned as
// is, one value returned twice, and a 0-d result. The default pipeline makes
// results out-parameters; the glue also serves the other convention of
// MLIR's C interface, where the function returns descriptors of buffers it
// allocated (results not rewritten into out-parameters), which it copies
// into the caller's buffers and frees.
//
// DEFINE: %{returned} = --cpu-pipeline='seqmix-select-form,seqmix-lower-to-linalg,func.func(convert-elementwise-to-linalg),canonicalize,cse,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map allow-return-allocs-from-loops},buffer-results-to-out-params,buffer-deallocation-pipeline,convert-bufferization-to-memref,canonicalize,func.func(convert-linalg-to-loops),convert-scf-to-cf,expand-strided-metadata,lower-affine,finalize-memref-to-llvm,convert-math-to-llvm,convert-arith-to-llvm,convert-index-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,reconcile-unrealized-casts'
// RUN: rm -rf %t && mkdir -p %t
// RUN: %cc %S/Inputs/driver.c -I%seqmix_src_root/include -ldl -o %t/driver
// RUN: seqmix-compile %s -o %t/out-params.so
// RUN: seqmix-compile %s -o %t/returned.so %{returned}
// RUN: seqmix-compile %s --emit=mlir -o - %{returned} | FileCheck %s --check-prefix=RETURNED
// RUN: seqmix-compile %s --emit=mlir -o - | FileCheck %s --check-prefix=OUT-PARAMS
// RUN: %t/driver %t/out-params.so | FileCheck %s --check-prefix=META
// RUN: %t/driver %t/returned.so | FileCheck %s --check-prefix=META
// RUN: %t/driver %t/out-params.so stats N=3 1,2,3,4,5,6 | FileCheck %s --check-prefix=STATS
// RUN: %t/driver %t/returned.so stats N=3 1,2,3,4,5,6 | FileCheck %s --check-prefix=STATS
// RUN: %t/driver %t/out-params.so same - 1,2,3 | FileCheck %s --check-prefix=SAME
// RUN: %t/driver %t/returned.so same - 1,2,3 | FileCheck %s --check-prefix=SAME

// The C interface: (input, outputs...) or (results, input).
// OUT-PARAMS: llvm.func @_mlir_ciface_stats(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) attributes
// RETURNED:   llvm.func @_mlir_ciface_stats(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) attributes

// META:      function stats: device cpu, entry set, symbols [N]
// META-NEXT:   input 0 input0: f32 [N, 2]
// META-NEXT:   output 0 doubled: f32 [N, 2]
// META-NEXT:   output 1 total: f32 []
// META-NEXT:   output 2 ones: f32 [2]
// META-NEXT:   output 3 copy: f32 [N, 2]
// META-NEXT: function same: device cpu, entry set, symbols []
// META-NEXT:   input 0 input0: i64 [3]
// META-NEXT:   output 0 output0: i64 [3]
// META-NEXT:   output 1 output1: i64 [3]

// STATS:      status 0
// STATS-NEXT: doubled = 2 4 6 8 10 12
// STATS-NEXT: total = 21
// STATS-NEXT: ones = 1 1
// STATS-NEXT: copy = 1 2 3 4 5 6

// SAME:      status 0
// SAME-NEXT: output0 = 2 4 6
// SAME-NEXT: output1 = 2 4 6

func.func @stats(%x: tensor<?x2xf32> {seqmix.dims = ["N", 2]})
    -> (tensor<?x2xf32> {seqmix.name = "doubled"},
        tensor<f32> {seqmix.name = "total"},
        tensor<2xf32> {seqmix.name = "ones"},
        tensor<?x2xf32> {seqmix.name = "copy"}) {
  %doubled = arith.addf %x, %x : tensor<?x2xf32>
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<f32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<f32>) -> tensor<f32>
  %total = linalg.reduce ins(%x : tensor<?x2xf32>) outs(%acc : tensor<f32>)
                         dimensions = [0, 1]
    (%in: f32, %out: f32) {
      %s = arith.addf %in, %out : f32
      linalg.yield %s : f32
    }
  %ones = arith.constant dense<1.0> : tensor<2xf32>
  return %doubled, %total, %ones, %x
      : tensor<?x2xf32>, tensor<f32>, tensor<2xf32>, tensor<?x2xf32>
}

func.func @same(%x: tensor<3xi64>) -> (tensor<3xi64>, tensor<3xi64>) {
  %y = arith.addi %x, %x : tensor<3xi64>
  return %y, %y : tensor<3xi64>, tensor<3xi64>
}
