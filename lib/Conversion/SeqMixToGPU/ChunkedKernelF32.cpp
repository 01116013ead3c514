//===- ChunkedKernelF32.cpp - the chunked kernel for f32 inputs -----------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// The chunked form for f32 q, k, v and o with FFMA (no tensor cores); the
// contract (arguments, grid, features) is that of the bf16 kernel
// (ChunkedKernel.h). One CTA of 256 threads per (V tile of 64 columns, value
// head h, sequence n) walks the chunks of C = 64 tokens. Its K×64 slice of
// the state S stays in fp32 registers; a copy in shared memory serves Q S.
//
// The threads form a 16×16 grid, ty = tid / 16, tx = tid % 16; each owns
// register tiles of 4×4 (or K/16×4) elements:
//   scores A:      rows i = 4ty + r, columns j = tx + 16c      (r, c < 4)
//   output O:      rows i = 4ty + r, columns e = 4tx + c
//   state S:       rows d = (K/16)ty + r, columns e = 4tx + c  (r < K/16)
//
// Per chunk, with G the cumulative sum of g/ln 2 within the chunk (only
// differences G_i − G_j ≤ 0 and G ≤ 0 are exponentiated) and dt_j = 1
// without dt:
//
//   A  = Q Kᵀ                                          (registers)
//   A  = select(j ≤ i, A · exp2(G_i − G_j) · dt_j, 0) → shared memory
//   O  = exp2(G_i) · (Q S)                              (S: shared copy)
//   S  = exp2(G_last) · S + Σ_j K_jᵀ (F_j V_j),  F_j = exp2(G_last − G_j)·dt_j
//   S → shared memory (after barrier 2) for the next chunk's Q S
//   O += A V                                            (A from shared memory)
//   o  = scale · O + D · v                              (rows < T)
//
// Everything is fp32 with fma.rn.f32; nothing is rounded below the inputs'
// precision.
//
// Q, K, V of the chunk reach shared memory by cp.async (16 bytes a copy,
// zero-filled past T), one stage. The gates (and dt) of chunk c + 1 are
// loaded into registers one chunk ahead; warp 0 scans them and writes G,
// exp2(G), F and dt to shared memory at the start of each chunk.
//
// Synchronisation per chunk:
//   copies issued, gate factors written (warp 0); wait for the copies;
//   barrier 1 (the chunk, the factors and S visible);
//   A → shared memory, Q S, the state update;
//   barrier 2 (A visible; every thread is done reading S);
//   S written back; A V; the output tile staged in the thread's own rows of
//   the Q stage and stored to o under the row's condition;
//   barrier 3 (every thread is done reading Q, K, V, A and the factors,
//   which the next chunk's copies and warp 0 overwrite).
//
// Shared rows of Q and K are padded by 4 floats, those of A by 4 (68 floats):
// the reads of K rows tx + 16c (16-byte vectors) and the scalar writes of A
// are then free of bank conflicts; every other access is a broadcast or a
// contiguous row. Shared memory: 2·64·(K+4)·4 (Q, K) + 16 KiB (V) + K·256
// (S) + 17 KiB (A) + 1 KiB (factors) = 132 KiB at K = 128, 84 KiB at K = 64.
//
// ptxas: the kernel asks for `.minnctapersm 1`. With `.maxntid 256` alone,
// ptxas aims at 128 registers for two CTAs per multiprocessor and spills a
// few values to get there.
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

#include <array>

using namespace mlir;
using namespace mlir::seqmix;

namespace {
/// Tokens per chunk, value columns per CTA, threads per CTA.
constexpr int64_t kChunk = 64;
constexpr int64_t kTileV = 64;
constexpr int64_t kThreads = 256;
/// The threads' grid is kGrid × kGrid; register tiles are 4 wide.
constexpr int64_t kGrid = 16;
constexpr int64_t kMicro = 4;
/// Floats per shared row of Q and K (K + kPad) and of A.
constexpr int64_t kPad = 4;
constexpr int64_t kARow = kChunk + kPad;
constexpr double kLog2E = 1.4426950408889634;

static_assert(kGrid * kGrid == kThreads, "a 16x16 grid of threads");
static_assert(kGrid * kMicro == kChunk && kGrid * kMicro == kTileV,
              "4x4 register tiles cover the chunk and the V tile");

/// Shared-memory layout, in bytes from the start of the dynamic buffer; every
/// offset is a multiple of 16.
struct F32Layout {
  int64_t keyDim;
  int64_t qkRow() const { return keyDim + kPad; }
  int64_t qkBytes() const { return kChunk * qkRow() * 4; }
  int64_t qOffset() const { return 0; }
  int64_t kOffset() const { return qkBytes(); }
  int64_t vOffset() const { return 2 * qkBytes(); }
  int64_t sOffset() const { return vOffset() + kChunk * kTileV * 4; }
  int64_t aOffset() const { return sOffset() + keyDim * kTileV * 4; }
  /// Four arrays of kChunk floats: G, exp2(G), F and dt.
  int64_t gOffset() const { return aOffset() + kChunk * kARow * 4; }
  int64_t eOffset() const { return gOffset() + kChunk * 4; }
  int64_t fOffset() const { return eOffset() + kChunk * 4; }
  int64_t dtOffset() const { return fOffset() + kChunk * 4; }
  int64_t size() const { return dtOffset() + kChunk * 4; }
};

/// The natural-log gates and dt of the tokens 2·lane and 2·lane + 1 of a
/// chunk (zero past T); null where the kernel has none.
struct TokenGates {
  std::array<Value, 2> g, dt;
};

class F32Emitter : ScalarBuilder, CtaPlacement {
public:
  F32Emitter(OpBuilder &b, Location loc, const ChunkedKernelSpec &spec)
      : ScalarBuilder(b, loc), spec(spec), layout{spec.keyDim},
        decays(spec.decay != DecayKind::None) {
    f32 = b.getF32Type();
    workgroup = gpu::AddressSpaceAttr::get(b.getContext(),
                                           gpu::AddressSpace::Workgroup);
  }

  void emit(gpu::GPUFuncOp func);

private:
  //===--- Scalars -------------------------------------------------------===//
  /// x · y + z, one fma.rn.f32.
  Value fma(Value x, Value y, Value z) {
    return LLVM::FMAOp::create(b, loc, x, y, z);
  }
  /// An empty asm that may read and write any memory: LLVM keeps no loaded
  /// value across it.
  void compilerFence() {
    LLVM::InlineAsmOp::create(
        b, loc, TypeRange{}, ValueRange{}, b.getStringAttr(""),
        b.getStringAttr("~{memory}"), b.getUnitAttr(), UnitAttr(),
        LLVM::TailCallKindAttr(), LLVM::AsmDialectAttr(), ArrayAttr());
  }
  Value extract(Value vector, int64_t i) {
    return vector::ExtractOp::create(b, loc, vector, ArrayRef<int64_t>{i});
  }

  //===--- Memory --------------------------------------------------------===//
  Value load(Value mem, ValueRange indices) {
    return memref::LoadOp::create(b, loc, mem, indices);
  }
  void store(Value value, Value mem, ValueRange indices) {
    memref::StoreOp::create(b, loc, value, mem, indices);
  }
  /// The `n` floats at `mem[indices]` (n·4-byte aligned), as scalars.
  SmallVector<Value> vload(int64_t n, Value mem, ValueRange indices) {
    Value vector =
        vector::LoadOp::create(b, loc, VectorType::get({n}, f32), mem, indices,
                               /*nontemporal=*/false, llvm::MaybeAlign(4 * n));
    SmallVector<Value> elements;
    for (int64_t i = 0; i < n; ++i)
      elements.push_back(extract(vector, i));
    return elements;
  }
  /// Stores the floats `values` at `mem[indices]` (4·size-byte aligned).
  void vstore(ValueRange values, Value mem, ValueRange indices) {
    int64_t n = static_cast<int64_t>(values.size());
    Value vector = vector::FromElementsOp::create(
        b, loc, VectorType::get({n}, f32), values);
    vector::StoreOp::create(b, loc, vector, mem, indices,
                            /*nontemporal=*/false, llvm::MaybeAlign(4 * n));
  }
  Value sharedView(int64_t offset, ArrayRef<int64_t> shape) {
    auto type =
        MemRefType::get(shape, f32, MemRefLayoutAttrInterface(), workgroup);
    return memref::ViewOp::create(b, loc, type, dynamicShared, idx(offset),
                                  ValueRange{});
  }

  //===--- Pieces of the kernel ------------------------------------------===//
  /// Issues the copies of the chunk at token t0 (Q, K, V) into shared memory.
  void issueCopies(Value t0);
  /// The gates (and dt, with `withDt`) of the tokens t0 + 2·lane (+1).
  TokenGates loadGates(Value t0, bool withDt);
  /// Warp 0: G, exp2(G), F and dt of the chunk into shared memory.
  void publishGateFactors(const TokenGates &gates);
  /// The chunk at token t0 (after barrier 1, up to barrier 3), updating the
  /// state registers.
  void computeChunk(Value t0, SmallVectorImpl<Value> &state);
  /// The state registers to shared memory.
  void writeStateToShared(ArrayRef<Value> state);
  /// Rows of the state per thread (K/16) and the first of this thread's.
  int64_t stateRows() const { return spec.keyDim / kGrid; }
  Value stateRow(int64_t r) { return add(mul(ty, stateRows()), r); }
  /// The global offset of state element (stateRow(r), 4tx).
  Value stateOffset(int64_t r) {
    return add(add(stateBase, mul(stateRow(r), spec.valueDim)),
               mul(tx, kMicro));
  }

  const ChunkedKernelSpec &spec;
  F32Layout layout;
  bool decays;
  Type f32;
  Attribute workgroup;

  ChunkedKernelArgs args;
  // Thread coordinates (index); the CTA's (and its sequence's length and
  // slice offsets) are CtaPlacement's.
  Value tid, tx, ty, lane, warp;
  // log γ of this head (static decay), D of this head (skip).
  Value logGamma, skipD;
  // Shared memory.
  Value dynamicShared, qs, ks, vs, ss, as, gs, es, fs, dts;
};
} // namespace

//===----------------------------------------------------------------------===//
// Sizes
//===----------------------------------------------------------------------===//

int64_t seqmix::getF32TileV(const ChunkedKernelSpec &) { return kTileV; }

int64_t seqmix::getF32Threads(const ChunkedKernelSpec &) { return kThreads; }

int64_t seqmix::getF32SharedMemoryBytes(const ChunkedKernelSpec &spec) {
  return F32Layout{spec.keyDim}.size();
}

std::optional<std::string>
seqmix::checkF32Supported(const ChunkedKernelSpec &spec) {
  // ChunkedKernelSpec::checkSupported has checked the decay, K ∈ {64, 128},
  // V (a multiple of the tile), the grouping and seqlens; dt, D, the states
  // and seqlens are all handled.
  if (spec.keyDim % (kGrid * 4) != 0)
    return std::string("K must be a multiple of 64 for f32 inputs");
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// F32Emitter
//===----------------------------------------------------------------------===//

void F32Emitter::issueCopies(Value t0) {
  // Rows of `pieces` pieces of 16 bytes; consecutive threads take consecutive
  // pieces of a row, and the passes over the tile are kThreads / pieces rows
  // apart.
  auto copyTile = [&](Value dst, Value src, Value base, int64_t rowFloats,
                      int64_t tokenStride) {
    int64_t pieces = rowFloats / 4;
    Value row0 = div(tid, pieces);
    Value col = mul(rem(tid, pieces), 4);
    int64_t rowsPerPass = kThreads / pieces;
    for (int64_t pass = 0; pass < kChunk / rowsPerPass; ++pass) {
      Value row = add(row0, pass * rowsPerPass);
      Value token = add(t0, row);
      Value clamped = minu(token, lastToken);
      Value count = select(ult(token, seqLen), idx(4), idx(0));
      nvgpu::DeviceAsyncCopyOp::create(
          b, loc, nvgpu::DeviceAsyncTokenType::get(b.getContext()), dst,
          ValueRange{row, col}, src,
          ValueRange{add(add(base, mul(clamped, tokenStride)), col)},
          b.getIndexAttr(4), count, b.getUnitAttr());
    }
  };
  int64_t qkStride = spec.qkHeads * spec.keyDim;
  copyTile(qs, args.q, qkBase, spec.keyDim, qkStride);
  copyTile(ks, args.k, qkBase, spec.keyDim, qkStride);
  copyTile(vs, args.v, vBase, kTileV, spec.valueHeads * spec.valueDim);
}

TokenGates F32Emitter::loadGates(Value t0, bool withDt) {
  TokenGates result;
  for (int64_t i = 0; i < 2; ++i) {
    Value token = add(add(t0, mul(lane, 2)), i);
    Value valid = ult(token, seqLen);
    Value offset = add(gateBase, mul(token, spec.valueHeads));
    // Only tokens of the sequence are read (with T = 0 the buffers are
    // empty); the others are 0.
    auto guardedLoad = [&](Value mem) {
      auto ifOp = scf::IfOp::create(b, loc, TypeRange{f32}, valid,
                                    /*withElseRegion=*/true);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      scf::YieldOp::create(b, loc, load(mem, {offset}));
      b.setInsertionPointToStart(ifOp.elseBlock());
      scf::YieldOp::create(b, loc, f32c(0.0));
      return ifOp.getResult(0);
    };
    if (spec.decay == DecayKind::Scalar)
      result.g[i] = guardedLoad(args.gate);
    else if (spec.decay == DecayKind::Static)
      result.g[i] = select(valid, logGamma, f32c(0.0));
    if (withDt)
      result.dt[i] = guardedLoad(args.dt);
  }
  return result;
}

void F32Emitter::publishGateFactors(const TokenGates &gates) {
  auto isWarp0 =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, warp, idx(0));
  auto ifOp = scf::IfOp::create(b, loc, isWarp0, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  Value pairIndex = mul(lane, 2);
  if (!decays) {
    // F_j = dt_j.
    vstore({gates.dt[0], gates.dt[1]}, fs, {pairIndex});
    return;
  }
  // An inclusive scan of the lanes' pair sums with shuffles (the whole warp
  // is in this branch).
  Value incl = fadd(gates.g[0], gates.g[1]);
  for (int32_t offset = 1; offset < 32; offset *= 2) {
    auto shfl =
        gpu::ShuffleOp::create(b, loc, incl, offset, 32, gpu::ShuffleMode::UP);
    incl = select(shfl.getValid(), fadd(incl, shfl.getShuffleResult()), incl);
  }
  auto prev = gpu::ShuffleOp::create(b, loc, incl, 1, 32, gpu::ShuffleMode::UP);
  Value excl = select(prev.getValid(), prev.getShuffleResult(), f32c(0.0));
  Value log2e = f32c(kLog2E);
  std::array<Value, 2> g = {fmul(fadd(excl, gates.g[0]), log2e),
                            fmul(incl, log2e)};
  // G_last = G of token 63, lane 31's second value.
  Value gLast =
      gpu::ShuffleOp::create(b, loc, g[1], 31, 32, gpu::ShuffleMode::IDX)
          .getShuffleResult();
  std::array<Value, 2> e, f;
  for (int64_t i = 0; i < 2; ++i) {
    e[i] = exp2(g[i]);
    f[i] = exp2(fsub(gLast, g[i]));
    if (spec.hasDt)
      f[i] = fmul(f[i], gates.dt[i]);
  }
  vstore({g[0], g[1]}, gs, {pairIndex});
  vstore({e[0], e[1]}, es, {pairIndex});
  vstore({f[0], f[1]}, fs, {pairIndex});
  if (spec.hasDt)
    vstore({gates.dt[0], gates.dt[1]}, dts, {pairIndex});
}

void F32Emitter::writeStateToShared(ArrayRef<Value> state) {
  for (int64_t r = 0; r < stateRows(); ++r)
    vstore(state.slice(kMicro * r, kMicro), ss, {stateRow(r), mul(tx, kMicro)});
}

void F32Emitter::computeChunk(Value t0, SmallVectorImpl<Value> &state) {
  int64_t keyDim = spec.keyDim;
  Value zero = f32c(0.0);
  Value row0 = mul(ty, kMicro); // the first of this thread's rows i
  Value col0 = mul(tx, kMicro); // the first of this thread's columns e
  auto rowOf = [&](int64_t r) { return add(row0, r); };
  // The score columns j = tx + 16c.
  auto scoreCol = [&](int64_t c) { return add(tx, kGrid * c); };
  // out[r][c] += Σ_k lhs[row0 + r][k] · rhs[k][col0 + c] over k < depth,
  // 4 at a time.
  auto accumulate = [&](Value(&acc)[kMicro][kMicro], Value lhs, Value rhs,
                        int64_t depth) {
    for (int64_t k = 0; k < depth; k += 4) {
      SmallVector<Value> lv[kMicro], rv[4];
      for (int64_t r = 0; r < kMicro; ++r)
        lv[r] = vload(4, lhs, {rowOf(r), idx(k)});
      for (int64_t u = 0; u < 4; ++u)
        rv[u] = vload(4, rhs, {idx(k + u), col0});
      for (int64_t u = 0; u < 4; ++u)
        for (int64_t r = 0; r < kMicro; ++r)
          for (int64_t c = 0; c < kMicro; ++c)
            acc[r][c] = fma(lv[r][u], rv[u][c], acc[r][c]);
    }
  };

  // A = Q Kᵀ over the key dimension, 4 keys at a time.
  Value scores[kMicro][kMicro], out[kMicro][kMicro];
  for (int64_t r = 0; r < kMicro; ++r)
    for (int64_t c = 0; c < kMicro; ++c)
      scores[r][c] = out[r][c] = zero;
  for (int64_t d = 0; d < keyDim; d += 4) {
    SmallVector<Value> qv[kMicro], kv[kMicro];
    for (int64_t r = 0; r < kMicro; ++r)
      qv[r] = vload(4, qs, {rowOf(r), idx(d)});
    for (int64_t c = 0; c < kMicro; ++c)
      kv[c] = vload(4, ks, {scoreCol(c), idx(d)});
    for (int64_t u = 0; u < 4; ++u)
      for (int64_t r = 0; r < kMicro; ++r)
        for (int64_t c = 0; c < kMicro; ++c)
          scores[r][c] = fma(qv[r][u], kv[c][u], scores[r][c]);
  }

  // Decays, dt and the causal mask; A to shared memory.
  SmallVector<Value> gi;
  Value gj[kMicro], dtj[kMicro];
  if (decays) {
    gi = vload(4, gs, {row0});
    for (int64_t c = 0; c < kMicro; ++c)
      gj[c] = load(gs, {scoreCol(c)});
  }
  if (spec.hasDt)
    for (int64_t c = 0; c < kMicro; ++c)
      dtj[c] = load(decays ? dts : fs, {scoreCol(c)});
  for (int64_t r = 0; r < kMicro; ++r) {
    for (int64_t c = 0; c < kMicro; ++c) {
      Value x = scores[r][c];
      if (decays)
        x = fmul(x, exp2(fsub(gi[r], gj[c])));
      if (spec.hasDt)
        x = fmul(x, dtj[c]);
      store(select(ule(scoreCol(c), rowOf(r)), x, zero), as,
            {rowOf(r), scoreCol(c)});
    }
  }

  // O = exp2(G_i) · (Q S), S the state before this chunk. Q is read again:
  // an empty asm that clobbers memory stops LLVM from reusing the vectors of
  // the first pass, which would all stay live in between (a single pass
  // over both products needs more registers still).
  compilerFence();
  accumulate(out, qs, ss, keyDim);
  if (decays) {
    SmallVector<Value> ei = vload(4, es, {row0});
    for (int64_t r = 0; r < kMicro; ++r)
      for (int64_t c = 0; c < kMicro; ++c)
        out[r][c] = fmul(out[r][c], ei[r]);
  }

  // S ← exp2(G_last) S + Σ_j K_jᵀ (F_j V_j): rows d = (K/16)ty + r.
  int64_t rows = stateRows();
  if (decays) {
    Value decay = exp2(load(gs, {idx(kChunk - 1)}));
    for (Value &x : state)
      x = fmul(x, decay);
  }
  bool scaled = decays || spec.hasDt;
  for (int64_t j4 = 0; j4 < kChunk; j4 += 4) {
    SmallVector<Value> fj;
    if (scaled)
      fj = vload(4, fs, {idx(j4)});
    for (int64_t u = 0; u < 4; ++u) {
      int64_t j = j4 + u;
      SmallVector<Value> kv;
      for (int64_t p = 0; p < rows; p += 4)
        kv.append(vload(4, ks, {idx(j), stateRow(p)}));
      SmallVector<Value> vv = vload(4, vs, {idx(j), col0});
      if (scaled)
        for (Value &x : vv)
          x = fmul(x, fj[u]);
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < kMicro; ++c)
          state[kMicro * r + c] = fma(kv[r], vv[c], state[kMicro * r + c]);
    }
  }

  // Barrier 2: A is visible (it is written by the threads of this row block,
  // one warp, but a CTA barrier keeps the reasoning simple), and every thread
  // is done reading S, which can be overwritten with the updated state. Its
  // store right here also keeps the update's products before this point.
  gpu::BarrierOp::create(b, loc);
  writeStateToShared(state);

  // O += A V over the chunk's tokens.
  accumulate(out, as, vs, kChunk);

  // o = scale · O (+ D · v) for the rows before T. The tile goes through
  // this thread's own rows of the Q stage (read for the last time before
  // barrier 2, written next by the copies after barrier 3) and is read back
  // under the row's condition: LLVM sinks values used only in conditional
  // blocks into them, which would leave their operands, loaded before a
  // barrier, live across it; the unconditional store keeps the products
  // here.
  Value scale = f32c(spec.scale);
  for (int64_t r = 0; r < kMicro; ++r) {
    SmallVector<Value> values;
    for (int64_t c = 0; c < kMicro; ++c)
      values.push_back(fmul(out[r][c], scale));
    if (spec.hasSkip) {
      SmallVector<Value> vi = vload(4, vs, {rowOf(r), col0});
      for (int64_t c = 0; c < kMicro; ++c)
        values[c] = fma(skipD, vi[c], values[c]);
    }
    vstore(values, qs, {rowOf(r), col0});
  }
  int64_t tokenStride = spec.valueHeads * spec.valueDim;
  for (int64_t r = 0; r < kMicro; ++r) {
    Value token = add(t0, rowOf(r));
    auto ifOp =
        scf::IfOp::create(b, loc, ult(token, seqLen), /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    vstore(vload(4, qs, {rowOf(r), col0}), args.out,
           {add(add(vBase, mul(token, tokenStride)), col0)});
  }
}

void F32Emitter::emit(gpu::GPUFuncOp func) {
  b.setInsertionPointToStart(&func.getBody().front());
  args = getChunkedKernelArgs(func, spec);

  tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  tx = rem(tid, kGrid);
  ty = div(tid, kGrid);
  lane = rem(tid, 32);
  warp = div(tid, 32);
  place(b, loc, spec, args, emitCtaCoordinates(b, loc, spec), kTileV);
  if (spec.decay == DecayKind::Static)
    logGamma = load(args.gate, {head});
  if (spec.hasSkip)
    skipD = load(args.skip, {head});

  dynamicShared = gpu::DynamicSharedMemoryOp::create(
      b, loc,
      MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                      MemRefLayoutAttrInterface(), workgroup));
  qs = sharedView(layout.qOffset(), {kChunk, layout.qkRow()});
  ks = sharedView(layout.kOffset(), {kChunk, layout.qkRow()});
  vs = sharedView(layout.vOffset(), {kChunk, kTileV});
  ss = sharedView(layout.sOffset(), {spec.keyDim, kTileV});
  as = sharedView(layout.aOffset(), {kChunk, kARow});
  gs = sharedView(layout.gOffset(), {kChunk});
  es = sharedView(layout.eOffset(), {kChunk});
  fs = sharedView(layout.fOffset(), {kChunk});
  dts = sharedView(layout.dtOffset(), {kChunk});

  // The state: rows (K/16)ty + r, columns 4tx + c.
  SmallVector<Value> state;
  for (int64_t r = 0; r < stateRows(); ++r) {
    if (spec.hasInit) {
      state.append(vload(4, args.init, {stateOffset(r)}));
      continue;
    }
    for (int64_t c = 0; c < kMicro; ++c)
      state.push_back(f32c(0.0));
  }
  writeStateToShared(state);

  Value numChunks = div(add(seqLen, kChunk - 1), kChunk);
  SmallVector<Value> initArgs(state.begin(), state.end());
  // Scalar gates and dt are loaded one chunk ahead.
  bool prefetch = spec.decay == DecayKind::Scalar || spec.hasDt;
  auto appendGates = [&](SmallVectorImpl<Value> &values,
                         const TokenGates &gates) {
    for (int64_t i = 0; i < 2; ++i) {
      if (spec.decay == DecayKind::Scalar)
        values.push_back(gates.g[i]);
      if (spec.hasDt)
        values.push_back(gates.dt[i]);
    }
  };
  if (prefetch)
    appendGates(initArgs, loadGates(idx(0), spec.hasDt));

  auto loop = scf::ForOp::create(b, loc, idx(0), numChunks, idx(1), initArgs);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value t0 = mul(loop.getInductionVar(), kChunk);
    SmallVector<Value> s;
    size_t stateSize = state.size();
    for (size_t i = 0; i < stateSize; ++i)
      s.push_back(loop.getRegionIterArg(i));

    // The copies of this chunk (the previous chunk's reads of Q, K and V
    // ended before its last barrier).
    issueCopies(t0);
    NVVM::CpAsyncCommitGroupOp::create(b, loc);

    // This chunk's gates: prefetched, or log γ; then the next chunk's.
    TokenGates gates, next;
    if (prefetch) {
      size_t a = stateSize;
      for (int64_t i = 0; i < 2; ++i) {
        if (spec.decay == DecayKind::Scalar)
          gates.g[i] = loop.getRegionIterArg(a++);
        if (spec.hasDt)
          gates.dt[i] = loop.getRegionIterArg(a++);
      }
      next = loadGates(add(t0, kChunk), spec.hasDt);
    }
    if (spec.decay == DecayKind::Static)
      gates.g = loadGates(t0, /*withDt=*/false).g;
    if (decays || spec.hasDt)
      publishGateFactors(gates);

    NVVM::CpAsyncWaitGroupOp::create(b, loc, b.getI32IntegerAttr(0));
    gpu::BarrierOp::create(b, loc);
    computeChunk(t0, s);
    gpu::BarrierOp::create(b, loc);

    SmallVector<Value> yields(s.begin(), s.end());
    if (prefetch)
      appendGates(yields, next);
    scf::YieldOp::create(b, loc, yields);
  }

  if (spec.hasFinal) {
    // The coordinates afresh (ptxas spills values kept through the loop for
    // this use only).
    tid = readSpecialRegister(b, loc, "tid.x");
    tx = rem(tid, kGrid);
    ty = div(tid, kGrid);
    stateBase =
        emitStateOffset(b, loc, spec, readSpecialRegister(b, loc, "ctaid.x"),
                        readSpecialRegister(b, loc, "ctaid.y"),
                        readSpecialRegister(b, loc, "ctaid.z"), kTileV);
    for (int64_t r = 0; r < stateRows(); ++r) {
      SmallVector<Value> row;
      for (int64_t c = 0; c < kMicro; ++c)
        row.push_back(loop.getResult(kMicro * r + c));
      vstore(row, args.finalState, {stateOffset(r)});
    }
  }
  gpu::ReturnOp::create(b, loc);
}

gpu::GPUFuncOp seqmix::buildChunkedKernelF32(OpBuilder &builder, Location loc,
                                             const ChunkedKernelSpec &spec) {
  gpu::GPUFuncOp func =
      createChunkedKernelFunc(builder, loc, spec, builder.getF32Type());
  // `.minnctapersm 1`: with `.maxntid 256` alone ptxas aims at 128 registers
  // (two CTAs per multiprocessor) and spills a few values to get there; one
  // CTA per multiprocessor leaves it 255.
  func->setAttr(NVVM::NVVMDialect::getMinctasmAttrName(),
                builder.getI32IntegerAttr(1));
  OpBuilder::InsertionGuard guard(builder);
  F32Emitter emitter(builder, loc, spec);
  emitter.emit(func);
  return func;
}
