//===- LoweringUtils.cpp - shared pieces of the seqmix lowerings ----------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::seqmix;
using namespace mlir::seqmix::lowering;

FailureOr<SmallVector<Term>> lowering::collectTerms(Value mixer,
                                                    Operation *user) {
  SmallVector<Term> terms;
  // Depth-first over the algebra, tracking the parity of transposes.
  SmallVector<std::pair<Value, bool>> worklist = {{mixer, false}};
  while (!worklist.empty()) {
    auto [value, transposed] = worklist.pop_back_val();
    Operation *def = value.getDefiningOp();
    if (!def)
      return user->emitOpError()
             << "cannot lower a mixer that is not built in this function "
                "(a block argument): build it with seqmix constructors";
    if (auto add = dyn_cast<AddOp>(def)) {
      worklist.push_back({add.getRhs(), transposed});
      worklist.push_back({add.getLhs(), transposed});
    } else if (auto t = dyn_cast<TransposeOp>(def)) {
      worklist.push_back({t.getInput(), !transposed});
    } else if (isa<LowRankOp, SemiseparableOp, AttentionOp, DiagonalOp>(def)) {
      terms.push_back({def, transposed});
    } else {
      return user->emitOpError()
             << "cannot lower a mixer defined by '" << def->getName() << "'";
    }
  }
  return terms;
}

Sequence lowering::getSequence(OpBuilder &b, Location loc,
                               const ApplyInfo &info, Value n) {
  return getSequence(b, loc, info.seqlens, info.seqLen, n);
}

Sequence lowering::getSequence(OpBuilder &b, Location loc, Value seqlens,
                               Value seqLen, Value n) {
  if (!seqlens) {
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    return {n, zero, seqLen};
  }
  auto offset = [&](Value i) -> Value {
    Value raw = tensor::ExtractOp::create(b, loc, seqlens, i);
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), raw);
  };
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value next = arith::AddIOp::create(b, loc, n, one);
  return {arith::ConstantIndexOp::create(b, loc, 0), offset(n), offset(next)};
}

Value lowering::mulF(OpBuilder &b, Location l, Value x, Value y) {
  return arith::MulFOp::create(b, l, x, y);
}
Value lowering::addF(OpBuilder &b, Location l, Value x, Value y) {
  return arith::AddFOp::create(b, l, x, y);
}
Value lowering::subF(OpBuilder &b, Location l, Value x, Value y) {
  return arith::SubFOp::create(b, l, x, y);
}
Value lowering::expF(OpBuilder &b, Location l, Value x) {
  return math::ExpOp::create(b, l, x);
}

/// The identity map of a rank-n tensor, as text.
static std::string identityMap(int64_t rank) {
  std::string ids;
  for (int64_t i = 0; i < rank; ++i)
    ids += (i ? ", d" : "d") + std::to_string(i);
  return "(" + ids + ") -> (" + ids + ")";
}

Value TensorBuilder::scaled(Value x, double c) {
  if (c == 1.0)
    return x;
  std::string id = identityMap(cast<ShapedType>(x.getType()).getRank());
  Value factor = f32Constant(c);
  return generic(x, empty(sizes(x)), {id, id}, {},
                 [&](OpBuilder &nb, Location l, ValueRange a) {
                   return mulF(nb, l, a[0], factor);
                 });
}

Value TensorBuilder::index(int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value TensorBuilder::f32Constant(double v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
}

AffineMap TensorBuilder::map(StringRef text) {
  Attribute attr =
      parseAttribute(("affine_map<" + text + ">").str(), b.getContext());
  assert(attr && "malformed affine map in a seqmix lowering");
  return cast<AffineMapAttr>(attr).getValue();
}

Value TensorBuilder::empty(ArrayRef<OpFoldResult> sizes) {
  return tensor::EmptyOp::create(b, loc, sizes, f32());
}

Value TensorBuilder::filled(ArrayRef<OpFoldResult> sizes, double value) {
  Value init = empty(sizes);
  return linalg::FillOp::create(b, loc, f32Constant(value), init).result();
}

SmallVector<OpFoldResult> TensorBuilder::sizes(Value tensor) {
  return tensor::getMixedSizes(b, loc, tensor);
}

Value TensorBuilder::toF32(Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (type.getElementType().isF32())
    return tensor;
  std::string identity = identityMap(type.getRank());
  return generic(tensor, empty(sizes(tensor)), {identity, identity}, {},
                 [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
                   return arith::ExtFOp::create(nb, l, nb.getF32Type(),
                                                args[0]);
                 });
}

Value TensorBuilder::fromF32(Value tensor, Type elementType) {
  if (elementType.isF32())
    return tensor;
  auto type = cast<RankedTensorType>(tensor.getType());
  std::string identity = identityMap(type.getRank());
  Value init = tensor::EmptyOp::create(b, loc, sizes(tensor), elementType);
  return generic(tensor, init, {identity, identity}, {},
                 [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
                   return arith::TruncFOp::create(nb, l, elementType, args[0]);
                 });
}

Value TensorBuilder::generic(
    ValueRange inputs, Value init, ArrayRef<StringRef> maps,
    ArrayRef<unsigned> reductions,
    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  SmallVector<AffineMap> affineMaps;
  for (StringRef m : maps)
    affineMaps.push_back(map(m));
  assert(affineMaps.size() == inputs.size() + 1 && "one map per operand");
  unsigned loops = affineMaps.front().getNumDims();
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::parallel);
  for (unsigned r : reductions)
    iterators[r] = utils::IteratorType::reduction;
  auto op = linalg::GenericOp::create(
      b, loc, init.getType(), inputs, init, affineMaps, iterators,
      [&](OpBuilder &nb, Location l, ValueRange args) {
        linalg::YieldOp::create(nb, l, body(nb, l, args));
      });
  return op.getResult(0);
}

Value TensorBuilder::slice(Value tensor, ArrayRef<OpFoldResult> offsets,
                           ArrayRef<OpFoldResult> sizes,
                           ArrayRef<int64_t> dropped) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<int64_t> shape;
  for (auto [i, size] : llvm::enumerate(sizes)) {
    if (llvm::is_contained(dropped, static_cast<int64_t>(i)))
      continue;
    std::optional<int64_t> c = getConstantIntValue(size);
    shape.push_back(c ? *c : ShapedType::kDynamic);
  }
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  SmallVector<OpFoldResult> strides(sizes.size(), b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(b, loc, resultType, tensor, offsets,
                                        sizes, strides);
}

Value TensorBuilder::insert(Value source, Value dest,
                            ArrayRef<OpFoldResult> offsets,
                            ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> strides(sizes.size(), b.getIndexAttr(1));
  return tensor::InsertSliceOp::create(b, loc, source, dest, offsets, sizes,
                                       strides);
}

Value lowering::sliceSeq(TensorBuilder &b, Value x, const Sequence &seq,
                         Value len) {
  if (!x)
    return {};
  auto type = cast<RankedTensorType>(x.getType());
  OpBuilder &ob = b.builder();
  SmallVector<OpFoldResult> offsets = {seq.batchIndex, seq.begin};
  SmallVector<OpFoldResult> sizes = {ob.getIndexAttr(1), len};
  SmallVector<OpFoldResult> all = b.sizes(x);
  for (int64_t d = 2; d < type.getRank(); ++d) {
    offsets.push_back(ob.getIndexAttr(0));
    sizes.push_back(all[d]);
  }
  return b.slice(x, offsets, sizes, {0});
}

TermResult lowering::forEachSequence(
    TensorBuilder &b, const ApplyInfo &info, OpFoldResult kd, bool wantsState,
    function_ref<std::pair<Value, Value>(TensorBuilder &, const Sequence &,
                                         Value, Value)>
        body) {
  OpBuilder &ob = b.builder();
  Location loc = b.location();
  OpFoldResult hv = ob.getIndexAttr(info.heads);
  OpFoldResult zero = ob.getIndexAttr(0), one = ob.getIndexAttr(1);
  OpFoldResult valueDim = info.valueDim;
  SmallVector<Value> init = {
      b.filled({info.batch, info.seqLen, hv, valueDim}, 0.0)};
  if (wantsState)
    init.push_back(b.empty({info.numSeqs, hv, kd, valueDim}));
  auto loop = scf::ForOp::create(
      ob, loc, b.index(0), info.numSeqs, b.index(1), init,
      [&](OpBuilder &nb, Location l, Value n, ValueRange it) {
        TensorBuilder ib(nb, l);
        Sequence seq = getSequence(nb, l, info, n);
        Value len = arith::SubIOp::create(nb, l, seq.end, seq.begin);
        auto [out, state] = body(ib, seq, len, n);
        SmallVector<Value> results = {
            ib.insert(out, it[0], {seq.batchIndex, seq.begin, zero, zero},
                      {one, len, hv, valueDim})};
        if (wantsState)
          results.push_back(ib.insert(state, it[1], {n, zero, zero, zero},
                                      {one, hv, kd, valueDim}));
        scf::YieldOp::create(nb, l, results);
      });
  TermResult r{loop.getResult(0), Value()};
  if (wantsState)
    r.finalState = loop.getResult(1);
  return r;
}
