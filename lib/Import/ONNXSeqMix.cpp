//===- ONNXSeqMix.cpp - the nodes of the ai.seqmix domain -----------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// One node type per mixer family, mapped straight onto the seqmix
// constructors and seqmix.apply (docs/ONNX.md has the full specification;
// python/seqmix/onnx.py builds the nodes):
//
//   SemiseparableMix(q, k, v, [gate], [beta], [dt], [initial_state],
//                    [cu_seqlens]) -> (o, [final_state])
//   LowRankMix(q, k, v) -> o
//   SoftmaxMix(q, k, v) -> o
//   DiagonalMix(d, v) -> o
//   SSD(x, dt, A, B, C, [D], [initial_state], [cu_seqlens]) -> (y,
//   [final_state])
//
// Layouts follow fla: [B, T, H, K] for q and k, [B, T, Hv, V] for v and o,
// states [N, Hv, K, V] in f32. Gates and dt are converted to f32.
//
//===----------------------------------------------------------------------===//

#include "ONNXImporter.h"

#include "seqmix/Dialect/SeqMix/IR/SeqMix.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::onnx_import;

namespace {
RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// Inputs named for messages.
FailureOr<Value> namedInput(Importer &im, unsigned i, StringRef name,
                            int64_t rank) {
  if (!im.hasInput(i))
    return im.error() << "input '" << name << "' is required";
  FailureOr<Value> v = im.input(i);
  if (failed(v))
    return failure();
  RankedTensorType t = typeOf(*v);
  if (t.getRank() != rank)
    return im.error() << "input '" << name << "' must have rank " << rank
                      << ", but has type " << t;
  if (!isa<FloatType>(t.getElementType()) || t.getElementType().isF64())
    return im.error() << "input '" << name
                      << "' must be a bf16, f16 or f32 tensor, but has type "
                      << t;
  return v;
}

/// An optional input (null if omitted), converted to f32 if `toF32`.
FailureOr<Value> optionalInput(Importer &im, unsigned i, StringRef name,
                               int64_t rank, bool toF32) {
  if (!im.hasInput(i))
    return Value();
  FailureOr<Value> v = namedInput(im, i, name, rank);
  if (failed(v))
    return failure();
  if (toF32)
    return im.convert(*v, im.builder().getF32Type());
  return *v;
}

/// The `scale` attribute, if any.
FailureOr<FloatAttr> scaleAttr(Importer &im) {
  if (!im.hasAttr("scale"))
    return FloatAttr();
  FailureOr<double> s = im.attrFloat("scale");
  if (failed(s))
    return failure();
  if (!(*s > 0) || !std::isfinite(*s))
    return im.attrError("scale")
           << "must be finite and positive, but is " << *s;
  return im.builder().getF64FloatAttr(*s);
}

/// The `form` and `chunk_size` attributes as a #seqmix.form, or null.
FailureOr<FormAttr> formAttr(Importer &im) {
  FailureOr<std::string> form = im.attrString("form", "");
  FailureOr<int64_t> chunk = im.attrInt("chunk_size", 0);
  if (failed(form) || failed(chunk))
    return failure();
  if (*chunk < 0 || (*chunk != 0 && !llvm::isPowerOf2_64(*chunk)))
    return im.attrError("chunk_size")
           << "must be a power of two, but is " << *chunk;
  std::string kindName = *form;
  if (kindName.empty()) {
    if (*chunk == 0)
      return FormAttr();
    kindName = "chunked";
  }
  std::optional<FormKind> kind = symbolizeFormKind(kindName);
  if (!kind)
    return im.attrError("form") << "must be 'parallel', 'recurrent' or "
                                   "'chunked', but is '"
                                << kindName << "'";
  if (*kind != FormKind::Chunked && *chunk != 0)
    return im.attrError("chunk_size") << "only applies to the chunked form";
  return FormAttr::get(im.getContext(), *kind, *chunk, std::nullopt, 0);
}

/// Checks that a size is static (heads, K).
LogicalResult requireStatic(Importer &im, Value v, int64_t dim, StringRef what,
                            StringRef name) {
  if (typeOf(v).isDynamicDim(dim) || typeOf(v).getDimSize(dim) < 1)
    return im.error() << "the " << what << " (dimension " << dim << ") of '"
                      << name << "' must be static and positive, but '" << name
                      << "' has type " << v.getType();
  return success();
}

/// seqmix.apply of `mixer` to `value`, with the optional state and
/// sequence offsets, setting outputs 0 and 1.
LogicalResult apply(Importer &im, Value mixer, Value value, Value init,
                    Value seqlens, FormAttr form) {
  RankedTensorType vt = typeOf(value);
  auto mt = cast<MixerType>(mixer.getType());
  auto outType = RankedTensorType::get(
      {vt.getDimSize(0), vt.getDimSize(1), mt.getNumHeads(), vt.getDimSize(3)},
      vt.getElementType());
  Type stateType;
  if (im.hasOutput(1)) {
    if (init) {
      stateType = init.getType();
    } else {
      auto ss = dyn_cast<SemiseparableAttr>(
          getStructureTerms(mt.getStructure()).front());
      if (!ss)
        return im.error() << "final_state needs a semiseparable mixer";
      int64_t n = seqlens ? (typeOf(seqlens).isDynamicDim(0)
                                 ? ShapedType::kDynamic
                                 : typeOf(seqlens).getDimSize(0) - 1)
                          : mt.getBatch();
      stateType = RankedTensorType::get(
          {n, mt.getNumHeads(), ss.getState(), vt.getDimSize(3)},
          im.builder().getF32Type());
    }
  }
  auto op = ApplyOp::create(im.builder(), im.loc(), outType, stateType, mixer,
                            value, init, seqlens, form);
  im.setOutput(0, op.getOutput());
  if (im.hasOutput(1))
    im.setOutput(1, op.getFinalState());
  return success();
}

/// initial_state (f32) and cu_seqlens (i32/i64) at inputs `i` and `i + 1`.
LogicalResult stateInputs(Importer &im, unsigned i, Value &init,
                          Value &seqlens) {
  FailureOr<Value> s = optionalInput(im, i, "initial_state", 4, true);
  if (failed(s))
    return failure();
  init = *s;
  if (im.hasInput(i + 1)) {
    FailureOr<Value> c = im.input(i + 1, 1, 1);
    if (failed(c))
      return failure();
    Type elt = typeOf(*c).getElementType();
    if (!elt.isInteger(32) && !elt.isInteger(64))
      return im.error() << "input 'cu_seqlens' must be int32 or int64, but "
                           "has type "
                        << c->getType();
    seqlens = *c;
  }
  return success();
}

LogicalResult importSemiseparable(Importer &im) {
  if (failed(im.checkArity(3, 8, 1, 2)))
    return failure();
  FailureOr<std::string> decayName = im.attrString("decay", "none");
  FailureOr<std::string> transitionName =
      im.attrString("transition", "additive");
  FailureOr<FloatAttr> scale = scaleAttr(im);
  FailureOr<FormAttr> form = formAttr(im);
  if (failed(decayName) || failed(transitionName) || failed(scale) ||
      failed(form))
    return failure();
  std::optional<DecayKind> decay = symbolizeDecayKind(*decayName);
  if (!decay)
    return im.attrError("decay") << "must be 'none', 'static', 'scalar' or "
                                    "'diagonal', but is '"
                                 << *decayName << "'";
  std::optional<Transition> transition = symbolizeTransition(*transitionName);
  if (!transition)
    return im.attrError("transition") << "must be 'additive' or 'delta', but "
                                         "is '"
                                      << *transitionName << "'";
  FailureOr<Value> q = namedInput(im, 0, "q", 4), k = namedInput(im, 1, "k", 4),
                   v = namedInput(im, 2, "v", 4);
  if (failed(q) || failed(k) || failed(v) ||
      failed(requireStatic(im, *q, 3, "key dimension K", "q")) ||
      failed(requireStatic(im, *v, 2, "head count Hv", "v")))
    return failure();
  int64_t gateRank = *decay == DecayKind::Static   ? 1
                     : *decay == DecayKind::Scalar ? 3
                                                   : 4;
  if (*decay == DecayKind::None && im.hasInput(3))
    return im.error() << "decay 'none' takes no 'gate' input";
  if (*decay != DecayKind::None && !im.hasInput(3))
    return im.error() << "decay '" << *decayName << "' needs a 'gate' input";
  FailureOr<Value> gate = optionalInput(im, 3, "gate", gateRank, true);
  FailureOr<Value> beta = optionalInput(im, 4, "beta", 3, false);
  FailureOr<Value> dt = optionalInput(im, 5, "dt", 3, true);
  if (failed(gate) || failed(beta) || failed(dt))
    return failure();
  bool delta = *transition == Transition::Delta;
  if (delta != static_cast<bool>(*beta))
    return im.error() << (delta ? "transition 'delta' needs a 'beta' input"
                                : "transition 'additive' takes no 'beta' "
                                  "input");
  if (delta && *dt)
    return im.error() << "transition 'delta' takes no 'dt' input";
  Value betaV = *beta;
  Type qElt = typeOf(*q).getElementType();
  if (betaV && typeOf(betaV).getElementType() != qElt)
    betaV = im.convert(betaV, im.builder().getF32Type());
  Value init, seqlens;
  if (failed(stateInputs(im, 6, init, seqlens)))
    return failure();
  RankedTensorType qt = typeOf(*q), vt = typeOf(*v);
  auto structure =
      SemiseparableAttr::get(im.getContext(), qt.getDimSize(3), *decay,
                             *transition, Direction::Causal);
  auto mixerType = MixerType::get(
      im.getContext(), {qt.getDimSize(0), vt.getDimSize(2), qt.getDimSize(1)},
      structure);
  Value m = SemiseparableOp::create(im.builder(), im.loc(), mixerType, *q, *k,
                                    *gate, betaV, *dt, *scale);
  return apply(im, m, *v, init, seqlens, *form);
}

LogicalResult importLowRank(Importer &im) {
  if (failed(im.checkArity(3, 3)))
    return failure();
  FailureOr<FloatAttr> scale = scaleAttr(im);
  FailureOr<FormAttr> form = formAttr(im);
  FailureOr<Value> q = namedInput(im, 0, "q", 4), k = namedInput(im, 1, "k", 4),
                   v = namedInput(im, 2, "v", 4);
  if (failed(scale) || failed(form) || failed(q) || failed(k) || failed(v) ||
      failed(requireStatic(im, *q, 3, "key dimension K", "q")) ||
      failed(requireStatic(im, *v, 2, "head count Hv", "v")))
    return failure();
  RankedTensorType qt = typeOf(*q), vt = typeOf(*v);
  auto mixerType = MixerType::get(
      im.getContext(), {qt.getDimSize(0), vt.getDimSize(2), qt.getDimSize(1)},
      LowRankAttr::get(im.getContext(), qt.getDimSize(3)));
  Value m =
      LowRankOp::create(im.builder(), im.loc(), mixerType, *q, *k, *scale);
  return apply(im, m, *v, Value(), Value(), *form);
}

LogicalResult importSoftmaxMix(Importer &im) {
  if (failed(im.checkArity(3, 3)))
    return failure();
  FailureOr<FloatAttr> scale = scaleAttr(im);
  FailureOr<int64_t> causal = im.attrInt("causal", 1);
  FailureOr<int64_t> window = im.attrInt("window", 0);
  FailureOr<Value> q = namedInput(im, 0, "q", 4), k = namedInput(im, 1, "k", 4),
                   v = namedInput(im, 2, "v", 4);
  if (failed(scale) || failed(causal) || failed(window) || failed(q) ||
      failed(k) || failed(v) ||
      failed(requireStatic(im, *q, 2, "head count H", "q")) ||
      failed(requireStatic(im, *k, 2, "head count H", "k")))
    return failure();
  if (*window < 0)
    return im.attrError("window") << "must not be negative";
  RankedTensorType qt = typeOf(*q), kt = typeOf(*k);
  auto structure =
      DenseAttr::get(im.getContext(), kt.getDimSize(2),
                     *causal ? DenseMask::Causal : DenseMask::Full, *window);
  auto mixerType = MixerType::get(
      im.getContext(), {qt.getDimSize(0), qt.getDimSize(2), qt.getDimSize(1)},
      structure);
  Value m =
      AttentionOp::create(im.builder(), im.loc(), mixerType, *q, *k, *scale);
  return apply(im, m, *v, Value(), Value(), FormAttr());
}

LogicalResult importDiagonal(Importer &im) {
  if (failed(im.checkArity(2, 2)))
    return failure();
  FailureOr<Value> v = namedInput(im, 1, "v", 4);
  if (failed(v) || failed(requireStatic(im, *v, 2, "head count Hv", "v")))
    return failure();
  if (!im.hasInput(0))
    return im.error() << "input 'd' is required";
  FailureOr<Value> d = im.input(0, 1, 3);
  if (failed(d))
    return failure();
  if (typeOf(*d).getRank() == 2)
    return im.error() << "input 'd' must be [H] or [B, T, H], but has type "
                      << d->getType();
  RankedTensorType vt = typeOf(*v);
  auto mixerType = MixerType::get(
      im.getContext(), {vt.getDimSize(0), vt.getDimSize(2), vt.getDimSize(1)},
      DiagonalAttr::get(im.getContext()));
  Value m = DiagonalOp::create(im.builder(), im.loc(), mixerType, *d);
  return apply(im, m, *v, Value(), Value(), FormAttr());
}

LogicalResult importSSD(Importer &im) {
  if (failed(im.checkArity(5, 8, 1, 2)))
    return failure();
  FailureOr<FormAttr> form = formAttr(im);
  FailureOr<Value> x = namedInput(im, 0, "x", 4);
  FailureOr<Value> dt = namedInput(im, 1, "dt", 3);
  FailureOr<Value> a = namedInput(im, 2, "A", 1);
  FailureOr<Value> bIn = namedInput(im, 3, "B", 4);
  FailureOr<Value> cIn = namedInput(im, 4, "C", 4);
  if (failed(form) || failed(x) || failed(dt) || failed(a) || failed(bIn) ||
      failed(cIn) || failed(requireStatic(im, *x, 2, "head count H", "x")) ||
      failed(requireStatic(im, *bIn, 3, "state size N", "B")))
    return failure();
  FailureOr<Value> dIn = optionalInput(im, 5, "D", 1, false);
  if (failed(dIn))
    return failure();
  Value init, seqlens;
  if (failed(stateInputs(im, 6, init, seqlens)))
    return failure();
  OpBuilder &b = im.builder();
  Location loc = im.loc();
  MLIRContext *ctx = im.getContext();
  RankedTensorType xt = typeOf(*x), ct = typeOf(*cIn);
  int64_t heads = xt.getDimSize(2);
  if (typeOf(*a).getDimSize(0) != heads ||
      (*dIn && typeOf(*dIn).getDimSize(0) != heads))
    return im.error() << "A and D must have " << heads << " entries, one per "
                      << "head of 'x'";
  if (typeOf(*bIn).getElementType() != ct.getElementType())
    return im.error() << "B and C must have one element type";
  // g = A * dt, with A broadcast over batch and time; both in f32.
  Value dt32 = im.convert(*dt, b.getF32Type());
  Value a32 = im.convert(*a, b.getF32Type());
  FailureOr<Value> g = im.elementwise(
      {dt32, a32}, b.getF32Type(), [](OpBuilder &nb, Location l, ValueRange v) {
        return arith::MulFOp::create(nb, l, v[1], v[0]).getResult();
      });
  if (failed(g))
    return failure();
  auto ssType =
      SemiseparableAttr::get(ctx, typeOf(*bIn).getDimSize(3), DecayKind::Scalar,
                             Transition::Additive, Direction::Causal);
  SmallVector<int64_t> shape = {xt.getDimSize(0), heads, xt.getDimSize(1)};
  Value m =
      SemiseparableOp::create(b, loc, MixerType::get(ctx, shape, ssType), *cIn,
                              *bIn, *g, Value(), dt32, b.getF64FloatAttr(1.0));
  if (*dIn) {
    auto diagType = DiagonalAttr::get(ctx);
    Value d = DiagonalOp::create(b, loc, MixerType::get(ctx, shape, diagType),
                                 im.convert(*dIn, b.getF32Type()));
    auto sumType = MixerType::get(ctx, shape, buildSum(ssType, diagType));
    m = AddOp::create(b, loc, sumType, m, d);
  }
  return apply(im, m, *x, init, seqlens, *form);
}
} // namespace

void mlir::seqmix::onnx_import::registerSeqMixOps(OpTable &table) {
  table["SemiseparableMix"] = importSemiseparable;
  table["LowRankMix"] = importLowRank;
  table["SoftmaxMix"] = importSoftmaxMix;
  table["DiagonalMix"] = importDiagonal;
  table["SSD"] = importSSD;
}
