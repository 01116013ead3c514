// seqmix-translate keeps upstream's translations beside --import-onnx.
// RUN: seqmix-translate --mlir-to-llvmir %s | FileCheck %s
// RUN: seqmix-translate --help | FileCheck %s --check-prefix=HELP

// CHECK: define i32 @answer()
// CHECK-NEXT: ret i32 42
llvm.func @answer() -> i32 {
  %0 = llvm.mlir.constant(42 : i32) : i32
  llvm.return %0 : i32
}

// HELP-DAG: --import-onnx
// HELP-DAG: --mlir-to-llvmir
// HELP-DAG: --onnx-function
