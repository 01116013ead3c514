// A module whose lowering calls memrefCopy (a copy out of a strided slice)
// links libseqmix_runtime from --runtime-dir (default: ../lib beside
// seqmix-compile) and finds it beside itself at run time ($ORIGIN). The test
// builds a stand-in runtime; without one, seqmix-compile names what is
// missing.
//
// RUN: rm -rf %t && mkdir -p %t/rt %t/empty
// RUN: %cc %S/Inputs/driver.c -I%seqmix_src_root/include -ldl -o %t/driver
// RUN: %cc -shared -fPIC %S/Inputs/runtime.c -o %t/rt/libseqmix_runtime.so
// RUN: seqmix-compile %s --emit=obj -o %t/module.o
// RUN: nm %t/module.o | FileCheck %s --check-prefix=OBJ
// RUN: seqmix-compile %s -o %t/rt/lib.so --runtime-dir=%t/rt
// RUN: %t/driver %t/rt/lib.so every_other N=2 iota | FileCheck %s --check-prefix=CALL
// RUN: ldd %t/rt/lib.so | FileCheck %s --check-prefix=LDD
// RUN: readelf -d %t/rt/lib.so | FileCheck %s --check-prefix=RPATH
// RUN: not seqmix-compile %s -o %t/lib.so --runtime-dir=%t/empty 2>&1 \
// RUN:   | FileCheck %s --check-prefix=MISSING -DDIR=%t/empty
// RUN: not ls %t/lib.so

// OBJ: U memrefCopy

// CALL:      status 0
// CALL-NEXT: output0 = 0 2 4 6

// LDD:     libseqmix_runtime.so => {{.*}}rt/libseqmix_runtime.so
// LDD-NOT: libMLIR
// LDD-NOT: libLLVM

// RPATH: {{RUNPATH|RPATH}}{{.*}}[$ORIGIN:{{.*}}rt]

// MISSING: seqmix-compile: error: the compiled module calls memrefCopy, which libseqmix_runtime provides, but [[DIR]]/libseqmix_runtime.so does not exist (build libseqmix_runtime, or point --runtime-dir= at it)

func.func @every_other(%a: tensor<?x4xf32> {seqmix.dims = ["N", 4]})
    -> tensor<?x2xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %a, %c0 : tensor<?x4xf32>
  %s = tensor.extract_slice %a[0, 0] [%n, 2] [1, 2]
      : tensor<?x4xf32> to tensor<?x2xf32>
  return %s : tensor<?x2xf32>
}
