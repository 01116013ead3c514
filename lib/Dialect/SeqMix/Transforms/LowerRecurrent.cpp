//===- LowerRecurrent.cpp - the recurrent form of seqmix.apply ------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// The recurrent form scans the state token by token. For sequence n and
// token t of a causal semiseparable mixer, per value head h (q/k head
// h / G), with q already scaled:
//
//   S ← Diag/scalar decay exp(g_t) · S                  (decay first)
//   delta:    u = Sᵀ k_t,  S ← S + k_t (β_t (v_t − u))ᵀ  (then the rank-1 step)
//   additive: S ← S + (dt_t) k_t v_tᵀ
//   o_t = Sᵀ q_t
//
// which is S_t = A_t S_{t-1} + B_t v_tᵀ for every (decay, transition) of the
// dialect: for the delta rule with a scalar decay exp(g)(I − βkkᵀ) the two
// factors commute, and KDA's (I − βkkᵀ) Diag(exp g) decays first.
//
// The transpose of a causal mixer (anticausal) runs backwards with the roles
// of q and B_t swapped: R ← R + q_t v_tᵀ, o_t = B_tᵀ R, then R ← A_tᵀ R for
// the next (earlier) token, where A_tᵀ projects out k_t before it decays.
//
// A non-causal low-rank mixer's recurrent form is Q (Kᵀ V) per sequence.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::lowering;

namespace {

/// One step of a semiseparable recurrence on the [Hv, K, V] state.
class SemiseparableStep {
public:
  SemiseparableStep(TensorBuilder &b, SemiseparableOp op, int64_t groups,
                    OpFoldResult valueDim)
      : b(b), op(op), s(op.getStructure()), valueDim(valueDim) {
    group = llvm::formatv("h floordiv {0}", groups).str();
  }

  /// The per-token operands of token t of batch row `row`.
  struct Token {
    Value q, k, v, gate, beta, dt;
  };

  Token token(Value q, Value k, Value v, Value gate, Value beta, Value dt,
              Value row, Value t) {
    OpBuilder &ob = b.builder();
    auto qs = cast<ShapedType>(q.getType()).getShape();
    int64_t heads = qs[2], keyDim = qs[3];
    int64_t valueHeads = numValueHeads();
    OpFoldResult zero = ob.getIndexAttr(0), one = ob.getIndexAttr(1);
    OpFoldResult r = row, tt = t;
    Token tok;
    tok.q = b.slice(q, {r, tt, zero, zero},
                    {one, one, ob.getIndexAttr(heads), ob.getIndexAttr(keyDim)},
                    {0, 1});
    tok.k = b.slice(k, {r, tt, zero, zero},
                    {one, one, ob.getIndexAttr(heads), ob.getIndexAttr(keyDim)},
                    {0, 1});
    tok.v = b.slice(v, {r, tt, zero, zero},
                    {one, one, ob.getIndexAttr(valueHeads), valueDim}, {0, 1});
    if (gate) {
      switch (s.getDecay()) {
      case DecayKind::Static:
        tok.gate = gate;
        break;
      case DecayKind::Scalar:
        tok.gate = b.slice(gate, {r, tt, zero},
                           {one, one, ob.getIndexAttr(valueHeads)}, {0, 1});
        break;
      case DecayKind::Diagonal:
        tok.gate = b.slice(
            gate, {r, tt, zero, zero},
            {one, one, ob.getIndexAttr(valueHeads), ob.getIndexAttr(keyDim)},
            {0, 1});
        break;
      case DecayKind::None:
        break;
      }
    }
    auto perHead = [&](Value x) -> Value {
      if (!x)
        return {};
      return b.slice(x, {r, tt, zero}, {one, one, ob.getIndexAttr(valueHeads)},
                     {0, 1});
    };
    tok.beta = perHead(beta);
    tok.dt = perHead(dt);
    return tok;
  }

  /// S ← decay(S).
  Value decay(Value state, const Token &tok) {
    if (s.getDecay() == DecayKind::None)
      return state;
    StringRef gateMap = s.getDecay() == DecayKind::Diagonal
                            ? "(h, k, v) -> (h, k)"
                            : "(h, k, v) -> (h)";
    return b.generic({state, tok.gate}, state, {kId, gateMap, kId}, {},
                     [&](OpBuilder &nb, Location l, ValueRange a) {
                       return mulF(nb, l, a[0], expF(nb, l, a[1]));
                     });
  }

  /// Σ_k S[h, k, v] x[h / G, k], as [Hv, V].
  Value read(Value state, Value x) {
    Value init =
        b.filled({b.builder().getIndexAttr(numValueHeads()), valueDim}, 0.0);
    return b.generic({state, x}, init,
                     {"(h, v, k) -> (h, k, v)",
                      ("(h, v, k) -> (" + group + ", k)"),
                      "(h, v, k) -> (h, v)"},
                     {2}, [&](OpBuilder &nb, Location l, ValueRange a) {
                       return addF(nb, l, a[2], mulF(nb, l, a[0], a[1]));
                     });
  }

  /// S + x[h / G, k] y[h, v] (· c[h] when given).
  Value addOuter(Value state, Value x, Value y, Value c) {
    SmallVector<Value> ins = {state, x, y};
    SmallVector<StringRef> maps;
    std::string xMap = "(h, k, v) -> (" + group + ", k)";
    maps = {kId, xMap, "(h, k, v) -> (h, v)"};
    if (c) {
      ins.push_back(c);
      maps.push_back("(h, k, v) -> (h)");
    }
    maps.push_back(kId);
    return b.generic(ins, state, maps, {},
                     [&](OpBuilder &nb, Location l, ValueRange a) {
                       Value p = mulF(nb, l, a[1], a[2]);
                       if (c)
                         p = mulF(nb, l, p, a[3]);
                       return addF(nb, l, a[0], p);
                     });
  }

  /// S − β[h] k[h / G, k] u[h, v].
  Value subtractProjection(Value state, Value k, Value u, Value beta) {
    std::string kMap = "(h, k, v) -> (" + group + ", k)";
    return b.generic(
        {state, k, u, beta}, state,
        {kId, kMap, "(h, k, v) -> (h, v)", "(h, k, v) -> (h)", kId}, {},
        [&](OpBuilder &nb, Location l, ValueRange a) {
          Value p = mulF(nb, l, mulF(nb, l, a[1], a[2]), a[3]);
          return subF(nb, l, a[0], p);
        });
  }

  /// x[h, v] · c[h].
  Value scaleRows(Value x, Value c) {
    return b.generic({x, c}, b.empty(b.sizes(x)),
                     {"(h, v) -> (h, v)", "(h, v) -> (h)", "(h, v) -> (h, v)"},
                     {}, [&](OpBuilder &nb, Location l, ValueRange a) {
                       return mulF(nb, l, a[0], a[1]);
                     });
  }

  /// The causal step: returns the new state and o_t.
  std::pair<Value, Value> causal(Value state, const Token &tok) {
    state = decay(state, tok);
    if (s.getTransition() == Transition::Delta) {
      Value u = read(state, tok.k);
      // β (v − u), then S + k (β (v − u))ᵀ.
      Value w = b.generic({tok.v, u, tok.beta}, b.empty(b.sizes(u)),
                          {"(h, v) -> (h, v)", "(h, v) -> (h, v)",
                           "(h, v) -> (h)", "(h, v) -> (h, v)"},
                          {}, [&](OpBuilder &nb, Location l, ValueRange a) {
                            return mulF(nb, l, subF(nb, l, a[0], a[1]), a[2]);
                          });
      state = addOuter(state, tok.k, w, Value());
    } else {
      state = addOuter(state, tok.k, tok.v, tok.dt);
    }
    return {state, read(state, tok.q)};
  }

  /// The anticausal step (the transpose): returns the new state and o_t.
  std::pair<Value, Value> anticausal(Value state, const Token &tok) {
    state = addOuter(state, tok.q, tok.v, Value());
    Value u = read(state, tok.k);
    Value inputScale = tok.beta ? tok.beta : tok.dt;
    Value out = inputScale ? scaleRows(u, inputScale) : u;
    if (s.getTransition() == Transition::Delta)
      state = subtractProjection(state, tok.k, u, tok.beta);
    state = decay(state, tok);
    return {state, out};
  }

  int64_t numValueHeads() {
    return cast<MixerType>(op.getResult().getType()).getNumHeads();
  }

private:
  static constexpr StringLiteral kId = "(h, k, v) -> (h, k, v)";
  TensorBuilder &b;
  SemiseparableOp op;
  SemiseparableAttr s;
  OpFoldResult valueDim;
  std::string group;
};

} // namespace

static FailureOr<TermResult> lowerSemiseparable(TensorBuilder &b,
                                                const ApplyInfo &info,
                                                SemiseparableOp op,
                                                bool transposed) {
  OpBuilder &ob = b.builder();
  Value q = b.scaled(b.toF32(op.getQ()), op.getScaleOrDefault());
  Value k = b.toF32(op.getK());
  Value beta = op.getBeta() ? b.toF32(op.getBeta()) : Value();
  Value gate = op.getGate(), dt = op.getDt();
  int64_t heads = cast<ShapedType>(q.getType()).getShape()[2];
  int64_t keyDim = cast<ShapedType>(q.getType()).getShape()[3];
  int64_t valueHeads = info.heads;
  OpFoldResult valueDim = info.valueDim;

  OpFoldResult hv = ob.getIndexAttr(valueHeads), kd = ob.getIndexAttr(keyDim);
  OpFoldResult zero = ob.getIndexAttr(0), one = ob.getIndexAttr(1);
  bool wantsState = !transposed && info.wantsFinalState;
  return forEachSequence(
      b, info, kd, wantsState,
      [&](TensorBuilder &ib, const Sequence &seq, Value len,
          Value n) -> std::pair<Value, Value> {
        OpBuilder &nb = ib.builder();
        Location l = ib.location();
        Value state0 = (info.init && !transposed)
                           ? ib.slice(info.init, {n, zero, zero, zero},
                                      {one, hv, kd, valueDim}, {0})
                           : ib.filled({hv, kd, valueDim}, 0.0);
        Value out0 = ib.filled({len, hv, valueDim}, 0.0);
        auto inner = scf::ForOp::create(
            nb, l, ib.index(0), len, ib.index(1), ValueRange{state0, out0},
            [&](OpBuilder &tb, Location tl, Value i, ValueRange it) {
              TensorBuilder sb(tb, tl);
              SemiseparableStep ts(sb, op, valueHeads / heads, valueDim);
              // Row r of the sequence, backwards for the transpose.
              Value r = i;
              if (transposed)
                r = arith::SubIOp::create(
                    tb, tl, arith::SubIOp::create(tb, tl, len, sb.index(1)), i);
              Value t = arith::AddIOp::create(tb, tl, seq.begin, r);
              auto tok =
                  ts.token(q, k, info.value, gate, beta, dt, seq.batchIndex, t);
              auto [state, o] = transposed ? ts.anticausal(it[0], tok)
                                           : ts.causal(it[0], tok);
              Value out =
                  sb.insert(o, it[1], {r, zero, zero}, {one, hv, valueDim});
              scf::YieldOp::create(tb, tl, ValueRange{state, out});
            });
        return {inner.getResult(1), inner.getResult(0)};
      });
}

/// Q (Kᵀ V) per sequence and head.
static FailureOr<TermResult> lowerLowRank(TensorBuilder &b,
                                          const ApplyInfo &info, LowRankOp op,
                                          bool transposed) {
  OpBuilder &ob = b.builder();
  // (scale Q Kᵀ)ᵀ = scale K Qᵀ.
  Value q = b.toF32(transposed ? op.getK() : op.getQ());
  Value k = b.toF32(transposed ? op.getQ() : op.getK());
  q = b.scaled(q, op.getScaleOrDefault());
  auto qs = cast<ShapedType>(q.getType()).getShape();
  int64_t heads = qs[2], keyDim = qs[3], valueHeads = info.heads;
  std::string group = llvm::formatv("h floordiv {0}", valueHeads / heads).str();
  OpFoldResult hv = ob.getIndexAttr(valueHeads), kd = ob.getIndexAttr(keyDim);
  OpFoldResult valueDim = info.valueDim;
  return forEachSequence(
      b, info, kd, /*wantsState=*/false,
      [&](TensorBuilder &ib, const Sequence &seq, Value len,
          Value) -> std::pair<Value, Value> {
        Value qn = sliceSeq(ib, q, seq, len), kn = sliceSeq(ib, k, seq, len);
        Value vn = sliceSeq(ib, info.value, seq, len);
        Value state = ib.generic(
            {kn, vn}, ib.filled({hv, kd, valueDim}, 0.0),
            {"(h, k, v, t) -> (t, " + group + ", k)",
             "(h, k, v, t) -> (t, h, v)", "(h, k, v, t) -> (h, k, v)"},
            {3}, [&](OpBuilder &bb, Location bl, ValueRange a) {
              return addF(bb, bl, a[2], mulF(bb, bl, a[0], a[1]));
            });
        Value out = ib.generic(
            {qn, state}, ib.filled({len, hv, valueDim}, 0.0),
            {"(t, h, v, k) -> (t, " + group + ", k)",
             "(t, h, v, k) -> (h, k, v)", "(t, h, v, k) -> (t, h, v)"},
            {3}, [&](OpBuilder &bb, Location bl, ValueRange a) {
              return addF(bb, bl, a[2], mulF(bb, bl, a[0], a[1]));
            });
        return {out, Value()};
      });
}

FailureOr<TermResult> lowering::lowerRecurrent(TensorBuilder &b,
                                               const ApplyInfo &info,
                                               const Term &term) {
  if (auto op = dyn_cast<SemiseparableOp>(term.constructor))
    return lowerSemiseparable(b, info, op, term.transposed);
  if (auto op = dyn_cast<LowRankOp>(term.constructor))
    return lowerLowRank(b, info, op, term.transposed);
  return term.constructor->emitOpError()
         << "the recurrent form does not apply to '"
         << term.constructor->getName() << "'";
}
