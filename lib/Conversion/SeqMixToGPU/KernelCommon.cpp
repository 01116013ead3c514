//===- KernelCommon.cpp - pieces shared by the chunked kernels ------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "KernelCommon.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::seqmix;

gpu::GPUFuncOp seqmix::createChunkedKernelFunc(OpBuilder &b, Location loc,
                                               const ChunkedKernelSpec &spec,
                                               Type element) {
  MLIRContext *ctx = b.getContext();
  auto elementBuffer = MemRefType::get({ShapedType::kDynamic}, element);
  auto f32Buffer =
      MemRefType::get({ShapedType::kDynamic}, Float32Type::get(ctx));
  SmallVector<Type> args = {elementBuffer, elementBuffer, elementBuffer};
  if (spec.decay != DecayKind::None)
    args.push_back(f32Buffer);
  if (spec.hasDt)
    args.push_back(f32Buffer);
  if (spec.hasSkip)
    args.push_back(f32Buffer);
  if (spec.hasInit)
    args.push_back(f32Buffer);
  if (spec.seqlensBits)
    args.push_back(MemRefType::get(
        {ShapedType::kDynamic},
        IntegerType::get(ctx, static_cast<unsigned>(spec.seqlensBits))));
  args.push_back(elementBuffer);
  if (spec.hasFinal)
    args.push_back(f32Buffer);
  args.push_back(b.getIndexType());

  auto func = gpu::GPUFuncOp::create(b, loc, spec.getName(),
                                     b.getFunctionType(args, {}));
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  func.setKnownBlockSizeAttr(
      b.getDenseI32ArrayAttr({static_cast<int32_t>(spec.getThreads()), 1, 1}));
  return func;
}

ChunkedKernelArgs seqmix::getChunkedKernelArgs(gpu::GPUFuncOp func,
                                               const ChunkedKernelSpec &spec) {
  Block &entry = func.getBody().front();
  unsigned arg = 0;
  ChunkedKernelArgs a;
  a.q = entry.getArgument(arg++);
  a.k = entry.getArgument(arg++);
  a.v = entry.getArgument(arg++);
  if (spec.decay != DecayKind::None)
    a.gate = entry.getArgument(arg++);
  if (spec.hasDt)
    a.dt = entry.getArgument(arg++);
  if (spec.hasSkip)
    a.skip = entry.getArgument(arg++);
  if (spec.hasInit)
    a.init = entry.getArgument(arg++);
  if (spec.seqlensBits)
    a.seqlens = entry.getArgument(arg++);
  a.out = entry.getArgument(arg++);
  if (spec.hasFinal)
    a.finalState = entry.getArgument(arg++);
  a.seqLen = entry.getArgument(arg++);
  return a;
}

SequenceTokens seqmix::emitSequenceTokens(OpBuilder &b, Location loc,
                                          const ChunkedKernelSpec &spec,
                                          const ChunkedKernelArgs &args,
                                          Value sequence) {
  if (!spec.seqlensBits)
    return {arith::MulIOp::create(b, loc, sequence, args.seqLen), args.seqLen};
  Value total = args.seqLen;
  auto offset = [&](Value n) {
    Value raw = memref::LoadOp::create(b, loc, args.seqlens, ValueRange{n});
    Value wide = spec.seqlensBits == 32
                     ? arith::ExtSIOp::create(b, loc, b.getI64Type(), raw)
                     : raw;
    Value nonNegative = arith::MaxSIOp::create(
        b, loc, wide,
        arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0)));
    Value asIndex =
        arith::IndexCastOp::create(b, loc, b.getIndexType(), nonNegative);
    return arith::MinUIOp::create(b, loc, asIndex, total).getResult();
  };
  Value start = offset(sequence);
  Value next = arith::AddIOp::create(b, loc, sequence,
                                     arith::ConstantIndexOp::create(b, loc, 1));
  Value end = arith::MaxUIOp::create(b, loc, offset(next), start);
  Value length = arith::SubIOp::create(b, loc, end, start);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value nonEmpty =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, zero, length);
  return {arith::SelectOp::create(b, loc, nonEmpty, start, zero), length};
}

Value seqmix::readSpecialRegister(OpBuilder &b, Location loc, StringRef name) {
  auto asmOp = LLVM::InlineAsmOp::create(
      b, loc, b.getI32Type(), ValueRange{},
      b.getStringAttr(("mov.u32 $0, %" + name + ";").str()),
      b.getStringAttr("=r"), b.getUnitAttr(), UnitAttr(),
      LLVM::TailCallKindAttr(), LLVM::AsmDialectAttr(), ArrayAttr());
  return arith::IndexCastUIOp::create(b, loc, b.getIndexType(),
                                      asmOp.getResult(0));
}

Value seqmix::emitExp2(OpBuilder &b, Location loc, Value x) {
  return LLVM::CallIntrinsicOp::create(
             b, loc, b.getF32Type(),
             b.getStringAttr("llvm.nvvm.ex2.approx.ftz.f"), ValueRange{x})
      .getResult(0);
}
