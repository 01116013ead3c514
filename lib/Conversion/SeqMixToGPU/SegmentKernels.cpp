//===- SegmentKernels.cpp - the segments carry's small kernels ------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "SegmentKernels.h"
#include "KernelCommon.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::seqmix;

namespace {
constexpr double kLog2E = 1.4426950408889634;

/// Scalar helpers over index and f32 values.
struct Emitter : ScalarBuilder {
  Emitter(OpBuilder &b, Location loc) : ScalarBuilder(b, loc) {}

  Value load(Value mem, Value index) {
    return memref::LoadOp::create(b, loc, mem, ValueRange{index});
  }
  void store(Value value, Value mem, Value index) {
    memref::StoreOp::create(b, loc, value, mem, ValueRange{index});
  }
  /// An i32 offset as an index.
  Value offset(Value offsets, Value z) {
    return arith::IndexCastUIOp::create(b, loc, b.getIndexType(),
                                        load(offsets, z));
  }
  /// exp(x) as ex2.approx.ftz(x · log2 e).
  Value exp(Value x) { return exp2(fmul(x, f32c(kLog2E))); }
  Value globalThread() {
    Value block = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
    Value thread = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
    return add(mul(block, kSegmentThreads), thread);
  }
  /// Runs `body` when `cond` holds.
  template <typename Fn> void ifThen(Value cond, Fn body) {
    emitIf(b, loc, cond, body);
  }
};

gpu::GPUFuncOp createKernel(OpBuilder &b, Location loc, StringRef name,
                            ArrayRef<Type> args) {
  auto func = gpu::GPUFuncOp::create(b, loc, name, b.getFunctionType(args, {}));
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  func.setKnownBlockSizeAttr(
      b.getDenseI32ArrayAttr({static_cast<int32_t>(kSegmentThreads), 1, 1}));
  b.setInsertionPointToStart(&func.getBody().front());
  return func;
}

MemRefType buffer(OpBuilder &b, Type element) {
  return MemRefType::get({ShapedType::kDynamic}, element);
}
} // namespace

gpu::GPUFuncOp seqmix::buildSegmentOffsetsKernel(OpBuilder &builder,
                                                 Location loc) {
  OpBuilder::InsertionGuard guard(builder);
  Type index = builder.getIndexType();
  gpu::GPUFuncOp func = createKernel(
      builder, loc, "segment_offsets",
      {buffer(builder, builder.getI32Type()), index, index, index, index});
  Block &entry = func.getBody().front();
  Value offsets = entry.getArgument(0), count = entry.getArgument(1),
        seqLen = entry.getArgument(2), nseg = entry.getArgument(3),
        segLen = entry.getArgument(4);
  Emitter e(builder, loc);
  Value z = e.globalThread();
  e.ifThen(e.ult(z, count), [&] {
    Value seq = arith::DivUIOp::create(builder, loc, z, nseg);
    Value seg = arith::RemUIOp::create(builder, loc, z, nseg);
    Value within =
        arith::MinUIOp::create(builder, loc, e.mul(seg, segLen), seqLen);
    Value token = e.add(e.mul(seq, seqLen), within);
    e.store(
        arith::IndexCastUIOp::create(builder, loc, builder.getI32Type(), token),
        offsets, z);
  });
  gpu::ReturnOp::create(builder, loc);
  return func;
}

gpu::GPUFuncOp seqmix::buildSegmentDecayKernel(OpBuilder &builder, Location loc,
                                               int64_t valueHeads) {
  OpBuilder::InsertionGuard guard(builder);
  Type f32 = builder.getF32Type();
  gpu::GPUFuncOp func = createKernel(
      builder, loc, llvm::formatv("segment_decay_h{0}", valueHeads).str(),
      {buffer(builder, f32), buffer(builder, builder.getI32Type()),
       buffer(builder, f32)});
  Block &entry = func.getBody().front();
  Value gate = entry.getArgument(0), offsets = entry.getArgument(1),
        decay = entry.getArgument(2);
  Emitter e(builder, loc);
  Value z = gpu::BlockIdOp::create(builder, loc, gpu::Dimension::x);
  Value head = gpu::BlockIdOp::create(builder, loc, gpu::Dimension::y);
  Value tid = gpu::ThreadIdOp::create(builder, loc, gpu::Dimension::x);
  Value start = e.offset(offsets, z);
  Value end = e.offset(offsets, e.add(z, e.idx(1)));
  // Each thread sums every 256th token of the segment ...
  auto loop =
      scf::ForOp::create(builder, loc, e.add(start, tid), end,
                         e.idx(kSegmentThreads), ValueRange{e.f32c(0.0)});
  {
    OpBuilder::InsertionGuard loopGuard(builder);
    builder.setInsertionPointToStart(loop.getBody());
    Value t = loop.getInductionVar();
    Value g = e.load(gate, e.add(e.mul(t, valueHeads), head));
    scf::YieldOp::create(builder, loc, e.fadd(loop.getRegionIterArg(0), g));
  }
  // ... the warps reduce with shuffles, and warp 0 the warps' sums.
  auto warpSum = [&](Value x) {
    for (int64_t offset = 16; offset >= 1; offset /= 2) {
      auto shuffle =
          gpu::ShuffleOp::create(builder, loc, x, static_cast<int32_t>(offset),
                                 32, gpu::ShuffleMode::XOR);
      x = e.fadd(x, shuffle.getShuffleResult());
    }
    return x;
  };
  Value sum = warpSum(loop.getResult(0));
  auto workgroup = gpu::AddressSpaceAttr::get(builder.getContext(),
                                              gpu::AddressSpace::Workgroup);
  Value shared = gpu::DynamicSharedMemoryOp::create(
      builder, loc,
      MemRefType::get({ShapedType::kDynamic}, builder.getI8Type(),
                      MemRefLayoutAttrInterface(), workgroup));
  constexpr int64_t warps = kSegmentThreads / 32;
  Value partial = memref::ViewOp::create(
      builder, loc,
      MemRefType::get({warps}, f32, MemRefLayoutAttrInterface(), workgroup),
      shared, e.idx(0), ValueRange{});
  Value lane = arith::RemUIOp::create(builder, loc, tid, e.idx(32));
  Value warp = arith::DivUIOp::create(builder, loc, tid, e.idx(32));
  Value isLeader = arith::CmpIOp::create(builder, loc, arith::CmpIPredicate::eq,
                                         lane, e.idx(0));
  e.ifThen(isLeader, [&] { e.store(sum, partial, warp); });
  gpu::BarrierOp::create(builder, loc);
  e.ifThen(e.ult(tid, e.idx(32)), [&] {
    Value mine = arith::SelectOp::create(
        builder, loc, e.ult(lane, e.idx(warps)),
        e.load(partial,
               arith::MinUIOp::create(builder, loc, lane, e.idx(warps - 1))),
        e.f32c(0.0));
    Value total = warpSum(mine);
    e.ifThen(isLeader,
             [&] { e.store(total, decay, e.add(e.mul(z, valueHeads), head)); });
  });
  gpu::ReturnOp::create(builder, loc);
  return func;
}

std::string SegmentScanSpec::getName() const {
  return llvm::formatv("segment_scan_{0}_h{1}_s{2}{3}{4}",
                       stringifyDecayKind(decay), valueHeads, stateSize,
                       hasInit ? "_init" : "", hasFinal ? "_final" : "")
      .str();
}

gpu::GPUFuncOp seqmix::buildSegmentScanKernel(OpBuilder &builder, Location loc,
                                              const SegmentScanSpec &spec) {
  OpBuilder::InsertionGuard guard(builder);
  Type f32 = builder.getF32Type();
  MemRefType f32Buffer = buffer(builder, f32);
  SmallVector<Type> args = {f32Buffer};
  if (spec.decay != DecayKind::None)
    args.push_back(f32Buffer);
  if (spec.hasInit)
    args.push_back(f32Buffer);
  args.push_back(f32Buffer);
  if (spec.hasFinal)
    args.push_back(f32Buffer);
  args.push_back(buffer(builder, builder.getI32Type()));
  args.push_back(builder.getIndexType());
  gpu::GPUFuncOp func = createKernel(builder, loc, spec.getName(), args);
  Block &entry = func.getBody().front();
  unsigned arg = 0;
  Value local = entry.getArgument(arg++);
  Value decay =
      spec.decay != DecayKind::None ? entry.getArgument(arg++) : Value();
  Value init = spec.hasInit ? entry.getArgument(arg++) : Value();
  Value prefix = entry.getArgument(arg++);
  Value finalState = spec.hasFinal ? entry.getArgument(arg++) : Value();
  Value offsets = entry.getArgument(arg++);
  Value nseg = entry.getArgument(arg++);

  Emitter e(builder, loc);
  Value element = e.globalThread();
  Value head = gpu::BlockIdOp::create(builder, loc, gpu::Dimension::y);
  Value seq = gpu::BlockIdOp::create(builder, loc, gpu::Dimension::z);
  int64_t size = spec.stateSize, heads = spec.valueHeads;
  e.ifThen(e.ult(element, e.idx(size)), [&] {
    // (n·Hv + h)·K·V + element, for sequence or segment n.
    auto at = [&](Value n) {
      return e.add(e.mul(e.add(e.mul(n, heads), head), size), element);
    };
    Value s0 = spec.hasInit ? e.load(init, at(seq)) : e.f32c(0.0);
    Value logGamma;
    if (spec.decay == DecayKind::Static)
      logGamma = e.load(decay, head);
    Value first = e.mul(seq, nseg);
    auto loop = scf::ForOp::create(builder, loc, first, e.add(first, nseg),
                                   e.idx(1), ValueRange{s0});
    {
      OpBuilder::InsertionGuard loopGuard(builder);
      builder.setInsertionPointToStart(loop.getBody());
      Value z = loop.getInductionVar();
      Value s = loop.getRegionIterArg(0);
      e.store(s, prefix, at(z));
      Value carried = s;
      if (spec.decay == DecayKind::Scalar) {
        carried = e.fmul(e.exp(e.load(decay, e.add(e.mul(z, heads), head))), s);
      } else if (spec.decay == DecayKind::Static) {
        Value length = arith::SubIOp::create(
            builder, loc, e.offset(offsets, e.add(z, e.idx(1))),
            e.offset(offsets, z));
        Value lengthF = arith::UIToFPOp::create(
            builder, loc, f32,
            arith::IndexCastUIOp::create(builder, loc, builder.getI64Type(),
                                         length));
        carried = e.fmul(e.exp(e.fmul(lengthF, logGamma)), s);
      }
      scf::YieldOp::create(builder, loc, e.fadd(carried, e.load(local, at(z))));
    }
    if (spec.hasFinal)
      e.store(loop.getResult(0), finalState, at(seq));
  });
  gpu::ReturnOp::create(builder, loc);
  return func;
}
