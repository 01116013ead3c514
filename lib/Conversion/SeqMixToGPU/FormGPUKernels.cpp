//===- FormGPUKernels.cpp - seqmix.apply to gpu.launch_func ---------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// Replaces each chunked, on-chip seqmix.apply by a launch of a kernel built by
// ChunkedKernel.cpp. The mixer is a seqmix.semiseparable (with or without
// dt), or one plus a seqmix.diagonal of one weight per head (Mamba2's D). The
// pass runs on tensors and bufferizes the launch's operands itself (to_buffer +
// collapse_shape for the inputs, memref.alloc + to_tensor for the outputs), so
// that one-shot bufferization of the rest of the function, followed by
// buffer-results-to-out-params with hoisted allocations, leaves a host function
// whose kernels read the caller's input buffers and write into the caller's
// output buffers.
//
//===----------------------------------------------------------------------===//

#include "ChunkedKernel.h"
#include "KernelCommon.h"
#include "SegmentKernels.h"

#include "seqmix/Conversion/Passes.h"
#include "seqmix/Dialect/SeqMix/Transforms/CostModel.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

namespace mlir {
namespace seqmix {
#define GEN_PASS_DEF_SEQMIXFORMGPUKERNELS
#include "seqmix/Conversion/Passes.h.inc"
} // namespace seqmix
} // namespace mlir

using namespace mlir;
using namespace mlir::seqmix;

/// The name of the gpu.module that holds the generated kernels.
static constexpr StringLiteral kKernelModuleName = "seqmix_kernels";

namespace {
/// What the launch of one apply needs besides the kernel.
struct ApplyOperands {
  SemiseparableOp mixer;
  /// With a skip term: the seqmix.add of `mixer` and `diagonal`.
  AddOp sum;
  DiagonalOp diagonal;
  ChunkedKernelSpec spec;
};
} // namespace

/// Checks that `op` is one the generated kernels compute, and fills in the
/// kernel's configuration. Reports why not on `op` otherwise.
static FailureOr<ApplyOperands> matchApply(ApplyOp op) {
  auto fail = [&](const Twine &why) -> FailureOr<ApplyOperands> {
    return op.emitOpError()
           << "cannot be put on the GPU by seqmix-form-gpu-kernels: " << why;
  };
  FormAttr form = op.getFormAttr();
  if (!form)
    return fail("it has no #seqmix.form (run seqmix-select-form with a GPU "
                "#seqmix.target first, or pin one)");
  if (form.getKind() != FormKind::Chunked ||
      (form.getCarry() != Carry::OnChip && form.getCarry() != Carry::Segments))
    return fail("only #seqmix.form<chunked> with carry = onchip or segments "
                "is supported yet");
  if (form.getCarry() == Carry::Segments && op.getSeqlens())
    return fail("the segments carry does not take seqlens yet (use carry = "
                "onchip)");
  if (form.getChunk() != ChunkedKernelSpec::kChunk)
    return fail("the chunk must be 64 tokens");
  // The mixer: a seqmix.semiseparable, or one plus a seqmix.diagonal of
  // shape [Hv] (Mamba2's D skip), in either order.
  auto definedBy = [](Value v) -> std::string {
    Operation *def = v.getDefiningOp();
    return def ? ("'" + def->getName().getStringRef() + "'").str()
               : std::string("a block argument");
  };
  AddOp sum = op.getMixer().getDefiningOp<AddOp>();
  SemiseparableOp mixer;
  DiagonalOp diagonal;
  if (sum) {
    for (auto [term, other] : {std::pair(sum.getLhs(), sum.getRhs()),
                               std::pair(sum.getRhs(), sum.getLhs())}) {
      if (auto s = term.getDefiningOp<SemiseparableOp>()) {
        if (auto d = other.getDefiningOp<DiagonalOp>()) {
          mixer = s;
          diagonal = d;
          break;
        }
      }
    }
    if (!mixer)
      return fail("a sum of mixers must be a seqmix.semiseparable plus a "
                  "seqmix.diagonal (Mamba2's D skip); this one adds " +
                  definedBy(sum.getLhs()) + " and " + definedBy(sum.getRhs()));
  } else {
    mixer = op.getMixer().getDefiningOp<SemiseparableOp>();
    if (!mixer)
      return fail("the mixer must come straight from a seqmix.semiseparable, "
                  "or be one plus a seqmix.diagonal (transposes and other "
                  "structures are not supported yet); it is defined by " +
                  definedBy(op.getMixer()));
  }
  SemiseparableAttr structure = mixer.getStructure();
  if (structure.getTransition() != Transition::Additive ||
      structure.getDirection() != Direction::Causal)
    return fail("only causal mixers with the additive transition are "
                "supported yet");
  if (mixer.getBeta())
    return fail("beta (the delta rule) is not supported yet");
  if (Value dt = mixer.getDt()) {
    auto dtType = cast<RankedTensorType>(dt.getType());
    if (dtType.getRank() != 3 || !dtType.getElementType().isF32())
      return fail("dt must be f32 of shape [B, T, Hv]");
  }
  if (diagonal) {
    auto dType = cast<RankedTensorType>(diagonal.getD().getType());
    if (dType.getRank() != 1)
      return fail("the diagonal term must be one weight per value head (d of "
                  "shape [Hv], Mamba2's D); a diagonal per token (d of shape "
                  "[B, T, Hv]) is not supported");
    if (!dType.getElementType().isF32())
      return fail("the diagonal term's d must be f32");
  }
  auto qType = cast<RankedTensorType>(mixer.getQ().getType());
  auto kType = cast<RankedTensorType>(mixer.getK().getType());
  auto vType = cast<RankedTensorType>(op.getValue().getType());
  Type element = vType.getElementType();
  if (!element.isBF16() && !element.isF32())
    return fail("v must be bf16 or f32");
  if (qType.getElementType() != element || kType.getElementType() != element)
    return fail("q, k and v must have the same element type");
  if (Value gate = mixer.getGate())
    if (!cast<RankedTensorType>(gate.getType()).getElementType().isF32())
      return fail("the gate must be f32");
  if (qType.isDynamicDim(2) || qType.isDynamicDim(3) || vType.isDynamicDim(2) ||
      vType.isDynamicDim(3))
    return fail("the head counts, K and V must be static");

  ApplyOperands result{mixer, sum, diagonal, {}};
  ChunkedKernelSpec &spec = result.spec;
  spec.decay = structure.getDecay();
  spec.qkHeads = qType.getDimSize(2);
  spec.valueHeads = vType.getDimSize(2);
  spec.keyDim = qType.getDimSize(3);
  spec.valueDim = vType.getDimSize(3);
  spec.scale = mixer.getScaleOrDefault();
  spec.f32Inputs = element.isF32();
  spec.hasDt = static_cast<bool>(mixer.getDt());
  spec.hasSkip = static_cast<bool>(diagonal);
  spec.hasInit = static_cast<bool>(op.getInit());
  spec.hasFinal = static_cast<bool>(op.getFinalState());
  if (Value seqlens = op.getSeqlens())
    spec.seqlensBits = cast<RankedTensorType>(seqlens.getType())
                           .getElementType()
                           .getIntOrFloatBitWidth();
  if (std::optional<std::string> why = spec.checkSupported())
    return fail(*why);
  if (form.getSplitV() != spec.valueDim / spec.getTileV())
    return fail("split_v must be V / " + Twine(spec.getTileV()) + " = " +
                Twine(spec.valueDim / spec.getTileV()));
  return result;
}

/// A one-dimensional view of dynamic size (the kernels' argument type) of a
/// buffer with the identity layout.
static Value flatten(OpBuilder &b, Location loc, Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  Value flat = buffer;
  if (type.getRank() != 1) {
    ReassociationIndices all;
    for (int64_t i = 0; i < type.getRank(); ++i)
      all.push_back(i);
    flat = memref::CollapseShapeOp::create(b, loc, buffer,
                                           ArrayRef<ReassociationIndices>{all});
  }
  auto dynamic = MemRefType::get({ShapedType::kDynamic}, type.getElementType());
  if (flat.getType() != dynamic)
    flat = memref::CastOp::create(b, loc, dynamic, flat);
  return flat;
}

/// The buffer of `tensor` as a one-dimensional memref.
static Value flatBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto bufferType = MemRefType::get(type.getShape(), type.getElementType());
  Value buffer = bufferization::ToBufferOp::create(b, loc, bufferType, tensor,
                                                   /*read_only=*/true);
  return flatten(b, loc, buffer);
}

/// The device address of a TMA tensor map of the flattened bf16 buffer
/// `flat` as [rows, heads, cols] (seqmix_runtime_tensor_map, declared in the
/// module on first use).
static Value emitTensorMap(OpBuilder &b, Location loc, Value flat, Value rows,
                           int64_t heads, int64_t cols) {
  constexpr StringLiteral name = "seqmix_runtime_tensor_map";
  MLIRContext *ctx = b.getContext();
  Type i64 = b.getI64Type(), ptr = LLVM::LLVMPointerType::get(ctx);
  auto module =
      b.getInsertionBlock()->getParentOp()->getParentOfType<ModuleOp>();
  auto callee = module.lookupSymbol<func::FuncOp>(name);
  if (!callee) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    callee = func::FuncOp::create(
        b, loc, name, b.getFunctionType({ptr, i64, i64, i64}, {i64}));
    callee.setPrivate();
  }
  auto asI64 = [&](Value x) -> Value {
    return b.createOrFold<arith::IndexCastUIOp>(loc, i64, x);
  };
  Value base = LLVM::IntToPtrOp::create(
      b, loc, ptr,
      asI64(memref::ExtractAlignedPointerAsIndexOp::create(b, loc, flat)));
  Value headsValue =
      arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(heads));
  Value colsValue =
      arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(cols));
  return func::CallOp::create(
             b, loc, callee,
             ValueRange{base, asI64(rows), headsValue, colsValue})
      .getResult(0);
}

namespace {
struct FormGPUKernelsPass
    : public seqmix::impl::SeqMixFormGPUKernelsBase<FormGPUKernelsPass> {
  using SeqMixFormGPUKernelsBase::SeqMixFormGPUKernelsBase;
  void runOnOperation() override;
};
} // namespace

/// A new buffer for a result of type `type`, with B (and T) from the apply.
static Value allocate(OpBuilder &b, Location loc, RankedTensorType type,
                      Value batch, Value seqLen) {
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (!type.isDynamicDim(i))
      continue;
    // Outputs are [B, T, Hv, V] and states [N = B, Hv, K, V]: only B and T
    // can be dynamic.
    sizes.push_back(i == 0 ? batch : seqLen);
  }
  return memref::AllocOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()), sizes);
}

namespace {
/// Builds kernels into the gpu.module on first use.
struct KernelCache {
  gpu::GPUModuleOp module;
  SymbolTable &symbols;

  template <typename Build> gpu::GPUFuncOp get(StringRef name, Build build) {
    if (auto kernel = symbols.lookup<gpu::GPUFuncOp>(name))
      return kernel;
    OpBuilder kb = OpBuilder::atBlockEnd(module.getBody());
    gpu::GPUFuncOp kernel = build(kb, module.getLoc());
    symbols.insert(kernel);
    return kernel;
  }
  gpu::GPUFuncOp chunked(const ChunkedKernelSpec &spec) {
    return get(spec.getName(), [&](OpBuilder &kb, Location loc) {
      return spec.f32Inputs ? buildChunkedKernelF32(kb, loc, spec)
                            : buildChunkedKernel(kb, loc, spec);
    });
  }
};

} // namespace

/// The tokens per segment of the chained carry when not set: short enough
/// that k and v of two CTAs per multiprocessor (K + 64 columns of bf16 per
/// token) stay within about half of an H100's 50 MB L2 between the phases.
static int64_t getChainedSegmentTokens(const ChunkedKernelSpec &spec) {
  return spec.keyDim == 128 ? 256 : 384;
}

/// The dynamic shared memory of a launch of `ctas` CTAs whose kernel needs
/// `bytes`. When the occupancy that `bytes` allows would leave the grid's
/// last wave mostly empty (512 CTAs at 3 per multiprocessor: 396, then 116
/// alone on their multiprocessors) and a lower one of at least 2 fills the
/// waves better (2 per multiprocessor: 264, then 248), the launch asks for
/// enough more that only that many fit. The cost of occupancy o is
/// ceil(ctas / (o·SMs)) · min(o, ceil(ctas / SMs)): rounds of CTAs per
/// multiprocessor times the CTAs that share one in a round (their bytes
/// share its bandwidth); a lower occupancy must be 5% cheaper. Registers may
/// cap the occupancy lower still, which the padding leaves as it is.
static Value getLaunchSharedMemory(OpBuilder &b, Location loc, Value ctas,
                                   int64_t bytes, TargetAttr target) {
  // Each CTA also holds 1 KiB of shared memory that the driver reserves.
  constexpr int64_t reserved = 1024;
  TargetAttr figures = target.withDefaults();
  int64_t perSM = figures.getSmemKb() * 1024, sms = figures.getSms();
  int64_t most = perSM / (bytes + reserved);
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto i32 = [&](Value v) -> Value {
    return b.createOrFold<arith::IndexCastOp>(loc, b.getI32Type(), v);
  };
  if (most <= 2)
    return i32(c(bytes));
  auto mul = [&](Value x, Value y) -> Value {
    return b.createOrFold<arith::MulIOp>(loc, x, y);
  };
  auto ceilDiv = [&](Value x, int64_t y) -> Value {
    return b.createOrFold<arith::CeilDivUIOp>(loc, x, c(y));
  };
  Value perRound = ceilDiv(ctas, sms);
  auto cost = [&](int64_t o) {
    return mul(ceilDiv(ctas, o * sms),
               b.createOrFold<arith::MinUIOp>(loc, c(o), perRound));
  };
  Value best = c(bytes), bestCost = cost(most);
  for (int64_t o = most - 1; o >= 2; --o) {
    Value oCost = cost(o);
    Value cheaper =
        b.createOrFold<arith::CmpIOp>(loc, arith::CmpIPredicate::ult,
                                      mul(oCost, c(20)), mul(bestCost, c(19)));
    // Just more than a (o + 1)-th CTA could have.
    int64_t padded = std::max(bytes, perSM / (o + 1) - reserved + 16);
    best = b.createOrFold<arith::SelectOp>(loc, cheaper, c(padded), best);
    bestCost = b.createOrFold<arith::SelectOp>(loc, cheaper, oCost, bestCost);
  }
  return i32(best);
}

/// The segments carry (SegmentKernels.h): splits each of the N sequences
/// into nseg segments when the grid of the on-chip carry would leave
/// multiprocessors idle, and launches the on-chip kernel otherwise. The
/// number of segments is computed when the function runs, with the cost
/// model's rule (seqmix-select-form): at most two CTAs per multiprocessor, each
/// segment at least four chunks long.
static void launchSegments(OpBuilder &b, Location loc,
                           const ChunkedKernelSpec &spec, KernelCache &cache,
                           TargetAttr target, ChunkedKernelArgs args,
                           Value batch, Value seqLen, int64_t chainedTokens) {
  auto c = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto mul = [&](Value x, Value y) -> Value {
    return b.createOrFold<arith::MulIOp>(loc, x, y);
  };
  auto ceilDiv = [&](Value x, Value y) -> Value {
    return b.createOrFold<arith::CeilDivUIOp>(loc, x, y);
  };
  auto maxU = [&](Value x, Value y) -> Value {
    return b.createOrFold<arith::MaxUIOp>(loc, x, y);
  };
  auto minU = [&](Value x, Value y) -> Value {
    return b.createOrFold<arith::MinUIOp>(loc, x, y);
  };
  constexpr int64_t chunk = ChunkedKernelSpec::kChunk;
  int64_t vTiles = spec.valueDim / spec.getTileV();
  int64_t heads = spec.valueHeads;
  Value ctas = mul(batch, c(vTiles * heads));
  Value wanted = b.createOrFold<arith::DivUIOp>(
      loc, c(kSegmentCTAsPerSM * target.withDefaults().getSms()),
      maxU(ctas, c(1)));
  Value longest = b.createOrFold<arith::DivUIOp>(
      loc, seqLen, c(kMinChunksPerSegment * chunk));
  Value first = maxU(c(1), minU(wanted, longest));
  // Segments of a whole number of chunks; their count after rounding.
  Value segLen =
      maxU(c(chunk), mul(ceilDiv(ceilDiv(seqLen, first), c(chunk)), c(chunk)));
  Value nseg = maxU(c(1), ceilDiv(seqLen, segLen));
  // The chained carry splits into segments of a fixed length instead (short
  // enough that k and v of the CTAs in flight stay in L2 between the phases).
  if (chainedTokens) {
    segLen = c(chainedTokens);
    Value wanted = b.createOrFold<arith::CmpIOp>(loc, arith::CmpIPredicate::ugt,
                                                 first, c(1));
    nseg = b.createOrFold<arith::SelectOp>(
        loc, wanted, maxU(c(1), ceilDiv(seqLen, segLen)), c(1));
  }

  Value nonEmpty =
      b.createOrFold<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, batch, c(0));
  Value split =
      b.createOrFold<arith::CmpIOp>(loc, arith::CmpIPredicate::ugt, nseg, c(1));
  gpu::KernelDim3 block{c(spec.getThreads()), c(1), c(1)};
  auto ifOp = scf::IfOp::create(
      b, loc, b.createOrFold<arith::AndIOp>(loc, nonEmpty, split),
      /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(b);
  auto smemOf = [&](int64_t bytes) -> Value {
    return arith::ConstantIntOp::create(b, loc, b.getI32Type(), bytes);
  };

  // Not split: the on-chip carry, as for #seqmix.form<..., carry = onchip>.
  b.setInsertionPointToStart(ifOp.elseBlock());
  emitIf(b, loc, nonEmpty, [&] {
    gpu::LaunchFuncOp::create(
        b, loc, cache.chunked(spec),
        gpu::KernelDim3{c(vTiles), c(heads), batch}, block,
        getLaunchSharedMemory(b, loc, ctas, spec.getSharedMemoryBytes(),
                              target),
        args.inOrder(spec));
  });

  b.setInsertionPointToStart(ifOp.thenBlock());
  Value segments = mul(batch, nseg);
  Value count = b.createOrFold<arith::AddIOp>(loc, segments, c(1));
  int64_t stateSize = spec.keyDim * spec.valueDim;
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  auto tokenType = gpu::AsyncTokenType::get(b.getContext());
  Value token =
      gpu::WaitOp::create(b, loc, tokenType, ValueRange{}).getResult(0);
  SmallVector<Value> scratch;
  auto alloc = [&](Type element, Value size) {
    auto op = gpu::AllocOp::create(
        b, loc, MemRefType::get({ShapedType::kDynamic}, element), tokenType,
        ValueRange{token}, ValueRange{size}, ValueRange{},
        /*hostShared=*/false);
    token = op.getAsyncToken();
    scratch.push_back(op.getMemref());
    return op.getMemref();
  };
  Value offsets = alloc(i32, count);
  gpu::KernelDim3 wide{c(kSegmentThreads), c(1), c(1)};
  auto launchOffsets = [&] {
    gpu::LaunchFuncOp::create(
        b, loc,
        cache.get("segment_offsets",
                  [](OpBuilder &kb, Location l) {
                    return buildSegmentOffsetsKernel(kb, l);
                  }),
        gpu::KernelDim3{ceilDiv(count, c(kSegmentThreads)), c(1), c(1)}, wide,
        smemOf(0), ValueRange{offsets, count, seqLen, nseg, segLen});
  };
  auto freeScratch = [&] {
    token = gpu::WaitOp::create(b, loc, tokenType, ValueRange{}).getResult(0);
    for (Value buffer : scratch)
      token =
          gpu::DeallocOp::create(b, loc, tokenType, ValueRange{token}, buffer)
              .getAsyncToken();
    gpu::WaitOp::create(b, loc, Type(), ValueRange{token});
  };
  // The segments as a packed batch of one: N·T tokens.
  ChunkedKernelArgs packed = args;
  packed.seqlens = offsets;
  packed.seqLen = mul(batch, seqLen);
  gpu::KernelDim3 grid{c(vTiles), c(heads), segments};

  if (chainedTokens) {
    // One launch: each sequence's prefix state per (value head, V tile) in
    // `carry`, the count of prefixes published there in flags[1 + unit],
    // and the tickets in flags[0].
    packed.carry = alloc(f32, mul(batch, c(heads * stateSize)));
    packed.flags = alloc(i32, b.createOrFold<arith::AddIOp>(
                                  loc, mul(batch, c(heads * vTiles)), c(1)));
    packed.nseg = nseg;
    token = gpu::MemsetOp::create(
                b, loc, tokenType, ValueRange{token}, packed.flags,
                arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0)))
                .getAsyncToken();
    gpu::WaitOp::create(b, loc, Type(), ValueRange{token});
    launchOffsets();
    ChunkedKernelSpec chainedSpec = spec;
    chainedSpec.chained = true;
    chainedSpec.tma = false;
    chainedSpec.seqlensBits = 32;
    gpu::LaunchFuncOp::create(b, loc, cache.chunked(chainedSpec), grid, block,
                              smemOf(chainedSpec.getSharedMemoryBytes()),
                              packed.inOrder(chainedSpec));
    freeScratch();
    return;
  }

  // Passes: the local states and the prefixes of every segment.
  Value states = mul(segments, c(heads * stateSize));
  Value local = alloc(f32, states);
  Value prefix = alloc(f32, states);
  Value decay = spec.decay == DecayKind::Scalar
                    ? alloc(f32, mul(segments, c(heads)))
                    : Value();
  gpu::WaitOp::create(b, loc, Type(), ValueRange{token});
  launchOffsets();

  // Local states from zero: the tensor-core kernel has a state-only variant
  // (no q, no o); the FFMA kernel writes an output that is overwritten below.
  ChunkedKernelSpec localSpec = spec;
  localSpec.hasInit = false;
  localSpec.hasFinal = true;
  localSpec.seqlensBits = 32;
  localSpec.stateOnly = !spec.f32Inputs;
  if (localSpec.stateOnly)
    localSpec.hasSkip = false;
  packed.finalState = local;
  // Without a final state nothing reads the last segment's local state: with
  // B = 1 (the segments then end where the next begins) the first pass stops
  // before it, which saves 1/nseg of its reads of k and v.
  gpu::KernelDim3 localGrid = grid;
  if (!spec.hasFinal) {
    Value single = b.createOrFold<arith::CmpIOp>(loc, arith::CmpIPredicate::eq,
                                                 batch, c(1));
    localGrid.z = b.createOrFold<arith::SelectOp>(
        loc, single, b.createOrFold<arith::SubIOp>(loc, nseg, c(1)), segments);
  }
  gpu::LaunchFuncOp::create(b, loc, cache.chunked(localSpec), localGrid, block,
                            smemOf(localSpec.getSharedMemoryBytes()),
                            packed.inOrder(localSpec));

  // The prefix across segments, from the initial state, and the final state.
  SegmentScanSpec scanSpec;
  scanSpec.decay = spec.decay;
  scanSpec.valueHeads = heads;
  scanSpec.stateSize = stateSize;
  scanSpec.hasInit = spec.hasInit;
  scanSpec.hasFinal = spec.hasFinal;
  SmallVector<Value> scanArgs = {local};
  if (spec.decay == DecayKind::Scalar) {
    gpu::LaunchFuncOp::create(
        b, loc,
        cache.get(llvm::formatv("segment_decay_h{0}", heads).str(),
                  [&](OpBuilder &kb, Location l) {
                    return buildSegmentDecayKernel(kb, l, heads);
                  }),
        gpu::KernelDim3{segments, c(heads), c(1)}, wide,
        smemOf(kSegmentThreads / 32 * 4),
        ValueRange{args.gate, offsets, decay});
    scanArgs.push_back(decay);
  } else if (spec.decay == DecayKind::Static) {
    scanArgs.push_back(args.gate);
  }
  if (spec.hasInit)
    scanArgs.push_back(args.init);
  scanArgs.push_back(prefix);
  if (spec.hasFinal)
    scanArgs.push_back(args.finalState);
  scanArgs.append({offsets, nseg});
  gpu::LaunchFuncOp::create(
      b, loc,
      cache.get(scanSpec.getName(),
                [&](OpBuilder &kb, Location l) {
                  return buildSegmentScanKernel(kb, l, scanSpec);
                }),
      gpu::KernelDim3{c(llvm::divideCeil(stateSize, kSegmentThreads)), c(heads),
                      batch},
      wide, smemOf(0), scanArgs);

  // Each segment from its prefix state.
  ChunkedKernelSpec outSpec = spec;
  outSpec.hasInit = true;
  outSpec.hasFinal = false;
  outSpec.seqlensBits = 32;
  packed.init = prefix;
  gpu::LaunchFuncOp::create(b, loc, cache.chunked(outSpec), grid, block,
                            smemOf(outSpec.getSharedMemoryBytes()),
                            packed.inOrder(outSpec));
  freeScratch();
}

static LogicalResult formKernel(ApplyOp op, const ApplyOperands &match,
                                KernelCache &cache, TargetAttr target,
                                int64_t chainedTokens) {
  const ChunkedKernelSpec &spec = match.spec;
  Location loc = op.getLoc();
  OpBuilder b(op);
  Value value = op.getValue();
  SemiseparableOp mixer = match.mixer;
  AddOp sum = match.sum;
  DiagonalOp diagonal = match.diagonal;
  Value batch = b.createOrFold<tensor::DimOp>(loc, value, 0);
  Value seqLen = b.createOrFold<tensor::DimOp>(loc, value, 1);

  ChunkedKernelArgs args;
  args.q = flatBuffer(b, loc, mixer.getQ());
  args.k = flatBuffer(b, loc, mixer.getK());
  args.v = flatBuffer(b, loc, value);
  if (spec.decay != DecayKind::None)
    args.gate = flatBuffer(b, loc, mixer.getGate());
  if (spec.hasDt)
    args.dt = flatBuffer(b, loc, mixer.getDt());
  if (spec.hasSkip)
    args.skip = flatBuffer(b, loc, diagonal.getD());
  if (spec.hasInit)
    args.init = flatBuffer(b, loc, op.getInit());
  // With seqlens the grid has one CTA row per sequence, N = size - 1.
  Value sequences = batch;
  if (spec.seqlensBits) {
    args.seqlens = flatBuffer(b, loc, op.getSeqlens());
    Value offsets = b.createOrFold<tensor::DimOp>(loc, op.getSeqlens(), 0);
    sequences = b.createOrFold<arith::SubIOp>(
        loc, offsets, arith::ConstantIndexOp::create(b, loc, 1));
  }
  auto outType = cast<RankedTensorType>(op.getOutput().getType());
  Value outBuffer = allocate(b, loc, outType, batch, seqLen);
  args.out = flatten(b, loc, outBuffer);
  Value finalBuffer;
  RankedTensorType finalType;
  if (spec.hasFinal) {
    finalType = cast<RankedTensorType>(op.getFinalState().getType());
    finalBuffer = allocate(b, loc, finalType, sequences, seqLen);
    args.finalState = flatten(b, loc, finalBuffer);
  }
  args.seqLen = seqLen;
  if (spec.tma) {
    Value rows = b.createOrFold<arith::MulIOp>(loc, batch, seqLen);
    args.qMap = emitTensorMap(b, loc, args.q, rows, spec.qkHeads, spec.keyDim);
    args.kMap = emitTensorMap(b, loc, args.k, rows, spec.qkHeads, spec.keyDim);
    args.vMap =
        emitTensorMap(b, loc, args.v, rows, spec.valueHeads, spec.valueDim);
  }

  auto c = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  if (op.getFormAttr().getCarry() == Carry::Segments) {
    launchSegments(b, loc, spec, cache, target, args, batch, seqLen,
                   spec.f32Inputs ? 0 : chainedTokens);
  } else {
    gpu::KernelDim3 grid{c(spec.valueDim / spec.getTileV()), c(spec.valueHeads),
                         sequences};
    gpu::KernelDim3 block{c(spec.getThreads()), c(1), c(1)};
    Value ctas = b.createOrFold<arith::MulIOp>(
        loc, sequences, c(spec.valueDim / spec.getTileV() * spec.valueHeads));
    Value smem = getLaunchSharedMemory(b, loc, ctas,
                                       spec.getSharedMemoryBytes(), target);
    // No launch for an empty batch (a grid of size 0 is a launch error).
    Value nonEmpty = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                           sequences, c(0));
    emitIf(b, loc, nonEmpty, [&] {
      gpu::LaunchFuncOp::create(b, loc, cache.chunked(spec), grid, block, smem,
                                args.inOrder(spec));
    });
  }

  Value out = bufferization::ToTensorOp::create(b, loc, outType, outBuffer,
                                                /*restrict=*/true,
                                                /*writable=*/true);
  op.getOutput().replaceAllUsesWith(out);
  if (spec.hasFinal) {
    Value fs = bufferization::ToTensorOp::create(b, loc, finalType, finalBuffer,
                                                 /*restrict=*/true,
                                                 /*writable=*/true);
    op.getFinalState().replaceAllUsesWith(fs);
  }
  op.erase();
  if (sum && sum->use_empty())
    sum.erase();
  if (mixer->use_empty())
    mixer.erase();
  if (diagonal && diagonal->use_empty())
    diagonal.erase();
  return success();
}

void FormGPUKernelsPass::runOnOperation() {
  ModuleOp module = getOperation();
  if (mma != "auto" && mma != "wgmma" && mma != "sync") {
    module.emitError() << "seqmix-form-gpu-kernels: mma must be auto, wgmma "
                          "or sync, not '"
                       << mma << "'";
    return signalPassFailure();
  }
  if (segments != "chained" && segments != "passes") {
    module.emitError() << "seqmix-form-gpu-kernels: segments must be chained "
                          "or passes, not '"
                       << segments << "'";
    return signalPassFailure();
  }
  if (loads != "cp-async" && loads != "tma") {
    module.emitError() << "seqmix-form-gpu-kernels: loads must be cp-async or "
                          "tma, not '"
                       << loads << "'";
    return signalPassFailure();
  }
  if (segmentTokens % ChunkedKernelSpec::kChunk != 0) {
    module.emitError() << "seqmix-form-gpu-kernels: segment-tokens must be a "
                          "multiple of the chunk ("
                       << ChunkedKernelSpec::kChunk << "), not "
                       << static_cast<uint64_t>(segmentTokens);
    return signalPassFailure();
  }
  SmallVector<ApplyOp> applies;
  module.walk([&](ApplyOp op) { applies.push_back(op); });
  if (applies.empty())
    return;

  SmallVector<std::pair<ApplyOp, ApplyOperands>> matched;
  bool ok = true;
  // The host code of a GPU module holds device pointers: a tensor computed
  // outside the kernels would be computed by the host on device memory.
  module.walk([&](Operation *op) {
    if (isa<SeqMixDialect>(op->getDialect()) ||
        isa<func::ReturnOp, tensor::DimOp, bufferization::ToTensorOp,
            bufferization::ToBufferOp>(op) ||
        op->getParentOfType<gpu::GPUModuleOp>())
      return;
    auto isTensor = [](Type t) { return isa<TensorType>(t); };
    if (llvm::any_of(op->getOperandTypes(), isTensor) ||
        llvm::any_of(op->getResultTypes(), isTensor)) {
      op->emitOpError()
          << "cannot be compiled for the GPU: it computes on tensors outside "
             "a seqmix.apply, and the GPU target computes mixers only (its "
             "host code holds device pointers); compute it before the call, "
             "or compile for the CPU";
      ok = false;
    }
  });
  for (ApplyOp op : applies) {
    FailureOr<ApplyOperands> match = matchApply(op);
    if (failed(match)) {
      ok = false;
      continue;
    }
    matched.emplace_back(op, *match);
  }
  if (!ok)
    return signalPassFailure();

  MLIRContext *ctx = module.getContext();
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  UnitAttr::get(ctx));
  SymbolTable moduleSymbols(module);
  auto kernels = moduleSymbols.lookup<gpu::GPUModuleOp>(kKernelModuleName);
  if (!kernels) {
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    kernels = gpu::GPUModuleOp::create(b, module.getLoc(), kKernelModuleName);
    moduleSymbols.insert(kernels);
  }
  SymbolTable kernelSymbols(kernels);
  KernelCache cache{kernels, kernelSymbols};
  auto target =
      module->getAttrOfType<TargetAttr>(SeqMixDialect::getTargetAttrName());
  if (!target)
    target = TargetAttr::get(ctx, "sm_90a", 0, 0, 0, 0);
  bool sm90a = target.getChip() == "sm_90a";
  bool useWgmma = mma == "wgmma" || (mma == "auto" && sm90a);
  if (useWgmma && !sm90a) {
    module.emitError() << "seqmix-form-gpu-kernels: mma=wgmma needs an "
                          "sm_90a target, not "
                       << target.getChip();
    return signalPassFailure();
  }
  if (loads == "tma" && !useWgmma) {
    module.emitError() << "seqmix-form-gpu-kernels: loads=tma needs the wgmma "
                          "kernels (mma=wgmma, or auto on an sm_90a target)";
    return signalPassFailure();
  }
  for (auto &[op, match] : matched) {
    match.spec.wgmma = useWgmma && !match.spec.f32Inputs;
    match.spec.tma = loads == "tma" && match.spec.wgmma;
    int64_t chainedTokens = 0;
    if (segments == "chained")
      chainedTokens =
          segmentTokens ? segmentTokens : getChainedSegmentTokens(match.spec);
    if (failed(formKernel(op, match, cache, target, chainedTokens)))
      return signalPassFailure();
  }
}
