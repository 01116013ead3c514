// What an entry point returns for bad arguments: a status, and
// seqmix_last_error() says why.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %cc %S/Inputs/driver.c -I%seqmix_src_root/include -ldl -o %t/driver
// RUN: seqmix-compile %s -o %t/lib.so
// RUN: not %t/driver %t/lib.so shifted N=-1 null null | FileCheck %s --check-prefix=NEGATIVE
// RUN: not %t/driver %t/lib.so shifted N=0 null null | FileCheck %s --check-prefix=SHAPE
// RUN: not %t/driver %t/lib.so shifted N=3 1,2,3 null | FileCheck %s --check-prefix=NULL
// RUN: %t/driver %t/lib.so shifted N=1 5 null | FileCheck %s --check-prefix=EMPTY
// RUN: %t/driver %t/lib.so shifted N=3 1,2,3 10,20 | FileCheck %s --check-prefix=OK

// NEGATIVE: status 1: @shifted: symbol N is -1; symbols are non-negative
// SHAPE: status 2: @shifted: dimension 0 of input 1 ('rest') is -1, negative for these symbols
// NULL: status 1: @shifted: input 1 ('rest') is NULL
// A NULL buffer of no elements is fine.
// EMPTY:      status 0
// EMPTY-NEXT: output0 = 5
// OK:      status 0
// OK-NEXT: output0 = 1 12 23

// When the lowered function returns its results (rather than writing them
// into out-parameters), the glue checks their shapes against the rules:
// here the result is declared N but has N + 1 elements.
// RUN: seqmix-compile %s -o %t/returned.so --cpu-pipeline='one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},buffer-deallocation-pipeline,convert-bufferization-to-memref,convert-linalg-to-loops,convert-scf-to-cf,expand-strided-metadata,lower-affine,finalize-memref-to-llvm,convert-arith-to-llvm,convert-index-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,reconcile-unrealized-casts'
// RUN: not %t/driver %t/returned.so wrong N=3 iota | FileCheck %s --check-prefix=WRONG
// WRONG: status 2: @wrong: dimension 0 of output 0 ('output0') is 4 but its shape rule gives 3

// out[i] = x[i] + (i > 0 ? rest[i - 1] : 0), x of N and rest of N - 1.
func.func @shifted(%x: tensor<?xf32> {seqmix.dims = ["N"]},
                   %rest: tensor<?xf32> {seqmix.dims = ["N-1"], seqmix.name = "rest"})
    -> (tensor<?xf32> {seqmix.dims = ["N"]}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %init = tensor.empty(%n) : tensor<?xf32>
  %out = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>,
                                          affine_map<(i) -> (i)>],
                         iterator_types = ["parallel"]}
      ins(%x : tensor<?xf32>) outs(%init : tensor<?xf32>) {
  ^bb0(%xi: f32, %o: f32):
    %i = linalg.index 0 : index
    %first = arith.cmpi eq, %i, %c0 : index
    %sum = scf.if %first -> f32 {
      scf.yield %xi : f32
    } else {
      %im1 = arith.subi %i, %c1 : index
      %r = tensor.extract %rest[%im1] : tensor<?xf32>
      %s = arith.addf %xi, %r : f32
      scf.yield %s : f32
    }
    linalg.yield %sum : f32
  } -> tensor<?xf32>
  return %out : tensor<?xf32>
}

func.func @wrong(%x: tensor<?xf32> {seqmix.dims = ["N"]})
    -> (tensor<?xf32> {seqmix.dims = ["N"]}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = tensor.dim %x, %c0 : tensor<?xf32>
  %np1 = arith.addi %n, %c1 : index
  %init = tensor.empty(%np1) : tensor<?xf32>
  %out = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>],
                         iterator_types = ["parallel"]}
      outs(%init : tensor<?xf32>) {
  ^bb0(%o: f32):
    %i = linalg.index 0 : index
    %ii = arith.index_cast %i : index to i64
    %f = arith.sitofp %ii : i64 to f32
    linalg.yield %f : f32
  } -> tensor<?xf32>
  return %out : tensor<?xf32>
}
