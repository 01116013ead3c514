//===- ChunkedKernel.cpp - the chunked additive-decay GPU kernel ----------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// One CTA of 4 warps per (V tile of 64 columns, value head h, batch row b)
// walks the chunks of C = 64 tokens. Its K×64 slice of the state S is held in
// fp32 registers as mma.sync accumulators: warp w owns rows
// [w·K/4, (w+1)·K/4). Per chunk, with G the cumulative sum of g/ln 2 within
// the chunk (only differences G_i − G_j ≤ 0 and G ≤ 0 are exponentiated):
//
//   warp w, query rows i ∈ [16w, 16w + 16):
//     A  = Q Kᵀ                          (mma, fp32)
//     A  = select(j ≤ i, A · exp2(G_i − G_j), 0), rounded to bf16 in registers
//     O  = A V + (Q ∘ exp2(G_i)) S       (mma; S read as bf16 from shared
//                                          memory, Q ∘ exp2(G_i) rounded to
//                                          bf16 in registers)
//     o  = bf16(scale · O)
//     S  = exp2(G_last) · S + K̃ᵀ V       (mma, fp32 accumulators), with
//          K̃_j = K_j · exp2(G_last − G_j) scaled in the fragment registers
//   S (bf16) → shared memory for the next chunk's Q S.
//
// Mamba2 SSD adds dt, which scales column j of M (the key of token j): with
// it, A_ij and K̃_j above are multiplied by dt_j as well (both in fp32, before
// the rounding to bf16). dt travels with Q, K and V (4-byte cp.async into
// two stages of its own, zeros past T). A diagonal term D (one weight per
// value head, kept in shared memory) adds D_h · v_i to row i of the output
// before its rounding: o = bf16(scale · O + D_h · v), v from the chunk's V
// tile in shared memory.
//
// Q, K and V reach shared memory through cp.async (16 bytes per thread and
// copy, zero-filled past T), two stages deep: the copies of chunk c + 1 are
// issued before chunk c is computed, so that their latency hides behind the
// products. The gates of chunk c + 1 are loaded into registers one chunk
// ahead as well. Tiles stay row-major as in memory, padded by 16 bytes a row
// (which makes ldmatrix free of bank conflicts); the mma operands are read
// with ldmatrix (x4), transposing where the reduction dimension is the
// tile's row (Q S, A V, K̃ᵀ V).
//
// Fragment layouts of mma.sync.m16n8k16 (lane = 4·gid + tig):
//   A (16×16, row): {(gid, 2tig..+1), (gid+8, 2tig..+1), (gid, 2tig+8..+9),
//                    (gid+8, 2tig+8..+9)}, each an i32 of two bf16, the lower
//                    column in the low half;
//   B (16×8, col):  {(2tig..+1, gid), (2tig+8..+9, gid)};
//   C (16×8, f32):  {(gid, 2tig), (gid, 2tig+1), (gid+8, 2tig),
//                    (gid+8, 2tig+1)}.
// The accumulators of two adjacent n-tiles of A are exactly the A operand of
// the next product, so A never leaves the registers.
//
// Synchronisation per chunk: wait for this thread's copies of chunk c and a
// barrier (the chunk and the state written at the end of the previous one
// become visible); the products; a barrier (every warp is done reading S and
// the stage of chunk c, which the next copies overwrite); S written back.
//
// With `wgmma` (sm_90a) the four warps are one warpgroup and the products are
// wgmma.mma_async m64n64k16 in three commit groups: Q Kᵀ and Q S (operands in
// shared memory); S += Kᵀ Ṽ (both in shared memory, Kᵀ and Ṽ read
// transposed), where Ṽ is V with row j scaled by exp2(G_last − G_j) · dt_j,
// written while the first group runs; O += A V with A from registers. The
// rows of Q S are scaled by exp2(G_i) in the accumulators. Tiles are stored
// in the 128-byte swizzle and read through descriptors; the accumulator
// layout is that of mma.sync's C fragments, so the mask, the output and the
// state handling are shared with the mma.sync kernel.
//
//===----------------------------------------------------------------------===//

#include "ChunkedKernel.h"
#include "KernelCommon.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include "llvm/ADT/bit.h"
#include "llvm/Support/FormatVariadic.h"

#include <array>
#include <cmath>
#include <optional>

using namespace mlir;
using namespace mlir::seqmix;

namespace {
constexpr int64_t kChunk = ChunkedKernelSpec::kChunk;
constexpr int64_t kTileV = ChunkedKernelSpec::kTileV;
constexpr int64_t kThreads = ChunkedKernelSpec::kThreads;
constexpr int64_t kWarps = kThreads / 32;
/// Padding of shared rows, in bf16 elements (16 bytes).
constexpr int64_t kPad = 8;
/// n-tiles of 8 columns in a 64-wide tile.
constexpr int64_t kNTiles = 8;
constexpr double kLog2E = 1.4426950408889634;

/// Shared-memory layout, in bytes from the start of the dynamic buffer: two
/// stages of (Q, K, V), then S and G, then (with dt) two stages of dt, then
/// (with a skip term) D of the head.
///
/// For mma.sync the tiles are row-major, each row padded by 16 bytes. For
/// wgmma they are 128-byte swizzled: rows of 64 bf16 (128 bytes), 16-byte
/// chunk c of row r stored at chunk c ^ (r % 8); Q and K of K = 128 are two
/// panels of 64 columns, one after the other. Every tile then starts at a
/// multiple of 1024 bytes from the start of the layout, which the kernel
/// aligns to 1024 bytes at run time (hence 1024 bytes of slack).
struct SharedLayout {
  int64_t keyDim;
  bool hasDt;
  bool hasSkip;
  /// No Q stages and no S (the state-only variant).
  bool stateOnly;
  bool wgmma;
  bool decays;
  /// A 16-byte slot for the CTA's ticket (the chained segments carry).
  bool chained;
  /// Two mbarriers (8 bytes each), one per stage, for the TMA loads.
  bool tma;
  int64_t pad() const { return wgmma ? 0 : kPad; }
  /// The shapes of the shared views of Q and K, and of V and S.
  SmallVector<int64_t, 2> qkShape() const {
    if (wgmma)
      return {kChunk * keyDim / 64, 64};
    return {kChunk, keyDim + kPad};
  }
  SmallVector<int64_t, 2> vShape() const { return {kChunk, kTileV + pad()}; }
  SmallVector<int64_t, 2> sShape() const { return {keyDim, kTileV + pad()}; }
  int64_t qkBytes() const { return qkShape()[0] * qkShape()[1] * 2; }
  int64_t vBytes() const { return kChunk * (kTileV + pad()) * 2; }
  int64_t qBytes() const { return stateOnly ? 0 : qkBytes(); }
  int64_t stageBytes() const { return qBytes() + qkBytes() + vBytes(); }
  int64_t qOffset() const { return 0; }
  int64_t kOffset() const { return qBytes(); }
  int64_t vOffset() const { return qBytes() + qkBytes(); }
  int64_t sOffset() const { return 2 * stageBytes(); }
  int64_t sBytes() const {
    return stateOnly ? 0 : keyDim * (kTileV + pad()) * 2;
  }
  /// wgmma with decays or dt: Ṽ, the chunk's V with row j scaled by
  /// exp2(G_last − G_j) · dt_j (the B operand of S += Kᵀ Ṽ).
  bool hasScaledV() const { return wgmma && (decays || hasDt); }
  int64_t scaledVOffset() const { return sOffset() + sBytes(); }
  int64_t gOffset() const {
    return scaledVOffset() + (hasScaledV() ? vBytes() : 0);
  }
  /// dt of the chunk in stage 0 (f32); stage 1 follows it.
  int64_t dtOffset() const { return gOffset() + kChunk * 4; }
  static int64_t dtBytes() { return kChunk * 4; }
  int64_t skipOffset() const {
    return dtOffset() + (hasDt ? 2 * dtBytes() : 0);
  }
  int64_t ticketOffset() const { return skipOffset() + (hasSkip ? 16 : 0); }
  int64_t barrierOffset() const { return ticketOffset() + (chained ? 16 : 0); }
  int64_t size() const {
    return barrierOffset() + (tma ? 16 : 0) + (wgmma ? 1024 : 0);
  }
};

using Acc = std::array<Value, 4>;

/// Builds the kernel body.
class KernelEmitter : ScalarBuilder, CtaPlacement {
public:
  KernelEmitter(OpBuilder &b, Location loc, const ChunkedKernelSpec &spec)
      : ScalarBuilder(b, loc),
        spec(spec), layout{spec.keyDim,  spec.hasDt,
                           spec.hasSkip, spec.stateOnly,
                           spec.wgmma,   spec.decay != DecayKind::None,
                           spec.chained, spec.tma},
        outputs(!spec.stateOnly) {
    MLIRContext *ctx = b.getContext();
    i32 = b.getI32Type();
    f32 = b.getF32Type();
    bf16 = b.getBF16Type();
    workgroup = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
    accType = LLVM::LLVMStructType::getLiteral(ctx, {f32, f32, f32, f32});
  }

  void emit(gpu::GPUFuncOp func);

private:
  //===--- The kernel's parts --------------------------------------------===//
  /// The dynamic shared buffer and (wgmma) its alignment.
  void setUpSharedMemory();
  /// The initial state's fragments (zero without one).
  SmallVector<Acc> loadInitialState();
  struct LoopResult {
    SmallVector<Acc> state;
    /// With sumDecays: the log2 of the state's decay over all chunks.
    Value log2Decay;
  };
  /// The prologue, the walk over the chunks from state `initial`, and the
  /// wait for the last copies.
  LoopResult emitChunkLoop(ArrayRef<Acc> initial, bool sumDecays);
  /// The chained carry (ChunkedKernelSpec::chained): the ticket and the CTA
  /// coordinates it names, the address of an element of a global buffer,
  /// and phase A with the exchange of prefix states; returns this segment's
  /// prefix.
  Value ticketSlot();
  CtaCoordinates coordinatesOfTicket(Value ticket);
  CtaCoordinates takeTicket();
  Value globalAddress(Value mem, Value elementOffset, int64_t elementBytes);
  SmallVector<Acc> emitChainedCarry(Value segment, Value unitFlag);

  //===--- Scalars -------------------------------------------------------===//
  Value extract(Value vector, int64_t i) {
    return vector::ExtractOp::create(b, loc, vector, ArrayRef<int64_t>{i});
  }
  /// Two f32 rounded to bf16 and packed into an i32, `lo` in the low half.
  Value packBF16(Value lo, Value hi) {
    Value pair = NVVM::ConvertF32x2ToBF16x2Op::create(
        b, loc, VectorType::get({2}, bf16), hi, lo, Value(),
        NVVM::FPRoundingModeAttr::get(b.getContext(),
                                      NVVM::FPRoundingMode::RN));
    return extract(
        vector::BitCastOp::create(b, loc, VectorType::get({1}, i32), pair), 0);
  }
  /// The two bf16 of a packed i32 scaled by two f32 and packed again.
  Value scalePacked(Value word, Value lo, Value hi) {
    Value pair = vector::BitCastOp::create(
        b, loc, VectorType::get({2}, bf16),
        vector::FromElementsOp::create(b, loc, VectorType::get({1}, i32),
                                       ValueRange{word}));
    Value wide = arith::ExtFOp::create(b, loc, VectorType::get({2}, f32), pair);
    return packBF16(fmul(extract(wide, 0), lo), fmul(extract(wide, 1), hi));
  }

  Value readSpecialRegister(StringRef name) {
    return seqmix::readSpecialRegister(b, loc, name);
  }
  /// Whether the chunk loop reads %tid.x afresh in each chunk for its own
  /// sake (besides dt, D and the chained carry, which need it).
  bool rereadsThreadIds() const {
    return spec.wgmma && spec.keyDim == 128 && spec.decay != DecayKind::Scalar;
  }
  /// tid, lane, warp, gid and tig from a fresh read of %tid.x.
  void readThreadCoordinates() {
    tid = readSpecialRegister("tid.x");
    lane = rem(tid, 32);
    warp = div(tid, 32);
    gid = div(lane, 4);
    tig = rem(lane, 4);
  }
  /// Computes the thread and block coordinates and the state's base offset
  /// afresh, so that nothing of their first computation stays live through
  /// the chunk loop to be used after it (ptxas would spill it).
  void recomputeStateCoordinates() {
    readThreadCoordinates();
    Value tile = readSpecialRegister("ctaid.x");
    Value valueHead = readSpecialRegister("ctaid.y");
    Value sequence = readSpecialRegister("ctaid.z");
    stateBase =
        emitStateOffset(b, loc, spec, tile, valueHead, sequence, kTileV);
  }

  //===--- Memory --------------------------------------------------------===//
  Value load(Value mem, ValueRange indices) {
    return memref::LoadOp::create(b, loc, mem, indices);
  }
  Value vload(VectorType type, Value mem, ValueRange indices,
              uint64_t alignment) {
    return vector::LoadOp::create(b, loc, type, mem, indices,
                                  /*nontemporal=*/false,
                                  llvm::MaybeAlign(alignment));
  }
  void vstore(Value value, Value mem, ValueRange indices, uint64_t alignment) {
    vector::StoreOp::create(b, loc, value, mem, indices,
                            /*nontemporal=*/false, llvm::MaybeAlign(alignment));
  }
  Value sharedView(Value offset, ArrayRef<int64_t> shape, Type element) {
    auto type =
        MemRefType::get(shape, element, MemRefLayoutAttrInterface(), workgroup);
    if (alignPad)
      offset = add(offset, alignPad);
    return memref::ViewOp::create(b, loc, type, dynamicShared, offset,
                                  ValueRange{});
  }
  /// The indices into a shared tile view of element (row, col) of the tile
  /// (col < K for Q and K, < 64 for V and S): the same for mma.sync; for
  /// wgmma, the panel of col / 64 and the swizzled chunk of col % 64.
  SmallVector<Value, 2> tileIndex(Value row, Value col) {
    if (!spec.wgmma)
      return {row, col};
    Value inPanel = rem(col, 64);
    Value chunk = arith::XOrIOp::create(b, loc, div(inPanel, 8), rem(row, 8));
    return {add(row, mul(div(col, 64), 64)),
            add(mul(chunk, 8), rem(inPanel, 8))};
  }
  /// ldmatrix.x4 (transposed or not) at element (row, col) of a tile: four
  /// i32 of bf16 pairs.
  std::array<Value, 4> ldmatrix(Value mem, Value row, Value col,
                                bool transpose) {
    Value tiles =
        nvgpu::LdMatrixOp::create(b, loc, VectorType::get({4, 2}, bf16), mem,
                                  tileIndex(row, col), transpose, 4);
    std::array<Value, 4> words;
    for (int64_t i = 0; i < 4; ++i) {
      Value pair =
          vector::ExtractOp::create(b, loc, tiles, ArrayRef<int64_t>{i});
      words[i] = extract(
          vector::BitCastOp::create(b, loc, VectorType::get({1}, i32), pair),
          0);
    }
    return words;
  }
  /// Copies 8 bf16 from `src[srcIndex]` to `dst[row, col]` with cp.async,
  /// or zeros when `valid` is false.
  void copy16(Value dst, Value row, Value col, Value src, Value srcIndex,
              Value valid) {
    Value count = select(valid, idx(8), idx(0));
    nvgpu::DeviceAsyncCopyOp::create(
        b, loc, nvgpu::DeviceAsyncTokenType::get(b.getContext()), dst,
        tileIndex(row, col), src, ValueRange{srcIndex}, b.getIndexAttr(8),
        count, b.getUnitAttr());
  }

  //===--- Tensor cores --------------------------------------------------===//
  Acc zeroAcc() {
    Value z = f32c(0.0);
    return {z, z, z, z};
  }
  /// D = A B + C with mma.sync.m16n8k16.row.col.f32.bf16.bf16.f32.
  Acc mma(ArrayRef<Value> a, ArrayRef<Value> bOp, const Acc &c) {
    Value d = NVVM::MmaOp::create(
        b, loc, accType, a, bOp, ValueRange(c), ArrayRef<int64_t>{16, 8, 16},
        std::nullopt, std::nullopt,
        std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16,
                                      NVVM::MMATypes::bf16},
        std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                       NVVM::MMALayout::col});
    Acc r;
    for (int64_t i = 0; i < 4; ++i)
      r[i] = LLVM::ExtractValueOp::create(b, loc, d, ArrayRef<int64_t>{i});
    return r;
  }

  //===--- Pieces of the kernel ------------------------------------------===//
  /// The views of Q, K, V (and dt) of the stage that holds chunk `chunk`.
  struct Stage {
    Value q, k, v, dt;
    /// The byte offset of the stage in the layout.
    Value offset;
  };
  Stage stageOf(Value chunk);
  /// Issues the copies of chunk `chunk` into its stage.
  void issueCopies(Value chunk);
  /// Whether the chunk loop issues cp.async copies (and so commits and
  /// waits for their groups): all but the TMA kernels without dt.
  bool usesCpAsync() const { return !spec.tma || spec.hasDt; }
  //===--- TMA (spec.tma) ------------------------------------------------===//
  /// The 32-bit shared-space address of byte `offset` of the layout.
  Value sharedAddress(Value offset);
  /// The mbarrier of the stage that holds chunk `chunk`.
  Value stageBarrier(Value chunk);
  /// Thread 0 initialises the two stages' mbarriers; a barrier follows.
  void initStageBarriers();
  /// Thread 0 issues the TMA loads of chunk `chunk` (Q unless state-only, K,
  /// V) into its stage, completing on the stage's mbarrier.
  void issueTensorLoads(Value chunk);
  /// Waits for the TMA loads of chunk `chunk`; in a chunk that ends past
  /// the sequence, zeros the rows of K and V past it (TMA fills zeros only
  /// past the tensor's last row, and the next sequence or segment follows).
  void waitTensorLoads(Value chunk);
  /// The natural-log gates of the tokens 2·lane and 2·lane + 1 of `chunk`
  /// (zero past T).
  std::array<Value, 2> loadGates(Value chunk);
  /// The cumulative gates of the chunk, into shared memory (warp 0).
  void publishCumulativeGates(std::array<Value, 2> g);
  void computeChunk(Value t0, const Stage &stage, SmallVectorImpl<Acc> &state);
  /// The same step with wgmma.
  void computeChunkWgmma(Value t0, const Stage &stage,
                         SmallVectorImpl<Acc> &state);
  /// Pieces of both: the scores scaled by the decays (and dt) and masked,
  /// returned as bf16 A fragments; S ← exp2(G_last) S; the factors
  /// exp2(G_last − G_j) · dt_j of the keys of k-step kk (none without decay
  /// and dt); the A fragment of K̃ᵀ for k-step kk and m-tile mt; the output
  /// rows.
  SmallVector<std::array<Value, 4>> maskScores(SmallVectorImpl<Acc> &scores,
                                               const Stage &stage, Value rowLo,
                                               Value rowHi, Value gLo,
                                               Value gHi);
  void decayState(SmallVectorImpl<Acc> &state, Value gLast);
  std::optional<std::array<Value, 4>> keyScales(int64_t kk, const Stage &stage,
                                                Value gLast);
  std::array<Value, 4> scaledKeysT(const Stage &stage, int64_t kk, int64_t mt,
                                   ArrayRef<Value> scales);
  void writeOutputs(Value t0, const Stage &stage, ArrayRef<Acc> outAcc,
                    Value rowLo, Value rowHi);
  //===--- wgmma ---------------------------------------------------------===//
  /// The shared-memory descriptor of a 128-byte-swizzled tile at
  /// `byteOffset` in the layout, K-major or MN-major.
  Value descriptor(Value byteOffset, bool mnMajor);
  /// A descriptor moved on by `bytes` (a multiple of 16).
  Value advance(Value desc, int64_t bytes);
  /// acc = A B (+ acc) over 64×64×16: A from `descA` or, without it, from
  /// `aRegs`; B from `descB`, transposed (MN-major) or not.
  SmallVector<Acc> wgmma(ArrayRef<Acc> acc, Value descA, ArrayRef<Value> aRegs,
                         Value descB, bool transposeB, bool accumulate,
                         bool transposeA = false);
  /// Ṽ of the chunk into shared memory (see SharedLayout::hasScaledV).
  void writeScaledV(const Stage &stage, Value gLast);
  /// An inline asm statement with side effects.
  LLVM::InlineAsmOp inlineAsm(Type result, ValueRange operands, StringRef ptx,
                              StringRef constraints);
  /// An asm statement that reads and writes the 32 accumulators of a 64×64
  /// tile (tied operands $0-$31), with `extra` operands from $64.
  SmallVector<Acc> accumulatorAsm(ArrayRef<Acc> acc, StringRef ptx,
                                  ValueRange extra, StringRef extraConstraints);
  /// Orders the reads of accumulators after the last wgmma wait.
  void fenceAccumulators(MutableArrayRef<Acc> acc);
  /// A PTX statement with side effects and a memory clobber.
  void inlinePtx(StringRef ptx);
  void writeStateToShared(ArrayRef<Acc> state);
  /// The global offset of the state element (d, 2·tig) of n-tile n.
  Value stateOffset(Value d, int64_t n);
  /// Calls `fn(i, half, offset)` for each pair of state elements the thread
  /// holds: elements 2·half and 2·half + 1 of accumulator i, at `offset` in
  /// a [N, Hv, K, V] state buffer (init, final, carry).
  void forEachStatePair(llvm::function_ref<void(size_t, int64_t, Value)> fn) {
    for (int64_t mt = 0; mt < spec.keyDim / 64; ++mt) {
      Value d0 = add(stateRow(mt), gid);
      for (int64_t n = 0; n < kNTiles; ++n)
        for (int64_t half = 0; half < 2; ++half)
          fn(mt * kNTiles + n, half, stateOffset(add(d0, 8 * half), n));
    }
  }
  /// The chained carry's segment z = n·nseg + s (`cta.sequence`) of
  /// sequence n: sets stateBase to the slice of n and returns (n, s).
  std::pair<Value, Value> splitSegment(const CtaCoordinates &cta) {
    Value n = arith::DivUIOp::create(b, loc, cta.sequence, args.nseg);
    Value s = arith::RemUIOp::create(b, loc, cta.sequence, args.nseg);
    stateBase = emitStateOffset(b, loc, spec, cta.vTile, cta.head, n, kTileV);
    return {n, s};
  }
  /// The first state row of m-tile `mt` of this warp.
  /// (wgmma: warp w holds rows [16w, 16w + 16) of each 64-row m-tile.)
  Value stateRow(int64_t mt) {
    if (spec.wgmma)
      return add(mul(warp, 16), 64 * mt);
    return add(mul(warp, spec.keyDim / kWarps), 16 * mt);
  }

  const ChunkedKernelSpec &spec;
  SharedLayout layout;
  /// The chunk loop being emitted computes outputs (false in a state-only
  /// kernel and in the chained carry's phase A).
  bool outputs;
  Type i32, f32, bf16;
  Attribute workgroup;
  Type accType;

  // Arguments.
  ChunkedKernelArgs args;
  // Thread coordinates (index); the CTA's (and its sequence's length and
  // slice offsets) are CtaPlacement's.
  Value tid, lane, warp, gid, tig;
  // Shared memory: the dynamic buffer, the bytes from its start to the
  // layout's start (aligned to 1024 for wgmma, else none), the shared-space
  // address of the layout's start (wgmma); S and G.
  Value dynamicShared, alignPad, layoutAddress, ss, gs;
  // log γ of this head (static decay).
  Value logGamma;
  // D of this head in shared memory (with hasSkip).
  Value skipShared;
};
} // namespace

//===----------------------------------------------------------------------===//
// ChunkedKernelSpec
//===----------------------------------------------------------------------===//

int64_t ChunkedKernelSpec::getTileV() const {
  return f32Inputs ? getF32TileV(*this) : kTileV;
}

int64_t ChunkedKernelSpec::getThreads() const {
  return f32Inputs ? getF32Threads(*this) : kThreads;
}

std::string ChunkedKernelSpec::getName() const {
  std::string name =
      llvm::formatv("chunked_{0}_{1}_k{2}_v{3}_h{4}x{5}{6}{7}{8}{9}{10}{11}",
                    f32Inputs ? "ffma" : "additive", stringifyDecayKind(decay),
                    keyDim, valueDim, qkHeads, valueHeads, hasDt ? "_dt" : "",
                    hasSkip ? "_skip" : "", hasInit ? "_init" : "",
                    hasFinal ? "_final" : "", seqlensBits ? "_seqlens" : "",
                    seqlensBits ? std::to_string(seqlensBits) : std::string());
  if (scale != 1.0 / std::sqrt(static_cast<double>(keyDim)))
    name +=
        llvm::formatv("_scale{0:x-}", llvm::bit_cast<uint64_t>(scale)).str();
  if (stateOnly)
    name += "_stateonly";
  if (chained)
    name += "_chained";
  if (wgmma)
    name += "_wgmma";
  if (tma)
    name += "_tma";
  return name;
}

int64_t ChunkedKernelSpec::getSharedMemoryBytes() const {
  return f32Inputs ? getF32SharedMemoryBytes(*this)
                   : SharedLayout{keyDim,    hasDt, hasSkip,
                                  stateOnly, wgmma, decay != DecayKind::None,
                                  chained,   tma}
                         .size();
}

std::optional<std::string> ChunkedKernelSpec::checkSupported() const {
  if (decay != DecayKind::None && decay != DecayKind::Static &&
      decay != DecayKind::Scalar)
    return std::string("the decay must be none, static or scalar");
  if (keyDim != 64 && keyDim != 128)
    return llvm::formatv("K must be 64 or 128, not {0}", keyDim).str();
  if (valueDim <= 0 || valueDim % getTileV() != 0)
    return llvm::formatv("V must be a multiple of {0}, not {1}", getTileV(),
                         valueDim)
        .str();
  if (qkHeads <= 0 || valueHeads % qkHeads != 0)
    return std::string("the value heads must be a multiple of the q/k heads");
  if (seqlensBits != 0 && seqlensBits != 32 && seqlensBits != 64)
    return std::string("seqlens must be i32 or i64");
  if (f32Inputs)
    return checkF32Supported(*this);
  if (wgmma && f32Inputs)
    return std::string("wgmma needs bf16 inputs");
  if (stateOnly && (f32Inputs || !hasFinal))
    return std::string("a state-only kernel needs bf16 inputs and a final "
                       "state");
  if (tma && (!wgmma || chained))
    return std::string("TMA loads need the wgmma kernel, not chained");
  if (chained && (stateOnly || seqlensBits != 32))
    return std::string("a chained segments kernel needs the segments' 32-bit "
                       "offsets and outputs");
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// KernelEmitter
//===----------------------------------------------------------------------===//

KernelEmitter::Stage KernelEmitter::stageOf(Value chunk) {
  Value base = mul(rem(chunk, 2), layout.stageBytes());
  Stage stage{sharedView(add(base, layout.qOffset()), layout.qkShape(), bf16),
              sharedView(add(base, layout.kOffset()), layout.qkShape(), bf16),
              sharedView(add(base, layout.vOffset()), layout.vShape(), bf16),
              Value(), base};
  if (spec.hasDt)
    stage.dt = sharedView(
        add(mul(rem(chunk, 2), SharedLayout::dtBytes()), layout.dtOffset()),
        {kChunk}, f32);
  return stage;
}

Value KernelEmitter::sharedAddress(Value offset) {
  return arith::IndexCastUIOp::create(b, loc, i32, add(layoutAddress, offset));
}

Value KernelEmitter::stageBarrier(Value chunk) {
  return sharedAddress(add(mul(rem(chunk, 2), 8), layout.barrierOffset()));
}

void KernelEmitter::initStageBarriers() {
  {
    auto ifOp = scf::IfOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, idx(0)),
        /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    for (int64_t stage = 0; stage < 2; ++stage)
      inlineAsm(Type(), ValueRange{stageBarrier(idx(stage))},
                "mbarrier.init.shared::cta.b64 [$0], 1;", "r,~{memory}");
    inlinePtx("fence.mbarrier_init.release.cluster;");
  }
  gpu::BarrierOp::create(b, loc);
}

void KernelEmitter::issueTensorLoads(Value chunk) {
  auto ifOp = scf::IfOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, idx(0)),
      /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  Stage stage = stageOf(chunk);
  Value barrier = stageBarrier(chunk);
  auto asI32 = [&](Value x) -> Value {
    return arith::IndexCastUIOp::create(b, loc, i32, x);
  };
  int64_t panels = spec.keyDim / 64;
  int64_t bytes =
      (outputs ? 2 : 1) * kChunk * spec.keyDim * 2 + kChunk * kTileV * 2;
  inlineAsm(Type(), ValueRange{barrier, asI32(idx(bytes))},
            "mbarrier.arrive.expect_tx.shared::cta.b64 _, [$0], $1;",
            "r,r,~{memory}");
  // The CTA's coordinates afresh from the special registers (kept through
  // the chunk loop, they make ptxas spill at K = 128).
  CtaCoordinates cta{readSpecialRegister("ctaid.x"),
                     readSpecialRegister("ctaid.y"),
                     readSpecialRegister("ctaid.z"), Value()};
  cta.qkHead = div(cta.head, spec.valueHeads / spec.qkHeads);
  Value first = emitSequenceTokens(b, loc, spec, args, cta.sequence).first;
  Value row = asI32(add(first, mul(chunk, kChunk)));
  // A box of 64 columns of one head by 64 rows at (column, head, row).
  auto load = [&](Value offset, Value map, Value column, Value head) {
    inlineAsm(Type(),
              ValueRange{sharedAddress(offset), map, asI32(column), asI32(head),
                         row, barrier},
              "cp.async.bulk.tensor.3d.shared::cluster.global.tile.mbarrier::"
              "complete_tx::bytes [$0], [$1, {$2, $3, $4}], [$5];",
              "r,l,r,r,r,r,~{memory}");
  };
  for (int64_t p = 0; p < panels; ++p) {
    if (outputs)
      load(add(stage.offset, layout.qOffset() + p * kChunk * 128), args.qMap,
           idx(p * 64), cta.qkHead);
    load(add(stage.offset, layout.kOffset() + p * kChunk * 128), args.kMap,
         idx(p * 64), cta.qkHead);
  }
  // V's column is the CTA's V tile's first.
  load(add(stage.offset, layout.vOffset()), args.vMap, mul(cta.vTile, kTileV),
       cta.head);
}

void KernelEmitter::waitTensorLoads(Value chunk) {
  Value parity =
      arith::IndexCastUIOp::create(b, loc, i32, rem(div(chunk, 2), 2));
  inlineAsm(Type(), ValueRange{stageBarrier(chunk), parity},
            "{\n.reg .pred done;\nseqmix_wait:\n"
            "mbarrier.try_wait.parity.shared::cta.b64 done, [$0], $1;\n"
            "@!done bra seqmix_wait;\n}",
            "r,r,~{memory}");
  Value t0 = mul(chunk, kChunk);
  auto ifOp = scf::IfOp::create(b, loc, ult(seqLen, add(t0, kChunk)),
                                /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  // Rows of K (K / 64 panels of 128 bytes) and V (128 bytes) as 16-byte
  // pieces; a whole row is zeroed, so the swizzle does not matter.
  Stage stage = stageOf(chunk);
  int64_t panels = spec.keyDim / 64;
  int64_t pieces = (panels + 1) * 8;
  Value valid = arith::SubIOp::create(b, loc, seqLen, t0);
  Value zeros = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(VectorType::get({8}, bf16), b.getZeroAttr(bf16)));
  for (int64_t i = 0; i < kChunk * pieces / kThreads; ++i) {
    Value e = add(tid, i * kThreads);
    Value r = div(e, pieces);
    Value piece = rem(e, pieces);
    auto past = scf::IfOp::create(b, loc, ule(valid, r),
                                  /*withElseRegion=*/false);
    OpBuilder::InsertionGuard pastGuard(b);
    b.setInsertionPointToStart(past.thenBlock());
    Value panel = div(piece, 8), col = mul(rem(piece, 8), 8);
    auto inV = scf::IfOp::create(b, loc, ult(panel, idx(panels)),
                                 /*withElseRegion=*/true);
    b.setInsertionPointToStart(inV.thenBlock());
    vstore(zeros, stage.k, {add(mul(panel, kChunk), r), col}, 16);
    b.setInsertionPointToStart(inV.elseBlock());
    vstore(zeros, stage.v, {r, col}, 16);
  }
}

void KernelEmitter::issueCopies(Value chunk) {
  Stage stage = stageOf(chunk);
  Value t0 = mul(chunk, kChunk);
  // Rows of `pieces` pieces of 16 bytes; consecutive threads take consecutive
  // pieces of a row, and the passes of the CTA over the tile are
  // kThreads / pieces rows apart (so that the addresses of a thread's copies
  // differ by constants).
  auto copyTile = [&](Value dst, Value src, Value base, int64_t pieces,
                      int64_t tokenStride) {
    Value row0 = div(tid, pieces);
    Value col = mul(rem(tid, pieces), 8);
    int64_t rowsPerPass = kThreads / pieces;
    for (int64_t pass = 0; pass < kChunk / rowsPerPass; ++pass) {
      Value row = add(row0, pass * rowsPerPass);
      Value token = add(t0, row);
      Value clamped = arith::MinUIOp::create(b, loc, token, lastToken);
      copy16(dst, row, col, src, add(add(base, mul(clamped, tokenStride)), col),
             ult(token, seqLen));
    }
  };
  int64_t qkStride = spec.qkHeads * spec.keyDim;
  if (spec.tma) {
    issueTensorLoads(chunk);
  } else {
    if (outputs)
      copyTile(stage.q, args.q, qkBase, spec.keyDim / 8, qkStride);
    copyTile(stage.k, args.k, qkBase, spec.keyDim / 8, qkStride);
    copyTile(stage.v, args.v, vBase, kTileV / 8,
             spec.valueHeads * spec.valueDim);
  }
  if (!spec.hasDt)
    return;
  // dt of token t0 + tid (f32, strided by Hv in memory) by the first kChunk
  // threads, 4 bytes each (cp.async.ca); zeros past T.
  auto ifOp = scf::IfOp::create(b, loc, ult(tid, idx(kChunk)),
                                /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  Value token = add(t0, tid);
  Value clamped = arith::MinUIOp::create(b, loc, token, lastToken);
  Value count = select(ult(token, seqLen), idx(1), idx(0));
  nvgpu::DeviceAsyncCopyOp::create(
      b, loc, nvgpu::DeviceAsyncTokenType::get(b.getContext()), stage.dt,
      ValueRange{tid}, args.dt,
      ValueRange{add(gateBase, mul(clamped, spec.valueHeads))},
      b.getIndexAttr(1), count, /*bypassL1=*/UnitAttr());
}

std::array<Value, 2> KernelEmitter::loadGates(Value chunk) {
  Value t0 = mul(chunk, kChunk);
  std::array<Value, 2> g;
  for (int64_t i = 0; i < 2; ++i) {
    Value token = add(add(t0, mul(lane, 2)), i);
    Value valid = ult(token, seqLen);
    Value x = logGamma;
    if (spec.decay == DecayKind::Scalar) {
      Value clamped = arith::MinUIOp::create(b, loc, token, lastToken);
      x = load(args.gate, {add(gateBase, mul(clamped, spec.valueHeads))});
    }
    g[i] = select(valid, x, f32c(0.0));
  }
  return g;
}

void KernelEmitter::publishCumulativeGates(std::array<Value, 2> g) {
  // An inclusive scan of the lanes' pair sums with shuffles.
  Value incl = fadd(g[0], g[1]);
  for (int32_t offset = 1; offset < 32; offset *= 2) {
    auto shfl =
        gpu::ShuffleOp::create(b, loc, incl, offset, 32, gpu::ShuffleMode::UP);
    incl = select(shfl.getValid(), fadd(incl, shfl.getShuffleResult()), incl);
  }
  auto prev = gpu::ShuffleOp::create(b, loc, incl, 1, 32, gpu::ShuffleMode::UP);
  Value excl = select(prev.getValid(), prev.getShuffleResult(), f32c(0.0));
  Value log2e = f32c(kLog2E);
  Value pair = vector::FromElementsOp::create(
      b, loc, VectorType::get({2}, f32),
      ValueRange{fmul(fadd(excl, g[0]), log2e), fmul(incl, log2e)});
  auto isWarp0 =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, warp, idx(0));
  auto ifOp = scf::IfOp::create(b, loc, isWarp0, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  vstore(pair, gs, {mul(lane, 2)}, 8);
}

Value KernelEmitter::stateOffset(Value d, int64_t n) {
  return add(add(stateBase, mul(d, spec.valueDim)), add(mul(tig, 2), 8 * n));
}

void KernelEmitter::writeStateToShared(ArrayRef<Acc> state) {
  // S[d][v] in bf16, two columns per store.
  auto pairType = VectorType::get({2}, bf16);
  for (int64_t mt = 0; mt < spec.keyDim / 64; ++mt) {
    Value d0 = add(stateRow(mt), gid);
    for (int64_t n = 0; n < kNTiles; ++n) {
      const Acc &acc = state[mt * kNTiles + n];
      Value col = add(mul(tig, 2), 8 * n);
      for (int64_t half = 0; half < 2; ++half) {
        Value word = packBF16(acc[2 * half], acc[2 * half + 1]);
        Value pair = vector::BitCastOp::create(
            b, loc, pairType,
            vector::FromElementsOp::create(b, loc, VectorType::get({1}, i32),
                                           ValueRange{word}));
        vstore(pair, ss, tileIndex(add(d0, 8 * half), col), 4);
      }
    }
  }
}

SmallVector<std::array<Value, 4>>
KernelEmitter::maskScores(SmallVectorImpl<Acc> &scores, const Stage &stage,
                          Value rowLo, Value rowHi, Value gLo, Value gHi) {
  bool decays = spec.decay != DecayKind::None;
  Value zero = f32c(0.0);
  for (int64_t n = 0; n < kNTiles; ++n) {
    Value col0 = add(mul(tig, 2), 8 * n);
    Value gj[2], dtj[2];
    if (decays) {
      Value pair = vload(VectorType::get({2}, f32), gs, {col0}, 8);
      gj[0] = extract(pair, 0);
      gj[1] = extract(pair, 1);
    }
    if (spec.hasDt) {
      Value pair = vload(VectorType::get({2}, f32), stage.dt, {col0}, 8);
      dtj[0] = extract(pair, 0);
      dtj[1] = extract(pair, 1);
    }
    for (int64_t i = 0; i < 4; ++i) {
      Value col = add(col0, i % 2);
      Value row = i < 2 ? rowLo : rowHi;
      Value x = scores[n][i];
      // A_ij · exp2(G_i − G_j) · dt_j.
      Value factor;
      if (decays)
        factor = exp2(fsub(i < 2 ? gLo : gHi, gj[i % 2]));
      if (spec.hasDt)
        factor = factor ? fmul(factor, dtj[i % 2]) : dtj[i % 2];
      if (factor)
        x = fmul(x, factor);
      scores[n][i] = select(ule(col, row), x, zero);
    }
  }
  // A as the A operand of the next products, in bf16.
  SmallVector<std::array<Value, 4>> aFrag;
  for (int64_t kk = 0; kk < kChunk / 16; ++kk) {
    const Acc &lo = scores[2 * kk], &hi = scores[2 * kk + 1];
    aFrag.push_back({packBF16(lo[0], lo[1]), packBF16(lo[2], lo[3]),
                     packBF16(hi[0], hi[1]), packBF16(hi[2], hi[3])});
  }
  return aFrag;
}

void KernelEmitter::decayState(SmallVectorImpl<Acc> &state, Value gLast) {
  if (spec.decay == DecayKind::None)
    return;
  Value decay = exp2(gLast);
  for (Acc &acc : state)
    for (Value &x : acc)
      x = fmul(x, decay);
}

std::optional<std::array<Value, 4>>
KernelEmitter::keyScales(int64_t kk, const Stage &stage, Value gLast) {
  bool decays = spec.decay != DecayKind::None;
  if (!decays && !spec.hasDt)
    return std::nullopt;
  std::array<Value, 4> f;
  for (int64_t half = 0; half < 2; ++half) {
    Value token = add(mul(tig, 2), 16 * kk + 8 * half);
    if (decays) {
      Value pair = vload(VectorType::get({2}, f32), gs, {token}, 8);
      f[2 * half] = exp2(fsub(gLast, extract(pair, 0)));
      f[2 * half + 1] = exp2(fsub(gLast, extract(pair, 1)));
    }
    if (spec.hasDt) {
      Value pair = vload(VectorType::get({2}, f32), stage.dt, {token}, 8);
      for (int64_t i = 0; i < 2; ++i) {
        Value d = extract(pair, i);
        f[2 * half + i] = decays ? fmul(f[2 * half + i], d) : d;
      }
    }
  }
  return f;
}

std::array<Value, 4> KernelEmitter::scaledKeysT(const Stage &stage, int64_t kk,
                                                int64_t mt,
                                                ArrayRef<Value> scales) {
  // The A operand [d][j] from K stored [j][d]: tile t at
  // (j + 8(t/2), d + 8(t%2)), transposed.
  Value r8 = rem(lane, 8);
  Value tileLo = rem(div(lane, 8), 2), tileHi = div(lane, 16);
  Value nkRow = add(r8, mul(tileHi, 8));
  std::array<Value, 4> a =
      ldmatrix(stage.k, add(nkRow, 16 * kk), add(stateRow(mt), mul(tileLo, 8)),
               /*transpose=*/true);
  if (!scales.empty())
    for (int64_t i = 0; i < 4; ++i)
      a[i] = scalePacked(a[i], scales[i < 2 ? 0 : 2], scales[i < 2 ? 1 : 3]);
  return a;
}

void KernelEmitter::writeOutputs(Value t0, const Stage &stage,
                                 ArrayRef<Acc> outAcc, Value rowLo,
                                 Value rowHi) {
  // o = bf16(scale · O + D_h · v) for the rows before T, v from this chunk's
  // stage (its columns 2tig, 2tig + 1 of n-tile n).
  Value scale = f32c(spec.scale);
  int64_t tokenStride = spec.valueHeads * spec.valueDim;
  for (int64_t half = 0; half < 2; ++half) {
    Value row = half == 0 ? rowLo : rowHi;
    Value token = add(t0, row);
    auto ifOp =
        scf::IfOp::create(b, loc, ult(token, seqLen), /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    Value rowBase = add(vBase, mul(token, tokenStride));
    Value skipWeight;
    if (spec.hasSkip)
      skipWeight = load(skipShared, {idx(0)});
    for (int64_t n = 0; n < kNTiles; ++n) {
      // (Second column first: the kernels without D stay as measured.)
      Value o[2];
      for (int64_t i = 1; i >= 0; --i)
        o[i] = fmul(outAcc[n][2 * half + i], scale);
      if (spec.hasSkip) {
        Value pair = vload(VectorType::get({2}, bf16), stage.v,
                           tileIndex(row, add(mul(tig, 2), 8 * n)), 4);
        Value wide =
            arith::ExtFOp::create(b, loc, VectorType::get({2}, f32), pair);
        for (int64_t i = 0; i < 2; ++i)
          o[i] = fadd(o[i], fmul(skipWeight, extract(wide, i)));
      }
      Value word = packBF16(o[0], o[1]);
      Value pair = vector::BitCastOp::create(
          b, loc, VectorType::get({2}, bf16),
          vector::FromElementsOp::create(b, loc, VectorType::get({1}, i32),
                                         ValueRange{word}));
      vstore(pair, args.out, {add(rowBase, add(mul(tig, 2), 8 * n))}, 4);
    }
  }
}

void KernelEmitter::computeChunk(Value t0, const Stage &stage,
                                 SmallVectorImpl<Acc> &state) {
  int64_t keyDim = spec.keyDim;
  bool decays = spec.decay != DecayKind::None;
  Value rowLo = add(mul(warp, 16), gid); // query row within the chunk
  Value rowHi = add(rowLo, 8);
  // ldmatrix addresses: lane l gives row l % 8 of 8x8 tile l / 8.
  Value r8 = rem(lane, 8);
  Value tileLo = rem(div(lane, 8), 2); // 0 for tiles 0, 2; 1 for tiles 1, 3
  Value tileHi = div(lane, 16);        // 0 for tiles 0, 1; 1 for tiles 2, 3
  // A operand from a row-major [m][k] tile: tile t at (m + 8(t%2), k + 8(t/2)).
  Value aRow = add(r8, mul(tileLo, 8)), aCol = mul(tileHi, 8);
  // B operands of two n-tiles from an [n][k] tile (no transpose): tile t at
  // (n + 8(t/2), k + 8(t%2)); from a [k][n] tile (transposed): tile t at
  // (k + 8(t%2), n + 8(t/2)). Both give {b0, b1} of n-tile 2p, then 2p + 1.
  Value nkRow = add(r8, mul(tileHi, 8)), nkCol = mul(tileLo, 8);
  Value knRow = add(r8, mul(tileLo, 8)), knCol = mul(tileHi, 8);

  // A = Q Kᵀ over the key dimension (not for a state-only kernel).
  SmallVector<Acc> scores(kNTiles, zeroAcc()), outAcc(kNTiles, zeroAcc());
  Value qRow = add(mul(warp, 16), aRow);
  for (int64_t step = 0; outputs && step < keyDim / 16; ++step) {
    std::array<Value, 4> a =
        ldmatrix(stage.q, qRow, add(aCol, 16 * step), /*transpose=*/false);
    for (int64_t p = 0; p < kNTiles / 2; ++p) {
      std::array<Value, 4> bk =
          ldmatrix(stage.k, add(nkRow, 16 * p), add(nkCol, 16 * step), false);
      scores[2 * p] = mma(a, {bk[0], bk[1]}, scores[2 * p]);
      scores[2 * p + 1] = mma(a, {bk[2], bk[3]}, scores[2 * p + 1]);
    }
  }

  // Decays and the causal mask.
  Value gLo, gHi, gLast;
  if (decays) {
    gLo = load(gs, {rowLo});
    gHi = load(gs, {rowHi});
    gLast = load(gs, {idx(kChunk - 1)});
  }
  SmallVector<std::array<Value, 4>> aFrag;
  if (outputs)
    aFrag = maskScores(scores, stage, rowLo, rowHi, gLo, gHi);

  // S ← exp2(G_last) S before adding this chunk.
  decayState(state, gLast);

  // O += A V and S += K̃ᵀ V over the chunk's tokens; both read the same V
  // fragments. K̃ᵀ is K read transposed ([j][d] as the A operand [d][j]).
  int64_t mTiles = keyDim / 64;
  for (int64_t kk = 0; kk < kChunk / 16; ++kk) {
    SmallVector<std::array<Value, 2>> bv;
    for (int64_t p = 0; p < kNTiles / 2; ++p) {
      std::array<Value, 4> w =
          ldmatrix(stage.v, add(knRow, 16 * kk), add(knCol, 16 * p), true);
      bv.push_back({w[0], w[1]});
      bv.push_back({w[2], w[3]});
    }
    for (int64_t n = 0; outputs && n < kNTiles; ++n)
      outAcc[n] = mma(aFrag[kk], bv[n], outAcc[n]);
    // exp2(G_last − G_j) · dt_j for the tokens j = 16kk + 2tig (+1) (+8) of
    // the fragments.
    std::optional<std::array<Value, 4>> f = keyScales(kk, stage, gLast);
    for (int64_t mt = 0; mt < mTiles; ++mt) {
      std::array<Value, 4> a = scaledKeysT(
          stage, kk, mt, f ? ArrayRef<Value>(*f) : ArrayRef<Value>());
      for (int64_t n = 0; n < kNTiles; ++n)
        state[mt * kNTiles + n] = mma(a, bv[n], state[mt * kNTiles + n]);
    }
  }

  // O += (Q ∘ exp2(G_i)) S, with S (the state before this chunk) from
  // shared memory. Scaling the rows of Q rather than those of Q S lets A V
  // and Q S share one accumulator after the scores are dead.
  if (!outputs)
    return;
  Value eLo, eHi;
  if (decays) {
    eLo = exp2(gLo);
    eHi = exp2(gHi);
  }
  for (int64_t step = 0; step < keyDim / 16; ++step) {
    std::array<Value, 4> a =
        ldmatrix(stage.q, qRow, add(aCol, 16 * step), /*transpose=*/false);
    if (decays)
      for (int64_t i = 0; i < 4; ++i)
        a[i] = scalePacked(a[i], i % 2 ? eHi : eLo, i % 2 ? eHi : eLo);
    for (int64_t p = 0; p < kNTiles / 2; ++p) {
      std::array<Value, 4> bs =
          ldmatrix(ss, add(knRow, 16 * step), add(knCol, 16 * p), true);
      outAcc[2 * p] = mma(a, {bs[0], bs[1]}, outAcc[2 * p]);
      outAcc[2 * p + 1] = mma(a, {bs[2], bs[3]}, outAcc[2 * p + 1]);
    }
  }
  writeOutputs(t0, stage, outAcc, rowLo, rowHi);
}

//===----------------------------------------------------------------------===//
// wgmma
//===----------------------------------------------------------------------===//

Value KernelEmitter::descriptor(Value byteOffset, bool mnMajor) {
  // Bits 0-13: the start address / 16; 16-29: the leading byte offset / 16;
  // 32-45: the stride byte offset / 16; 62-63: 1, the 128-byte swizzle.
  // K-major tiles: 8-row groups 1024 bytes apart (the stride), the leading
  // offset unused. MN-major tiles of 64 columns: the 8-row groups along K
  // 1024 bytes apart; a single 64-column block, so the other offset is
  // unused: both are 1024.
  Type i64 = b.getI64Type();
  uint64_t lbo = mnMajor ? 1024 / 16 : 1;
  uint64_t fixed = (lbo << 16) | (uint64_t(1024 / 16) << 32) | (1ull << 62);
  Value address =
      arith::IndexCastOp::create(b, loc, i64, add(layoutAddress, byteOffset));
  Value field = arith::ShRUIOp::create(
      b, loc,
      arith::AndIOp::create(
          b, loc, address,
          arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(0x3FFFF))),
      arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(4)));
  return arith::OrIOp::create(
      b, loc, field,
      arith::ConstantOp::create(
          b, loc, b.getI64IntegerAttr(static_cast<int64_t>(fixed))));
}

Value KernelEmitter::advance(Value desc, int64_t bytes) {
  if (bytes == 0)
    return desc;
  return arith::AddIOp::create(
      b, loc, desc,
      arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(bytes / 16)));
}

LLVM::InlineAsmOp KernelEmitter::inlineAsm(Type result, ValueRange operands,
                                           StringRef ptx,
                                           StringRef constraints) {
  MLIRContext *ctx = b.getContext();
  return LLVM::InlineAsmOp::create(
      b, loc, result, operands, ptx, constraints,
      /*has_side_effects=*/true, /*is_align_stack=*/false,
      LLVM::TailCallKind::None,
      LLVM::AsmDialectAttr::get(ctx, LLVM::AsmDialect::AD_ATT),
      /*operand_attrs=*/ArrayAttr());
}

SmallVector<Acc> KernelEmitter::accumulatorAsm(ArrayRef<Acc> acc, StringRef ptx,
                                               ValueRange extra,
                                               StringRef extraConstraints) {
  // Operands $0-$31 are the results, $32-$63 the accumulators tied to them,
  // then `extra`.
  SmallVector<Value> operands;
  std::string constraints;
  for (int64_t i = 0; i < 32; ++i)
    constraints += "=f,";
  for (int64_t i = 0; i < 32; ++i) {
    operands.push_back(acc[i / 4][i % 4]);
    constraints += std::to_string(i) + (i < 31 ? "," : "");
  }
  operands.append(extra.begin(), extra.end());
  if (!extraConstraints.empty())
    constraints += ("," + extraConstraints).str();
  SmallVector<Type> fields(32, f32);
  Value result =
      inlineAsm(LLVM::LLVMStructType::getLiteral(b.getContext(), fields),
                operands, ptx, constraints)
          .getRes();
  SmallVector<Acc> unpacked(kNTiles);
  for (int64_t i = 0; i < 32; ++i)
    unpacked[i / 4][i % 4] =
        LLVM::ExtractValueOp::create(b, loc, result, ArrayRef<int64_t>{i});
  return unpacked;
}

SmallVector<Acc> KernelEmitter::wgmma(ArrayRef<Acc> acc, Value descA,
                                      ArrayRef<Value> aRegs, Value descB,
                                      bool transposeB, bool accumulate,
                                      bool transposeA) {
  // One wgmma.mma_async m64n64k16 (bf16 in, f32 accumulators) in inline PTX:
  // A comes from a descriptor or from four registers per thread (the layout
  // of mma.sync's A, warp w holding rows [16w, 16w + 16)).
  SmallVector<Value> operands;
  std::string constraints;
  std::string d;
  for (int64_t i = 0; i < 32; ++i)
    d += (i ? ", $" : "$") + std::to_string(i);
  std::string a;
  int64_t next = 64;
  if (descA) {
    operands.push_back(descA);
    constraints += "l,";
    a = "$" + std::to_string(next++);
  } else {
    a = "{";
    for (int64_t i = 0; i < 4; ++i) {
      operands.push_back(aRegs[i]);
      constraints += "r,";
      a += (i ? ", $" : "$") + std::to_string(next++);
    }
    a += "}";
  }
  operands.push_back(descB);
  constraints += "l,";
  std::string bDesc = "$" + std::to_string(next++);
  operands.push_back(arith::ConstantOp::create(
      b, loc, b.getI32IntegerAttr(accumulate ? 1 : 0)));
  constraints += "r,~{memory}";
  std::string scaleD = "$" + std::to_string(next++);
  std::string immediates = std::string(", 1, 1, ") +
                           (descA ? (transposeA ? "1, " : "0, ") : "") +
                           (transposeB ? "1" : "0");
  std::string ptx = "{\n.reg .pred p;\nsetp.ne.b32 p, " + scaleD +
                    ", 0;\nwgmma.mma_async.sync.aligned.m64n64k16.f32.bf16."
                    "bf16 {" +
                    d + "}, " + a + ", " + bDesc + ", p" + immediates + ";\n}";
  return accumulatorAsm(acc, ptx, operands, constraints);
}

void KernelEmitter::fenceAccumulators(MutableArrayRef<Acc> acc) {
  // An empty asm that reads and writes the accumulators, ordered after the
  // wait by its side effects: nothing reads them before the products land.
  for (size_t first = 0; first < acc.size(); first += kNTiles) {
    SmallVector<Acc> fenced =
        accumulatorAsm(acc.slice(first, kNTiles), "", {}, "");
    llvm::copy(fenced, acc.begin() + first);
  }
}

void KernelEmitter::inlinePtx(StringRef ptx) {
  inlineAsm(Type(), ValueRange(), ptx, "~{memory}");
}

void KernelEmitter::writeScaledV(const Stage &stage, Value gLast) {
  // Thread t scales 16 bytes (8 values) of rows t / 8 + 16i, i < 4.
  Value scaled = sharedView(idx(layout.scaledVOffset()), layout.vShape(), bf16);
  auto wideType = VectorType::get({8}, f32);
  auto narrowType = VectorType::get({8}, bf16);
  Value col = mul(rem(tid, 8), 8);
  for (int64_t i = 0; i < kChunk * kTileV / 8 / kThreads; ++i) {
    Value row = add(div(tid, 8), i * (kThreads / 8));
    Value factor;
    if (spec.decay != DecayKind::None)
      factor = exp2(fsub(gLast, load(gs, {row})));
    if (spec.hasDt) {
      Value d = load(stage.dt, {row});
      factor = factor ? fmul(factor, d) : d;
    }
    SmallVector<Value, 2> at = tileIndex(row, col);
    Value wide = arith::ExtFOp::create(b, loc, wideType,
                                       vload(narrowType, stage.v, at, 16));
    Value splat = vector::BroadcastOp::create(b, loc, wideType, factor);
    Value product = arith::MulFOp::create(b, loc, wide, splat);
    vstore(arith::TruncFOp::create(b, loc, narrowType, product), scaled, at,
           16);
  }
}

void KernelEmitter::computeChunkWgmma(Value t0, const Stage &stage,
                                      SmallVectorImpl<Acc> &state) {
  int64_t keyDim = spec.keyDim;
  bool decays = spec.decay != DecayKind::None;
  Value rowLo = add(mul(warp, 16), gid); // query row within the chunk
  Value rowHi = add(rowLo, 8);
  // K-steps of 16 along K (Q, K: 32 bytes within a 128-byte row, 8 KB per
  // panel of 64 columns) and along the rows (V, S: 16 rows of 128 bytes).
  auto kMajorStep = [](int64_t s) { return (s / 4) * 8192 + (s % 4) * 32; };
  int64_t mnMajorStep = 16 * 128;
  Value vDesc = descriptor(add(stage.offset, layout.vOffset()), true);

  // A = Q Kᵀ and O = Q S (Q unscaled; its rows are scaled below), A and B
  // from shared memory, one group.
  SmallVector<Acc> scores(kNTiles, zeroAcc()), outAcc(kNTiles, zeroAcc());
  if (outputs) {
    Value qDesc = descriptor(add(stage.offset, layout.qOffset()), false);
    Value kDesc = descriptor(add(stage.offset, layout.kOffset()), false);
    Value sDesc = descriptor(idx(layout.sOffset()), true);
    NVVM::WgmmaFenceAlignedOp::create(b, loc);
    for (int64_t s = 0; s < keyDim / 16; ++s)
      scores = wgmma(scores, advance(qDesc, kMajorStep(s)), {},
                     advance(kDesc, kMajorStep(s)), /*transposeB=*/false,
                     /*accumulate=*/s > 0);
    for (int64_t s = 0; s < keyDim / 16; ++s)
      outAcc = wgmma(outAcc, advance(qDesc, kMajorStep(s)), {},
                     advance(sDesc, s * mnMajorStep), /*transposeB=*/true,
                     /*accumulate=*/s > 0);
    NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
  }
  Value gLo, gHi, gLast;
  if (decays) {
    gLo = load(gs, {rowLo});
    gHi = load(gs, {rowHi});
    gLast = load(gs, {idx(kChunk - 1)});
  }
  // Ṽ while the products run; visible to the async proxy after the barrier.
  if (layout.hasScaledV()) {
    writeScaledV(stage, gLast);
    inlinePtx("fence.proxy.async.shared::cta;");
    gpu::BarrierOp::create(b, loc);
  }

  // S ← exp2(G_last) S + Kᵀ Ṽ (Kᵀ: the K stage read MN-major, panel mt for
  // m-tile mt; Ṽ MN-major), a second group that runs while the scores are
  // masked.
  decayState(state, gLast);
  int64_t mTiles = keyDim / 64;
  Value scaledDesc =
      layout.hasScaledV()
          ? descriptor(idx(layout.scaledVOffset()), /*mnMajor=*/true)
          : vDesc;
  Value keysDesc = descriptor(add(stage.offset, layout.kOffset()), true);
  NVVM::WgmmaFenceAlignedOp::create(b, loc);
  for (int64_t mt = 0; mt < mTiles; ++mt) {
    SmallVector<Acc> tile(state.begin() + mt * kNTiles,
                          state.begin() + (mt + 1) * kNTiles);
    for (int64_t kk = 0; kk < kChunk / 16; ++kk)
      tile = wgmma(tile, advance(keysDesc, mt * 8192 + kk * mnMajorStep), {},
                   advance(scaledDesc, kk * mnMajorStep), /*transposeB=*/true,
                   /*accumulate=*/true, /*transposeA=*/true);
    llvm::copy(tile, state.begin() + mt * kNTiles);
  }
  NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);

  // O += A V with A (the masked scores) from registers, V MN-major.
  if (outputs) {
    NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 1);
    fenceAccumulators(scores);
    fenceAccumulators(outAcc);
    SmallVector<std::array<Value, 4>> aFrag =
        maskScores(scores, stage, rowLo, rowHi, gLo, gHi);
    // O = (Q ∘ exp2(G_i)) S.
    if (decays) {
      Value eLo = exp2(gLo), eHi = exp2(gHi);
      for (Acc &acc : outAcc)
        for (int64_t i = 0; i < 4; ++i)
          acc[i] = fmul(acc[i], i < 2 ? eLo : eHi);
    }
    NVVM::WgmmaFenceAlignedOp::create(b, loc);
    for (int64_t kk = 0; kk < kChunk / 16; ++kk)
      outAcc = wgmma(outAcc, Value(), aFrag[kk],
                     advance(vDesc, kk * mnMajorStep), /*transposeB=*/true,
                     /*accumulate=*/true);
    NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
  }
  NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 0);
  if (outputs)
    fenceAccumulators(outAcc);
  fenceAccumulators(state);
  if (outputs)
    writeOutputs(t0, stage, outAcc, rowLo, rowHi);
}

void KernelEmitter::setUpSharedMemory() {
  dynamicShared = gpu::DynamicSharedMemoryOp::create(
      b, loc,
      MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                      MemRefLayoutAttrInterface(), workgroup));
  if (spec.wgmma) {
    // The layout starts at the first 1024-byte boundary of the buffer (the
    // 128-byte swizzle repeats every 1024 bytes of the shared address).
    Value address =
        memref::ExtractAlignedPointerAsIndexOp::create(b, loc, dynamicShared);
    alignPad =
        rem(arith::SubIOp::create(b, loc, idx(1024), rem(address, 1024)), 1024);
    layoutAddress = add(address, alignPad);
  }
}

SmallVector<Acc> KernelEmitter::loadInitialState() {
  SmallVector<Acc> state(spec.keyDim / 64 * kNTiles, zeroAcc());
  if (spec.hasInit)
    forEachStatePair([&](size_t i, int64_t half, Value offset) {
      Value pair = vload(VectorType::get({2}, f32), args.init, {offset}, 8);
      state[i][2 * half] = extract(pair, 0);
      state[i][2 * half + 1] = extract(pair, 1);
    });
  return state;
}

KernelEmitter::LoopResult KernelEmitter::emitChunkLoop(ArrayRef<Acc> initial,
                                                       bool sumDecays) {
  // Prologue: the copies of chunk 0 and the gates of chunk 0.
  if (spec.tma)
    initStageBarriers();
  Value numChunks = div(add(seqLen, kChunk - 1), kChunk);
  {
    auto ifOp = scf::IfOp::create(b, loc, ult(idx(0), numChunks),
                                  /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    issueCopies(idx(0));
  }
  if (usesCpAsync())
    NVVM::CpAsyncCommitGroupOp::create(b, loc);
  SmallVector<Value> initArgs;
  for (const Acc &acc : initial)
    initArgs.append(acc.begin(), acc.end());
  size_t stateValues = initArgs.size();
  bool prefetchGates = spec.decay == DecayKind::Scalar;
  if (prefetchGates) {
    // The gates of chunk 0, unless the sequence is empty (then the clamped
    // addresses of loadGates could lie past an empty buffer). Within the
    // loop the sequence has a token, and addresses clamp to its last one.
    auto ifOp =
        scf::IfOp::create(b, loc, TypeRange{f32, f32}, ult(idx(0), numChunks),
                          /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      std::array<Value, 2> g = loadGates(idx(0));
      scf::YieldOp::create(b, loc, ValueRange{g[0], g[1]});
      b.setInsertionPointToStart(ifOp.elseBlock());
      scf::YieldOp::create(b, loc, ValueRange{f32c(0.0), f32c(0.0)});
    }
    initArgs.append(ifOp.getResults().begin(), ifOp.getResults().end());
  }
  sumDecays = sumDecays && spec.decay != DecayKind::None;
  if (sumDecays)
    initArgs.push_back(f32c(0.0));

  // The walk over the chunks.
  auto loop = scf::ForOp::create(b, loc, idx(0), numChunks, idx(1), initArgs);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value chunk = loop.getInductionVar();
    // With dt or D, the thread coordinates are read afresh in each chunk:
    // otherwise LLVM keeps the offsets derived from them (64-bit) through the
    // loop, and the few more that dt and D need make ptxas spill at K = 128.
    // So do the chained carry's two loops (its kernels spill without it)
    // and the wgmma kernels at K = 128 without a scalar decay (measured on
    // an H100: RetNet 255 -> 190 registers, no spill, faster; linear
    // attention slightly faster; slower with a scalar decay and at K = 64,
    // bench/results/NOTES.md, v9 and v11).
    std::array<Value, 5> saved = {tid, lane, warp, gid, tig};
    if (spec.hasDt || spec.hasSkip || spec.chained || rereadsThreadIds())
      readThreadCoordinates();
    SmallVector<Acc> s;
    for (size_t i = 0; i < initial.size(); ++i)
      s.push_back(
          {loop.getRegionIterArg(4 * i), loop.getRegionIterArg(4 * i + 1),
           loop.getRegionIterArg(4 * i + 2), loop.getRegionIterArg(4 * i + 3)});
    // Start the copies of the next chunk (into the other stage, which every
    // warp finished reading before the last barrier).
    Value next = add(chunk, 1);
    {
      auto ifOp = scf::IfOp::create(b, loc, ult(next, numChunks),
                                    /*withElseRegion=*/false);
      OpBuilder::InsertionGuard ifGuard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      issueCopies(next);
    }
    if (usesCpAsync())
      NVVM::CpAsyncCommitGroupOp::create(b, loc);
    std::array<Value, 2> gates, nextGates;
    if (prefetchGates) {
      gates = {loop.getRegionIterArg(stateValues),
               loop.getRegionIterArg(stateValues + 1)};
      nextGates = loadGates(next);
    } else if (spec.decay == DecayKind::Static) {
      gates = loadGates(chunk);
    }
    if (spec.decay != DecayKind::None)
      publishCumulativeGates(gates);
    // This chunk's copies (all but the newest group) have landed.
    if (usesCpAsync())
      NVVM::CpAsyncWaitGroupOp::create(b, loc, b.getI32IntegerAttr(1));
    if (spec.tma)
      waitTensorLoads(chunk);
    // wgmma reads shared memory through the async proxy: the copies and
    // the stores of S are made visible to it before the barrier.
    if (spec.wgmma)
      inlinePtx("fence.proxy.async.shared::cta;");
    gpu::BarrierOp::create(b, loc);
    if (spec.wgmma)
      computeChunkWgmma(mul(chunk, kChunk), stageOf(chunk), s);
    else
      computeChunk(mul(chunk, kChunk), stageOf(chunk), s);
    // The state's decay over the chunk (read before the barrier, after
    // which warp 0 may publish the next chunk's gates).
    Value decaySum;
    if (sumDecays)
      decaySum =
          fadd(loop.getRegionIterArgs().back(), load(gs, {idx(kChunk - 1)}));
    gpu::BarrierOp::create(b, loc);
    if (outputs)
      writeStateToShared(s);
    SmallVector<Value> yields;
    for (const Acc &acc : s)
      yields.append(acc.begin(), acc.end());
    if (prefetchGates)
      yields.append(nextGates.begin(), nextGates.end());
    if (sumDecays)
      yields.push_back(decaySum);
    scf::YieldOp::create(b, loc, yields);
    tid = saved[0];
    lane = saved[1];
    warp = saved[2];
    gid = saved[3];
    tig = saved[4];
  }
  if (usesCpAsync())
    NVVM::CpAsyncWaitGroupOp::create(b, loc, b.getI32IntegerAttr(0));

  LoopResult result;
  for (size_t i = 0; i < initial.size(); ++i)
    result.state.push_back({loop.getResult(4 * i), loop.getResult(4 * i + 1),
                            loop.getResult(4 * i + 2),
                            loop.getResult(4 * i + 3)});
  if (sumDecays)
    result.log2Decay = loop.getResults().back();
  return result;
}

//===--- The chained segments carry --------------------------------------===//

Value KernelEmitter::globalAddress(Value mem, Value elementOffset,
                                   int64_t elementBytes) {
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, mem);
  return arith::IndexCastUIOp::create(
      b, loc, b.getI64Type(), add(base, mul(elementOffset, elementBytes)));
}

Value KernelEmitter::ticketSlot() {
  return sharedView(idx(layout.ticketOffset()), {1}, i32);
}

CtaCoordinates KernelEmitter::coordinatesOfTicket(Value ticket) {
  int64_t vTiles = spec.valueDim / kTileV;
  CtaCoordinates cta;
  cta.vTile = rem(ticket, vTiles);
  cta.head = rem(div(ticket, vTiles), spec.valueHeads);
  cta.sequence = div(ticket, vTiles * spec.valueHeads);
  cta.qkHead = div(cta.head, spec.valueHeads / spec.qkHeads);
  return cta;
}

CtaCoordinates KernelEmitter::takeTicket() {
  // Thread 0 takes the next ticket (flags[0] counts them) and shares it: a
  // CTA's ticket orders it after every CTA that took a smaller one, so the
  // predecessors it waits for are running or done, whatever order the CTAs
  // are scheduled in.
  Value slot = ticketSlot();
  emitIf(b, loc,
         arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, idx(0)),
         [&] {
           Value one =
               arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(1));
           Value ticket =
               memref::AtomicRMWOp::create(b, loc, arith::AtomicRMWKind::addi,
                                           one, args.flags, ValueRange{idx(0)});
           memref::StoreOp::create(b, loc, ticket, slot, ValueRange{idx(0)});
         });
  gpu::BarrierOp::create(b, loc);
  return coordinatesOfTicket(arith::IndexCastUIOp::create(
      b, loc, b.getIndexType(), load(slot, {idx(0)})));
}

SmallVector<Acc> KernelEmitter::emitChainedCarry(Value segment,
                                                 Value unitFlag) {
  // Phase A, unless this is the sequence's last segment (its successor's
  // prefix is the final state, which phase B ends with): the local state
  // from zero, and the log2 of the segment's decay.
  Value nsegLast = arith::SubIOp::create(b, loc, args.nseg, idx(1));
  Value notLast = ult(segment, nsegLast);
  SmallVector<Type> stateTypes(spec.keyDim / 64 * kNTiles * 4, f32);
  SmallVector<Type> localTypes = stateTypes;
  localTypes.push_back(f32);
  auto phaseA = scf::IfOp::create(b, loc, localTypes, notLast,
                                  /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(phaseA.thenBlock());
    SmallVector<Acc> zero(spec.keyDim / 64 * kNTiles, zeroAcc());
    outputs = false;
    LoopResult local = emitChunkLoop(zero, /*sumDecays=*/true);
    outputs = true;
    SmallVector<Value> yields;
    for (const Acc &acc : local.state)
      yields.append(acc.begin(), acc.end());
    yields.push_back(local.log2Decay ? local.log2Decay : f32c(0.0));
    scf::YieldOp::create(b, loc, yields);
    b.setInsertionPointToStart(phaseA.elseBlock());
    scf::YieldOp::create(b, loc,
                         SmallVector<Value>(localTypes.size(), f32c(0.0)));
  }

  // The prefix of this segment: the initial state (or zero) for the first,
  // else the one the predecessor publishes in `carry` (read at the GPU's
  // coherence point, not through L1).
  Value flagAddress = globalAddress(args.flags, unitFlag, 4);
  Value segment32 = arith::IndexCastUIOp::create(b, loc, i32, segment);
  auto prefixOp = scf::IfOp::create(b, loc, stateTypes, ult(idx(0), segment),
                                    /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(prefixOp.thenBlock());
    emitIf(b, loc,
           arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, idx(0)),
           [&] {
             auto wait =
                 scf::WhileOp::create(b, loc, TypeRange{}, ValueRange{});
             b.createBlock(&wait.getBefore());
             Value published = inlineAsm(i32, ValueRange{flagAddress},
                                         "ld.acquire.gpu.global.u32 $0, [$1];",
                                         "=r,l,~{memory}")
                                   .getRes();
             scf::ConditionOp::create(
                 b, loc,
                 arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                       published, segment32),
                 ValueRange{});
             b.createBlock(&wait.getAfter());
             inlinePtx("nanosleep.u32 32;");
             scf::YieldOp::create(b, loc, ValueRange{});
             b.setInsertionPointAfter(wait);
           });
    gpu::BarrierOp::create(b, loc);
    inlinePtx("fence.acq_rel.gpu;");
    SmallVector<Value> loaded;
    auto pairType =
        LLVM::LLVMStructType::getLiteral(b.getContext(), {f32, f32});
    forEachStatePair([&](size_t, int64_t, Value offset) {
      Value pair =
          inlineAsm(pairType, ValueRange{globalAddress(args.carry, offset, 4)},
                    "ld.relaxed.gpu.global.v2.f32 {$0, $1}, [$2];",
                    "=f,=f,l,~{memory}")
              .getRes();
      for (int64_t j = 0; j < 2; ++j)
        loaded.push_back(
            LLVM::ExtractValueOp::create(b, loc, pair, ArrayRef<int64_t>{j}));
    });
    scf::YieldOp::create(b, loc, loaded);
    b.setInsertionPointToStart(prefixOp.elseBlock());
    SmallVector<Value> first;
    for (const Acc &acc : loadInitialState())
      first.append(acc.begin(), acc.end());
    scf::YieldOp::create(b, loc, first);
  }
  SmallVector<Acc> prefix;
  for (size_t i = 0; i < stateTypes.size(); i += 4)
    prefix.push_back({prefixOp.getResult(i), prefixOp.getResult(i + 1),
                      prefixOp.getResult(i + 2), prefixOp.getResult(i + 3)});

  // The successor's prefix, D S + L, into `carry`; then the flag, released
  // after every thread's stores.
  emitIf(b, loc, notLast, [&] {
    Value decay = exp2(phaseA.getResults().back());
    forEachStatePair([&](size_t i, int64_t half, Value offset) {
      Value x[2];
      for (int64_t j = 0; j < 2; ++j) {
        Value mine = prefix[i][2 * half + j];
        if (spec.decay != DecayKind::None)
          mine = fmul(decay, mine);
        x[j] = fadd(mine, phaseA.getResult(4 * i + 2 * half + j));
      }
      inlineAsm(
          Type(), ValueRange{globalAddress(args.carry, offset, 4), x[0], x[1]},
          "st.relaxed.gpu.global.v2.f32 [$0], {$1, $2};", "l,f,f,~{memory}");
    });
    inlinePtx("fence.acq_rel.gpu;");
    gpu::BarrierOp::create(b, loc);
    emitIf(b, loc,
           arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, idx(0)),
           [&] {
             Value next = arith::AddIOp::create(
                 b, loc, segment32,
                 arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(1)));
             inlineAsm(Type(), ValueRange{flagAddress, next},
                       "st.release.gpu.global.u32 [$0], $1;", "l,r,~{memory}");
           });
  });
  return prefix;
}

void KernelEmitter::emit(gpu::GPUFuncOp func) {
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  args = getChunkedKernelArgs(func, spec);

  tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  lane = rem(tid, 32);
  warp = div(tid, 32);
  gid = div(lane, 4);
  tig = rem(lane, 4);
  // The chained carry needs shared memory for the ticket, which names the
  // CTA's coordinates (the segment as the sequence of a packed batch).
  if (spec.chained)
    setUpSharedMemory();
  place(b, loc, spec, args,
        spec.chained ? takeTicket() : emitCtaCoordinates(b, loc, spec), kTileV);
  Value segment, unitFlag;
  if (spec.chained) {
    // Segment s of sequence n: init, final and carry are per sequence.
    Value seq;
    std::tie(seq, segment) = splitSegment({vTile, head, sequence, qkHead});
    unitFlag = add(
        add(mul(add(mul(seq, spec.valueHeads), head), spec.valueDim / kTileV),
            vTile),
        1);
  }
  if (spec.decay == DecayKind::Static)
    logGamma = load(args.gate, {head});

  if (!spec.chained)
    setUpSharedMemory();
  ss = sharedView(idx(layout.sOffset()), layout.sShape(), bf16);
  gs = sharedView(idx(layout.gOffset()), {kChunk}, f32);
  if (spec.hasSkip) {
    // D_h, read once into shared memory (a register of its own through the
    // chunk loop makes ptxas spill at K = 128); the loop's first barrier
    // publishes it.
    skipShared = sharedView(idx(layout.skipOffset()), {1}, f32);
    auto ifOp = scf::IfOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, idx(0)),
        /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    memref::StoreOp::create(b, loc, load(args.skip, {head}), skipShared,
                            ValueRange{idx(0)});
  }

  // The state: m-tiles of 16 rows of K per warp, 8 n-tiles each.
  SmallVector<Acc> state =
      spec.chained ? emitChainedCarry(segment, unitFlag) : loadInitialState();
  if (outputs)
    writeStateToShared(state);
  LoopResult result = emitChunkLoop(state, /*sumDecays=*/false);

  if (spec.hasFinal) {
    OpBuilder::InsertionGuard guard(b);
    if (spec.chained) {
      // Only the last segment's end state is the sequence's final state.
      readThreadCoordinates();
      Value ticket = arith::IndexCastUIOp::create(b, loc, b.getIndexType(),
                                                  load(ticketSlot(), {idx(0)}));
      Value seg = splitSegment(coordinatesOfTicket(ticket)).second;
      auto ifOp = scf::IfOp::create(
          b, loc,
          arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::eq, seg,
              arith::SubIOp::create(b, loc, args.nseg, idx(1))),
          /*withElseRegion=*/false);
      b.setInsertionPointToStart(ifOp.thenBlock());
    } else {
      recomputeStateCoordinates();
    }
    forEachStatePair([&](size_t i, int64_t half, Value offset) {
      const Acc &acc = result.state[i];
      Value pair = vector::FromElementsOp::create(
          b, loc, VectorType::get({2}, f32),
          ValueRange{acc[2 * half], acc[2 * half + 1]});
      vstore(pair, args.finalState, {offset}, 8);
    });
  }
  gpu::ReturnOp::create(b, loc);
}

gpu::GPUFuncOp seqmix::buildChunkedKernel(OpBuilder &builder, Location loc,
                                          const ChunkedKernelSpec &spec) {
  gpu::GPUFuncOp func =
      createChunkedKernelFunc(builder, loc, spec, builder.getBF16Type());
  OpBuilder::InsertionGuard guard(builder);
  KernelEmitter emitter(builder, loc, spec);
  emitter.emit(func);
  return func;
}
