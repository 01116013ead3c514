//===- LoweringUtils.h - shared pieces of the seqmix lowerings --*- C++ -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// What every form's lowering of seqmix.apply to linalg/scf/tensor needs: the
// terms of the mixer, the inputs converted to f32, the sequences of the
// batch, and a compact way to write linalg.generic ops. Each form lives in
// its own file (LowerRecurrent.cpp, LowerParallel.cpp, LowerChunked.cpp) and
// produces, for one term, the f32 output [B, T, H, V] and, for the stateful
// term, the final state [N, H, K, V].
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_LIB_DIALECT_SEQMIX_TRANSFORMS_LOWERINGUTILS_H
#define SEQMIX_LIB_DIALECT_SEQMIX_TRANSFORMS_LOWERINGUTILS_H

#include "seqmix/Dialect/SeqMix/IR/SeqMix.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"

namespace mlir {
namespace seqmix {
namespace lowering {

/// One term of a mixer: its constructor, and whether the term is that
/// constructor's transpose.
struct Term {
  Operation *constructor;
  bool transposed;
};

/// The terms of `mixer`, following seqmix.add and seqmix.transpose up to the
/// constructors; fails with a diagnostic on `user` when a mixer is not built
/// in the function (a block argument, say).
FailureOr<SmallVector<Term>> collectTerms(Value mixer, Operation *user);

/// What the lowering of one seqmix.apply knows.
struct ApplyInfo {
  ApplyOp op;
  Location loc;
  /// `value` in f32, [B, T, Hv', V].
  Value value;
  /// Sizes as index values.
  Value batch, seqLen, valueDim;
  /// The number of sequences N: B, or the size of `seqlens` minus one.
  Value numSeqs;
  /// The heads of the mixer (of the output) and the value's heads.
  int64_t heads;
  int64_t valueHeads;
  /// `seqlens` as given (i32 or i64), or null.
  Value seqlens;
  /// `init` in f32 [N, H, K, V], or null.
  Value init;
  /// Whether the final state is asked for.
  bool wantsFinalState;
};

/// The sequence n of the batch: its batch row and token range [begin, end).
struct Sequence {
  Value batchIndex, begin, end;
};

/// Computes where sequence `n` lies: row n over all T tokens, or row 0 over
/// seqlens[n] .. seqlens[n + 1].
Sequence getSequence(OpBuilder &b, Location loc, const ApplyInfo &info,
                     Value n);
/// The same for a batch of `seqLen` tokens per row and optional `seqlens`.
Sequence getSequence(OpBuilder &b, Location loc, Value seqlens, Value seqLen,
                     Value n);

/// Scalar f32 arithmetic inside linalg.generic bodies.
Value mulF(OpBuilder &b, Location l, Value x, Value y);
Value addF(OpBuilder &b, Location l, Value x, Value y);
Value subF(OpBuilder &b, Location l, Value x, Value y);
Value expF(OpBuilder &b, Location l, Value x);

/// Small builders for tensors and linalg.generic.
class TensorBuilder {
public:
  TensorBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  OpBuilder &builder() { return b; }
  Location location() { return loc; }
  Type f32() { return b.getF32Type(); }
  Value index(int64_t v);
  Value f32Constant(double v);

  /// An affine map written as in MLIR, e.g. "(h, k, v) -> (h floordiv 2, k)".
  AffineMap map(StringRef text);

  /// A new f32 tensor of the given sizes filled with `value`.
  Value filled(ArrayRef<OpFoldResult> sizes, double value);
  /// A new uninitialised f32 tensor.
  Value empty(ArrayRef<OpFoldResult> sizes);
  SmallVector<OpFoldResult> sizes(Value tensor);

  /// x · c, elementwise, for a scalar c (x itself when c = 1).
  Value scaled(Value x, double c);

  /// Converts a float tensor to f32 (or returns it), or f32 to `type`.
  Value toF32(Value tensor);
  Value fromF32(Value tensor, Type elementType);

  /// linalg.generic with one tensor result written into `init`. `maps` lists
  /// the inputs' maps then the output's; `reductions` names the loop
  /// dimensions (by position) that are reductions.
  Value generic(ValueRange inputs, Value init, ArrayRef<StringRef> maps,
                ArrayRef<unsigned> reductions,
                function_ref<Value(OpBuilder &, Location, ValueRange)> body);

  /// tensor.extract_slice (unit strides) that drops the dimensions listed
  /// in `dropped`, whose sizes must be 1: q[b, t, :, :] as [H, K] is
  /// slice(q, {b, t, 0, 0}, {1, 1, H, K}, {0, 1}).
  Value slice(Value tensor, ArrayRef<OpFoldResult> offsets,
              ArrayRef<OpFoldResult> sizes, ArrayRef<int64_t> dropped = {});
  /// The matching tensor.insert_slice.
  Value insert(Value source, Value dest, ArrayRef<OpFoldResult> offsets,
               ArrayRef<OpFoldResult> sizes);

private:
  OpBuilder &b;
  Location loc;
};

/// The f32 output and final state of one term.
struct TermResult {
  Value output;     // [B, T, H, V]
  Value finalState; // [N, H, K, V] or null
};

/// Slices [B, T, ...] to the tokens of `seq`, of which there are `len`:
/// [L, ...]. Null for a null `x`.
Value sliceSeq(TensorBuilder &b, Value x, const Sequence &seq, Value len);

/// The loop over the sequences of the batch that every form's lowering of a
/// term shares: `body` gets the sequence, its length L and its index n, and
/// returns the sequence's output [L, H, V] and, when `wantsState`, its final
/// state [H, K, V]; the loop assembles [B, T, H, V] and [N, H, K, V].
TermResult forEachSequence(TensorBuilder &b, const ApplyInfo &info,
                           OpFoldResult keyDim, bool wantsState,
                           function_ref<std::pair<Value, Value>(
                               TensorBuilder &, const Sequence &, Value, Value)>
                               body);

/// The parallel form of a term (its matrix per sequence, then the product).
FailureOr<TermResult> lowerParallel(TensorBuilder &b, const ApplyInfo &info,
                                    const Term &term);

/// The recurrent form of a term (a scan over T).
FailureOr<TermResult> lowerRecurrent(TensorBuilder &b, const ApplyInfo &info,
                                     const Term &term);

/// The chunked form of a term, with chunks of `chunk` tokens: a causal
/// semiseparable term becomes chunk-level ops (seqmix.chunk_cumsum,
/// seqmix.chunk_gram, seqmix.tri_inverse, seqmix.wy_apply,
/// seqmix.chunk_state_scan, seqmix.chunk_output); an anticausal one takes
/// the recurrent form.
FailureOr<TermResult> lowerChunked(TensorBuilder &b, const ApplyInfo &info,
                                   const Term &term, int64_t chunk);

/// Replaces one seqmix.apply by tensor code in the form it names (chunked:
/// chunk-level ops for its causal semiseparable term).
LogicalResult lowerApply(ApplyOp op);

/// Lowers every chunk-level op under `root` to linalg, scf, tensor, arith
/// and math on tensors.
LogicalResult lowerChunkOps(Operation *root);

} // namespace lowering
} // namespace seqmix
} // namespace mlir

#endif // SEQMIX_LIB_DIALECT_SEQMIX_TRANSFORMS_LOWERINGUTILS_H
