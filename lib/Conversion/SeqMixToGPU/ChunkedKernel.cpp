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
//   stage   Q, K        → shared memory, row-major, bf16 pairs along K
//           K̃ᵀ, Vᵀ      → shared memory, bf16 pairs along the tokens, with
//                          K̃_j = K_j · exp2(G_last − G_j)
//   warp w, query rows i ∈ [16w, 16w + 16):
//     A  = Q Kᵀ                          (mma, fp32)
//     A  = select(j ≤ i, A · exp2(G_i − G_j), 0), rounded to bf16 in registers
//     O  = exp2(G_i) · (Q Sᵀᵀ) + A V     (mma; S read as bf16 from Sᵀ in
//                                          shared memory)
//     o  = bf16(scale · O)
//     S  = exp2(G_last) · S + K̃ᵀ V       (mma, fp32 accumulators)
//   Sᵀ (bf16) → shared memory for the next chunk's Q S.
//
// Fragment layouts of mma.sync.m16n8k16 (lane = 4·gid + tig):
//   A (16×16, row): {(gid, 2tig..+1), (gid+8, 2tig..+1), (gid, 2tig+8..+9),
//                    (gid+8, 2tig+8..+9)}, each an i32 of two bf16, the lower
//                    column in the low half;
//   B (16×8, col):  {(2tig..+1, gid), (2tig+8..+9, gid)};
//   C (16×8, f32):  {(gid, 2tig), (gid, 2tig+1), (gid+8, 2tig),
//                    (gid+8, 2tig+1)}.
// Every operand is read from shared memory as 32-bit words of bf16 pairs
// along the reduction dimension, which is why K and V are also staged
// transposed. Rows of the shared tiles are padded by 4 words, which makes the
// fragment reads free of bank conflicts. The accumulators of two adjacent
// n-tiles of A are exactly the A operand of the next product, so A never
// leaves the registers.
//
//===----------------------------------------------------------------------===//

#include "ChunkedKernel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include "llvm/ADT/bit.h"
#include "llvm/Support/FormatVariadic.h"

#include <array>
#include <cmath>

using namespace mlir;
using namespace mlir::seqmix;

namespace {
constexpr int64_t kChunk = ChunkedKernelSpec::kChunk;
constexpr int64_t kTileV = ChunkedKernelSpec::kTileV;
constexpr int64_t kWarps = ChunkedKernelSpec::kThreads / 32;
/// Padding of shared rows, in 32-bit words.
constexpr int64_t kPad = 4;
/// n-tiles of 8 columns in a 64-wide tile.
constexpr int64_t kNTiles = 8;
constexpr double kLog2E = 1.4426950408889634;

/// Shared-memory layout, in bytes from the start of the dynamic buffer.
struct SharedLayout {
  int64_t keyDim;
  /// Words per row of Q, K and Sᵀ (pairs along K).
  int64_t rowWords() const { return keyDim / 2 + kPad; }
  /// Words per row of K̃ᵀ and Vᵀ (pairs along the chunk's tokens).
  static int64_t pairWords() { return kChunk / 2 + kPad; }
  int64_t qOffset() const { return 0; }
  int64_t kOffset() const { return qOffset() + kChunk * rowWords() * 4; }
  int64_t ktOffset() const { return kOffset() + kChunk * rowWords() * 4; }
  int64_t vtOffset() const { return ktOffset() + keyDim * pairWords() * 4; }
  int64_t stOffset() const { return vtOffset() + kTileV * pairWords() * 4; }
  int64_t gOffset() const { return stOffset() + kTileV * rowWords() * 4; }
  int64_t size() const { return gOffset() + kChunk * 4; }
};

using Acc = std::array<Value, 4>;

/// Builds the kernel body.
class KernelEmitter {
public:
  KernelEmitter(OpBuilder &b, Location loc, const ChunkedKernelSpec &spec)
      : b(b), loc(loc), spec(spec), layout{spec.keyDim} {
    MLIRContext *ctx = b.getContext();
    i32 = b.getI32Type();
    f32 = b.getF32Type();
    bf16 = b.getBF16Type();
    workgroup = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
    accType = LLVM::LLVMStructType::getLiteral(ctx, {f32, f32, f32, f32});
  }

  void emit(gpu::GPUFuncOp func);

private:
  //===--- Scalars -------------------------------------------------------===//
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value f32c(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value add(Value x, int64_t y) { return y == 0 ? x : add(x, idx(y)); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value mul(Value x, int64_t y) { return y == 1 ? x : mul(x, idx(y)); }
  Value ult(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, y);
  }
  Value ule(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ule, x, y);
  }
  Value fadd(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value fsub(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value fmul(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  /// 2^x with ex2.approx.ftz.f32 (no libdevice needed).
  Value exp2(Value x) {
    return LLVM::CallIntrinsicOp::create(
               b, loc, f32, b.getStringAttr("llvm.nvvm.ex2.approx.ftz.f"),
               ValueRange{x})
        .getResult(0);
  }
  /// Two f32 rounded to bf16 and packed into an i32, `lo` in the low half.
  Value packBF16(Value lo, Value hi) {
    Value pair = NVVM::ConvertF32x2ToBF16x2Op::create(
        b, loc, VectorType::get({2}, bf16), hi, lo, Value(),
        NVVM::FPRoundingModeAttr::get(b.getContext(),
                                      NVVM::FPRoundingMode::RN));
    Value word =
        vector::BitCastOp::create(b, loc, VectorType::get({1}, i32), pair);
    return vector::ExtractOp::create(b, loc, word, ArrayRef<int64_t>{0});
  }

  //===--- Memory --------------------------------------------------------===//
  Value load(Value mem, ValueRange indices) {
    return memref::LoadOp::create(b, loc, mem, indices);
  }
  void store(Value value, Value mem, ValueRange indices) {
    memref::StoreOp::create(b, loc, value, mem, indices);
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
  Value sharedView(Value dyn, int64_t offset, ArrayRef<int64_t> shape,
                   Type element) {
    auto type =
        MemRefType::get(shape, element, MemRefLayoutAttrInterface(), workgroup);
    return memref::ViewOp::create(b, loc, type, dyn, idx(offset), ValueRange{});
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
  void stageChunk(Value t0);
  /// The global tile loads of one staging unit: for each of the two tokens
  /// 2·lane and 2·lane + 1 of the chunk, 16 consecutive bf16 from `base`
  /// plus the token's offset (zeros past T).
  std::array<std::array<Value, 2>, 2> loadPairRows(Value mem, Value base,
                                                   int64_t tokenStride,
                                                   ArrayRef<Value> tokens,
                                                   ArrayRef<Value> valid);
  /// Interleaves two rows of 8 bf16 into 8 words of (row0[e], row1[e]).
  SmallVector<Value> interleave(Value row0, Value row1);
  void computeChunk(Value t0, SmallVectorImpl<Acc> &state);
  void writeStateToShared(ArrayRef<Acc> state);
  /// The global offset of the state element (d, 2·tig) of n-tile n.
  Value stateOffset(Value d, int64_t n);

  OpBuilder &b;
  Location loc;
  const ChunkedKernelSpec &spec;
  SharedLayout layout;
  Type i32, f32, bf16;
  Attribute workgroup;
  Type accType;

  // Arguments.
  Value q, k, v, gate, init, out, finalState, seqLen;
  // Thread and block coordinates (index).
  Value lane, warp, gid, tig, vTile, head, batch, qkHead;
  // Base offsets (elements) of this CTA's slices.
  Value qkBase, vBase, gateBase, stateBase;
  // Shared memory views.
  Value qs, ks, kts, vts, sts, sts16, gs;
  // log γ of this head (static decay).
  Value logGamma;
};
} // namespace

//===----------------------------------------------------------------------===//
// ChunkedKernelSpec
//===----------------------------------------------------------------------===//

std::string ChunkedKernelSpec::getName() const {
  std::string name = llvm::formatv(
      "chunked_additive_{0}_k{1}_v{2}_h{3}x{4}{5}{6}",
      stringifyDecayKind(decay), keyDim, valueDim, qkHeads, valueHeads,
      hasInit ? "_init" : "", hasFinal ? "_final" : "");
  if (scale != 1.0 / std::sqrt(static_cast<double>(keyDim)))
    name +=
        llvm::formatv("_scale{0:x-}", llvm::bit_cast<uint64_t>(scale)).str();
  return name;
}

int64_t ChunkedKernelSpec::getSharedMemoryBytes() const {
  return SharedLayout{keyDim}.size();
}

std::optional<std::string> ChunkedKernelSpec::checkSupported() const {
  if (decay != DecayKind::None && decay != DecayKind::Static &&
      decay != DecayKind::Scalar)
    return std::string("the decay must be none, static or scalar");
  if (keyDim != 64 && keyDim != 128)
    return llvm::formatv("K must be 64 or 128, not {0}", keyDim).str();
  if (valueDim <= 0 || valueDim % kTileV != 0)
    return llvm::formatv("V must be a multiple of 64, not {0}", valueDim).str();
  if (qkHeads <= 0 || valueHeads % qkHeads != 0)
    return std::string("the value heads must be a multiple of the q/k heads");
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// KernelEmitter
//===----------------------------------------------------------------------===//

std::array<std::array<Value, 2>, 2>
KernelEmitter::loadPairRows(Value mem, Value base, int64_t tokenStride,
                            ArrayRef<Value> tokens, ArrayRef<Value> valid) {
  auto rowType = VectorType::get({8}, bf16);
  Value zeros = arith::ConstantOp::create(
      b, loc, cast<TypedAttr>(b.getZeroAttr(rowType)));
  std::array<std::array<Value, 2>, 2> rows;
  for (int64_t i = 0; i < 2; ++i) {
    Value offset = add(base, mul(tokens[i], tokenStride));
    for (int64_t half = 0; half < 2; ++half) {
      Value row = vload(rowType, mem, {add(offset, 8 * half)}, 16);
      rows[i][half] = select(valid[i], row, zeros);
    }
  }
  return rows;
}

SmallVector<Value> KernelEmitter::interleave(Value row0, Value row1) {
  SmallVector<int64_t> mask;
  for (int64_t e = 0; e < 8; ++e) {
    mask.push_back(e);
    mask.push_back(8 + e);
  }
  Value pairs = vector::ShuffleOp::create(b, loc, row0, row1, mask);
  Value words =
      vector::BitCastOp::create(b, loc, VectorType::get({8}, i32), pairs);
  SmallVector<Value> result;
  for (int64_t e = 0; e < 8; ++e)
    result.push_back(
        vector::ExtractOp::create(b, loc, words, ArrayRef<int64_t>{e}));
  return result;
}

void KernelEmitter::stageChunk(Value t0) {
  // Each lane stages the token pair (2·lane, 2·lane + 1) of the chunk.
  Value lastToken = arith::SubIOp::create(b, loc, seqLen, idx(1));
  SmallVector<Value, 2> tokens, valid;
  for (int64_t i = 0; i < 2; ++i) {
    Value t = add(add(t0, mul(lane, 2)), i);
    valid.push_back(ult(t, seqLen));
    // Past T, read the last token (a valid address) and select zeros.
    tokens.push_back(arith::MinUIOp::create(b, loc, t, lastToken));
  }

  // The gates: an inclusive scan over the chunk in every warp (so that no
  // barrier is needed before scaling K̃), in log2 units.
  Value fK[2];
  if (spec.decay != DecayKind::None) {
    Value g[2];
    for (int64_t i = 0; i < 2; ++i) {
      Value x =
          spec.decay == DecayKind::Static
              ? logGamma
              : load(gate, {add(gateBase, mul(tokens[i], spec.valueHeads))});
      g[i] = select(valid[i], x, f32c(0.0));
    }
    Value pairSum = fadd(g[0], g[1]);
    Value incl = pairSum;
    for (int32_t offset = 1; offset < 32; offset *= 2) {
      auto shfl = gpu::ShuffleOp::create(b, loc, incl, offset, 32,
                                         gpu::ShuffleMode::UP);
      incl = select(shfl.getValid(), fadd(incl, shfl.getShuffleResult()), incl);
    }
    auto prev =
        gpu::ShuffleOp::create(b, loc, incl, 1, 32, gpu::ShuffleMode::UP);
    Value excl = select(prev.getValid(), prev.getShuffleResult(), f32c(0.0));
    Value log2e = f32c(kLog2E);
    Value gcum0 = fmul(fadd(excl, g[0]), log2e);
    Value gcum1 = fmul(incl, log2e);
    auto last =
        gpu::ShuffleOp::create(b, loc, incl, 31, 32, gpu::ShuffleMode::IDX);
    Value gLast = fmul(last.getShuffleResult(), log2e);
    fK[0] = exp2(fsub(gLast, gcum0));
    fK[1] = exp2(fsub(gLast, gcum1));
    // Warp 0 publishes G for the compute phase.
    auto isWarp0 =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, warp, idx(0));
    auto ifOp = scf::IfOp::create(b, loc, isWarp0, /*withElseRegion=*/false);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      Value pair = vector::FromElementsOp::create(
          b, loc, VectorType::get({2}, f32), ValueRange{gcum0, gcum1});
      vstore(pair, gs, {mul(lane, 2)}, 8);
    }
  }

  Value row0 = mul(lane, 2), row1 = add(row0, 1);
  int64_t keyDim = spec.keyDim;
  // Q, K and K̃ᵀ: units of (token pair, 16 columns of K); warp w takes the
  // column blocks w, w + 4, ...
  for (int64_t unit = 0; unit < keyDim / 64; ++unit) {
    Value col16 = add(warp, kWarps * unit);
    Value d0 = mul(col16, 16);
    Value base = add(qkBase, d0);
    int64_t tokenStride = spec.qkHeads * keyDim;
    auto qRows = loadPairRows(q, base, tokenStride, tokens, valid);
    auto kRows = loadPairRows(k, base, tokenStride, tokens, valid);
    Value word0 = mul(col16, 8);
    auto rowWordsType = VectorType::get({4}, i32);
    for (int64_t i = 0; i < 2; ++i) {
      Value row = i == 0 ? row0 : row1;
      for (int64_t half = 0; half < 2; ++half) {
        Value w = add(word0, 4 * half);
        vstore(vector::BitCastOp::create(b, loc, rowWordsType, qRows[i][half]),
               qs, {row, w}, 16);
        vstore(vector::BitCastOp::create(b, loc, rowWordsType, kRows[i][half]),
               ks, {row, w}, 16);
      }
    }
    for (int64_t half = 0; half < 2; ++half) {
      SmallVector<Value> words;
      if (spec.decay == DecayKind::None) {
        words = interleave(kRows[0][half], kRows[1][half]);
      } else {
        auto wide = VectorType::get({8}, f32);
        Value k0 = arith::ExtFOp::create(b, loc, wide, kRows[0][half]);
        Value k1 = arith::ExtFOp::create(b, loc, wide, kRows[1][half]);
        for (int64_t e = 0; e < 8; ++e) {
          Value x0 =
              fmul(vector::ExtractOp::create(b, loc, k0, ArrayRef<int64_t>{e}),
                   fK[0]);
          Value x1 =
              fmul(vector::ExtractOp::create(b, loc, k1, ArrayRef<int64_t>{e}),
                   fK[1]);
          words.push_back(packBF16(x0, x1));
        }
      }
      for (int64_t e = 0; e < 8; ++e)
        store(words[e], kts, {add(d0, 8 * half + e), lane});
    }
  }

  // Vᵀ: warp w takes the columns [16w, 16w + 16) of the V tile.
  {
    Value e0 = mul(warp, 16);
    auto vRows = loadPairRows(v, add(vBase, e0),
                              spec.valueHeads * spec.valueDim, tokens, valid);
    for (int64_t half = 0; half < 2; ++half) {
      SmallVector<Value> words = interleave(vRows[0][half], vRows[1][half]);
      for (int64_t e = 0; e < 8; ++e)
        store(words[e], vts, {add(e0, 8 * half + e), lane});
    }
  }
}

Value KernelEmitter::stateOffset(Value d, int64_t n) {
  return add(add(stateBase, mul(d, spec.valueDim)), add(mul(tig, 2), 8 * n));
}

void KernelEmitter::writeStateToShared(ArrayRef<Acc> state) {
  // Sᵀ[v][d] in bf16: state element (d, v) of m-tile mt, n-tile n.
  int64_t mTiles = spec.keyDim / 64;
  for (int64_t mt = 0; mt < mTiles; ++mt) {
    Value d0 = add(mul(warp, spec.keyDim / kWarps), 16 * mt);
    for (int64_t n = 0; n < kNTiles; ++n) {
      const Acc &acc = state[mt * kNTiles + n];
      for (int64_t i = 0; i < 4; ++i) {
        Value d = add(add(d0, gid), 8 * (i / 2));
        Value col = add(add(mul(tig, 2), 8 * n), i % 2);
        Value x = arith::TruncFOp::create(b, loc, bf16, acc[i]);
        store(x, sts16, {col, d});
      }
    }
  }
}

void KernelEmitter::computeChunk(Value t0, SmallVectorImpl<Acc> &state) {
  int64_t keyDim = spec.keyDim;
  bool decays = spec.decay != DecayKind::None;
  Value rowLo = add(mul(warp, 16), gid); // query row within the chunk
  Value rowHi = add(rowLo, 8);
  SmallVector<Value, kNTiles> nRow; // 8n + gid
  for (int64_t n = 0; n < kNTiles; ++n)
    nRow.push_back(add(gid, 8 * n));

  // A = Q Kᵀ and P = Q S over the key dimension.
  SmallVector<Acc> scores(kNTiles, zeroAcc()), outAcc(kNTiles, zeroAcc());
  for (int64_t step = 0; step < keyDim / 16; ++step) {
    Value c0 = add(tig, 8 * step), c1 = add(tig, 8 * step + 4);
    Value a[4] = {load(qs, {rowLo, c0}), load(qs, {rowHi, c0}),
                  load(qs, {rowLo, c1}), load(qs, {rowHi, c1})};
    for (int64_t n = 0; n < kNTiles; ++n) {
      Value bk[2] = {load(ks, {nRow[n], c0}), load(ks, {nRow[n], c1})};
      scores[n] = mma(a, bk, scores[n]);
    }
    for (int64_t n = 0; n < kNTiles; ++n) {
      Value bs[2] = {load(sts, {nRow[n], c0}), load(sts, {nRow[n], c1})};
      outAcc[n] = mma(a, bs, outAcc[n]);
    }
  }

  // Decays and the causal mask.
  Value gLo, gHi;
  if (decays) {
    gLo = load(gs, {rowLo});
    gHi = load(gs, {rowHi});
    Value eLo = exp2(gLo), eHi = exp2(gHi);
    for (Acc &acc : outAcc) {
      acc[0] = fmul(acc[0], eLo);
      acc[1] = fmul(acc[1], eLo);
      acc[2] = fmul(acc[2], eHi);
      acc[3] = fmul(acc[3], eHi);
    }
  }
  Value zero = f32c(0.0);
  for (int64_t n = 0; n < kNTiles; ++n) {
    Value col0 = add(mul(tig, 2), 8 * n);
    Value gj[2];
    if (decays) {
      Value pair = vload(VectorType::get({2}, f32), gs, {col0}, 8);
      for (int64_t e = 0; e < 2; ++e)
        gj[e] = vector::ExtractOp::create(b, loc, pair, ArrayRef<int64_t>{e});
    }
    for (int64_t i = 0; i < 4; ++i) {
      Value col = add(col0, i % 2);
      Value row = i < 2 ? rowLo : rowHi;
      Value x = scores[n][i];
      if (decays)
        x = fmul(x, exp2(fsub(i < 2 ? gLo : gHi, gj[i % 2])));
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

  // S ← exp2(G_last) S before adding this chunk.
  if (decays) {
    Value decay = exp2(load(gs, {idx(kChunk - 1)}));
    for (Acc &acc : state)
      for (Value &x : acc)
        x = fmul(x, decay);
  }

  // O += A V and S += K̃ᵀ V over the chunk's tokens; both read the same V
  // fragments.
  int64_t mTiles = keyDim / 64;
  for (int64_t kk = 0; kk < kChunk / 16; ++kk) {
    Value c0 = add(tig, 8 * kk), c1 = add(tig, 8 * kk + 4);
    SmallVector<std::array<Value, 2>> bv;
    for (int64_t n = 0; n < kNTiles; ++n)
      bv.push_back({load(vts, {nRow[n], c0}), load(vts, {nRow[n], c1})});
    for (int64_t n = 0; n < kNTiles; ++n)
      outAcc[n] = mma(aFrag[kk], bv[n], outAcc[n]);
    for (int64_t mt = 0; mt < mTiles; ++mt) {
      Value d0 = add(add(mul(warp, keyDim / kWarps), 16 * mt), gid);
      Value d8 = add(d0, 8);
      Value a[4] = {load(kts, {d0, c0}), load(kts, {d8, c0}),
                    load(kts, {d0, c1}), load(kts, {d8, c1})};
      for (int64_t n = 0; n < kNTiles; ++n)
        state[mt * kNTiles + n] = mma(a, bv[n], state[mt * kNTiles + n]);
    }
  }

  // o = bf16(scale · O) for the rows before T.
  Value scale = f32c(spec.scale);
  int64_t tokenStride = spec.valueHeads * spec.valueDim;
  for (int64_t half = 0; half < 2; ++half) {
    Value token = add(t0, half == 0 ? rowLo : rowHi);
    auto ifOp =
        scf::IfOp::create(b, loc, ult(token, seqLen), /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    Value rowBase = add(vBase, mul(token, tokenStride));
    for (int64_t n = 0; n < kNTiles; ++n) {
      Value word = packBF16(fmul(outAcc[n][2 * half], scale),
                            fmul(outAcc[n][2 * half + 1], scale));
      Value pair = vector::BitCastOp::create(
          b, loc, VectorType::get({2}, bf16),
          vector::FromElementsOp::create(b, loc, VectorType::get({1}, i32),
                                         ValueRange{word}));
      vstore(pair, out, {add(rowBase, add(mul(tig, 2), 8 * n))}, 4);
    }
  }
}

void KernelEmitter::emit(gpu::GPUFuncOp func) {
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  unsigned arg = 0;
  q = entry.getArgument(arg++);
  k = entry.getArgument(arg++);
  v = entry.getArgument(arg++);
  if (spec.decay != DecayKind::None)
    gate = entry.getArgument(arg++);
  if (spec.hasInit)
    init = entry.getArgument(arg++);
  out = entry.getArgument(arg++);
  if (spec.hasFinal)
    finalState = entry.getArgument(arg++);
  seqLen = entry.getArgument(arg++);

  Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
  lane = arith::RemUIOp::create(b, loc, tid, idx(32));
  warp = arith::DivUIOp::create(b, loc, tid, idx(32));
  gid = arith::DivUIOp::create(b, loc, lane, idx(4));
  tig = arith::RemUIOp::create(b, loc, lane, idx(4));
  vTile = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  head = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  batch = gpu::BlockIdOp::create(b, loc, gpu::Dimension::z);
  qkHead =
      arith::DivUIOp::create(b, loc, head, idx(spec.valueHeads / spec.qkHeads));

  int64_t keyDim = spec.keyDim, valueDim = spec.valueDim;
  Value batchTokens = mul(batch, seqLen);
  // q, k: ((b·T + t)·H + hq)·K + d.
  qkBase = mul(add(mul(batchTokens, spec.qkHeads), qkHead), keyDim);
  // v, o: ((b·T + t)·Hv + h)·V + 64·tile + e.
  vBase = add(mul(add(mul(batchTokens, spec.valueHeads), head), valueDim),
              mul(vTile, kTileV));
  // g: (b·T + t)·Hv + h.
  gateBase = add(mul(batchTokens, spec.valueHeads), head);
  // states: ((b·Hv + h)·K + d)·V + 64·tile + e.
  stateBase =
      add(mul(mul(add(mul(batch, spec.valueHeads), head), keyDim), valueDim),
          mul(vTile, kTileV));
  if (spec.decay == DecayKind::Static)
    logGamma = load(gate, {head});

  auto i8 = b.getI8Type();
  Value dyn = gpu::DynamicSharedMemoryOp::create(
      b, loc,
      MemRefType::get({ShapedType::kDynamic}, i8, MemRefLayoutAttrInterface(),
                      workgroup));
  qs = sharedView(dyn, layout.qOffset(), {kChunk, layout.rowWords()}, i32);
  ks = sharedView(dyn, layout.kOffset(), {kChunk, layout.rowWords()}, i32);
  kts = sharedView(dyn, layout.ktOffset(), {keyDim, layout.pairWords()}, i32);
  vts = sharedView(dyn, layout.vtOffset(), {kTileV, layout.pairWords()}, i32);
  sts = sharedView(dyn, layout.stOffset(), {kTileV, layout.rowWords()}, i32);
  sts16 =
      sharedView(dyn, layout.stOffset(), {kTileV, 2 * layout.rowWords()}, bf16);
  gs = sharedView(dyn, layout.gOffset(), {kChunk}, f32);

  // The state: m-tiles of 16 rows of K per warp, 8 n-tiles each.
  int64_t mTiles = keyDim / 64;
  SmallVector<Acc> state;
  for (int64_t mt = 0; mt < mTiles; ++mt) {
    Value d0 = add(add(mul(warp, keyDim / kWarps), 16 * mt), gid);
    for (int64_t n = 0; n < kNTiles; ++n) {
      if (!spec.hasInit) {
        state.push_back(zeroAcc());
        continue;
      }
      Acc acc;
      for (int64_t half = 0; half < 2; ++half) {
        Value pair = vload(VectorType::get({2}, f32), init,
                           {stateOffset(add(d0, 8 * half), n)}, 8);
        for (int64_t e = 0; e < 2; ++e)
          acc[2 * half + e] =
              vector::ExtractOp::create(b, loc, pair, ArrayRef<int64_t>{e});
      }
      state.push_back(acc);
    }
  }
  writeStateToShared(state);

  // The walk over the chunks.
  Value numChunks =
      arith::DivUIOp::create(b, loc, add(seqLen, kChunk - 1), idx(kChunk));
  SmallVector<Value> initArgs;
  for (const Acc &acc : state)
    initArgs.append(acc.begin(), acc.end());
  auto loop = scf::ForOp::create(b, loc, idx(0), numChunks, idx(1), initArgs);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    SmallVector<Acc> s;
    for (size_t i = 0; i < state.size(); ++i)
      s.push_back(
          {loop.getRegionIterArg(4 * i), loop.getRegionIterArg(4 * i + 1),
           loop.getRegionIterArg(4 * i + 2), loop.getRegionIterArg(4 * i + 3)});
    Value t0 = mul(loop.getInductionVar(), kChunk);
    stageChunk(t0);
    gpu::BarrierOp::create(b, loc);
    computeChunk(t0, s);
    gpu::BarrierOp::create(b, loc);
    writeStateToShared(s);
    SmallVector<Value> yields;
    for (const Acc &acc : s)
      yields.append(acc.begin(), acc.end());
    scf::YieldOp::create(b, loc, yields);
  }

  if (spec.hasFinal) {
    for (int64_t mt = 0; mt < mTiles; ++mt) {
      Value d0 = add(add(mul(warp, keyDim / kWarps), 16 * mt), gid);
      for (int64_t n = 0; n < kNTiles; ++n) {
        size_t i = mt * kNTiles + n;
        for (int64_t half = 0; half < 2; ++half) {
          Value pair = vector::FromElementsOp::create(
              b, loc, VectorType::get({2}, f32),
              ValueRange{loop.getResult(4 * i + 2 * half),
                         loop.getResult(4 * i + 2 * half + 1)});
          vstore(pair, finalState, {stateOffset(add(d0, 8 * half), n)}, 8);
        }
      }
    }
  }
  gpu::ReturnOp::create(b, loc);
}

gpu::GPUFuncOp seqmix::buildChunkedKernel(OpBuilder &builder, Location loc,
                                          const ChunkedKernelSpec &spec) {
  MLIRContext *ctx = builder.getContext();
  auto bf16Buffer =
      MemRefType::get({ShapedType::kDynamic}, BFloat16Type::get(ctx));
  auto f32Buffer =
      MemRefType::get({ShapedType::kDynamic}, Float32Type::get(ctx));
  SmallVector<Type> args = {bf16Buffer, bf16Buffer, bf16Buffer};
  if (spec.decay != DecayKind::None)
    args.push_back(f32Buffer);
  if (spec.hasInit)
    args.push_back(f32Buffer);
  args.push_back(bf16Buffer);
  if (spec.hasFinal)
    args.push_back(f32Buffer);
  args.push_back(builder.getIndexType());

  auto func = gpu::GPUFuncOp::create(builder, loc, spec.getName(),
                                     builder.getFunctionType(args, {}));
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                builder.getUnitAttr());
  func.setKnownBlockSizeAttr(builder.getDenseI32ArrayAttr(
      {static_cast<int32_t>(ChunkedKernelSpec::kThreads), 1, 1}));

  OpBuilder::InsertionGuard guard(builder);
  KernelEmitter emitter(builder, loc, spec);
  emitter.emit(func);
  return func;
}
