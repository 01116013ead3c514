//===- KernelCommon.h - pieces shared by the chunked kernels ----*- C++ -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//
//
// What every chunked kernel (ChunkedKernel.h) does the same way, whatever its
// element type: the gpu.func and its arguments in ABI order, the tokens of a
// CTA's sequence (B rows or the offsets of a packed batch), and exp2.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_LIB_CONVERSION_SEQMIXTOGPU_KERNELCOMMON_H
#define SEQMIX_LIB_CONVERSION_SEQMIXTOGPU_KERNELCOMMON_H

#include "ChunkedKernel.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir {
namespace seqmix {

/// The arguments of a chunked kernel by name; those that `spec` does not
/// have are null.
struct ChunkedKernelArgs {
  Value q, k, v, gate, dt, skip, init, seqlens, carry, flags, out, finalState,
      seqLen, nseg, qMap, kMap, vMap;

  /// The kernel's arguments of `spec`, in the order of the ABI
  /// (ChunkedKernel.h): pointers to the members.
  static SmallVector<Value ChunkedKernelArgs::*>
  getOrder(const ChunkedKernelSpec &spec);
  /// The values in ABI order (for a gpu.launch_func).
  SmallVector<Value> inOrder(const ChunkedKernelSpec &spec) const;
};

/// Creates the gpu.func of `spec` at the builder's insertion point, with q,
/// k, v and o of element type `element` (the ABI of ChunkedKernel.h), the
/// kernel attribute and the known block size of spec.getThreads(). Its body
/// is an empty entry block.
gpu::GPUFuncOp createChunkedKernelFunc(OpBuilder &b, Location loc,
                                       const ChunkedKernelSpec &spec,
                                       Type element);

/// The entry block's arguments of a function made by createChunkedKernelFunc.
ChunkedKernelArgs getChunkedKernelArgs(gpu::GPUFuncOp func,
                                       const ChunkedKernelSpec &spec);

/// Emits `body` inside a new `scf.if cond` (no else region); the builder's
/// insertion point is restored after it.
template <typename Fn>
void emitIf(OpBuilder &b, Location loc, Value cond, Fn body) {
  auto ifOp = scf::IfOp::create(b, loc, cond, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  body();
}

/// Scalar arithmetic on index and f32 values at a builder's insertion
/// point, for the kernel generators.
class ScalarBuilder {
public:
  ScalarBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  Value idx(int64_t v);
  Value f32c(double v);
  Value add(Value x, Value y);
  Value add(Value x, int64_t y) { return y == 0 ? x : add(x, idx(y)); }
  Value mul(Value x, Value y);
  Value mul(Value x, int64_t y) { return y == 1 ? x : mul(x, idx(y)); }
  Value div(Value x, int64_t y);
  Value rem(Value x, int64_t y);
  Value ult(Value x, Value y);
  Value ule(Value x, Value y);
  Value minu(Value x, Value y);
  Value fadd(Value x, Value y);
  Value fsub(Value x, Value y);
  Value fmul(Value x, Value y);
  Value select(Value c, Value x, Value y);
  Value exp2(Value x);

  OpBuilder &b;
  Location loc;
};

/// The CTA's place in the grid (V tile, value head, sequence) and its q/k
/// head.
struct CtaCoordinates {
  Value vTile, head, sequence, qkHead;
};
CtaCoordinates emitCtaCoordinates(OpBuilder &b, Location loc,
                                  const ChunkedKernelSpec &spec);

/// The tokens of one sequence: rows [first, first + length) of the flattened
/// [B·T] token dimension.
struct SequenceTokens {
  Value first, length;
};

/// The tokens of sequence `sequence` (blockIdx.z): b·T and T without
/// seqlens; with seqlens, [seqlens[n], seqlens[n + 1]) of the batch of one,
/// the offsets clamped to [0, T] (and the end to at least the start) so that
/// bad offsets cannot make a kernel read or write outside its buffers. An
/// empty sequence starts at token 0 (its clamped addresses stay in the first
/// row).
SequenceTokens emitSequenceTokens(OpBuilder &b, Location loc,
                                  const ChunkedKernelSpec &spec,
                                  const ChunkedKernelArgs &args,
                                  Value sequence);

/// The element offsets of a CTA's slices, for V tiles of `tileV` columns:
/// q, k ((t·H + hq)·K), v and o ((t·Hv + h)·V + tileV·tile), the gates and
/// dt (t·Hv + h), with t the sequence's first token; and the last token of
/// the sequence (for clamping addresses past T; T ≥ 1 wherever used).
struct SliceOffsets {
  Value qk, v, gate, state, lastToken;
};
SliceOffsets emitSliceOffsets(OpBuilder &b, Location loc,
                              const ChunkedKernelSpec &spec,
                              const CtaCoordinates &cta,
                              const SequenceTokens &tokens, int64_t tileV);

/// A CTA's place, as both chunked kernels keep it: its coordinates, the
/// length of its sequence and the offsets of its slices.
struct CtaPlacement {
  Value vTile, head, sequence, qkHead;
  Value seqLen, qkBase, vBase, gateBase, stateBase, lastToken;

  /// Fills in every member for the CTA at `cta`, with emitSequenceTokens
  /// and emitSliceOffsets.
  void place(OpBuilder &b, Location loc, const ChunkedKernelSpec &spec,
             const ChunkedKernelArgs &args, const CtaCoordinates &cta,
             int64_t tileV);
};

/// The element offset of the state slice of (V tile, value head, sequence):
/// ((n·Hv + h)·K)·V + tileV·tile.
Value emitStateOffset(OpBuilder &b, Location loc, const ChunkedKernelSpec &spec,
                      Value tile, Value head, Value sequence, int64_t tileV);

/// A special register (`tid.x`, `ctaid.y`, ...) read by an opaque asm, as an
/// index: unlike gpu.thread_id, LLVM does not merge it with earlier reads, so
/// that coordinates needed only after the chunk loop can be computed afresh
/// there rather than kept through it (ptxas spills such values).
Value readSpecialRegister(OpBuilder &b, Location loc, StringRef name);

/// 2^x with ex2.approx.ftz.f32 (no libdevice needed).
Value emitExp2(OpBuilder &b, Location loc, Value x);

} // namespace seqmix
} // namespace mlir

#endif // SEQMIX_LIB_CONVERSION_SEQMIXTOGPU_KERNELCOMMON_H
