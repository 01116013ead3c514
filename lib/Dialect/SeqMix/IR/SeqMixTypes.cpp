//===- SeqMixTypes.cpp - seqmix types -------------------------------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/IR/SeqMix.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::seqmix;

#define GET_TYPEDEF_CLASSES
#include "seqmix/Dialect/SeqMix/IR/SeqMixTypes.cpp.inc"

void SeqMixDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "seqmix/Dialect/SeqMix/IR/SeqMixTypes.cpp.inc"
      >();
}

Type MixerType::parse(AsmParser &parser) {
  SmallVector<int64_t> shape;
  if (parser.parseLess() ||
      parser.parseDimensionList(shape, /*allowDynamic=*/true,
                                /*withTrailingX=*/false) ||
      parser.parseComma())
    return {};
  SMLoc loc = parser.getCurrentLocation();
  Attribute structure;
  if (parser.parseAttribute(structure) || parser.parseGreater())
    return {};
  auto iface = dyn_cast<MixerStructureAttrInterface>(structure);
  if (!iface) {
    parser.emitError(loc, "expected a mixer structure (#seqmix.lowrank, "
                          "#seqmix.semiseparable, #seqmix.dense, "
                          "#seqmix.diagonal or #seqmix.sum), but got ")
        << structure;
    return {};
  }
  return parser.getChecked<MixerType>(parser.getContext(), shape, iface);
}

void MixerType::print(AsmPrinter &printer) const {
  printer << "<";
  llvm::interleave(
      getShape(), printer,
      [&](int64_t dim) {
        if (ShapedType::isDynamic(dim))
          printer << "?";
        else
          printer << dim;
      },
      "x");
  printer << ", ";
  printer.printAttribute(getStructure());
  printer << ">";
}

LogicalResult MixerType::verify(function_ref<InFlightDiagnostic()> emitError,
                                ArrayRef<int64_t> shape,
                                MixerStructureAttrInterface structure) {
  if (shape.size() != 3)
    return emitError() << "!seqmix.mixer must have a shape BxHxT (3 "
                          "dimensions), but got "
                       << shape.size();
  for (int64_t dim : shape)
    if (!ShapedType::isDynamic(dim) && dim < 0)
      return emitError() << "!seqmix.mixer dimensions must not be negative";
  int64_t heads = shape[1];
  if (ShapedType::isDynamic(heads) || heads == 0)
    return emitError() << "!seqmix.mixer head count must be static and "
                          "positive";
  for (MixerStructureAttrInterface term : getStructureTerms(structure))
    if (auto dense = dyn_cast<DenseAttr>(term))
      if (heads % dense.getKvHeads() != 0)
        return emitError() << "!seqmix.mixer query heads (" << heads
                           << ") must be a multiple of the key/value heads ("
                           << dense.getKvHeads() << ")";
  return success();
}
