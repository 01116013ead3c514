//===- CPU.cpp - lower, translate and emit a module for the CPU -----------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Target/CPU.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace mlir::seqmix;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

//===----------------------------------------------------------------------===//
// Lowering
//===----------------------------------------------------------------------===//

void seqmix::prepareEntryPoints(ModuleOp module,
                                ArrayRef<EntryPointABI> entryPoints) {
  MLIRContext *context = module.getContext();
  UnitAttr unit = UnitAttr::get(context);
  BoolAttr readOnly = BoolAttr::get(context, false);
  for (const EntryPointABI &entry : entryPoints) {
    auto func = module.lookupSymbol<func::FuncOp>(entry.name);
    if (!func)
      continue;
    func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(), unit);
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
      func.removeArgAttr(i, kDimsAttrName);
      func.removeArgAttr(i, kNameAttrName);
      func.setArgAttr(i, "bufferization.writable", readOnly);
    }
    for (unsigned i = 0, e = func.getNumResults(); i < e; ++i) {
      func.removeResultAttr(i, StringAttr::get(context, kDimsAttrName));
      func.removeResultAttr(i, StringAttr::get(context, kNameAttrName));
    }
  }
}

/// The number of scalars a memref of rank `rank` expands to in the
/// signature of a lowered function: two pointers, the offset, the sizes and
/// the strides.
static unsigned getNumDescriptorScalars(size_t rank) { return 3 + 2 * rank; }

FailureOr<SmallVector<ResultConvention>>
seqmix::getResultConventions(ModuleOp module,
                             ArrayRef<EntryPointABI> entryPoints) {
  SmallVector<ResultConvention> conventions;
  for (const EntryPointABI &entry : entryPoints) {
    std::string wrapperName = "_mlir_ciface_" + entry.name;
    auto impl = module.lookupSymbol<LLVM::LLVMFuncOp>(entry.name);
    auto wrapper = module.lookupSymbol<LLVM::LLVMFuncOp>(wrapperName);
    if (!impl || !wrapper)
      return module.emitError() << "the lowered module has no @"
                                << (impl ? wrapperName : entry.name)
                                << ": seqmix-to-cpu-pipeline did not lower @"
                                << entry.name << " with its C interface";

    size_t numIn = entry.inputs.size(), numOut = entry.outputs.size();
    unsigned inScalars = 0, outScalars = 0;
    for (const ArgABI &arg : entry.inputs)
      inScalars += getNumDescriptorScalars(arg.dims.size());
    for (const ArgABI &arg : entry.outputs)
      outScalars += getNumDescriptorScalars(arg.dims.size());

    LLVM::LLVMFunctionType implType = impl.getFunctionType();
    Type returned = implType.getReturnType();
    bool returnsValue = !isa<LLVM::LLVMVoidType>(returned);
    unsigned wrapperArgs = wrapper.getNumArguments();
    bool allPointers = llvm::all_of(wrapper.getArgumentTypes(), [](Type t) {
      return isa<LLVM::LLVMPointerType>(t);
    });
    bool returnsStructs = false;
    if (auto structType = dyn_cast<LLVM::LLVMStructType>(returned))
      returnsStructs = numOut == 1 || structType.getBody().size() == numOut;

    if (allPointers && !returnsValue && wrapperArgs == numIn + numOut &&
        implType.getNumParams() == inScalars + outScalars) {
      conventions.push_back(ResultConvention::OutParams);
    } else if (allPointers && numOut > 0 && returnsStructs &&
               wrapperArgs == numIn + 1 &&
               implType.getNumParams() == inScalars) {
      conventions.push_back(ResultConvention::Returned);
    } else {
      return wrapper.emitError()
             << "unexpected C interface of @" << entry.name << ": "
             << wrapperName << " has type " << wrapper.getFunctionType()
             << " and @" << entry.name << " " << implType << ", for " << numIn
             << " inputs and " << numOut << " results";
    }
  }
  return conventions;
}

//===----------------------------------------------------------------------===//
// LLVM
//===----------------------------------------------------------------------===//

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
seqmix::createCPUTargetMachine(const CPUTargetOptions &options) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();

  llvm::Triple triple(options.triple.empty()
                          ? llvm::sys::getDefaultTargetTriple()
                          : options.triple);
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return makeError("no target for triple '" + triple.str() + "': " + error);

  std::string cpu = options.cpu;
  if (cpu.empty())
    cpu = triple.getArch() == llvm::Triple::x86_64 ? "x86-64-v2" : "generic";

  // Validate the CPU and features on a subtarget first: a TargetMachine
  // only warns about them.
  std::unique_ptr<llvm::MCSubtargetInfo> sti(
      target->createMCSubtargetInfo(triple, "", ""));
  if (sti) {
    if (cpu != "generic" && !sti->isCPUStringValid(cpu))
      return makeError("unknown CPU '" + cpu + "' for " + triple.str());
    SmallVector<StringRef> features;
    StringRef(options.features).split(features, ',', -1, false);
    for (StringRef feature : features) {
      feature = feature.trim();
      if (!feature.consume_front("+") && !feature.consume_front("-"))
        return makeError("feature '" + feature +
                         "' must start with '+' or '-' (\"+avx2,-fma\")");
      if (!llvm::any_of(sti->getAllProcessorFeatures(),
                        [&](const llvm::SubtargetFeatureKV &kv) {
                          return feature == kv.Key;
                        }))
        return makeError("unknown feature '" + feature + "' for " +
                         triple.str());
    }
  }

  llvm::CodeGenOptLevel level =
      options.optLevel == 0   ? llvm::CodeGenOptLevel::None
      : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
      : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                              : llvm::CodeGenOptLevel::Aggressive;
  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> machine(
      target->createTargetMachine(triple, cpu, options.features, targetOptions,
                                  llvm::Reloc::PIC_, std::nullopt, level));
  if (!machine)
    return makeError("cannot create a target machine for " + triple.str());
  return machine;
}

llvm::Expected<std::unique_ptr<llvm::Module>>
seqmix::translateAndOptimize(ModuleOp module, llvm::LLVMContext &context,
                             llvm::TargetMachine &machine, unsigned optLevel) {
  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context);
  if (!llvmModule)
    return makeError("cannot translate the module to LLVM IR");
  llvmModule->setTargetTriple(machine.getTargetTriple());
  llvmModule->setDataLayout(machine.createDataLayout());
  // Record the CPU and features in the IR, as clang does, for --emit=llvm.
  for (llvm::Function &function : *llvmModule) {
    if (function.isDeclaration())
      continue;
    function.addFnAttr("target-cpu", machine.getTargetCPU());
    if (!machine.getTargetFeatureString().empty())
      function.addFnAttr("target-features", machine.getTargetFeatureString());
  }

  llvm::OptimizationLevel level = optLevel == 0   ? llvm::OptimizationLevel::O0
                                  : optLevel == 1 ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder builder(&machine);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm =
      level == llvm::OptimizationLevel::O0
          ? builder.buildO0DefaultPipeline(level)
          : builder.buildPerModuleDefaultPipeline(level);
  mpm.run(*llvmModule, mam);

  std::string message;
  llvm::raw_string_ostream os(message);
  if (llvm::verifyModule(*llvmModule, &os))
    return makeError("the optimised LLVM IR does not verify: " + message);
  return llvmModule;
}

llvm::Error seqmix::emitObject(llvm::Module &module,
                               llvm::TargetMachine &machine,
                               SmallVectorImpl<char> &object) {
  llvm::raw_svector_ostream os(object);
  llvm::legacy::PassManager codegen;
  if (machine.addPassesToEmitFile(codegen, os, nullptr,
                                  llvm::CodeGenFileType::ObjectFile))
    return makeError("the target cannot emit an object file");
  codegen.run(module);
  return llvm::Error::success();
}

llvm::Expected<std::vector<std::string>>
seqmix::getUndefinedSymbols(StringRef object) {
  llvm::MemoryBufferRef buffer(object, "module.o");
  llvm::Expected<std::unique_ptr<llvm::object::ObjectFile>> file =
      llvm::object::ObjectFile::createObjectFile(buffer);
  if (!file)
    return file.takeError();
  std::vector<std::string> undefined;
  for (const llvm::object::SymbolRef &symbol : (*file)->symbols()) {
    llvm::Expected<uint32_t> flags = symbol.getFlags();
    if (!flags)
      return flags.takeError();
    if (!(*flags & llvm::object::SymbolRef::SF_Undefined))
      continue;
    llvm::Expected<StringRef> name = symbol.getName();
    if (!name)
      return name.takeError();
    if (!name->empty())
      undefined.push_back(name->str());
  }
  return undefined;
}

bool seqmix::isRuntimeSymbol(StringRef name) {
  return name == "memrefCopy" || name.starts_with("_mlir_") ||
         name.starts_with("mgpu");
}
