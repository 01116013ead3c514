// Results without seqmix.dims: each dynamic dimension is found equal to a
// named dimension of an input, to one plus a constant, or to a constant.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %cc %S/Inputs/driver.c -I%seqmix_src_root/include -ldl -o %t/driver
// The copies of slices call memrefCopy: link a stand-in runtime.
// RUN: mkdir -p %t/rt && %cc -shared -fPIC %S/Inputs/runtime.c -o %t/rt/libseqmix_runtime.so
// RUN: seqmix-compile %s -o %t/rt/lib.so --runtime-dir=%t/rt
// RUN: %t/driver %t/rt/lib.so | FileCheck %s --check-prefix=META
// RUN: %t/driver %t/rt/lib.so pad N=3 iota | FileCheck %s --check-prefix=PAD
// RUN: %t/driver %t/rt/lib.so second M=2,N=2 iota iota | FileCheck %s --check-prefix=SECOND
// RUN: %t/driver %t/rt/lib.so offsets N=2 iota | FileCheck %s --check-prefix=OFFSETS
// RUN: seqmix-compile %s --emit=mlir -v -o %t.mlir 2>&1 | FileCheck %s --check-prefix=VERBOSE

// META:      function pad: device cpu, entry set, symbols [N]
// META-NEXT:   input 0 input0: f32 [N]
// META-NEXT:   output 0 output0: f32 [N+1]
// META-NEXT: function second: device cpu, entry set, symbols [M, N]
// META-NEXT:   input 0 input0: f32 [M, 4]
// META-NEXT:   input 1 input1: f32 [N, 3]
// META-NEXT:   output 0 output0: f32 [3, N]
// META-NEXT:   output 1 output1: f32 [2]
// META-NEXT: function offsets: device cpu, entry set, symbols [N]
// META-NEXT:   input 0 input0: i32 [N+1]
// META-NEXT:   output 0 output0: i32 [N]
// META-NEXT:   output 1 output1: i64 [N+1]

// PAD:      status 0
// PAD-NEXT: output0 = 7 0 1 2

// SECOND:      status 0
// SECOND-NEXT: output0 = 0 3 1 4 2 5
// SECOND-NEXT: output1 = 4 5

// Lengths of the sequences of cu_seqlens = [0, 1, 2].
// OFFSETS:      status 0
// OFFSETS-NEXT: output0 = 1 1
// OFFSETS-NEXT: output1 = 0 1 2

// VERBOSE: entry point @pad(input0: f32[N]) -> (output0: f32[N+1])
// VERBOSE: entry point @second(input0: f32[M, 4], input1: f32[N, 3]) -> (output0: f32[3, N], output1: f32[2])
// VERBOSE: entry point @offsets(input0: i32[N+1]) -> (output0: i32[N], output1: i64[N+1])

// N + 1: a constant delta from N.
func.func @pad(%a: tensor<?xf32> {seqmix.dims = ["N"]}) -> tensor<?xf32> {
  %c = arith.constant 7.0 : f32
  %0 = tensor.pad %a low[1] high[0] {
  ^bb0(%i: index):
    tensor.yield %c : f32
  } : tensor<?xf32> to tensor<?xf32>
  return %0 : tensor<?xf32>
}

// A symbol of the second input, and a constant behind a cast.
func.func @second(%a: tensor<?x4xf32> {seqmix.dims = ["M", 4]},
                  %b: tensor<?x3xf32> {seqmix.dims = ["N", 3]})
    -> (tensor<3x?xf32>, tensor<?xf32>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %b, %c0 : tensor<?x3xf32>
  %e = tensor.empty(%n) : tensor<3x?xf32>
  %t = linalg.transpose ins(%b : tensor<?x3xf32>) outs(%e : tensor<3x?xf32>)
                        permutation = [1, 0]
  %s = tensor.extract_slice %a[1, 0] [1, 2] [1, 1] : tensor<?x4xf32> to tensor<2xf32>
  %d = tensor.cast %s : tensor<2xf32> to tensor<?xf32>
  return %t, %d : tensor<3x?xf32>, tensor<?xf32>
}

// An input of N + 1 entries (cu_seqlens of N sequences); a result of N
// (N + 1 - 1) and one of N + 1.
func.func @offsets(%cu: tensor<?xi32> {seqmix.dims = ["N+1"]})
    -> (tensor<?xi32>, tensor<?xi64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %np1 = tensor.dim %cu, %c0 : tensor<?xi32>
  %n = arith.subi %np1, %c1 : index
  %hi = tensor.extract_slice %cu[1] [%n] [1] : tensor<?xi32> to tensor<?xi32>
  %lo = tensor.extract_slice %cu[0] [%n] [1] : tensor<?xi32> to tensor<?xi32>
  %len = arith.subi %hi, %lo : tensor<?xi32>
  %wide = arith.extsi %cu : tensor<?xi32> to tensor<?xi64>
  return %len, %wide : tensor<?xi32>, tensor<?xi64>
}
