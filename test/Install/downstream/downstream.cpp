// Parses a seqmix file with the dialect from an installed SeqMix, verifies it
// and prints it back.
#include "seqmix/Dialect/SeqMix/IR/SeqMix.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    llvm::errs() << "usage: downstream FILE.mlir\n";
    return 2;
  }
  mlir::DialectRegistry registry;
  registry.insert<mlir::seqmix::SeqMixDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect>();
  mlir::MLIRContext context(registry);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(argv[1], &context);
  if (!module)
    return 1;
  unsigned applies = 0;
  module->walk([&](mlir::seqmix::ApplyOp) { ++applies; });
  module->print(llvm::outs());
  llvm::outs() << "\nseqmix.apply ops: " << applies << "\n";
  return 0;
}
