// i1 (bool, one byte per element), i8 and i16 arguments and results: their
// metadata, calls, and .npy files of numpy's bool, int8 and int16.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: seqmix-compile %s --target=cpu -o %t/lib.so
// RUN: seqmix-run %t/lib.so --list | FileCheck %s --check-prefix=LIST
// RUN: seqmix-run %t/lib.so --function=less --input=5xf32=1,2,3,4,5 --input=5xf32=3,3,3,3,3 | FileCheck %s --check-prefix=LESS
// RUN: seqmix-run %t/lib.so --function=select --input=4xbool=1,0,1,0 --input=4xi8=-5,6,-128,127 --input=4xi16=1000,2,3,-4 | FileCheck %s --check-prefix=SELECT
// RUN: seqmix-run %t/lib.so --function=less --input=3xf32=1,5,2 --input=3xf32=2,2,2 --output=@%t/less.npy
// RUN: grep -a -c "'descr': '|b1'" %t/less.npy
// RUN: seqmix-run %t/lib.so --function=less --input=3xf32=1,5,2 --input=3xf32=2,2,2 --check=@%t/less.npy | FileCheck %s --check-prefix=ROUNDTRIP
// RUN: not seqmix-run %t/lib.so --function=less --input=3xf32=1,5,2 --input=3xf32=2,9,2 --check=@%t/less.npy | FileCheck %s --check-prefix=DIFFERS

// LIST:      function less [cpu], symbols N
// LIST:        output output0: bool[N]
// LIST:      function select [cpu]
// LIST-NEXT:   input  input0: bool[4]
// LIST-NEXT:   input  input1: i8[4]
// LIST-NEXT:   input  input2: i16[4]
// LIST-NEXT:   output output0: i8[4]
// LIST-NEXT:   output output1: i16[4]

// LESS: output #0 'output0': bool[5]: min 0, max 1, mean 0.4
// LESS-NEXT: [1, 1, 0, 0, 0]

// SELECT:      output #0 'output0': i8[4]
// SELECT-NEXT: [-5, 0, -128, 0]
// SELECT:      output #1 'output1': i16[4]
// SELECT-NEXT: [1000, -7, 3, -7]

// ROUNDTRIP: check #0 'output0': rel-l2 0, max-abs 0 (rtol 1e-05): ok
// DIFFERS: check #0 'output0': rel-l2 1, max-abs 1 (rtol 1e-05): FAILED

func.func @less(%a: tensor<?xf32> {seqmix.dims = ["N"]}, %b: tensor<?xf32> {seqmix.dims = ["N"]}) -> tensor<?xi1> {
  %0 = arith.cmpf olt, %a, %b : tensor<?xf32>
  return %0 : tensor<?xi1>
}
func.func @select(%c: tensor<4xi1>, %a: tensor<4xi8>, %b: tensor<4xi16>) -> (tensor<4xi8>, tensor<4xi16>) {
  %z = arith.constant dense<0> : tensor<4xi8>
  %0 = arith.select %c, %a, %z : tensor<4xi1>, tensor<4xi8>
  %m = arith.constant dense<-7> : tensor<4xi16>
  %1 = arith.select %c, %b, %m : tensor<4xi1>, tensor<4xi16>
  return %0, %1 : tensor<4xi8>, tensor<4xi16>
}
