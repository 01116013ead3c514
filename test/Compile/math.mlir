// Math ops that LLVM has no intrinsic for become calls to libm (math.erf),
// and integer powers with a 64-bit exponent, which LLVM's powi cannot take,
// outlined functions (math.ipowi, math.fpowi).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: seqmix-compile %s --target=cpu -o %t/lib.so
// RUN: seqmix-run %t/lib.so --function=erf --input=4xf32=0,0.5,-1,3 | FileCheck %s --check-prefix=ERF
// RUN: seqmix-run %t/lib.so --function=ipowi --input=4xi64=2,-3,5,1 --input=4xi64=10,3,0,7 | FileCheck %s --check-prefix=IPOWI
// RUN: seqmix-run %t/lib.so --function=fpowi --input=3xf32=2,-1.5,10 --input=3xi64=3,2,-1 | FileCheck %s --check-prefix=FPOWI

// ERF:  [0, 0.5205, -0.842701, 0.999978]
// IPOWI: [1024, -27, 1, 1]
// FPOWI: [8, 2.25, 0.1]

func.func @erf(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = math.erf %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
func.func @ipowi(%x: tensor<4xi64>, %n: tensor<4xi64>) -> tensor<4xi64> {
  %0 = math.ipowi %x, %n : tensor<4xi64>
  return %0 : tensor<4xi64>
}
func.func @fpowi(%x: tensor<3xf32>, %n: tensor<3xi64>) -> tensor<3xf32> {
  %0 = math.fpowi %x, %n : tensor<3xf32>, tensor<3xi64>
  return %0 : tensor<3xf32>
}
