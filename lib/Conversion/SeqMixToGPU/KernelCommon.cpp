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

SmallVector<Value ChunkedKernelArgs::*>
ChunkedKernelArgs::getOrder(const ChunkedKernelSpec &spec) {
  using A = ChunkedKernelArgs;
  SmallVector<Value A::*> order = {&A::q, &A::k, &A::v};
  if (spec.decay != DecayKind::None)
    order.push_back(&A::gate);
  if (spec.hasDt)
    order.push_back(&A::dt);
  if (spec.hasSkip)
    order.push_back(&A::skip);
  if (spec.hasInit)
    order.push_back(&A::init);
  if (spec.seqlensBits)
    order.push_back(&A::seqlens);
  if (spec.chained)
    order.append({&A::carry, &A::flags});
  if (!spec.stateOnly)
    order.push_back(&A::out);
  if (spec.hasFinal)
    order.push_back(&A::finalState);
  order.push_back(&A::seqLen);
  if (spec.chained)
    order.push_back(&A::nseg);
  if (spec.tma) {
    if (!spec.stateOnly)
      order.push_back(&A::qMap);
    order.append({&A::kMap, &A::vMap});
  }
  return order;
}

SmallVector<Value>
ChunkedKernelArgs::inOrder(const ChunkedKernelSpec &spec) const {
  SmallVector<Value> values;
  for (Value ChunkedKernelArgs::*member : getOrder(spec))
    values.push_back(this->*member);
  return values;
}

gpu::GPUFuncOp seqmix::createChunkedKernelFunc(OpBuilder &b, Location loc,
                                               const ChunkedKernelSpec &spec,
                                               Type element) {
  MLIRContext *ctx = b.getContext();
  using A = ChunkedKernelArgs;
  auto buffer = [](Type t) {
    return MemRefType::get({ShapedType::kDynamic}, t);
  };
  SmallVector<Type> args;
  for (Value A::*member : A::getOrder(spec)) {
    if (member == &A::q || member == &A::k || member == &A::v ||
        member == &A::out)
      args.push_back(buffer(element));
    else if (member == &A::seqlens)
      args.push_back(buffer(
          IntegerType::get(ctx, static_cast<unsigned>(spec.seqlensBits))));
    else if (member == &A::flags)
      args.push_back(buffer(b.getI32Type()));
    else if (member == &A::seqLen || member == &A::nseg)
      args.push_back(b.getIndexType());
    else if (member == &A::qMap || member == &A::kMap || member == &A::vMap)
      args.push_back(b.getI64Type());
    else
      args.push_back(buffer(Float32Type::get(ctx)));
  }
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
  ChunkedKernelArgs a;
  unsigned arg = 0;
  for (Value ChunkedKernelArgs::*member : ChunkedKernelArgs::getOrder(spec))
    a.*member = entry.getArgument(arg++);
  return a;
}

CtaCoordinates seqmix::emitCtaCoordinates(OpBuilder &b, Location loc,
                                          const ChunkedKernelSpec &spec) {
  CtaCoordinates cta;
  cta.vTile = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  cta.head = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  cta.sequence = gpu::BlockIdOp::create(b, loc, gpu::Dimension::z);
  cta.qkHead = arith::DivUIOp::create(
      b, loc, cta.head,
      arith::ConstantIndexOp::create(b, loc, spec.valueHeads / spec.qkHeads));
  return cta;
}

Value seqmix::emitStateOffset(OpBuilder &b, Location loc,
                              const ChunkedKernelSpec &spec, Value tile,
                              Value head, Value sequence, int64_t tileV) {
  ScalarBuilder s(b, loc);
  return s.add(
      s.mul(s.mul(s.add(s.mul(sequence, spec.valueHeads), head), spec.keyDim),
            spec.valueDim),
      s.mul(tile, tileV));
}

SliceOffsets seqmix::emitSliceOffsets(OpBuilder &b, Location loc,
                                      const ChunkedKernelSpec &spec,
                                      const CtaCoordinates &cta,
                                      const SequenceTokens &tokens,
                                      int64_t tileV) {
  ScalarBuilder s(b, loc);
  SliceOffsets offsets;
  offsets.qk =
      s.mul(s.add(s.mul(tokens.first, spec.qkHeads), cta.qkHead), spec.keyDim);
  offsets.v = s.add(s.mul(s.add(s.mul(tokens.first, spec.valueHeads), cta.head),
                          spec.valueDim),
                    s.mul(cta.vTile, tileV));
  offsets.gate = s.add(s.mul(tokens.first, spec.valueHeads), cta.head);
  offsets.state =
      emitStateOffset(b, loc, spec, cta.vTile, cta.head, cta.sequence, tileV);
  offsets.lastToken = arith::SubIOp::create(
      b, loc, arith::MaxUIOp::create(b, loc, tokens.length, s.idx(1)),
      s.idx(1));
  return offsets;
}

void CtaPlacement::place(OpBuilder &b, Location loc,
                         const ChunkedKernelSpec &spec,
                         const ChunkedKernelArgs &args,
                         const CtaCoordinates &cta, int64_t tileV) {
  vTile = cta.vTile;
  head = cta.head;
  sequence = cta.sequence;
  qkHead = cta.qkHead;
  SequenceTokens tokens = emitSequenceTokens(b, loc, spec, args, sequence);
  seqLen = tokens.length;
  SliceOffsets offsets = emitSliceOffsets(b, loc, spec, cta, tokens, tileV);
  qkBase = offsets.qk;
  vBase = offsets.v;
  gateBase = offsets.gate;
  stateBase = offsets.state;
  lastToken = offsets.lastToken;
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

//===----------------------------------------------------------------------===//
// ScalarBuilder
//===----------------------------------------------------------------------===//

Value ScalarBuilder::idx(int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
Value ScalarBuilder::f32c(double v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}
Value ScalarBuilder::add(Value x, Value y) {
  return arith::AddIOp::create(b, loc, x, y);
}
Value ScalarBuilder::mul(Value x, Value y) {
  return arith::MulIOp::create(b, loc, x, y);
}
Value ScalarBuilder::div(Value x, int64_t y) {
  return arith::DivUIOp::create(b, loc, x, idx(y));
}
Value ScalarBuilder::rem(Value x, int64_t y) {
  return arith::RemUIOp::create(b, loc, x, idx(y));
}
Value ScalarBuilder::ult(Value x, Value y) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, y);
}
Value ScalarBuilder::ule(Value x, Value y) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule, x, y);
}
Value ScalarBuilder::minu(Value x, Value y) {
  return arith::MinUIOp::create(b, loc, x, y);
}
Value ScalarBuilder::fadd(Value x, Value y) {
  return arith::AddFOp::create(b, loc, x, y);
}
Value ScalarBuilder::fsub(Value x, Value y) {
  return arith::SubFOp::create(b, loc, x, y);
}
Value ScalarBuilder::fmul(Value x, Value y) {
  return arith::MulFOp::create(b, loc, x, y);
}
Value ScalarBuilder::select(Value c, Value x, Value y) {
  return arith::SelectOp::create(b, loc, c, x, y);
}
Value ScalarBuilder::exp2(Value x) { return emitExp2(b, loc, x); }
