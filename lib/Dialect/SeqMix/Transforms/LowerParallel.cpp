//===- LowerParallel.cpp - the parallel form of seqmix.apply --------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// The parallel form computes, per sequence of L tokens and value head, the
// L×L matrix of the mixer and multiplies. For a causal semiseparable mixer,
// with G the inclusive cumulative log decay of the sequence (per channel for
// a diagonal decay) and q already scaled:
//
//   A_qk[i, j] = Σ_d q_id k_jd exp(G_id − G_jd)           for j ≤ i, else 0
//   additive:  v'_j = dt_j v_j   (or v_j)
//   delta:     A_kk[i, j] = β_i Σ_d k_id k_jd exp(G_id − G_jd)   for j < i
//              v' = (I + A_kk)⁻¹ (β ∘ (V − (K ∘ e^G) S_0))  (forward
//              substitution)
//   O   = A_qk v' + (Q ∘ e^G) S_0
//   S_L = e^{G_L} S_0 + (K ∘ e^{G_L − G})ᵀ v'
//
// which is the chunked algorithm with one chunk spanning the sequence (the
// UT/WY transform of the delta rule). Only non-positive differences of G are
// exponentiated; masked entries are selected, not multiplied. The transpose
// of a causal mixer multiplies by the explicit matrix Mᵀ, M = A_qk Z with
// Z = (I + A_kk)⁻¹ diag(β) or diag(dt). A non-causal low-rank mixer is
// (scale Q Kᵀ) V; softmax attention is rowsoftmax(mask(scale Q Kᵀ)) V with
// its causal or windowed mask and grouped key/value heads.
//
// The matrices are built per sequence, so that entries never cross the
// boundary of packed sequences; the parallel form is chosen for short
// sequences, where L×L per head is small.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/Support/FormatVariadic.h"

#include <limits>

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::lowering;

namespace {
Value zeroF(OpBuilder &b, Location l) {
  return arith::ConstantOp::create(b, l, b.getF32FloatAttr(0.0));
}
/// linalg.index d compared with linalg.index e.
Value cmpIndex(OpBuilder &b, Location l, arith::CmpIPredicate pred, int64_t d,
               int64_t e) {
  Value x = linalg::IndexOp::create(b, l, d);
  Value y = linalg::IndexOp::create(b, l, e);
  return arith::CmpIOp::create(b, l, pred, x, y);
}

/// The tensors of one sequence, L tokens, all f32.
struct SeqTensors {
  Value q, k, v;  // [L, H, K] (q scaled), [L, H, K], [L, Hv, V]
  Value gate;     // [L, Hv], [L, Hv, K], or [Hv] (static), or null
  Value beta, dt; // [L, Hv] or null
  Value len;      // L
};

/// Builds the pieces of the parallel form for one term and one sequence.
class ParallelBuilder {
public:
  ParallelBuilder(TensorBuilder &b, int64_t heads, int64_t valueHeads,
                  int64_t keyDim, OpFoldResult valueDim)
      : b(b), ob(b.builder()), loc(b.location()), heads(heads),
        valueHeads(valueHeads), keyDim(keyDim), valueDim(valueDim) {
    group = llvm::formatv("h floordiv {0}", valueHeads / heads).str();
  }

  OpFoldResult hv() { return ob.getIndexAttr(valueHeads); }
  OpFoldResult kd() { return ob.getIndexAttr(keyDim); }

  /// The inclusive cumulative log decay G: [L, Hv] or [L, Hv, K]; null
  /// without decay.
  Value cumulativeDecay(DecayKind decay, Value gate, Value len) {
    switch (decay) {
    case DecayKind::None:
      return {};
    case DecayKind::Static: {
      // G[t, h] = (t + 1) g[h].
      return b.generic(
          gate, b.empty({len, hv()}), {"(t, h) -> (h)", "(t, h) -> (t, h)"}, {},
          [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
            Value t = linalg::IndexOp::create(nb, l, 0);
            Value t1 = arith::AddIOp::create(
                nb, l, t, arith::ConstantIndexOp::create(nb, l, 1));
            Value tf = arith::UIToFPOp::create(
                nb, l, nb.getF32Type(),
                arith::IndexCastUIOp::create(nb, l, nb.getI64Type(), t1));
            return mulF(nb, l, tf, a[0]);
          });
    }
    case DecayKind::Scalar:
      return b.generic(gate, b.filled({len, hv()}, 0.0),
                       {"(t, h, s) -> (s, h)", "(t, h, s) -> (t, h)"}, {2},
                       [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                         Value keep =
                             cmpIndex(nb, l, arith::CmpIPredicate::ule, 2, 0);
                         return arith::SelectOp::create(
                             nb, l, keep, addF(nb, l, a[1], a[0]), a[1]);
                       });
    case DecayKind::Diagonal:
      return b.generic(
          gate, b.filled({len, hv(), kd()}, 0.0),
          {"(t, h, k, s) -> (s, h, k)", "(t, h, k, s) -> (t, h, k)"}, {3},
          [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
            Value keep = cmpIndex(nb, l, arith::CmpIPredicate::ule, 3, 0);
            return arith::SelectOp::create(nb, l, keep, addF(nb, l, a[1], a[0]),
                                           a[1]);
          });
    }
    llvm_unreachable("unknown decay");
  }

  /// A[h, i, j] = Σ_d x[i, h/G, d] y[j, h/G, d] exp(G_i − G_j), kept where
  /// j ≤ i (or j < i when `strict`), [Hv, L, L]. A scalar decay multiplies
  /// the product afterwards; a diagonal one weighs each channel.
  Value gram(Value x, Value y, Value cumDecay, DecayKind decay, Value len,
             bool strict) {
    bool diagonal = decay == DecayKind::Diagonal;
    auto pred = strict ? arith::CmpIPredicate::ult : arith::CmpIPredicate::ule;
    SmallVector<Value> ins = {x, y};
    SmallVector<std::string> maps = {"(h, i, j, d) -> (i, " + group + ", d)",
                                     "(h, i, j, d) -> (j, " + group + ", d)"};
    if (diagonal) {
      ins.append({cumDecay, cumDecay});
      maps.push_back("(h, i, j, d) -> (i, h, d)");
      maps.push_back("(h, i, j, d) -> (j, h, d)");
    }
    maps.push_back("(h, i, j, d) -> (h, i, j)");
    SmallVector<StringRef> mapRefs(maps.begin(), maps.end());
    Value product =
        b.generic(ins, b.filled({hv(), len, len}, 0.0), mapRefs, {3},
                  [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                    Value p = mulF(nb, l, a[0], a[1]);
                    if (diagonal) {
                      // Exponentiate only where kept (G_i − G_j ≤ 0 there).
                      Value keep = cmpIndex(nb, l, pred, 2, 1);
                      Value diff = subF(nb, l, a[2], a[3]);
                      Value safe = arith::SelectOp::create(nb, l, keep, diff,
                                                           zeroF(nb, l));
                      p = mulF(nb, l, p, expF(nb, l, safe));
                    }
                    return addF(nb, l, a.back(), p);
                  });
    // The mask, and a scalar decay exp(G_i − G_j).
    SmallVector<Value> maskIns = {product};
    SmallVector<StringRef> maskMaps = {"(h, i, j) -> (h, i, j)"};
    bool scalar = cumDecay && !diagonal;
    if (scalar) {
      maskIns.append({cumDecay, cumDecay});
      maskMaps.append({"(h, i, j) -> (i, h)", "(h, i, j) -> (j, h)"});
    }
    maskMaps.push_back("(h, i, j) -> (h, i, j)");
    return b.generic(
        maskIns, b.empty(b.sizes(product)), maskMaps, {},
        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          Value keep = cmpIndex(nb, l, pred, 2, 1);
          Value p = a[0];
          if (scalar) {
            Value diff = subF(nb, l, a[1], a[2]);
            Value safe =
                arith::SelectOp::create(nb, l, keep, diff, zeroF(nb, l));
            p = mulF(nb, l, p, expF(nb, l, safe));
          }
          return arith::SelectOp::create(nb, l, keep, p, zeroF(nb, l));
        });
  }

  /// The delta rule's A_kk[h, i, j] = β_i Σ_d k_id k_jd exp(G_id − G_jd)
  /// for j < i.
  Value deltaGram(Value k, Value beta, Value cumDecay, DecayKind decay,
                  Value len) {
    Value akk = gram(k, k, cumDecay, decay, len, /*strict=*/true);
    return b.generic({akk, beta}, b.empty(b.sizes(akk)),
                     {"(h, i, j) -> (h, i, j)", "(h, i, j) -> (i, h)",
                      "(h, i, j) -> (h, i, j)"},
                     {}, [](OpBuilder &bb, Location bl, ValueRange a) {
                       return mulF(bb, bl, a[0], a[1]);
                     });
  }

  /// x[t, h/G, d] · exp(G[t, h(, d)]) as [L, Hv, K]; with `fromEnd`,
  /// exp(G[L−1] − G[t]) instead.
  Value decayed(Value x, Value cumDecay, DecayKind decay, Value len,
                bool fromEnd) {
    bool diagonal = decay == DecayKind::Diagonal;
    std::string xMap = "(t, h, d) -> (t, " + group + ", d)";
    std::string gMap =
        diagonal ? "(t, h, d) -> (t, h, d)" : "(t, h, d) -> (t, h)";
    if (!cumDecay)
      return b.generic(
          x, b.empty({len, hv(), kd()}), {xMap, "(t, h, d) -> (t, h, d)"}, {},
          [](OpBuilder &, Location, ValueRange a) { return a[0]; });
    SmallVector<Value> ins = {x, cumDecay};
    SmallVector<std::string> maps = {xMap, gMap};
    if (fromEnd) {
      ins.push_back(lastRow(cumDecay, decay, len));
      maps.push_back(diagonal ? "(t, h, d) -> (h, d)" : "(t, h, d) -> (h)");
    }
    maps.push_back("(t, h, d) -> (t, h, d)");
    SmallVector<StringRef> mapRefs(maps.begin(), maps.end());
    return b.generic(ins, b.empty({len, hv(), kd()}), mapRefs, {},
                     [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
                       Value e = fromEnd ? subF(nb, l, a[2], a[1]) : a[1];
                       return mulF(nb, l, a[0], expF(nb, l, e));
                     });
  }

  /// G[L − 1]: [Hv] or [Hv, K]. Requires L ≥ 1.
  Value lastRow(Value cumDecay, DecayKind decay, Value len) {
    Value last = arith::SubIOp::create(ob, loc, len, b.index(1));
    OpFoldResult zero = ob.getIndexAttr(0), one = ob.getIndexAttr(1);
    if (decay == DecayKind::Diagonal)
      return b.slice(cumDecay, {last, zero, zero}, {one, hv(), kd()}, {0});
    return b.slice(cumDecay, {last, zero}, {one, hv()}, {0});
  }

  /// out[i, h, x] = Σ_j A[h, i, j] y[j, h, x] (+ init), [L, Hv, X].
  Value applyRows(Value a, Value y, Value init, bool transposeA) {
    std::string aMap =
        transposeA ? "(i, h, x, j) -> (h, j, i)" : "(i, h, x, j) -> (h, i, j)";
    return b.generic(
        {a, y}, init,
        {aMap, "(i, h, x, j) -> (j, h, x)", "(i, h, x, j) -> (i, h, x)"}, {3},
        [](OpBuilder &nb, Location l, ValueRange v) {
          return addF(nb, l, v[2], mulF(nb, l, v[0], v[1]));
        });
  }

  /// Solves (I + A) Y = R for A [Hv, L, L] strictly lower triangular and
  /// R [L, Hv, X], row by row.
  Value forwardSubstitute(Value a, Value r, Value len, OpFoldResult width) {
    Value y0 = b.filled({len, hv(), width}, 0.0);
    OpFoldResult zero = ob.getIndexAttr(0), one = ob.getIndexAttr(1);
    auto loop = scf::ForOp::create(
        ob, loc, b.index(0), len, b.index(1), ValueRange{y0},
        [&](OpBuilder &nb, Location l, Value i, ValueRange it) {
          TensorBuilder ib(nb, l);
          Value aRow = ib.slice(a, {zero, i, zero}, {hv(), one, len}, {1});
          Value rRow = ib.slice(r, {i, zero, zero}, {one, hv(), width}, {0});
          // Σ_j A[h, i, j] Y[j, h, x]: rows j ≥ i of Y are still zero.
          Value acc =
              ib.generic({aRow, it[0]}, ib.filled({hv(), width}, 0.0),
                         {"(h, x, j) -> (h, j)", "(h, x, j) -> (j, h, x)",
                          "(h, x, j) -> (h, x)"},
                         {2}, [](OpBuilder &bb, Location bl, ValueRange v) {
                           return addF(bb, bl, v[2], mulF(bb, bl, v[0], v[1]));
                         });
          Value row = ib.generic(
              {rRow, acc}, ib.empty({hv(), width}),
              {"(h, x) -> (h, x)", "(h, x) -> (h, x)", "(h, x) -> (h, x)"}, {},
              [](OpBuilder &bb, Location bl, ValueRange v) {
                return subF(bb, bl, v[0], v[1]);
              });
          Value y = ib.insert(row, it[0], {i, zero, zero}, {one, hv(), width});
          scf::YieldOp::create(nb, l, y);
        });
    return loop.getResult(0);
  }

  /// x[t, h, c] · s[t, h].
  Value scaleTokens(Value x, Value s, Value len, OpFoldResult width) {
    return b.generic({x, s}, b.empty({len, hv(), width}),
                     {"(t, h, c) -> (t, h, c)", "(t, h, c) -> (t, h)",
                      "(t, h, c) -> (t, h, c)"},
                     {}, [](OpBuilder &nb, Location l, ValueRange a) {
                       return mulF(nb, l, a[0], a[1]);
                     });
  }

  /// out[t, h, v] = Σ_d x[t, h, d] S[h, d, v] (+ init).
  Value readState(Value x, Value state, Value init) {
    return b.generic({x, state}, init,
                     {"(t, h, v, d) -> (t, h, d)", "(t, h, v, d) -> (h, d, v)",
                      "(t, h, v, d) -> (t, h, v)"},
                     {3}, [](OpBuilder &nb, Location l, ValueRange a) {
                       return addF(nb, l, a[2], mulF(nb, l, a[0], a[1]));
                     });
  }

  TensorBuilder &b;
  OpBuilder &ob;
  Location loc;
  int64_t heads, valueHeads, keyDim;
  OpFoldResult valueDim;
  std::string group;
};

} // namespace

static FailureOr<TermResult> lowerSemiseparable(TensorBuilder &b,
                                                const ApplyInfo &info,
                                                SemiseparableOp op,
                                                bool transposed) {
  SemiseparableAttr s = op.getStructure();
  DecayKind decay = s.getDecay();
  bool delta = s.getTransition() == Transition::Delta;
  Value q = b.scaled(b.toF32(op.getQ()), op.getScaleOrDefault());
  Value k = b.toF32(op.getK());
  Value beta = op.getBeta() ? b.toF32(op.getBeta()) : Value();
  auto qs = cast<ShapedType>(q.getType()).getShape();
  int64_t heads = qs[2], keyDim = qs[3];
  OpBuilder &ob = b.builder();
  OpFoldResult kd = ob.getIndexAttr(keyDim);
  bool wantsState = !transposed && info.wantsFinalState;

  return forEachSequence(
      b, info, kd, wantsState,
      [&](TensorBuilder &ib, const Sequence &seq, Value len,
          Value n) -> std::pair<Value, Value> {
        ParallelBuilder p(ib, heads, info.heads, keyDim, info.valueDim);
        OpBuilder &nb = ib.builder();
        Location l = ib.location();
        OpFoldResult zero = nb.getIndexAttr(0), one = nb.getIndexAttr(1);
        OpFoldResult valueDim = info.valueDim;
        Value qn = sliceSeq(ib, q, seq, len), kn = sliceSeq(ib, k, seq, len);
        Value vn = sliceSeq(ib, info.value, seq, len);
        Value gate = op.getGate();
        if (gate && decay != DecayKind::Static)
          gate = sliceSeq(ib, gate, seq, len);
        Value cum = p.cumulativeDecay(decay, gate, len);
        Value aqk = p.gram(qn, kn, cum, decay, len, /*strict=*/false);
        Value betaN = sliceSeq(ib, beta, seq, len);
        Value dtN = sliceSeq(ib, op.getDt(), seq, len);
        Value state0 = (info.init && !transposed)
                           ? ib.slice(info.init, {n, zero, zero, zero},
                                      {one, p.hv(), p.kd(), valueDim}, {0})
                           : Value();

        if (transposed) {
          // O = Mᵀ V with M = A_qk Z.
          Value m = aqk;
          if (delta) {
            Value akk = p.deltaGram(kn, betaN, cum, decay, len);
            // Z = (I + A_kk)⁻¹ diag(β), as [L, Hv, L] columns.
            Value diagBeta = ib.generic(
                betaN, ib.empty({len, p.hv(), len}),
                {"(i, h, j) -> (i, h)", "(i, h, j) -> (i, h, j)"}, {},
                [](OpBuilder &bb, Location bl, ValueRange a) -> Value {
                  Value same = cmpIndex(bb, bl, arith::CmpIPredicate::eq, 0, 2);
                  return arith::SelectOp::create(bb, bl, same, a[0],
                                                 zeroF(bb, bl));
                });
            Value z = p.forwardSubstitute(akk, diagBeta, len, len);
            // M[h, i, j] = Σ_c A_qk[h, i, c] Z[c, h, j].
            m = ib.generic(
                {aqk, z}, ib.filled({p.hv(), len, len}, 0.0),
                {"(h, i, j, c) -> (h, i, c)", "(h, i, j, c) -> (c, h, j)",
                 "(h, i, j, c) -> (h, i, j)"},
                {3}, [](OpBuilder &bb, Location bl, ValueRange a) {
                  return addF(bb, bl, a[2], mulF(bb, bl, a[0], a[1]));
                });
          } else if (dtN) {
            m = ib.generic({aqk, dtN}, ib.empty(ib.sizes(aqk)),
                           {"(h, i, j) -> (h, i, j)", "(h, i, j) -> (j, h)",
                            "(h, i, j) -> (h, i, j)"},
                           {}, [](OpBuilder &bb, Location bl, ValueRange a) {
                             return mulF(bb, bl, a[0], a[1]);
                           });
          }
          Value out =
              p.applyRows(m, vn, ib.filled({len, p.hv(), valueDim}, 0.0),
                          /*transposeA=*/true);
          return {out, Value()};
        }

        // v' = dt ∘ V, or for the delta rule the UT transform.
        Value vPrime = vn;
        Value keysDecayed; // K ∘ e^G, [L, Hv, K]
        if (delta) {
          Value akk = p.deltaGram(kn, betaN, cum, decay, len);
          Value rhs = vn;
          if (state0) {
            keysDecayed = p.decayed(kn, cum, decay, len, /*fromEnd=*/false);
            Value proj = p.readState(keysDecayed, state0,
                                     ib.filled({len, p.hv(), valueDim}, 0.0));
            rhs =
                ib.generic({vn, proj}, ib.empty(ib.sizes(vn)),
                           {"(t, h, v) -> (t, h, v)", "(t, h, v) -> (t, h, v)",
                            "(t, h, v) -> (t, h, v)"},
                           {}, [](OpBuilder &bb, Location bl, ValueRange a) {
                             return subF(bb, bl, a[0], a[1]);
                           });
          }
          rhs = p.scaleTokens(rhs, betaN, len, valueDim);
          vPrime = p.forwardSubstitute(akk, rhs, len, valueDim);
        } else if (dtN) {
          vPrime = p.scaleTokens(vn, dtN, len, valueDim);
        }

        Value outInit = ib.filled({len, p.hv(), valueDim}, 0.0);
        if (state0) {
          Value qDecayed = p.decayed(qn, cum, decay, len, /*fromEnd=*/false);
          outInit = p.readState(qDecayed, state0, outInit);
        }
        Value out = p.applyRows(aqk, vPrime, outInit, /*transposeA=*/false);

        Value state;
        if (wantsState) {
          // S_L = e^{G_L} S_0 + (K ∘ e^{G_L − G})ᵀ v'.
          Value base =
              state0 ? state0 : ib.filled({p.hv(), p.kd(), valueDim}, 0.0);
          auto empty = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq,
                                             len, ib.index(0));
          // An empty sequence keeps its initial state.
          auto ifOp = scf::IfOp::create(
              nb, l, empty,
              [&](OpBuilder &tb, Location tl) {
                scf::YieldOp::create(tb, tl, base);
              },
              [&](OpBuilder &eb, Location el) {
                TensorBuilder xb(eb, el);
                ParallelBuilder px(xb, heads, info.heads, keyDim,
                                   info.valueDim);
                Value decayedBase = base;
                if (cum) {
                  Value lastG = px.lastRow(cum, decay, len);
                  std::string gMap = decay == DecayKind::Diagonal
                                         ? "(h, d, v) -> (h, d)"
                                         : "(h, d, v) -> (h)";
                  decayedBase = xb.generic(
                      {base, lastG}, xb.empty(xb.sizes(base)),
                      {"(h, d, v) -> (h, d, v)", gMap,
                       "(h, d, v) -> (h, d, v)"},
                      {}, [](OpBuilder &bb, Location bl, ValueRange a) {
                        return mulF(bb, bl, a[0], expF(bb, bl, a[1]));
                      });
                }
                Value kEnd = px.decayed(kn, cum, decay, len, /*fromEnd=*/true);
                Value s = xb.generic(
                    {kEnd, vPrime}, decayedBase,
                    {"(h, d, v, t) -> (t, h, d)", "(h, d, v, t) -> (t, h, v)",
                     "(h, d, v, t) -> (h, d, v)"},
                    {3}, [](OpBuilder &bb, Location bl, ValueRange a) {
                      return addF(bb, bl, a[2], mulF(bb, bl, a[0], a[1]));
                    });
                scf::YieldOp::create(eb, el, s);
              });
          state = ifOp.getResult(0);
        }
        return {out, state};
      });
}

/// (scale Q Kᵀ) V per sequence, or its transpose.
static FailureOr<TermResult> lowerLowRank(TensorBuilder &b,
                                          const ApplyInfo &info, LowRankOp op,
                                          bool transposed) {
  Value q = b.toF32(transposed ? op.getK() : op.getQ());
  Value k = b.toF32(transposed ? op.getQ() : op.getK());
  q = b.scaled(q, op.getScaleOrDefault());
  auto qs = cast<ShapedType>(q.getType()).getShape();
  int64_t heads = qs[2], keyDim = qs[3];
  std::string group = llvm::formatv("h floordiv {0}", info.heads / heads).str();
  return forEachSequence(
      b, info, b.builder().getIndexAttr(keyDim), false,
      [&](TensorBuilder &ib, const Sequence &seq, Value len,
          Value) -> std::pair<Value, Value> {
        ParallelBuilder p(ib, heads, info.heads, keyDim, info.valueDim);
        Value qn = sliceSeq(ib, q, seq, len), kn = sliceSeq(ib, k, seq, len);
        Value vn = sliceSeq(ib, info.value, seq, len);
        Value m =
            ib.generic({qn, kn}, ib.filled({p.hv(), len, len}, 0.0),
                       {"(h, i, j, d) -> (i, " + group + ", d)",
                        "(h, i, j, d) -> (j, " + group + ", d)",
                        "(h, i, j, d) -> (h, i, j)"},
                       {3}, [](OpBuilder &bb, Location bl, ValueRange a) {
                         return addF(bb, bl, a[2], mulF(bb, bl, a[0], a[1]));
                       });
        Value out = p.applyRows(
            m, vn, ib.filled({len, p.hv(), info.valueDim}, 0.0), false);
        return {out, Value()};
      });
}

/// rowsoftmax(mask(scale Q Kᵀ)) V per sequence.
static FailureOr<TermResult>
lowerAttention(TensorBuilder &b, const ApplyInfo &info, AttentionOp op) {
  DenseAttr s = op.getStructure();
  Value q = b.scaled(b.toF32(op.getQ()), op.getScaleOrDefault());
  Value k = b.toF32(op.getK());
  auto qs = cast<ShapedType>(q.getType()).getShape();
  int64_t keyDim = qs[3];
  int64_t kvHeads = s.getKvHeads();
  std::string group =
      llvm::formatv("h floordiv {0}", info.heads / kvHeads).str();
  bool causal = s.getMask() == DenseMask::Causal;
  int64_t window = s.getWindow();
  return forEachSequence(
      b, info, b.builder().getIndexAttr(keyDim), false,
      [&](TensorBuilder &ib, const Sequence &seq, Value len,
          Value) -> std::pair<Value, Value> {
        OpBuilder &nb = ib.builder();
        OpFoldResult hq = nb.getIndexAttr(info.heads);
        Value qn = sliceSeq(ib, q, seq, len), kn = sliceSeq(ib, k, seq, len);
        Value vn = sliceSeq(ib, info.value, seq, len);
        // Masked scores are −inf; every row keeps at least its diagonal.
        auto visible = [&](OpBuilder &bb, Location bl) -> Value {
          Value i = linalg::IndexOp::create(bb, bl, 1);
          Value j = linalg::IndexOp::create(bb, bl, 2);
          Value ok = arith::ConstantIntOp::create(bb, bl, 1, 1);
          if (causal)
            ok = arith::CmpIOp::create(bb, bl, arith::CmpIPredicate::ule, j, i);
          if (window > 0) {
            // i − j < W (and, without the causal mask, j − i < W).
            Value w = arith::ConstantIndexOp::create(bb, bl, window);
            Value iw = arith::AddIOp::create(bb, bl, j, w);
            Value inBand =
                arith::CmpIOp::create(bb, bl, arith::CmpIPredicate::ult, i, iw);
            ok = arith::AndIOp::create(bb, bl, ok, inBand);
            if (!causal) {
              Value jw = arith::AddIOp::create(bb, bl, i, w);
              Value other = arith::CmpIOp::create(
                  bb, bl, arith::CmpIPredicate::ult, j, jw);
              ok = arith::AndIOp::create(bb, bl, ok, other);
            }
          }
          return ok;
        };
        float negInf = -std::numeric_limits<float>::infinity();
        Value scores =
            ib.generic({qn, kn}, ib.filled({hq, len, len}, 0.0),
                       {"(h, i, j, d) -> (i, h, d)",
                        "(h, i, j, d) -> (j, " + group + ", d)",
                        "(h, i, j, d) -> (h, i, j)"},
                       {3}, [](OpBuilder &bb, Location bl, ValueRange a) {
                         return addF(bb, bl, a[2], mulF(bb, bl, a[0], a[1]));
                       });
        scores =
            ib.generic(scores, ib.empty(ib.sizes(scores)),
                       {"(h, i, j) -> (h, i, j)", "(h, i, j) -> (h, i, j)"}, {},
                       [&](OpBuilder &bb, Location bl, ValueRange a) -> Value {
                         Value inf = arith::ConstantOp::create(
                             bb, bl, bb.getF32FloatAttr(negInf));
                         return arith::SelectOp::create(bb, bl, visible(bb, bl),
                                                        a[0], inf);
                       });
        Value rowMax =
            ib.generic(scores, ib.filled({hq, len}, negInf),
                       {"(h, i, j) -> (h, i, j)", "(h, i, j) -> (h, i)"}, {2},
                       [](OpBuilder &bb, Location bl, ValueRange a) -> Value {
                         return arith::MaximumFOp::create(bb, bl, a[0], a[1]);
                       });
        Value probs =
            ib.generic({scores, rowMax}, ib.empty(ib.sizes(scores)),
                       {"(h, i, j) -> (h, i, j)", "(h, i, j) -> (h, i)",
                        "(h, i, j) -> (h, i, j)"},
                       {}, [](OpBuilder &bb, Location bl, ValueRange a) {
                         return expF(bb, bl, subF(bb, bl, a[0], a[1]));
                       });
        Value rowSum =
            ib.generic(probs, ib.filled({hq, len}, 0.0),
                       {"(h, i, j) -> (h, i, j)", "(h, i, j) -> (h, i)"}, {2},
                       [](OpBuilder &bb, Location bl, ValueRange a) {
                         return addF(bb, bl, a[0], a[1]);
                       });
        Value out =
            ib.generic({probs, vn}, ib.filled({len, hq, info.valueDim}, 0.0),
                       {"(i, h, x, j) -> (h, i, j)",
                        "(i, h, x, j) -> (j, " + group + ", x)",
                        "(i, h, x, j) -> (i, h, x)"},
                       {3}, [](OpBuilder &bb, Location bl, ValueRange a) {
                         return addF(bb, bl, a[2], mulF(bb, bl, a[0], a[1]));
                       });
        out = ib.generic({out, rowSum}, ib.empty(ib.sizes(out)),
                         {"(i, h, x) -> (i, h, x)", "(i, h, x) -> (h, i)",
                          "(i, h, x) -> (i, h, x)"},
                         {},
                         [](OpBuilder &bb, Location bl, ValueRange a) -> Value {
                           return arith::DivFOp::create(bb, bl, a[0], a[1]);
                         });
        return {out, Value()};
      });
}

FailureOr<TermResult> lowering::lowerParallel(TensorBuilder &b,
                                              const ApplyInfo &info,
                                              const Term &term) {
  if (auto op = dyn_cast<SemiseparableOp>(term.constructor))
    return lowerSemiseparable(b, info, op, term.transposed);
  if (auto op = dyn_cast<LowRankOp>(term.constructor))
    return lowerLowRank(b, info, op, term.transposed);
  if (auto op = dyn_cast<AttentionOp>(term.constructor))
    return lowerAttention(b, info, op);
  return term.constructor->emitOpError()
         << "has no parallel form in seqmix-lower-to-linalg";
}
