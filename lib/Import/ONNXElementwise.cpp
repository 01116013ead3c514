//===- ONNXElementwise.cpp - elementwise ONNX operators -------------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// Unary and binary arithmetic, comparisons, logic, Where, Cast, Clip: one
// linalg.generic each, with numpy broadcasting of the operands. Integer
// arithmetic on elements known at import time (shape computations) is also
// folded into known elements.
//
//===----------------------------------------------------------------------===//

#include "ONNXImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <cmath>

using namespace mlir;
using namespace mlir::seqmix::onnx_import;

namespace {
using ScalarFn = llvm::function_ref<Value(OpBuilder &, Location, Value)>;
using BinaryFn = llvm::function_ref<Value(OpBuilder &, Location, Value, Value)>;

Type elementTypeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

Value floatConst(OpBuilder &b, Location loc, Type type, double v) {
  return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, v));
}

/// A unary op on floats.
LogicalResult unaryFloat(Importer &im, ScalarFn fn) {
  if (failed(im.checkArity(1, 1)))
    return failure();
  FailureOr<Value> x = im.floatInput(0);
  if (failed(x))
    return failure();
  FailureOr<Value> r = im.elementwise(
      *x, elementTypeOf(*x),
      [&](OpBuilder &b, Location l, ValueRange a) { return fn(b, l, a[0]); });
  return im.setResult(r);
}

/// A unary op on numbers: `f` for floats, `i` for integers.
/// max(x, y) and min(x, y) of floats (NaN-propagating, as ONNX's Max, Min
/// and Clip) or signed integers.
static Value maxOf(OpBuilder &b, Location l, Value x, Value y, bool isFloat) {
  return isFloat ? arith::MaximumFOp::create(b, l, x, y).getResult()
                 : arith::MaxSIOp::create(b, l, x, y).getResult();
}
static Value minOf(OpBuilder &b, Location l, Value x, Value y, bool isFloat) {
  return isFloat ? arith::MinimumFOp::create(b, l, x, y).getResult()
                 : arith::MinSIOp::create(b, l, x, y).getResult();
}

LogicalResult unaryNumber(Importer &im, ScalarFn f, ScalarFn i) {
  if (failed(im.checkArity(1, 1)))
    return failure();
  FailureOr<Value> x = im.input(0);
  if (failed(x))
    return failure();
  Type elt = elementTypeOf(*x);
  if (elt.isInteger(1))
    return im.error() << "does not take bool inputs";
  bool isFloat = isa<FloatType>(elt);
  FailureOr<Value> r =
      im.elementwise(*x, elt, [&](OpBuilder &b, Location l, ValueRange a) {
        return isFloat ? f(b, l, a[0]) : i(b, l, a[0]);
      });
  return im.setResult(r);
}

/// Integer arithmetic on known elements (shape computations).
std::optional<SmallVector<OpFoldResult>> foldKnown(Importer &im, StringRef op) {
  const ImportedValue *a = im.lookupInput(0), *c = im.lookupInput(1);
  if (!a || !c || !a->elements || !c->elements)
    return std::nullopt;
  const SmallVector<OpFoldResult> &x = *a->elements, &y = *c->elements;
  size_t n = std::max(x.size(), y.size());
  if ((x.size() != n && x.size() != 1) || (y.size() != n && y.size() != 1))
    return std::nullopt;
  OpBuilder &b = im.builder();
  SmallVector<OpFoldResult> result;
  for (size_t k = 0; k < n; ++k) {
    OpFoldResult l = x[x.size() == 1 ? 0 : k], r = y[y.size() == 1 ? 0 : k];
    std::optional<int64_t> lc = getConstantIntValue(l),
                           rc = getConstantIntValue(r);
    if (lc && rc) {
      int64_t v;
      if (op == "Add")
        v = *lc + *rc;
      else if (op == "Sub")
        v = *lc - *rc;
      else if (op == "Mul")
        v = *lc * *rc;
      else if (*rc == 0)
        return std::nullopt;
      else
        v = *lc / *rc;
      result.push_back(b.getI64IntegerAttr(v));
      continue;
    }
    Value lv = im.toIndex(l), rv = im.toIndex(r);
    Value v;
    if (op == "Add")
      v = arith::AddIOp::create(b, im.loc(), lv, rv);
    else if (op == "Sub")
      v = arith::SubIOp::create(b, im.loc(), lv, rv);
    else if (op == "Mul")
      v = arith::MulIOp::create(b, im.loc(), lv, rv);
    else
      v = arith::DivSIOp::create(b, im.loc(), lv, rv);
    result.push_back(v);
  }
  return result;
}

/// Add, Sub, Mul, Div (and Max/Min/Mod-like ops through `f`/`i`).
LogicalResult binaryArith(Importer &im, BinaryFn f, BinaryFn i) {
  if (failed(im.checkArity(2, 2)))
    return failure();
  FailureOr<Value> x = im.input(0), y = im.input(1);
  if (failed(x) || failed(y))
    return failure();
  Type elt = elementTypeOf(*x);
  if (elt != elementTypeOf(*y))
    return im.error() << "inputs must have one element type, but have " << elt
                      << " and " << elementTypeOf(*y);
  if (elt.isInteger(1))
    return im.error() << "does not take bool inputs";
  bool isFloat = isa<FloatType>(elt);
  FailureOr<Value> r = im.elementwise(
      {*x, *y}, elt, [&](OpBuilder &b, Location l, ValueRange a) {
        return isFloat ? f(b, l, a[0], a[1]) : i(b, l, a[0], a[1]);
      });
  if (failed(r))
    return failure();
  std::optional<SmallVector<OpFoldResult>> known;
  if (!isFloat)
    known = foldKnown(im, im.node().opType);
  im.setOutput(0, *r, known);
  return success();
}

/// Comparisons: bool results.
LogicalResult compare(Importer &im, arith::CmpFPredicate fp,
                      arith::CmpIPredicate ip) {
  if (failed(im.checkArity(2, 2)))
    return failure();
  FailureOr<Value> x = im.input(0), y = im.input(1);
  if (failed(x) || failed(y))
    return failure();
  Type elt = elementTypeOf(*x);
  if (elt != elementTypeOf(*y))
    return im.error() << "inputs must have one element type, but have " << elt
                      << " and " << elementTypeOf(*y);
  bool isFloat = isa<FloatType>(elt);
  if (elt.isInteger(1) && ip != arith::CmpIPredicate::eq)
    return im.error() << "does not take bool inputs";
  FailureOr<Value> r =
      im.elementwise({*x, *y}, im.builder().getI1Type(),
                     [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                       if (isFloat)
                         return arith::CmpFOp::create(b, l, fp, a[0], a[1]);
                       return arith::CmpIOp::create(b, l, ip, a[0], a[1]);
                     });
  return im.setResult(r);
}

/// And, Or, Xor on bools.
LogicalResult logic(Importer &im, BinaryFn fn) {
  if (failed(im.checkArity(2, 2)))
    return failure();
  FailureOr<Value> x = im.input(0), y = im.input(1);
  if (failed(x) || failed(y))
    return failure();
  if (!elementTypeOf(*x).isInteger(1) || !elementTypeOf(*y).isInteger(1))
    return im.error() << "inputs must be bool tensors";
  FailureOr<Value> r =
      im.elementwise({*x, *y}, im.builder().getI1Type(),
                     [&](OpBuilder &b, Location l, ValueRange a) {
                       return fn(b, l, a[0], a[1]);
                     });
  return im.setResult(r);
}

/// Max and Min: variadic, broadcast.
LogicalResult variadicMinMax(Importer &im, bool max) {
  if (failed(im.checkArity(1, 64)))
    return failure();
  SmallVector<Value> operands;
  for (unsigned i = 0; i < im.numInputs(); ++i) {
    FailureOr<Value> v = im.input(i);
    if (failed(v))
      return failure();
    if (elementTypeOf(*v) != elementTypeOf(operands.empty() ? *v : operands[0]))
      return im.error() << "inputs must have one element type";
    operands.push_back(*v);
  }
  Type elt = elementTypeOf(operands[0]);
  if (elt.isInteger(1))
    return im.error() << "does not take bool inputs";
  bool isFloat = isa<FloatType>(elt);
  FailureOr<Value> r = im.elementwise(
      operands, elt, [&](OpBuilder &b, Location l, ValueRange a) {
        Value acc = a[0];
        for (unsigned k = 1; k < operands.size(); ++k)
          acc = max ? maxOf(b, l, acc, a[k], isFloat)
                    : minOf(b, l, acc, a[k], isFloat);
        return acc;
      });
  return im.setResult(r);
}

LogicalResult importPow(Importer &im) {
  if (failed(im.checkArity(2, 2)))
    return failure();
  FailureOr<Value> x = im.input(0), y = im.input(1);
  if (failed(x) || failed(y))
    return failure();
  Type elt = elementTypeOf(*x), expElt = elementTypeOf(*y);
  if (elt.isInteger(1) || expElt.isInteger(1))
    return im.error() << "does not take bool inputs";
  bool isFloat = isa<FloatType>(elt);
  std::optional<double> constExp = im.constantScalar(1);
  FailureOr<Value> r = im.elementwise(
      {*x, *y}, elt, [&](OpBuilder &b, Location l, ValueRange a) -> Value {
        if (isFloat) {
          if (constExp && *constExp == 2.0)
            return arith::MulFOp::create(b, l, a[0], a[0]);
          if (constExp && *constExp == 1.0)
            return a[0];
          if (constExp && *constExp == 0.5)
            return math::SqrtOp::create(b, l, a[0]);
          if (isa<IntegerType>(expElt))
            return math::FPowIOp::create(b, l, a[0], a[1]);
          return math::PowFOp::create(b, l, a[0],
                                      Importer::convertScalar(b, l, a[1], elt));
        }
        Value e = Importer::convertScalar(b, l, a[1], elt);
        if (isa<FloatType>(expElt))
          e = arith::FPToSIOp::create(b, l, elt, a[1]);
        return math::IPowIOp::create(b, l, a[0], e);
      });
  return im.setResult(r);
}

LogicalResult importWhere(Importer &im) {
  if (failed(im.checkArity(3, 3)))
    return failure();
  FailureOr<Value> c = im.input(0), x = im.input(1), y = im.input(2);
  if (failed(c) || failed(x) || failed(y))
    return failure();
  if (!elementTypeOf(*c).isInteger(1))
    return im.error() << "condition must be a bool tensor, but has type "
                      << c->getType();
  if (elementTypeOf(*x) != elementTypeOf(*y))
    return im.error() << "inputs X and Y must have one element type";
  FailureOr<Value> r =
      im.elementwise({*c, *x, *y}, elementTypeOf(*x),
                     [](OpBuilder &b, Location l, ValueRange a) -> Value {
                       return arith::SelectOp::create(b, l, a[0], a[1], a[2]);
                     });
  return im.setResult(r);
}

LogicalResult importCast(Importer &im) {
  if (failed(im.checkArity(1, 1)))
    return failure();
  FailureOr<Value> x = im.input(0);
  FailureOr<int64_t> to = im.attrInt("to");
  if (failed(x) || failed(to))
    return failure();
  Type elt = im.elementType(static_cast<int32_t>(*to));
  if (!elt || *to < INT32_MIN || *to > INT32_MAX)
    return im.attrError("to")
           << "names data type " << dtypeName(static_cast<int32_t>(*to))
           << ", which the importer does not support";
  Value r = im.convert(*x, elt);
  std::optional<SmallVector<OpFoldResult>> known;
  const ImportedValue *in = im.lookupInput(0);
  if (in->elements && isa<IntegerType>(elt) && !elt.isInteger(1))
    known = in->elements;
  im.setOutput(0, r, known);
  return success();
}

LogicalResult importCastLike(Importer &im) {
  if (failed(im.checkArity(2, 2)))
    return failure();
  FailureOr<Value> x = im.input(0), like = im.input(1);
  if (failed(x) || failed(like))
    return failure();
  Type elt = elementTypeOf(*like);
  std::optional<SmallVector<OpFoldResult>> known;
  const ImportedValue *in = im.lookupInput(0);
  if (in->elements && isa<IntegerType>(elt) && !elt.isInteger(1))
    known = in->elements;
  im.setOutput(0, im.convert(*x, elt), known);
  return success();
}

LogicalResult importIdentity(Importer &im) {
  if (failed(im.checkArity(1, im.node().opType == "Dropout" ? 3 : 1, 1,
                           im.node().opType == "Dropout" ? 2 : 1)))
    return failure();
  if (im.hasOutput(1))
    return im.error() << "the mask output of Dropout is not supported";
  if (im.node().opType == "Dropout" && im.hasInput(2)) {
    // In training mode Dropout drops at random: an identity only where
    // training_mode is a constant false or the ratio a constant 0.
    bool identity = false;
    if (const ImportedValue *mode = im.lookupInput(2))
      if (mode->elements && mode->elements->size() == 1)
        if (std::optional<int64_t> c =
                getConstantIntValue(mode->elements->front()))
          identity = *c == 0;
    if (!identity && im.hasInput(1))
      if (std::optional<double> ratio = im.constantScalar(1))
        identity = *ratio == 0.0;
    if (!identity)
      return im.error() << "training mode is not supported (training_mode "
                           "must be a constant false, or the ratio a "
                           "constant 0)";
  }
  FailureOr<Value> x = im.input(0);
  if (failed(x))
    return failure();
  im.setOutput(0, *x, im.lookupInput(0)->elements);
  return success();
}

LogicalResult importClip(Importer &im) {
  if (failed(im.checkArity(1, 3)))
    return failure();
  FailureOr<Value> x = im.input(0);
  if (failed(x))
    return failure();
  Type elt = elementTypeOf(*x);
  if (elt.isInteger(1))
    return im.error() << "does not take bool inputs";
  SmallVector<Value> operands = {*x};
  int lo = -1, hi = -1;
  for (unsigned i = 1; i < 3; ++i) {
    if (!im.hasInput(i))
      continue;
    FailureOr<Value> v = im.input(i, 0, 1);
    if (failed(v))
      return failure();
    if (elementTypeOf(*v) != elt)
      return im.error() << "min and max must have the element type of the "
                           "input";
    (i == 1 ? lo : hi) = operands.size();
    operands.push_back(*v);
  }
  bool isFloat = isa<FloatType>(elt);
  FailureOr<Value> r = im.elementwise(
      operands, elt, [&](OpBuilder &b, Location l, ValueRange a) {
        Value v = a[0];
        if (lo >= 0)
          v = maxOf(b, l, v, a[lo], isFloat);
        if (hi >= 0)
          v = minOf(b, l, v, a[hi], isFloat);
        return v;
      });
  return im.setResult(r);
}

LogicalResult importNot(Importer &im) {
  if (failed(im.checkArity(1, 1)))
    return failure();
  FailureOr<Value> x = im.input(0);
  if (failed(x))
    return failure();
  if (!elementTypeOf(*x).isInteger(1))
    return im.error() << "input must be a bool tensor";
  FailureOr<Value> r = im.elementwise(
      *x, elementTypeOf(*x), [](OpBuilder &b, Location l, ValueRange a) {
        Value one = arith::ConstantOp::create(b, l, b.getBoolAttr(true));
        return arith::XOrIOp::create(b, l, a[0], one).getResult();
      });
  return im.setResult(r);
}

Value sigmoid(OpBuilder &b, Location l, Value x) {
  Type t = x.getType();
  Value one = floatConst(b, l, t, 1.0);
  Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x));
  return arith::DivFOp::create(b, l, one, arith::AddFOp::create(b, l, one, e));
}

/// log(1 + exp(x)) computed as max(x, 0) + log1p(exp(-|x|)).
Value softplus(OpBuilder &b, Location l, Value x) {
  Type t = x.getType();
  Value zero = floatConst(b, l, t, 0.0);
  Value negAbs = arith::NegFOp::create(b, l, math::AbsFOp::create(b, l, x));
  Value tail = math::Log1pOp::create(b, l, math::ExpOp::create(b, l, negAbs));
  return arith::AddFOp::create(b, l, arith::MaximumFOp::create(b, l, x, zero),
                               tail);
}

LogicalResult importGelu(Importer &im) {
  FailureOr<std::string> approx = im.attrString("approximate", "none");
  if (failed(approx))
    return failure();
  if (*approx != "none" && *approx != "tanh")
    return im.attrError("approximate")
           << "must be 'none' or 'tanh', but is '" << *approx << "'";
  bool tanhApprox = *approx == "tanh";
  return unaryFloat(im, [&](OpBuilder &b, Location l, Value x) -> Value {
    Type t = x.getType();
    Value half = floatConst(b, l, t, 0.5), one = floatConst(b, l, t, 1.0);
    Value inner;
    if (tanhApprox) {
      // tanh(sqrt(2/pi) (x + 0.044715 x^3))
      Value x3 =
          arith::MulFOp::create(b, l, x, arith::MulFOp::create(b, l, x, x));
      Value s = arith::AddFOp::create(
          b, l, x,
          arith::MulFOp::create(b, l, floatConst(b, l, t, 0.044715), x3));
      inner = math::TanhOp::create(
          b, l,
          arith::MulFOp::create(b, l,
                                floatConst(b, l, t, std::sqrt(2.0 / M_PI)), s));
    } else {
      inner = math::ErfOp::create(
          b, l, arith::MulFOp::create(b, l, x, floatConst(b, l, t, M_SQRT1_2)));
    }
    return arith::MulFOp::create(b, l, arith::MulFOp::create(b, l, half, x),
                                 arith::AddFOp::create(b, l, one, inner));
  });
}
} // namespace

#define UNARY_FLOAT(NAME, EXPR)                                                \
  table[NAME] = [](Importer &im) {                                             \
    return unaryFloat(                                                         \
        im, [](OpBuilder &b, Location l, Value x) -> Value { return EXPR; });  \
  }

void mlir::seqmix::onnx_import::registerElementwiseOps(OpTable &table) {
  // Unary on floats.
  UNARY_FLOAT("Exp", math::ExpOp::create(b, l, x));
  UNARY_FLOAT("Log", math::LogOp::create(b, l, x));
  UNARY_FLOAT("Tanh", math::TanhOp::create(b, l, x));
  UNARY_FLOAT("Sqrt", math::SqrtOp::create(b, l, x));
  UNARY_FLOAT("Erf", math::ErfOp::create(b, l, x));
  UNARY_FLOAT("Sin", math::SinOp::create(b, l, x));
  UNARY_FLOAT("Cos", math::CosOp::create(b, l, x));
  UNARY_FLOAT("Floor", math::FloorOp::create(b, l, x));
  UNARY_FLOAT("Ceil", math::CeilOp::create(b, l, x));
  UNARY_FLOAT("Sigmoid", sigmoid(b, l, x));
  UNARY_FLOAT("Softplus", softplus(b, l, x));
  UNARY_FLOAT("Reciprocal", arith::DivFOp::create(
                                b, l, floatConst(b, l, x.getType(), 1.0), x));
  UNARY_FLOAT("Mish",
              arith::MulFOp::create(
                  b, l, x, math::TanhOp::create(b, l, softplus(b, l, x))));
  table["Gelu"] = importGelu;
  table["Swish"] = [](Importer &im) {
    FailureOr<double> alpha = im.attrFloat("alpha", 1.0);
    if (failed(alpha))
      return failure();
    double a = *alpha;
    return unaryFloat(im, [&](OpBuilder &b, Location l, Value x) -> Value {
      Value ax =
          arith::MulFOp::create(b, l, x, floatConst(b, l, x.getType(), a));
      return arith::MulFOp::create(b, l, x, sigmoid(b, l, ax));
    });
  };
  table["HardSigmoid"] = [](Importer &im) {
    FailureOr<double> alpha = im.attrFloat("alpha", 0.2);
    FailureOr<double> beta = im.attrFloat("beta", 0.5);
    if (failed(alpha) || failed(beta))
      return failure();
    double a = *alpha, c = *beta;
    return unaryFloat(im, [&](OpBuilder &b, Location l, Value x) -> Value {
      Type t = x.getType();
      Value v = arith::AddFOp::create(
          b, l, arith::MulFOp::create(b, l, x, floatConst(b, l, t, a)),
          floatConst(b, l, t, c));
      v = arith::MaximumFOp::create(b, l, v, floatConst(b, l, t, 0.0));
      return arith::MinimumFOp::create(b, l, v, floatConst(b, l, t, 1.0));
    });
  };
  table["LeakyRelu"] = [](Importer &im) {
    FailureOr<double> alpha = im.attrFloat("alpha", 0.01);
    if (failed(alpha))
      return failure();
    double a = *alpha;
    return unaryFloat(im, [&](OpBuilder &b, Location l, Value x) -> Value {
      Type t = x.getType();
      Value zero = floatConst(b, l, t, 0.0);
      Value neg =
          arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x, zero);
      return arith::SelectOp::create(
          b, l, neg, arith::MulFOp::create(b, l, x, floatConst(b, l, t, a)), x);
    });
  };

  // Unary on numbers.
  table["Neg"] = [](Importer &im) {
    return unaryNumber(
        im,
        [](OpBuilder &b, Location l, Value x) -> Value {
          return arith::NegFOp::create(b, l, x);
        },
        [](OpBuilder &b, Location l, Value x) -> Value {
          Value zero =
              arith::ConstantOp::create(b, l, b.getIntegerAttr(x.getType(), 0));
          return arith::SubIOp::create(b, l, zero, x);
        });
  };
  table["Abs"] = [](Importer &im) {
    return unaryNumber(
        im,
        [](OpBuilder &b, Location l, Value x) -> Value {
          return math::AbsFOp::create(b, l, x);
        },
        [](OpBuilder &b, Location l, Value x) -> Value {
          return math::AbsIOp::create(b, l, x);
        });
  };
  table["Relu"] = [](Importer &im) {
    return unaryNumber(
        im,
        [](OpBuilder &b, Location l, Value x) -> Value {
          return arith::MaximumFOp::create(b, l, x,
                                           floatConst(b, l, x.getType(), 0.0));
        },
        [](OpBuilder &b, Location l, Value x) -> Value {
          Value zero =
              arith::ConstantOp::create(b, l, b.getIntegerAttr(x.getType(), 0));
          return arith::MaxSIOp::create(b, l, x, zero);
        });
  };

  // Binary arithmetic.
#define BINARY(NAME, FOP, IOP)                                                 \
  table[NAME] = [](Importer &im) {                                             \
    return binaryArith(                                                        \
        im,                                                                    \
        [](OpBuilder &b, Location l, Value x, Value y) -> Value {              \
          return FOP::create(b, l, x, y);                                      \
        },                                                                     \
        [](OpBuilder &b, Location l, Value x, Value y) -> Value {              \
          return IOP::create(b, l, x, y);                                      \
        });                                                                    \
  }
  BINARY("Add", arith::AddFOp, arith::AddIOp);
  BINARY("Sub", arith::SubFOp, arith::SubIOp);
  BINARY("Mul", arith::MulFOp, arith::MulIOp);
  BINARY("Div", arith::DivFOp, arith::DivSIOp);
#undef BINARY
  table["Pow"] = importPow;
  table["Max"] = [](Importer &im) { return variadicMinMax(im, true); };
  table["Min"] = [](Importer &im) { return variadicMinMax(im, false); };

  // Comparisons and logic.
  table["Equal"] = [](Importer &im) {
    return compare(im, arith::CmpFPredicate::OEQ, arith::CmpIPredicate::eq);
  };
  table["Less"] = [](Importer &im) {
    return compare(im, arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt);
  };
  table["LessOrEqual"] = [](Importer &im) {
    return compare(im, arith::CmpFPredicate::OLE, arith::CmpIPredicate::sle);
  };
  table["Greater"] = [](Importer &im) {
    return compare(im, arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt);
  };
  table["GreaterOrEqual"] = [](Importer &im) {
    return compare(im, arith::CmpFPredicate::OGE, arith::CmpIPredicate::sge);
  };
  table["And"] = [](Importer &im) {
    return logic(im, [](OpBuilder &b, Location l, Value x, Value y) -> Value {
      return arith::AndIOp::create(b, l, x, y);
    });
  };
  table["Or"] = [](Importer &im) {
    return logic(im, [](OpBuilder &b, Location l, Value x, Value y) -> Value {
      return arith::OrIOp::create(b, l, x, y);
    });
  };
  table["Xor"] = [](Importer &im) {
    return logic(im, [](OpBuilder &b, Location l, Value x, Value y) -> Value {
      return arith::XOrIOp::create(b, l, x, y);
    });
  };
  table["Not"] = importNot;
  table["Where"] = importWhere;
  table["Cast"] = importCast;
  table["CastLike"] = importCastLike;
  table["Identity"] = importIdentity;
  table["Dropout"] = importIdentity;
  table["Clip"] = importClip;
}
