// Each stage --emit= stops at, the default output names, --dump-pipeline,
// -v, and the code generation flags.
//
// RUN: rm -rf %t && mkdir -p %t && cd %t
// RUN: seqmix-compile %s --emit=mlir | FileCheck %s --check-prefix=MLIR
// RUN: seqmix-compile %s --emit=llvm -o - | FileCheck %s --check-prefix=LLVM
// RUN: seqmix-compile %s --emit=llvm --cpu=skylake --features=+avx2,-fma \
// RUN:   | FileCheck %s --check-prefix=SKYLAKE
// RUN: seqmix-compile %s --emit=obj
// RUN: nm emit.o | FileCheck %s --check-prefix=OBJ
// RUN: seqmix-compile %s
// RUN: nm -D --defined-only emit.so | FileCheck %s --check-prefix=SO
// RUN: seqmix-compile %s --emit=mlir -o %t/out.mlir --dump-pipeline 2>&1 \
// RUN:   | FileCheck %s --check-prefix=PIPELINE
// RUN: FileCheck %s --check-prefix=MLIR < %t/out.mlir
// RUN: seqmix-compile %s -o %t/v.so -v 2>&1 | FileCheck %s --check-prefix=VERBOSE

// MLIR: llvm.func @scale(
// MLIR: llvm.func @_mlir_ciface_scale(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// MLIR-SAME: llvm.emit_c_interface

// LLVM: target triple = "x86_64
// LLVM: define void @_mlir_ciface_scale(ptr {{.*}}%0, ptr {{.*}}%1)
// LLVM: attributes #{{[0-9]+}} = {{.*}}"target-cpu"="x86-64-v2"

// SKYLAKE: "target-cpu"="skylake"
// SKYLAKE-SAME: "target-features"="{{.*}}+avx2{{.*}}-fma

// OBJ: T _mlir_ciface_scale
// OBJ: T scale

// SO: T seqmix_entry_scale

// PIPELINE: seqmix-compile: pipeline: {{.*}}seqmix-select-form{{.*}}seqmix-lower-to-linalg{{.*}}one-shot-bufferize{{.*}}buffer-results-to-out-params{{.*}}convert-func-to-llvm{{.*}}reconcile-unrealized-casts

// VERBOSE: parsed {{.*}}emit.mlir
// VERBOSE: entry point @scale(input0: f32[T, 8]) -> (output0: f32[T, 8])
// VERBOSE: pipeline:
// VERBOSE: lowered to the LLVM dialect
// VERBOSE: translated to LLVM IR and optimised (O2, x86_64{{.*}}, x86-64-v2)
// VERBOSE: emitted the object
// VERBOSE: running {{.*}} -shared -fPIC -O2 {{.*}}glue.c {{.*}}module.o -o {{.*}} -lm
// VERBOSE: linked {{.*}}v.so

func.func @scale(%x: tensor<?x8xf32> {seqmix.dims = ["T", 8]}) -> tensor<?x8xf32> {
  %c = arith.constant 0.5 : f32
  %c0 = arith.constant 0 : index
  %t = tensor.dim %x, %c0 : tensor<?x8xf32>
  %half = tensor.splat %c[%t] : tensor<?x8xf32>
  %y = arith.mulf %x, %half : tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
