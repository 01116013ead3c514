//===- SeqMixChunkOps.cpp - the chunk-level seqmix ops --------------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// Verifiers of the chunk-level ops (SeqMixChunkOps.td). Their generated
// definitions are in SeqMixOps.cpp, which includes SeqMixOps.cpp.inc.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/IR/SeqMix.h"

#include "OperandChecker.h"

#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::detail;

namespace {
/// The checks the chunk-level ops share. Every token tensor is
/// [B, T, ...] and agrees in B and T with a reference operand.
class ChunkChecker : public OperandChecker {
public:
  ChunkChecker(Operation *op, int64_t chunk, StringRef refName, Value ref)
      : OperandChecker(op), chunk(chunk), refName(refName), ref(ref) {}

  /// The `chunk` attribute is positive.
  LogicalResult chunkSize() {
    if (chunk > 0)
      return success();
    return fail() << "attribute 'chunk' must be positive, but got " << chunk;
  }

  /// `value` is a [B, T, ...] tensor (dimensions named by `layout`) of one of
  /// the `allowed` element types, with the reference's B and T.
  LogicalResult tokens(StringRef name, Value value, ArrayRef<StringRef> layout,
                       ArrayRef<Type> allowed, StringRef allowedText,
                       StringRef kind = "operand") {
    if (failed(rank(name, value, layout, kind)) ||
        failed(elementType(name, value, allowed, allowedText, kind)))
      return failure();
    ArrayRef<int64_t> s = shapeOf(value), r = shapeOf(ref);
    return success(
        succeeded(dim("batch B", name, s[0], refName, r[0])) &&
        succeeded(dim("sequence length T", name, s[1], refName, r[1])));
  }

  /// A float tensor [B, T, ...].
  LogicalResult floatTokens(StringRef name, Value value,
                            ArrayRef<StringRef> layout) {
    return tokens(name, value, layout, floatTypes(value.getContext()),
                  kFloatTypesText);
  }

  /// An f32 tensor [B, T, ...].
  LogicalResult f32Tokens(StringRef name, Value value,
                          ArrayRef<StringRef> layout,
                          StringRef kind = "operand") {
    Builder b(value.getContext());
    return tokens(name, value, layout, {b.getF32Type()}, "f32", kind);
  }

  /// Dimension 3 of `value`, its chunk columns, is the chunk size.
  LogicalResult chunkColumns(StringRef name, Value value,
                             StringRef kind = "operand") {
    int64_t c = shapeOf(value)[3];
    if (c == chunk)
      return success();
    InFlightDiagnostic diag = fail();
    diag << "chunk size C (dimension 3) of " << kind << " '" << name
         << "' must be 'chunk' = " << chunk << ", but got ";
    if (ShapedType::isDynamic(c))
      diag << "?";
    else
      diag << c;
    return diag;
  }

  /// Hv value heads group H q/k heads: both static, Hv a multiple of H.
  LogicalResult grouping(StringRef valueName, int64_t valueHeads,
                         StringRef name, int64_t heads) {
    if (failed(isStatic("head count H", name, heads)) ||
        failed(isStatic("value heads Hv", valueName, valueHeads)))
      return failure();
    if (valueHeads % heads == 0)
      return success();
    return fail() << "value heads Hv of '" << valueName << "' (" << valueHeads
                  << ") must be a multiple of the q/k heads H of '" << name
                  << "' (" << heads << ")";
  }

  /// The optional chunk-local cumsum of the gates: [B, T, Hv] or
  /// [B, T, Hv, K] in f32, with Hv and K as given.
  LogicalResult decay(Value decay, int64_t valueHeads, StringRef headsName,
                      int64_t keyDim, StringRef keyName) {
    if (!decay)
      return success();
    auto type = cast<RankedTensorType>(decay.getType());
    if (type.getRank() != 3 && type.getRank() != 4)
      return fail() << "operand 'decay' must be a rank-3 tensor [B, T, Hv] "
                       "(scalar decay) or a rank-4 tensor [B, T, Hv, K] "
                       "(diagonal decay), but got "
                    << type;
    ArrayRef<int64_t> s = type.getShape();
    if (failed(f32Tokens("decay", decay,
                         type.getRank() == 3
                             ? ArrayRef<StringRef>{"B", "T", "Hv"}
                             : ArrayRef<StringRef>{"B", "T", "Hv", "K"})) ||
        failed(dim("value heads Hv", "decay", s[2], headsName, valueHeads)))
      return failure();
    if (type.getRank() == 4)
      return dim("K", "decay", s[3], keyName, keyDim);
    return success();
  }

  /// The optional packed-sequence offsets.
  LogicalResult seqlens(Value seqlens) {
    if (!seqlens)
      return success();
    Builder b(seqlens.getContext());
    if (failed(rank("seqlens", seqlens, {"N + 1"})) ||
        failed(elementType("seqlens", seqlens, {b.getI32Type(), b.getI64Type()},
                           "i32 or i64")))
      return failure();
    int64_t batch = shapeOf(ref)[0];
    if (!ShapedType::isDynamic(batch) && batch != 1)
      return fail() << "'seqlens' requires batch size 1 (sequences packed "
                       "along T), but the batch of '"
                    << refName << "' is " << batch;
    int64_t len = shapeOf(seqlens)[0];
    if (!ShapedType::isDynamic(len) && len < 2)
      return fail() << "operand 'seqlens' must hold at least 2 offsets (N + 1 "
                       "for N >= 1 sequences), but has "
                    << len;
    return success();
  }

  /// A state tensor [N, Hv, K, V] in f32: N is the reference's batch, or the
  /// number of sequences of `seqlens`.
  LogicalResult state(StringRef name, Value state, Value seqlens,
                      StringRef kind, int64_t valueHeads, StringRef headsName,
                      int64_t keyDim, StringRef keyName, int64_t valueDim,
                      StringRef valueName) {
    Builder b(state.getContext());
    if (failed(rank(name, state, {"N", "Hv", "K", "V"}, kind)) ||
        failed(elementType(name, state, {b.getF32Type()}, "f32", kind)))
      return failure();
    ArrayRef<int64_t> s = shapeOf(state);
    int64_t numSeqs = shapeOf(ref)[0];
    StringRef source = "the batch B of '";
    if (seqlens) {
      int64_t len = shapeOf(seqlens)[0];
      numSeqs = ShapedType::isDynamic(len) ? len : len - 1;
      source = "the offsets 'seqlens' give N = ";
    }
    if (!ShapedType::isDynamic(s[0]) && !ShapedType::isDynamic(numSeqs) &&
        s[0] != numSeqs) {
      InFlightDiagnostic diag = fail();
      diag << kind << " '" << name << "' has N = " << s[0]
           << " (dimension 0), but ";
      if (seqlens)
        diag << source << numSeqs;
      else
        diag << source << refName << "' is " << numSeqs;
      return diag;
    }
    return success(
        succeeded(dim("value heads Hv", name, s[1], headsName, valueHeads)) &&
        succeeded(dim("K", name, s[2], keyName, keyDim)) &&
        succeeded(dim("value dimension V", name, s[3], valueName, valueDim)));
  }

  /// Per-chunk states [B, NT, Hv, K, V] in f32: NT is ceil(T / chunk), or
  /// dynamic with `seqlens` (the number of chunks depends on the offsets).
  LogicalResult chunkStates(StringRef name, Value states, Value seqlens,
                            StringRef kind, int64_t valueHeads,
                            StringRef headsName, int64_t keyDim,
                            StringRef keyName, int64_t valueDim,
                            StringRef valueName) {
    Builder b(states.getContext());
    if (failed(rank(name, states, {"B", "NT", "Hv", "K", "V"}, kind)) ||
        failed(elementType(name, states, {b.getF32Type()}, "f32", kind)))
      return failure();
    ArrayRef<int64_t> s = shapeOf(states), r = shapeOf(ref);
    if (failed(dim("batch B", name, s[0], refName, r[0])) ||
        failed(dim("value heads Hv", name, s[2], headsName, valueHeads)) ||
        failed(dim("K", name, s[3], keyName, keyDim)) ||
        failed(dim("value dimension V", name, s[4], valueName, valueDim)))
      return failure();
    if (seqlens) {
      if (!ShapedType::isDynamic(s[1]))
        return fail() << "chunk count NT (dimension 1) of " << kind << " '"
                      << name
                      << "' must be dynamic with 'seqlens' (it depends on "
                         "the offsets), but got "
                      << s[1];
      return success();
    }
    if (ShapedType::isDynamic(s[1]) || ShapedType::isDynamic(r[1]) ||
        chunk <= 0)
      return success();
    int64_t expected = (r[1] + chunk - 1) / chunk;
    if (s[1] == expected)
      return success();
    return fail() << "chunk count NT (dimension 1) of " << kind << " '" << name
                  << "' must be ceil(T / chunk) = " << expected
                  << " for T = " << r[1] << ", but got " << s[1];
  }

private:
  int64_t chunk;
  StringRef refName;
  Value ref;
};
} // namespace

//===----------------------------------------------------------------------===//
// ChunkCumsumOp
//===----------------------------------------------------------------------===//

LogicalResult ChunkCumsumOp::verify() {
  ChunkChecker check(*this, getChunk(), "gate", getGate());
  auto type = cast<RankedTensorType>(getGate().getType());
  if (failed(check.chunkSize()))
    return failure();
  if (type.getRank() != 3 && type.getRank() != 4)
    return emitOpError() << "operand 'gate' must be a rank-3 tensor [B, T, Hv] "
                            "(scalar decay) or a rank-4 tensor [B, T, Hv, K] "
                            "(diagonal decay), but got "
                         << type;
  Builder b(getContext());
  if (failed(check.elementType("gate", getGate(), {b.getF32Type()}, "f32")))
    return failure();
  auto resultType = cast<RankedTensorType>(getResult().getType());
  if (!resultType.getElementType().isF32() ||
      failed(verifyCompatibleShape(resultType, type)))
    return emitOpError() << "result must be an f32 tensor of the shape of "
                            "'gate' ("
                         << type << "), but got " << resultType;
  return check.seqlens(getSeqlens());
}

//===----------------------------------------------------------------------===//
// ChunkGramOp
//===----------------------------------------------------------------------===//

LogicalResult ChunkGramOp::verify() {
  ChunkChecker check(*this, getChunk(), "x", getX());
  if (failed(check.chunkSize()) ||
      failed(check.floatTokens("x", getX(), {"B", "T", "H", "K"})) ||
      failed(check.floatTokens("y", getY(), {"B", "T", "H", "K"})))
    return failure();
  ArrayRef<int64_t> xs = shapeOf(getX()), ys = shapeOf(getY());
  if (failed(check.dim("head count H", "y", ys[2], "x", xs[2])) ||
      failed(check.dim("K", "y", ys[3], "x", xs[3])) ||
      failed(check.isStatic("K", "x", xs[3])))
    return failure();
  Value result = getResult();
  if (failed(
          check.f32Tokens("result", result, {"B", "T", "Hv", "C"}, "result")) ||
      failed(check.chunkColumns("result", result, "result")))
    return failure();
  int64_t valueHeads = shapeOf(result)[2];
  if (failed(check.grouping("result", valueHeads, "x", xs[2])) ||
      failed(check.decay(getDecay(), valueHeads, "result", xs[3], "x")))
    return failure();
  return check.seqlens(getSeqlens());
}

//===----------------------------------------------------------------------===//
// TriInverseOp
//===----------------------------------------------------------------------===//

LogicalResult TriInverseOp::verify() {
  ChunkChecker check(*this, getChunk(), "a", getA());
  if (failed(check.chunkSize()) ||
      failed(check.f32Tokens("a", getA(), {"B", "T", "Hv", "C"})) ||
      failed(check.chunkColumns("a", getA())) ||
      failed(check.floatTokens("beta", getBeta(), {"B", "T", "Hv"})))
    return failure();
  ArrayRef<int64_t> as = shapeOf(getA());
  if (failed(check.isStatic("value heads Hv", "a", as[2])) ||
      failed(check.dim("value heads Hv", "beta", shapeOf(getBeta())[2], "a",
                       as[2])))
    return failure();
  auto type = cast<RankedTensorType>(getA().getType());
  auto resultType = cast<RankedTensorType>(getResult().getType());
  if (!resultType.getElementType().isF32() ||
      failed(verifyCompatibleShape(resultType, type)))
    return emitOpError() << "result must be an f32 tensor of the shape of 'a' ("
                         << type << "), but got " << resultType;
  return check.seqlens(getSeqlens());
}

//===----------------------------------------------------------------------===//
// WYApplyOp
//===----------------------------------------------------------------------===//

LogicalResult WYApplyOp::verify() {
  ChunkChecker check(*this, getChunk(), "t", getT());
  if (failed(check.chunkSize()) ||
      failed(check.f32Tokens("t", getT(), {"B", "T", "Hv", "C"})) ||
      failed(check.chunkColumns("t", getT())) ||
      failed(check.floatTokens("k", getK(), {"B", "T", "H", "K"})) ||
      failed(check.floatTokens("v", getV(), {"B", "T", "Hv", "V"})))
    return failure();
  ArrayRef<int64_t> ts = shapeOf(getT()), ks = shapeOf(getK()),
                    vs = shapeOf(getV());
  int64_t valueHeads = ts[2];
  if (failed(check.grouping("t", valueHeads, "k", ks[2])) ||
      failed(check.isStatic("K", "k", ks[3])) ||
      failed(check.dim("value heads Hv", "v", vs[2], "t", valueHeads)) ||
      failed(check.decay(getDecay(), valueHeads, "t", ks[3], "k")))
    return failure();
  if (failed(check.f32Tokens("w", getW(), {"B", "T", "Hv", "K"}, "result")) ||
      failed(check.f32Tokens("u", getU(), {"B", "T", "Hv", "V"}, "result")))
    return failure();
  ArrayRef<int64_t> ws = shapeOf(getW()), us = shapeOf(getU());
  if (failed(check.dim("value heads Hv", "w", ws[2], "t", valueHeads)) ||
      failed(check.dim("K", "w", ws[3], "k", ks[3])) ||
      failed(check.dim("value heads Hv", "u", us[2], "t", valueHeads)) ||
      failed(check.dim("value dimension V", "u", us[3], "v", vs[3])))
    return failure();
  return check.seqlens(getSeqlens());
}

//===----------------------------------------------------------------------===//
// ChunkStateScanOp
//===----------------------------------------------------------------------===//

LogicalResult ChunkStateScanOp::verify() {
  ChunkChecker check(*this, getChunk(), "k", getK());
  if (failed(check.chunkSize()) ||
      failed(check.floatTokens("k", getK(), {"B", "T", "H", "K"})) ||
      failed(check.floatTokens("u", getU(), {"B", "T", "Hv", "V"})))
    return failure();
  ArrayRef<int64_t> ks = shapeOf(getK()), us = shapeOf(getU());
  int64_t valueHeads = us[2], keyDim = ks[3], valueDim = us[3];
  if (failed(check.grouping("u", valueHeads, "k", ks[2])) ||
      failed(check.isStatic("K", "k", keyDim)) ||
      failed(check.decay(getDecay(), valueHeads, "u", keyDim, "k")))
    return failure();
  if (Value w = getW()) {
    if (failed(check.floatTokens("w", w, {"B", "T", "Hv", "K"})))
      return failure();
    ArrayRef<int64_t> ws = shapeOf(w);
    if (failed(check.dim("value heads Hv", "w", ws[2], "u", valueHeads)) ||
        failed(check.dim("K", "w", ws[3], "k", keyDim)))
      return failure();
  }
  if (failed(check.seqlens(getSeqlens())))
    return failure();
  if (Value init = getInit())
    if (failed(check.state("init", init, getSeqlens(), "operand", valueHeads,
                           "u", keyDim, "k", valueDim, "u")))
      return failure();
  if (failed(check.chunkStates("states", getStates(), getSeqlens(), "result",
                               valueHeads, "u", keyDim, "k", valueDim, "u")) ||
      failed(check.state("final_state", getFinalState(), getSeqlens(), "result",
                         valueHeads, "u", keyDim, "k", valueDim, "u")))
    return failure();
  Value vNew = getVNew();
  if (getW() && !vNew)
    return emitOpError() << "operand 'w' (the delta rule) requires the result "
                            "'v_new'";
  if (vNew && !getW())
    return emitOpError() << "result 'v_new' requires the operand 'w' (the "
                            "delta rule)";
  if (vNew) {
    if (failed(check.f32Tokens("v_new", vNew, {"B", "T", "Hv", "V"}, "result")))
      return failure();
    ArrayRef<int64_t> ns = shapeOf(vNew);
    if (failed(check.dim("value heads Hv", "v_new", ns[2], "u", valueHeads)) ||
        failed(check.dim("value dimension V", "v_new", ns[3], "u", valueDim)))
      return failure();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ChunkOutputOp
//===----------------------------------------------------------------------===//

LogicalResult ChunkOutputOp::verify() {
  ChunkChecker check(*this, getChunk(), "q", getQ());
  if (failed(check.chunkSize()) ||
      failed(check.floatTokens("q", getQ(), {"B", "T", "H", "K"})) ||
      failed(check.f32Tokens("a", getA(), {"B", "T", "Hv", "C"})) ||
      failed(check.chunkColumns("a", getA())) ||
      failed(check.floatTokens("v", getV(), {"B", "T", "Hv", "V"})))
    return failure();
  ArrayRef<int64_t> qs = shapeOf(getQ()), as = shapeOf(getA()),
                    vs = shapeOf(getV());
  int64_t valueHeads = as[2], keyDim = qs[3], valueDim = vs[3];
  if (failed(check.grouping("a", valueHeads, "q", qs[2])) ||
      failed(check.isStatic("K", "q", keyDim)) ||
      failed(check.dim("value heads Hv", "v", vs[2], "a", valueHeads)) ||
      failed(check.decay(getDecay(), valueHeads, "a", keyDim, "q")) ||
      failed(check.seqlens(getSeqlens())) ||
      failed(check.chunkStates("states", getStates(), getSeqlens(), "operand",
                               valueHeads, "a", keyDim, "q", valueDim, "v")))
    return failure();
  if (auto scale = getScale()) {
    double value = scale->convertToDouble();
    if (!std::isfinite(value) || value <= 0)
      return emitOpError() << "scale must be finite and positive, but got "
                           << value;
  }
  if (failed(check.f32Tokens("result", getResult(), {"B", "T", "Hv", "V"},
                             "result")))
    return failure();
  ArrayRef<int64_t> rs = shapeOf(getResult());
  if (failed(check.dim("value heads Hv", "result", rs[2], "a", valueHeads)) ||
      failed(check.dim("value dimension V", "result", rs[3], "v", valueDim)))
    return failure();
  return success();
}
