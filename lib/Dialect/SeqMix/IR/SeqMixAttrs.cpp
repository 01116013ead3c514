//===- SeqMixAttrs.cpp - seqmix attributes --------------------------------===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#include "seqmix/Dialect/SeqMix/IR/SeqMix.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::seqmix;

#include "seqmix/Dialect/SeqMix/IR/SeqMixAttrInterfaces.cpp.inc"
#include "seqmix/Dialect/SeqMix/IR/SeqMixEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "seqmix/Dialect/SeqMix/IR/SeqMixAttrs.cpp.inc"

void SeqMixDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "seqmix/Dialect/SeqMix/IR/SeqMixAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

double mlir::seqmix::getDefaultScale(int64_t k) {
  return 1.0 / std::sqrt(static_cast<double>(k));
}

SmallVector<MixerStructureAttrInterface>
mlir::seqmix::getStructureTerms(MixerStructureAttrInterface structure) {
  SmallVector<MixerStructureAttrInterface> terms;
  if (auto sum = dyn_cast<SumAttr>(structure)) {
    for (Attribute term : sum.getTerms())
      terms.push_back(cast<MixerStructureAttrInterface>(term));
  } else {
    terms.push_back(structure);
  }
  return terms;
}

SumAttr mlir::seqmix::buildSum(MixerStructureAttrInterface lhs,
                               MixerStructureAttrInterface rhs) {
  SmallVector<Attribute> terms;
  for (auto term : getStructureTerms(lhs))
    terms.push_back(term);
  for (auto term : getStructureTerms(rhs))
    terms.push_back(term);
  return SumAttr::get(lhs.getContext(), terms);
}

bool mlir::seqmix::isFormApplicable(MixerStructureAttrInterface structure,
                                    FormKind form, std::string *reason) {
  for (MixerStructureAttrInterface term : getStructureTerms(structure)) {
    StringRef why;
    if (isa<DenseAttr>(term) && form != FormKind::Parallel)
      why = "softmax attention has only the parallel form";
    else if (isa<LowRankAttr>(term) && form == FormKind::Chunked)
      why = "a non-causal low-rank mixer has no chunked form (use parallel "
            "for (Q Kᵀ) V or recurrent for Q (Kᵀ V))";
    if (!why.empty()) {
      if (reason)
        *reason = why.str();
      return false;
    }
  }
  return true;
}

//===----------------------------------------------------------------------===//
// LowRankAttr
//===----------------------------------------------------------------------===//

LogicalResult LowRankAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  int64_t rank) {
  if (rank <= 0)
    return emitError() << "#seqmix.lowrank rank must be positive, but got "
                       << rank;
  return success();
}

bool LowRankAttr::isCausal() const { return false; }
bool LowRankAttr::isAnticausal() const { return false; }
Attribute LowRankAttr::getTransposed() const { return *this; }
unsigned LowRankAttr::getNumStatefulTerms() const { return 0; }
std::optional<int64_t> LowRankAttr::getStateSize() const {
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// SemiseparableAttr
//===----------------------------------------------------------------------===//

LogicalResult
SemiseparableAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                          int64_t state, DecayKind decay, Transition transition,
                          Direction direction) {
  if (state <= 0)
    return emitError()
           << "#seqmix.semiseparable state size must be positive, but got "
           << state;
  return success();
}

bool SemiseparableAttr::isCausal() const {
  return getDirection() == Direction::Causal;
}
bool SemiseparableAttr::isAnticausal() const {
  return getDirection() == Direction::Anticausal;
}
Attribute SemiseparableAttr::getTransposed() const {
  return SemiseparableAttr::get(
      getContext(), getState(), getDecay(), getTransition(),
      isCausal() ? Direction::Anticausal : Direction::Causal);
}
unsigned SemiseparableAttr::getNumStatefulTerms() const {
  return isCausal() ? 1 : 0;
}
std::optional<int64_t> SemiseparableAttr::getStateSize() const {
  return getState();
}

//===----------------------------------------------------------------------===//
// DenseAttr
//===----------------------------------------------------------------------===//

LogicalResult DenseAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                int64_t kvHeads, DenseMask mask,
                                int64_t window) {
  if (kvHeads <= 0)
    return emitError() << "#seqmix.dense kv_heads must be positive, but got "
                       << kvHeads;
  if (window < 0)
    return emitError()
           << "#seqmix.dense window must be positive (or 0 for none), but got "
           << window;
  return success();
}

bool DenseAttr::isCausal() const { return getMask() == DenseMask::Causal; }
bool DenseAttr::isAnticausal() const { return false; }
Attribute DenseAttr::getTransposed() const { return {}; }
unsigned DenseAttr::getNumStatefulTerms() const { return 0; }
std::optional<int64_t> DenseAttr::getStateSize() const { return std::nullopt; }

//===----------------------------------------------------------------------===//
// DiagonalAttr
//===----------------------------------------------------------------------===//

bool DiagonalAttr::isCausal() const { return true; }
bool DiagonalAttr::isAnticausal() const { return true; }
Attribute DiagonalAttr::getTransposed() const { return *this; }
unsigned DiagonalAttr::getNumStatefulTerms() const { return 0; }
std::optional<int64_t> DiagonalAttr::getStateSize() const {
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// SumAttr
//===----------------------------------------------------------------------===//

LogicalResult SumAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                              ArrayRef<Attribute> terms) {
  if (terms.size() < 2)
    return emitError() << "#seqmix.sum needs at least two terms, but got "
                       << terms.size();
  for (Attribute term : terms) {
    if (!isa<MixerStructureAttrInterface>(term))
      return emitError() << "#seqmix.sum term must be a mixer structure, but "
                            "got "
                         << term;
    if (isa<SumAttr>(term))
      return emitError() << "#seqmix.sum terms must not be sums (flatten them)";
  }
  return success();
}

bool SumAttr::isCausal() const {
  return llvm::all_of(getTerms(), [](Attribute t) {
    return cast<MixerStructureAttrInterface>(t).isCausal();
  });
}
bool SumAttr::isAnticausal() const {
  return llvm::all_of(getTerms(), [](Attribute t) {
    return cast<MixerStructureAttrInterface>(t).isAnticausal();
  });
}
Attribute SumAttr::getTransposed() const {
  SmallVector<Attribute> terms;
  for (Attribute t : getTerms()) {
    Attribute transposed = cast<MixerStructureAttrInterface>(t).getTransposed();
    if (!transposed)
      return {};
    terms.push_back(transposed);
  }
  return SumAttr::get(getContext(), terms);
}
unsigned SumAttr::getNumStatefulTerms() const {
  unsigned n = 0;
  for (Attribute t : getTerms())
    n += cast<MixerStructureAttrInterface>(t).getNumStatefulTerms();
  return n;
}
std::optional<int64_t> SumAttr::getStateSize() const {
  for (Attribute t : getTerms()) {
    auto term = cast<MixerStructureAttrInterface>(t);
    if (term.getNumStatefulTerms() == 1)
      return term.getStateSize();
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// FormAttr
//===----------------------------------------------------------------------===//

LogicalResult FormAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               FormKind kind, int64_t chunk,
                               std::optional<Carry> carry, int64_t splitV) {
  if (kind != FormKind::Chunked && (chunk != 0 || carry || splitV != 0))
    return emitError() << "#seqmix.form: 'chunk', 'carry' and 'split_v' only "
                          "apply to the chunked form, not '"
                       << stringifyFormKind(kind) << "'";
  if (chunk < 0 || (chunk != 0 && !llvm::isPowerOf2_64(chunk)))
    return emitError() << "#seqmix.form: chunk must be a power of two, but got "
                       << chunk;
  if (splitV < 0)
    return emitError() << "#seqmix.form: split_v must not be negative, but got "
                       << splitV;
  return success();
}

Attribute FormAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef kindName;
  if (parser.parseLess() || parser.parseKeyword(&kindName))
    return {};
  std::optional<FormKind> kind = symbolizeFormKind(kindName);
  if (!kind) {
    parser.emitError(loc, "expected 'parallel', 'recurrent' or 'chunked', "
                          "but got '")
        << kindName << "'";
    return {};
  }
  int64_t chunk = 0, splitV = 0;
  std::optional<Carry> carry;
  llvm::SmallDenseSet<StringRef> seen;
  while (succeeded(parser.parseOptionalComma())) {
    SMLoc keyLoc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key) || parser.parseEqual())
      return {};
    if (!seen.insert(key).second) {
      parser.emitError(keyLoc, "#seqmix.form parameter '")
          << key << "' given twice";
      return {};
    }
    if (key == "chunk") {
      if (parser.parseInteger(chunk))
        return {};
    } else if (key == "split_v") {
      if (parser.parseInteger(splitV))
        return {};
    } else if (key == "carry") {
      StringRef carryName;
      SMLoc carryLoc = parser.getCurrentLocation();
      if (parser.parseKeyword(&carryName))
        return {};
      carry = symbolizeCarry(carryName);
      if (!carry) {
        parser.emitError(carryLoc, "expected carry 'onchip', 'segments' or "
                                   "'materialized', but got '")
            << carryName << "'";
        return {};
      }
    } else {
      parser.emitError(keyLoc, "unknown #seqmix.form parameter '")
          << key << "' (expected chunk, carry or split_v)";
      return {};
    }
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<FormAttr>(parser.getContext(), *kind, chunk, carry,
                                     splitV);
}

void FormAttr::print(AsmPrinter &printer) const {
  printer << "<" << stringifyFormKind(getKind());
  if (getChunk())
    printer << ", chunk = " << getChunk();
  if (getCarry())
    printer << ", carry = " << stringifyCarry(*getCarry());
  if (getSplitV())
    printer << ", split_v = " << getSplitV();
  printer << ">";
}

//===----------------------------------------------------------------------===//
// TargetAttr
//===----------------------------------------------------------------------===//

namespace {
struct ChipDefaults {
  StringLiteral chip;
  int64_t sms, hbmGbps, smemKb, gflops;
};
} // namespace

// Figures of each chip. H100 SXM: 132 SMs, 3.0 TB/s reached by a copy (of
// 3.35 TB/s HBM3), 228 KB shared memory per SM, about 690 bf16 TFLOP/s
// reached by a large GEMM. A100: 108 SMs, about 1.5 TB/s, 164 KB, 312 TFLOP/s.
// The CPU entry describes two cores with AVX2 FMA: about 50 GFLOP/s fp32.
static constexpr ChipDefaults kChipDefaults[] = {
    {"cpu", 2, 20, 0, 50},
    {"sm_80", 108, 1500, 164, 312000},
    {"sm_90", 132, 3000, 228, 690000},
    {"sm_90a", 132, 3000, 228, 690000},
};

static const ChipDefaults *lookupChip(StringRef chip) {
  for (const ChipDefaults &d : kChipDefaults)
    if (d.chip == chip)
      return &d;
  return nullptr;
}

LogicalResult TargetAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 StringRef chip, int64_t sms, int64_t hbmGbps,
                                 int64_t smemKb, int64_t gflops) {
  if (!lookupChip(chip))
    return emitError() << "#seqmix.target: unknown chip '" << chip
                       << "' (expected \"cpu\", \"sm_80\", \"sm_90\" or "
                          "\"sm_90a\")";
  for (auto [name, value] : {std::pair<StringRef, int64_t>{"sms", sms},
                             {"hbm_gbps", hbmGbps},
                             {"smem_kb", smemKb},
                             {"gflops", gflops}})
    if (value < 0)
      return emitError() << "#seqmix.target: " << name
                         << " must not be negative, but got " << value;
  return success();
}

TargetAttr TargetAttr::withDefaults() const {
  const ChipDefaults *d = lookupChip(getChip());
  assert(d && "verified chip");
  auto pick = [](int64_t given, int64_t fallback) {
    return given ? given : fallback;
  };
  return TargetAttr::get(getContext(), getChip(), pick(getSms(), d->sms),
                         pick(getHbmGbps(), d->hbmGbps),
                         pick(getSmemKb(), d->smemKb),
                         pick(getGflops(), d->gflops));
}
