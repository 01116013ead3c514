//===- LowerChunked.cpp - the chunked form of seqmix.apply ----------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// The chunked form in two steps.
//
// 1. Expansion (lowerChunked, the seqmix-expand-chunked pass): the causal
//    semiseparable term of a chunked seqmix.apply becomes chunk-level ops.
//    Per batch row and value head, with chunks of C tokens, G the chunk-local
//    cumsum of the log gates (chunk_cumsum) and h the state at a chunk start
//    (chunk_output multiplies o by the mixer's scale):
//
//      additive:  A = chunk_gram(q, k)                 (decayed q kᵀ, j ≤ i)
//                 h ← exp(G_l) h + (k ∘ exp(G_l − G))ᵀ v   (chunk_state_scan)
//                 o = (q ∘ exp(G)) h + A v            (chunk_output)
//      delta:     T = (I + diag(β) stril(decayed k kᵀ))⁻¹ diag(β)
//                                            (chunk_gram strict, tri_inverse)
//                 W = T (k ∘ exp(G)), U = T v                     (wy_apply)
//                 v' = U − W h, h ← exp(G_l) h + (k ∘ exp(G_l − G))ᵀ v'
//                                                         (chunk_state_scan)
//                 o = (q ∘ exp(G)) h + A v'                    (chunk_output)
//
//    For the delta rule, v'_t = β_t (v_t − P_tᵀ k_t) where P_t is the state
//    after token t's decay: inside a chunk that is (I + diag(β) A_kk) V' =
//    diag(β)(V − (K ∘ exp(G)) h), whence V' = U − W h. A static decay is
//    broadcast over the tokens; Mamba2's `dt` scales the values. An
//    anticausal term takes the recurrent form.
//
// 2. Lowering of the chunk-level ops (lowerChunkOps): each op becomes an
//    scf.for over the sequences (batch rows, or the packed sequences of
//    `seqlens`) and an scf.for over their chunks, with linalg.generic on the
//    chunk's slices. Masks are selects on linalg.index; only non-positive
//    differences of G are exponentiated.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "seqmix/Dialect/SeqMix/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/Support/FormatVariadic.h"

namespace mlir {
namespace seqmix {
#define GEN_PASS_DEF_SEQMIXEXPANDCHUNKED
#include "seqmix/Dialect/SeqMix/Transforms/Passes.h.inc"
} // namespace seqmix
} // namespace mlir

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::lowering;

static Value index(OpBuilder &b, Location l, unsigned dim) {
  return linalg::IndexOp::create(b, l, dim);
}
/// `x` where `cond` holds, else 0.
static Value selectOrZero(OpBuilder &b, Location l, Value cond, Value x) {
  Value zero = arith::ConstantOp::create(b, l, b.getF32FloatAttr(0.0));
  return arith::SelectOp::create(b, l, cond, x, zero);
}
/// j ≤ i (or j < i when `strict`) on index values.
static Value lowerTriangle(OpBuilder &b, Location l, Value j, Value i,
                           bool strict = false) {
  return arith::CmpIOp::create(
      b, l, strict ? arith::CmpIPredicate::ult : arith::CmpIPredicate::ule, j,
      i);
}
/// The same for the loops `jDim` and `iDim` of a linalg.generic.
static Value lowerTriangle(OpBuilder &b, Location l, unsigned jDim,
                           unsigned iDim, bool strict = false) {
  Value i = index(b, l, iDim);
  Value j = index(b, l, jDim);
  return lowerTriangle(b, l, j, i, strict);
}

static int64_t dimOf(Value v, unsigned d) {
  return cast<ShapedType>(v.getType()).getDimSize(d);
}

/// The q/k head of value head `h` in an affine map: "h floordiv G".
static std::string groupOf(int64_t valueHeads, int64_t heads) {
  return llvm::formatv("h floordiv {0}", valueHeads / heads).str();
}

//===----------------------------------------------------------------------===//
// Loops over sequences and chunks
//===----------------------------------------------------------------------===//

namespace {
/// The token axis the chunk ops walk.
struct Geometry {
  Value seqLen, numSeqs, seqlens;
  int64_t chunk;
};
} // namespace

static Geometry getGeometry(TensorBuilder &b, Value tokens, Value seqlens,
                            int64_t chunk) {
  OpBuilder &ob = b.builder();
  Location loc = b.location();
  Geometry g;
  g.seqLen = tensor::DimOp::create(ob, loc, tokens, 1);
  g.seqlens = seqlens;
  g.chunk = chunk;
  if (seqlens) {
    Value offsets = tensor::DimOp::create(ob, loc, seqlens, 0);
    g.numSeqs = arith::SubIOp::create(ob, loc, offsets, b.index(1));
  } else {
    g.numSeqs = tensor::DimOp::create(ob, loc, tokens, 0);
  }
  return g;
}

namespace {
/// One chunk: batch row, first token c0, length L ≤ C, and its index in the
/// per-chunk states (per batch row, or in packed order with `seqlens`).
struct Chunk {
  Value row, begin, len, index;
};
} // namespace

using ChunkBody = function_ref<SmallVector<Value>(TensorBuilder &,
                                                  const Chunk &, ValueRange)>;
using SequenceBegin =
    function_ref<SmallVector<Value>(TensorBuilder &, Value, ValueRange)>;
using SequenceEnd = function_ref<SmallVector<Value>(TensorBuilder &, Value,
                                                    ValueRange, ValueRange)>;

/// scf.for over the sequences, then over the chunks of each, threading
/// `inits` through both loops. `begin(n, values)` gives extra values that only
/// the chunk loop of sequence n threads (its state); `body(chunk, values,
/// extra)` returns the new values then the new extra values; `end(n, values,
/// extra)` returns the values after sequence n. Returns the final values.
static SmallVector<Value> forEachChunk(TensorBuilder &b, const Geometry &g,
                                       ValueRange inits, ChunkBody body,
                                       SequenceBegin begin = nullptr,
                                       SequenceEnd end = nullptr) {
  OpBuilder &ob = b.builder();
  unsigned numValues = inits.size();
  SmallVector<Value> outerInits(inits);
  outerInits.push_back(b.index(0)); // The index of the next chunk.
  auto outer = scf::ForOp::create(
      ob, b.location(), b.index(0), g.numSeqs, b.index(1), outerInits,
      [&](OpBuilder &nb, Location l, Value n, ValueRange iter) {
        TensorBuilder sb(nb, l);
        Sequence seq = getSequence(nb, l, g.seqlens, g.seqLen, n);
        ValueRange values = iter.take_front(numValues);
        SmallVector<Value> extra;
        if (begin)
          extra = begin(sb, n, values);
        unsigned numExtra = extra.size();
        SmallVector<Value> innerInits(values);
        llvm::append_range(innerInits, extra);
        // Batch rows number their chunks from 0; packed sequences go on.
        innerInits.push_back(g.seqlens ? iter.back() : sb.index(0));
        auto inner = scf::ForOp::create(
            nb, l, seq.begin, seq.end, sb.index(g.chunk), innerInits,
            [&](OpBuilder &cb, Location cl, Value c0, ValueRange it) {
              TensorBuilder tb(cb, cl);
              Value rest = arith::SubIOp::create(cb, cl, seq.end, c0);
              Value len =
                  arith::MinSIOp::create(cb, cl, rest, tb.index(g.chunk));
              Chunk chunk{seq.batchIndex, c0, len, it.back()};
              SmallVector<Value> next = body(tb, chunk, it.drop_back());
              next.push_back(
                  arith::AddIOp::create(cb, cl, it.back(), tb.index(1)));
              scf::YieldOp::create(cb, cl, next);
            });
        SmallVector<Value> results(inner.getResults().take_front(numValues));
        if (end)
          results = end(sb, n, results,
                        inner.getResults().slice(numValues, numExtra));
        results.push_back(inner.getResults().back());
        scf::YieldOp::create(nb, l, results);
      });
  return SmallVector<Value>(outer.getResults().take_front(numValues));
}

/// The number of chunks: ceil(T / C), or Σ_n ceil(len_n / C) with seqlens.
static Value countChunks(TensorBuilder &b, const Geometry &g) {
  OpBuilder &ob = b.builder();
  Location loc = b.location();
  Value c = b.index(g.chunk);
  if (!g.seqlens)
    return arith::CeilDivUIOp::create(ob, loc, g.seqLen, c);
  auto loop = scf::ForOp::create(
      ob, loc, b.index(0), g.numSeqs, b.index(1), ValueRange{b.index(0)},
      [&](OpBuilder &nb, Location l, Value n, ValueRange iter) {
        Sequence seq = getSequence(nb, l, g.seqlens, g.seqLen, n);
        Value len = arith::SubIOp::create(nb, l, seq.end, seq.begin);
        Value chunks = arith::CeilDivUIOp::create(nb, l, len, c);
        scf::YieldOp::create(
            nb, l, ValueRange{arith::AddIOp::create(nb, l, iter[0], chunks)});
      });
  return loop.getResult(0);
}

/// The chunk's rows of a token tensor [B, T, ...] as [L, ...].
static Value chunkRows(TensorBuilder &b, Value tensor, const Chunk &c) {
  OpBuilder &ob = b.builder();
  SmallVector<OpFoldResult> sizes = b.sizes(tensor);
  SmallVector<OpFoldResult> offsets(sizes.size(), ob.getIndexAttr(0));
  offsets[0] = c.row;
  offsets[1] = c.begin;
  sizes[0] = ob.getIndexAttr(1);
  sizes[1] = c.len;
  return b.slice(tensor, offsets, sizes, {0});
}

/// The chunk's L×L block of a [B, T, Hv, C] tensor as [L, Hv, L].
static Value chunkBlock(TensorBuilder &b, Value tensor, const Chunk &c) {
  OpBuilder &ob = b.builder();
  OpFoldResult zero = ob.getIndexAttr(0);
  return b.slice(
      tensor, {c.row, c.begin, zero, zero},
      {ob.getIndexAttr(1), c.len, ob.getIndexAttr(dimOf(tensor, 2)), c.len},
      {0});
}

/// Inserts [L, ...] into the chunk's rows of `dest` [B, T, ...].
static Value insertRows(TensorBuilder &b, Value rows, Value dest,
                        const Chunk &c) {
  OpBuilder &ob = b.builder();
  SmallVector<OpFoldResult> sizes = b.sizes(rows);
  SmallVector<OpFoldResult> offsets(sizes.size() + 1, ob.getIndexAttr(0));
  offsets[0] = c.row;
  offsets[1] = c.begin;
  sizes.insert(sizes.begin(), ob.getIndexAttr(1));
  return b.insert(rows, dest, offsets, sizes);
}

/// The row of token c0 + i of a [B, T, ...] tensor, as [...].
static Value tokenRow(TensorBuilder &b, Value tensor, Value row, Value t) {
  OpBuilder &ob = b.builder();
  SmallVector<OpFoldResult> sizes = b.sizes(tensor);
  SmallVector<OpFoldResult> offsets(sizes.size(), ob.getIndexAttr(0));
  offsets[0] = row;
  offsets[1] = t;
  sizes[0] = sizes[1] = ob.getIndexAttr(1);
  return b.slice(tensor, offsets, sizes, {0, 1});
}

/// The map of a slice of G ([L, Hv] or [L, Hv, K]) in a generic whose loops
/// are `dims`: `token` and `key` name the loops of its token and key.
static std::string decayMap(StringRef dims, Value g, StringRef token,
                            StringRef key) {
  bool diagonal = cast<ShapedType>(g.getType()).getRank() == 3;
  return ("(" + dims + ") -> (" + token + ", h" +
          (diagonal ? (", " + key).str() : std::string()) + ")")
      .str();
}

/// Replaces `op`'s results by `values`, casting to the op's result types.
static void replaceWithCasts(Operation *op, ValueRange values) {
  OpBuilder b(op);
  for (auto [result, value] : llvm::zip_equal(op->getResults(), values)) {
    Value v = value;
    if (v.getType() != result.getType())
      v = tensor::CastOp::create(b, op->getLoc(), result.getType(), v);
    result.replaceAllUsesWith(v);
  }
  op->erase();
}

//===----------------------------------------------------------------------===//
// Lowering of the chunk-level ops
//===----------------------------------------------------------------------===//

/// G[t] = Σ_{c0 ≤ s ≤ t} g[s]: per chunk, a masked sum over the chunk.
static void lowerCumsum(ChunkCumsumOp op) {
  OpBuilder ob(op);
  TensorBuilder b(ob, op.getLoc());
  Value g = b.toF32(op.getGate());
  bool diagonal = cast<ShapedType>(g.getType()).getRank() == 4;
  Geometry geo = getGeometry(b, g, op.getSeqlens(), op.getChunk());
  Value init = b.filled(b.sizes(g), 0.0);
  SmallVector<Value> out = forEachChunk(
      b, geo, {init}, [&](TensorBuilder &cb, const Chunk &c, ValueRange it) {
        Value rows = chunkRows(cb, g, c);
        StringRef dims = diagonal ? "i, h, d, j" : "i, h, j";
        StringRef tok = diagonal ? "j, h, d" : "j, h";
        StringRef res = diagonal ? "i, h, d" : "i, h";
        unsigned jDim = diagonal ? 3 : 2;
        Value sum = cb.generic(
            rows, cb.filled(cb.sizes(rows), 0.0),
            {("(" + dims + ") -> (" + tok + ")").str(),
             ("(" + dims + ") -> (" + res + ")").str()},
            {jDim}, [&](OpBuilder &nb, Location l, ValueRange a) {
              Value in = lowerTriangle(nb, l, jDim, 0);
              return addF(nb, l, a[1], selectOrZero(nb, l, in, a[0]));
            });
        return SmallVector<Value>{insertRows(cb, sum, it[0], c)};
      });
  replaceWithCasts(op, out);
}

/// A[t, h, j] = Σ_d x[t] y[c0 + j] exp(G_t − G_{c0+j}) on the lower triangle.
static void lowerGram(ChunkGramOp op) {
  OpBuilder ob(op);
  TensorBuilder b(ob, op.getLoc());
  Value x = b.toF32(op.getX()), y = b.toF32(op.getY());
  Value decay = op.getDecay();
  bool strict = op.getStrict();
  int64_t valueHeads = dimOf(op.getResult(), 2), chunk = op.getChunk();
  std::string group = groupOf(valueHeads, dimOf(x, 2));
  Geometry geo = getGeometry(b, x, op.getSeqlens(), chunk);
  OpFoldResult hv = ob.getIndexAttr(valueHeads);
  Value init =
      b.filled({tensor::DimOp::create(ob, op.getLoc(), x, 0).getResult(),
                geo.seqLen, hv, ob.getIndexAttr(chunk)},
               0.0);
  SmallVector<Value> out = forEachChunk(
      b, geo, {init}, [&](TensorBuilder &cb, const Chunk &c, ValueRange it) {
        Value xs = chunkRows(cb, x, c), ys = chunkRows(cb, y, c);
        Value gs = decay ? chunkRows(cb, decay, c) : Value();
        bool diagonal =
            decay && cast<ShapedType>(decay.getType()).getRank() == 4;
        Value zero = cb.filled({c.len, hv, c.len}, 0.0);
        StringRef dims = "i, h, j, d";
        SmallVector<Value> ins = {xs, ys};
        SmallVector<std::string> maps = {
            "(i, h, j, d) -> (i, " + group + ", d)",
            "(i, h, j, d) -> (j, " + group + ", d)"};
        if (diagonal) {
          ins.append({gs, gs});
          maps.push_back(decayMap(dims, gs, "i", "d"));
          maps.push_back(decayMap(dims, gs, "j", "d"));
        }
        maps.push_back("(i, h, j, d) -> (i, h, j)");
        SmallVector<StringRef> mapRefs(maps.begin(), maps.end());
        // Σ_d x y (· exp(G_id − G_jd) for a diagonal decay), masked.
        Value block = cb.generic(
            ins, zero, mapRefs, {3},
            [&](OpBuilder &nb, Location l, ValueRange a) {
              Value in = lowerTriangle(nb, l, 2, 0, strict);
              Value p = mulF(nb, l, a[0], a[1]);
              if (diagonal) {
                Value diff = selectOrZero(nb, l, in, subF(nb, l, a[2], a[3]));
                p = mulF(nb, l, p, expF(nb, l, diff));
              }
              return addF(nb, l, a.back(), selectOrZero(nb, l, in, p));
            });
        // A scalar decay multiplies the whole entry by exp(G_i − G_j).
        if (decay && !diagonal) {
          block = cb.generic(
              {block, gs, gs}, cb.empty(cb.sizes(block)),
              {"(i, h, j) -> (i, h, j)", "(i, h, j) -> (i, h)",
               "(i, h, j) -> (j, h)", "(i, h, j) -> (i, h, j)"},
              {}, [&](OpBuilder &nb, Location l, ValueRange a) {
                Value in = lowerTriangle(nb, l, 2, 0, strict);
                Value diff = selectOrZero(nb, l, in, subF(nb, l, a[1], a[2]));
                return selectOrZero(nb, l, in,
                                    mulF(nb, l, a[0], expF(nb, l, diff)));
              });
        }
        OpBuilder &cob = cb.builder();
        Value next = cb.insert(
            block, it[0],
            {c.row, c.begin, cob.getIndexAttr(0), cob.getIndexAttr(0)},
            {cob.getIndexAttr(1), c.len, hv, c.len});
        return SmallVector<Value>{next};
      });
  replaceWithCasts(op, out);
}

/// T = (I + diag(β) stril(A))⁻¹ diag(β) per chunk, by forward substitution:
/// T[i, :] = β_i (e_i − Σ_{j<i} A[i, j] T[j, :]).
static void lowerTriInverse(TriInverseOp op) {
  OpBuilder ob(op);
  TensorBuilder b(ob, op.getLoc());
  Value a = op.getA(), beta = b.toF32(op.getBeta());
  int64_t valueHeads = dimOf(a, 2);
  OpFoldResult hv = ob.getIndexAttr(valueHeads);
  Geometry geo = getGeometry(b, a, op.getSeqlens(), op.getChunk());
  Value init = b.filled(b.sizes(a), 0.0);
  SmallVector<Value> out = forEachChunk(
      b, geo, {init}, [&](TensorBuilder &cb, const Chunk &c, ValueRange it) {
        OpBuilder &cob = cb.builder();
        Location cl = cb.location();
        Value as = chunkBlock(cb, a, c);
        Value bs = chunkRows(cb, beta, c);
        Value t0 = cb.filled({c.len, hv, c.len}, 0.0);
        auto rows = scf::ForOp::create(
            cob, cl, cb.index(0), c.len, cb.index(1), ValueRange{t0},
            [&](OpBuilder &nb, Location l, Value i, ValueRange iter) {
              TensorBuilder rb(nb, l);
              OpFoldResult zero = nb.getIndexAttr(0), one = nb.getIndexAttr(1);
              Value aRow = rb.slice(as, {i, zero, zero}, {one, hv, c.len}, {0});
              Value bRow = rb.slice(bs, {i, zero}, {one, hv}, {0});
              Value tc = iter[0];
              // s[h, m] = Σ_{j<i} A[i, h, j] T[j, h, m].
              Value s = rb.generic(
                  {aRow, tc}, rb.filled({hv, c.len}, 0.0),
                  {"(h, m, j) -> (h, j)", "(h, m, j) -> (j, h, m)",
                   "(h, m, j) -> (h, m)"},
                  {2}, [&](OpBuilder &gb, Location gl, ValueRange x) {
                    Value in = lowerTriangle(gb, gl, index(gb, gl, 2), i,
                                             /*strict=*/true);
                    return addF(
                        gb, gl, x[2],
                        selectOrZero(gb, gl, in, mulF(gb, gl, x[0], x[1])));
                  });
              // β_i (e_i − s).
              Value row = rb.generic(
                  {s, bRow}, rb.empty({hv, c.len}),
                  {"(h, m) -> (h, m)", "(h, m) -> (h)", "(h, m) -> (h, m)"}, {},
                  [&](OpBuilder &gb, Location gl, ValueRange x) {
                    Value diag = arith::CmpIOp::create(
                        gb, gl, arith::CmpIPredicate::eq, index(gb, gl, 1), i);
                    Value one = arith::ConstantOp::create(
                        gb, gl, gb.getF32FloatAttr(1.0));
                    Value e = selectOrZero(gb, gl, diag, one);
                    return mulF(gb, gl, x[1], subF(gb, gl, e, x[0]));
                  });
              Value next =
                  rb.insert(row, tc, {i, zero, zero}, {one, hv, c.len});
              scf::YieldOp::create(nb, l, next);
            });
        Value next = cb.insert(
            rows.getResult(0), it[0],
            {c.row, c.begin, cob.getIndexAttr(0), cob.getIndexAttr(0)},
            {cob.getIndexAttr(1), c.len, hv, c.len});
        return SmallVector<Value>{next};
      });
  replaceWithCasts(op, out);
}

/// Σ_{j ≤ i} T[i, h, j] x[j, h, e] for a chunk block T [L, Hv, L] and chunk
/// rows x [L, Hx, E] read at head `xHead` (an affine expression of h).
static Value chunkProduct(TensorBuilder &b, Value t, Value x, StringRef xHead,
                          Value init) {
  return b.generic({t, x}, init,
                   {"(i, h, e, j) -> (i, h, j)",
                    ("(i, h, e, j) -> (j, " + xHead + ", e)").str(),
                    "(i, h, e, j) -> (i, h, e)"},
                   {3}, [&](OpBuilder &nb, Location l, ValueRange a) {
                     Value in = lowerTriangle(nb, l, 3, 0);
                     return addF(
                         nb, l, a[2],
                         selectOrZero(nb, l, in, mulF(nb, l, a[0], a[1])));
                   });
}

/// Chunk rows of q or k at the value heads, times exp(G_j − G_ref), as
/// [L, Hv, K]: G_ref is `last`, the chunk's last row, when given (k_j ∘
/// exp(G_l − G_j)), else 0 (x_j ∘ exp(G_j)).
static Value decayedRows(TensorBuilder &b, Value xs, Value gs, Value last,
                         StringRef group, int64_t valueHeads) {
  OpBuilder &ob = b.builder();
  SmallVector<OpFoldResult> sizes = {
      b.sizes(xs)[0], ob.getIndexAttr(valueHeads), b.sizes(xs)[2]};
  bool diagonal = cast<ShapedType>(gs.getType()).getRank() == 3;
  SmallVector<Value> ins = {xs, gs};
  SmallVector<std::string> maps = {("(j, h, d) -> (j, " + group + ", d)").str(),
                                   decayMap("j, h, d", gs, "j", "d")};
  if (last) {
    ins.push_back(last);
    maps.push_back(diagonal ? "(j, h, d) -> (h, d)" : "(j, h, d) -> (h)");
  }
  maps.push_back("(j, h, d) -> (j, h, d)");
  SmallVector<StringRef> mapRefs(maps.begin(), maps.end());
  return b.generic(ins, b.empty(sizes), mapRefs, {},
                   [&](OpBuilder &nb, Location l, ValueRange a) {
                     Value e = last ? subF(nb, l, a[2], a[1]) : a[1];
                     return mulF(nb, l, a[0], expF(nb, l, e));
                   });
}

/// W = T (k ∘ exp(G)), U = T v per chunk.
static void lowerWYApply(WYApplyOp op) {
  OpBuilder ob(op);
  TensorBuilder b(ob, op.getLoc());
  Value t = op.getT(), k = b.toF32(op.getK()), v = b.toF32(op.getV());
  Value decay = op.getDecay();
  int64_t valueHeads = dimOf(t, 2);
  std::string group = groupOf(valueHeads, dimOf(k, 2));
  OpFoldResult hv = ob.getIndexAttr(valueHeads);
  Geometry geo = getGeometry(b, t, op.getSeqlens(), op.getChunk());
  SmallVector<OpFoldResult> wSizes = b.sizes(k), uSizes = b.sizes(v);
  wSizes[2] = hv;
  SmallVector<Value> out = forEachChunk(
      b, geo, {b.filled(wSizes, 0.0), b.filled(uSizes, 0.0)},
      [&](TensorBuilder &cb, const Chunk &c, ValueRange it) {
        Value ts = chunkBlock(cb, t, c);
        Value ks = chunkRows(cb, k, c), vs = chunkRows(cb, v, c);
        Value keys = ks;
        std::string keyHead = group;
        if (decay) {
          keys = decayedRows(cb, ks, chunkRows(cb, decay, c), Value(), group,
                             valueHeads);
          keyHead = "h";
        }
        Value w = chunkProduct(cb, ts, keys, keyHead,
                               cb.filled({c.len, hv, cb.sizes(ks)[2]}, 0.0));
        Value u = chunkProduct(cb, ts, vs, "h", cb.filled(cb.sizes(vs), 0.0));
        return SmallVector<Value>{insertRows(cb, w, it[0], c),
                                  insertRows(cb, u, it[1], c)};
      });
  replaceWithCasts(op, out);
}

/// The scan across chunks.
static void lowerStateScan(ChunkStateScanOp op) {
  OpBuilder ob(op);
  Location loc = op.getLoc();
  TensorBuilder b(ob, loc);
  Value k = b.toF32(op.getK()), u = b.toF32(op.getU());
  Value w = op.getW() ? b.toF32(op.getW()) : Value();
  Value decay = op.getDecay(), init = op.getInit();
  int64_t valueHeads = dimOf(u, 2), keyDim = dimOf(k, 3);
  std::string group = groupOf(valueHeads, dimOf(k, 2));
  OpFoldResult hv = ob.getIndexAttr(valueHeads), kd = ob.getIndexAttr(keyDim);
  OpFoldResult vd = b.sizes(u)[3];
  OpFoldResult zero = ob.getIndexAttr(0), one = ob.getIndexAttr(1);
  Geometry geo = getGeometry(b, k, op.getSeqlens(), op.getChunk());
  Value batch = tensor::DimOp::create(ob, loc, k, 0);
  Value states = b.filled({batch, countChunks(b, geo), hv, kd, vd}, 0.0);
  Value finals = b.filled({geo.numSeqs, hv, kd, vd}, 0.0);
  SmallVector<Value> inits = {states, finals};
  if (w)
    inits.push_back(b.filled(b.sizes(u), 0.0));

  auto begin = [&](TensorBuilder &sb, Value n, ValueRange) {
    Value h0 =
        init ? sb.slice(init, {n, zero, zero, zero}, {one, hv, kd, vd}, {0})
             : sb.filled({hv, kd, vd}, 0.0);
    return SmallVector<Value>{h0};
  };
  auto body = [&](TensorBuilder &cb, const Chunk &c, ValueRange it) {
    Value h = it.back();
    SmallVector<Value> next(it.drop_back());
    next[0] = cb.insert(h, next[0], {c.row, c.index, zero, zero, zero},
                        {one, one, hv, kd, vd});
    // v' = u − W h (delta rule) or u.
    Value vn = chunkRows(cb, u, c);
    if (w) {
      Value ws = chunkRows(cb, w, c);
      vn = cb.generic({ws, h}, vn,
                      {"(i, h, e, d) -> (i, h, d)", "(i, h, e, d) -> (h, d, e)",
                       "(i, h, e, d) -> (i, h, e)"},
                      {3}, [&](OpBuilder &nb, Location l, ValueRange a) {
                        return subF(nb, l, a[2], mulF(nb, l, a[0], a[1]));
                      });
      next[2] = insertRows(cb, vn, next[2], c);
    }
    // h ← exp(G_l) ∘ h + Σ_j (k_j ∘ exp(G_l − G_j)) v'_jᵀ.
    Value ks = chunkRows(cb, k, c);
    Value keys = ks;
    std::string keyHead = group;
    if (decay) {
      OpBuilder &cob = cb.builder();
      Location cl = cb.location();
      Value end = arith::AddIOp::create(cob, cl, c.begin, c.len);
      Value lastToken = arith::SubIOp::create(cob, cl, end, cb.index(1));
      Value last = tokenRow(cb, decay, c.row, lastToken);
      bool diagonal = cast<ShapedType>(last.getType()).getRank() == 2;
      keys =
          decayedRows(cb, ks, chunkRows(cb, decay, c), last, group, valueHeads);
      keyHead = "h";
      h = cb.generic({h, last}, cb.empty({hv, kd, vd}),
                     {"(h, d, e) -> (h, d, e)",
                      diagonal ? "(h, d, e) -> (h, d)" : "(h, d, e) -> (h)",
                      "(h, d, e) -> (h, d, e)"},
                     {}, [&](OpBuilder &nb, Location l, ValueRange a) {
                       return mulF(nb, l, a[0], expF(nb, l, a[1]));
                     });
    }
    h = cb.generic({keys, vn}, h,
                   {("(h, d, e, j) -> (j, " + keyHead + ", d)"),
                    "(h, d, e, j) -> (j, h, e)", "(h, d, e, j) -> (h, d, e)"},
                   {3}, [&](OpBuilder &nb, Location l, ValueRange a) {
                     return addF(nb, l, a[2], mulF(nb, l, a[0], a[1]));
                   });
    next.push_back(h);
    return next;
  };
  auto end = [&](TensorBuilder &sb, Value n, ValueRange values,
                 ValueRange extra) {
    SmallVector<Value> next(values);
    next[1] =
        sb.insert(extra[0], next[1], {n, zero, zero, zero}, {one, hv, kd, vd});
    return next;
  };
  SmallVector<Value> out = forEachChunk(b, geo, inits, body, begin, end);
  replaceWithCasts(op, out);
}

/// o = scale ((q ∘ exp(G)) h_c + A v) per chunk.
static void lowerOutput(ChunkOutputOp op) {
  OpBuilder ob(op);
  TensorBuilder b(ob, op.getLoc());
  Value q = b.toF32(op.getQ()), a = op.getA(), v = b.toF32(op.getV());
  Value states = op.getStates(), decay = op.getDecay();
  int64_t valueHeads = dimOf(a, 2), keyDim = dimOf(q, 3);
  std::string group = groupOf(valueHeads, dimOf(q, 2));
  OpFoldResult hv = ob.getIndexAttr(valueHeads), kd = ob.getIndexAttr(keyDim);
  OpFoldResult vd = b.sizes(v)[3];
  OpFoldResult zero = ob.getIndexAttr(0), one = ob.getIndexAttr(1);
  double scale = op.getScaleOrDefault();
  Geometry geo = getGeometry(b, q, op.getSeqlens(), op.getChunk());
  SmallVector<Value> out = forEachChunk(
      b, geo, {b.filled(b.sizes(v), 0.0)},
      [&](TensorBuilder &cb, const Chunk &c, ValueRange it) {
        Value qs = chunkRows(cb, q, c), vs = chunkRows(cb, v, c);
        Value hc = cb.slice(states, {c.row, c.index, zero, zero, zero},
                            {one, one, hv, kd, vd}, {0, 1});
        Value queries = qs;
        std::string queryHead = group;
        if (decay) {
          queries = decayedRows(cb, qs, chunkRows(cb, decay, c), Value(), group,
                                valueHeads);
          queryHead = "h";
        }
        // (q ∘ exp(G)) h_c, then + A v on the lower triangle.
        Value o = cb.generic(
            {queries, hc}, cb.filled({c.len, hv, vd}, 0.0),
            {("(i, h, e, d) -> (i, " + queryHead + ", d)"),
             "(i, h, e, d) -> (h, d, e)", "(i, h, e, d) -> (i, h, e)"},
            {3}, [&](OpBuilder &nb, Location l, ValueRange x) {
              return addF(nb, l, x[2], mulF(nb, l, x[0], x[1]));
            });
        o = chunkProduct(cb, chunkBlock(cb, a, c), vs, "h", o);
        if (scale != 1.0) {
          Value factor = cb.f32Constant(scale);
          o = cb.generic({o}, cb.empty(cb.sizes(o)),
                         {"(i, h, e) -> (i, h, e)", "(i, h, e) -> (i, h, e)"},
                         {}, [&](OpBuilder &nb, Location l, ValueRange x) {
                           return mulF(nb, l, x[0], factor);
                         });
        }
        return SmallVector<Value>{insertRows(cb, o, it[0], c)};
      });
  replaceWithCasts(op, out);
}

LogicalResult lowering::lowerChunkOps(Operation *root) {
  SmallVector<Operation *> ops;
  root->walk([&](Operation *op) {
    if (isa<ChunkCumsumOp, ChunkGramOp, TriInverseOp, WYApplyOp,
            ChunkStateScanOp, ChunkOutputOp>(op))
      ops.push_back(op);
  });
  for (Operation *op : ops) {
    if (auto o = dyn_cast<ChunkCumsumOp>(op))
      lowerCumsum(o);
    else if (auto o = dyn_cast<ChunkGramOp>(op))
      lowerGram(o);
    else if (auto o = dyn_cast<TriInverseOp>(op))
      lowerTriInverse(o);
    else if (auto o = dyn_cast<WYApplyOp>(op))
      lowerWYApply(o);
    else if (auto o = dyn_cast<ChunkStateScanOp>(op))
      lowerStateScan(o);
    else if (auto o = dyn_cast<ChunkOutputOp>(op))
      lowerOutput(o);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Expansion of a chunked apply
//===----------------------------------------------------------------------===//

FailureOr<TermResult> lowering::lowerChunked(TensorBuilder &b,
                                             const ApplyInfo &info,
                                             const Term &term, int64_t chunk) {
  auto op = dyn_cast<SemiseparableOp>(term.constructor);
  // The transpose of a causal mixer: computed by the recurrent code.
  if (!op || term.transposed)
    return lowerRecurrent(b, info, term);
  if (chunk == 0)
    chunk = 64;
  OpBuilder &ob = b.builder();
  Location loc = b.location();
  SemiseparableAttr s = op.getStructure();
  Value q = op.getQ(), k = op.getK();
  auto qType = cast<RankedTensorType>(q.getType());
  int64_t batch = qType.getDimSize(0), len = qType.getDimSize(1);
  int64_t keyDim = qType.getDimSize(3), valueHeads = info.heads;
  int64_t valueDim = cast<ShapedType>(info.value.getType()).getDimSize(3);
  Type f32 = b.f32();
  auto tensorOf = [&](ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, f32);
  };
  Value seqlens = info.seqlens;
  IntegerAttr chunkAttr = ob.getI64IntegerAttr(chunk);

  // The chunk-local cumsum of the gates.
  Value g;
  switch (s.getDecay()) {
  case DecayKind::None:
    break;
  case DecayKind::Static: {
    // log γ_h at every token.
    SmallVector<OpFoldResult> qSizes = b.sizes(q);
    Value broadcast =
        b.generic(op.getGate(),
                  b.empty({qSizes[0], qSizes[1], ob.getIndexAttr(valueHeads)}),
                  {"(b, t, h) -> (h)", "(b, t, h) -> (b, t, h)"}, {},
                  [](OpBuilder &, Location, ValueRange a) { return a[0]; });
    g = ChunkCumsumOp::create(ob, loc, broadcast.getType(), broadcast, seqlens,
                              chunkAttr);
    break;
  }
  case DecayKind::Scalar:
  case DecayKind::Diagonal:
    g = ChunkCumsumOp::create(ob, loc, op.getGate().getType(), op.getGate(),
                              seqlens, chunkAttr);
    break;
  }

  // Mamba2's Δ scales the input: B_t v_t = k_t (dt_t v_t).
  Value v = info.value;
  if (Value dt = op.getDt())
    v = b.generic({v, dt}, b.empty(b.sizes(v)),
                  {"(b, t, h, e) -> (b, t, h, e)", "(b, t, h, e) -> (b, t, h)",
                   "(b, t, h, e) -> (b, t, h, e)"},
                  {}, [](OpBuilder &nb, Location l, ValueRange a) {
                    return mulF(nb, l, a[0], a[1]);
                  });

  auto gram = [&](Value x, Value y, bool strict) -> Value {
    return ChunkGramOp::create(
        ob, loc, tensorOf({batch, len, valueHeads, chunk}), x, y, g, seqlens,
        chunkAttr, strict ? ob.getUnitAttr() : UnitAttr());
  };
  int64_t numChunks = ShapedType::kDynamic;
  if (!seqlens && !ShapedType::isDynamic(len))
    numChunks = llvm::divideCeil(len, chunk);
  int64_t numSeqs = batch;
  if (seqlens) {
    int64_t offsets = cast<ShapedType>(seqlens.getType()).getDimSize(0);
    numSeqs = ShapedType::isDynamic(offsets) ? offsets : offsets - 1;
  }
  Type statesType = tensorOf({batch, numChunks, valueHeads, keyDim, valueDim});
  Type finalType = tensorOf({numSeqs, valueHeads, keyDim, valueDim});
  Type valuesType = tensorOf({batch, len, valueHeads, valueDim});

  Value values = v, w, u = v;
  Type vNewType;
  if (s.getTransition() == Transition::Delta) {
    // The WY (UT) representation of the chunk's Householder products.
    Value t = TriInverseOp::create(
        ob, loc, tensorOf({batch, len, valueHeads, chunk}),
        gram(k, k, /*strict=*/true), op.getBeta(), seqlens, chunkAttr);
    auto wy =
        WYApplyOp::create(ob, loc, tensorOf({batch, len, valueHeads, keyDim}),
                          valuesType, t, k, v, g, seqlens, chunkAttr);
    w = wy.getW();
    u = wy.getU();
    vNewType = valuesType;
  }
  // The intra-chunk scores q kᵀ.
  Value scores = gram(q, k, /*strict=*/false);
  auto scan =
      ChunkStateScanOp::create(ob, loc, statesType, finalType, vNewType, k, u,
                               w, g, info.init, seqlens, chunkAttr);
  if (w)
    values = scan.getVNew();
  Value o = ChunkOutputOp::create(ob, loc, valuesType, q, scores, values,
                                  scan.getStates(), g, seqlens, chunkAttr,
                                  ob.getF64FloatAttr(op.getScaleOrDefault()));
  TermResult result;
  result.output = o;
  if (info.wantsFinalState)
    result.finalState = scan.getFinalState();
  return result;
}

namespace {
struct ExpandChunkedPass
    : public seqmix::impl::SeqMixExpandChunkedBase<ExpandChunkedPass> {
  void runOnOperation() override {
    SmallVector<ApplyOp> applies;
    getOperation()->walk([&](ApplyOp op) {
      FormAttr form = op.getFormAttr();
      if (form && form.getKind() == FormKind::Chunked)
        applies.push_back(op);
    });
    for (ApplyOp op : applies)
      if (failed(lowerApply(op)))
        return signalPassFailure();
    // Mixers (constructors, algebra) left without users go, users first.
    SmallVector<Operation *> mixers;
    getOperation()->walk([&](Operation *op) {
      if (op->getNumResults() == 1 &&
          isa<MixerType>(op->getResult(0).getType()))
        mixers.push_back(op);
    });
    for (Operation *op : llvm::reverse(mixers))
      if (op->use_empty())
        op->erase();
  }
};
} // namespace
