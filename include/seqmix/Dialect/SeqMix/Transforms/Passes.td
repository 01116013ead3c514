//===- Passes.td - seqmix passes ---------------------------*- tablegen -*-===//
//
// Part of the SeqMix project.
//
//===----------------------------------------------------------------------===//

#ifndef SEQMIX_DIALECT_SEQMIX_TRANSFORMS_PASSES_TD
#define SEQMIX_DIALECT_SEQMIX_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SeqMixSelectForm : Pass<"seqmix-select-form"> {
  let summary = "Choose the parallel, recurrent or chunked form of each "
                "seqmix.apply from a cost model";
  let description = [{
    Writes a `#seqmix.form` on every `seqmix.apply` that has none, chosen by
    estimating the time of each applicable form on the module's
    `#seqmix.target` (the CPU when there is none) from the shapes: batch B,
    heads H, sequence length T, key and value dimensions K and V, and the
    mixer's structure. Each form's time is the larger of its arithmetic at
    the target's rate and its memory traffic at the target's bandwidth, plus
    the latency of its serial steps (T for the recurrent form, T / chunk for
    the chunked form). On a GPU target the chunked form also gets a carry:
    `onchip` when the B·H·(V / 64) CTAs that walk the chunks give every
    multiprocessor at least one, `segments` when they do not and the sequence
    is long (more than 8 chunks), `materialized` when a K×64 fp32 state tile
    does not fit in half of the shared memory.

    A form already present (pinned by hand) is kept. Each decision is
    explained by an analysis remark of category `seqmix-select-form`, shown
    with `--remarks-filter=seqmix-select-form`.

    ```mlir
    // Before:
    %o = seqmix.apply %m, %v : !seqmix.mixer<1x4x4096, #seqmix.semiseparable<...>>, ...
    // After:
    %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64>} : ...
    ```
  }];
  let options = [
    Option<"chunkSize", "chunk-size", "int64_t", /*default=*/"64",
           "Chunk size of the chunked form (a power of two)">,
    Option<"assumedSeqLen", "assume-seq-len", "int64_t", /*default=*/"4096",
           "Sequence length assumed where T is dynamic">,
    Option<"assumedBatch", "assume-batch", "int64_t", /*default=*/"1",
           "Batch size assumed where B is dynamic">,
  ];
}

def SeqMixLowerToLinalg : Pass<"seqmix-lower-to-linalg"> {
  let summary = "Lower seqmix ops to linalg, scf, tensor, arith and math on "
                "tensors, in the form each seqmix.apply names";
  let description = [{
    Replaces every `seqmix.apply` by tensor code in the form its
    `#seqmix.form` names (run `seqmix-select-form` first): `recurrent`
    scans the state token by token (`scf.for` over sequences and tokens,
    `linalg.generic` per step); `parallel` materialises the T×T matrix and
    multiplies; `chunked` goes through the chunk-level ops. Diagonal terms
    are an elementwise product in every form. Inputs are computed in f32;
    the output takes the value's element type. The result bufferizes with
    one-shot-bufferize. Constructors and algebra ops left without users are
    erased; a seqmix op that cannot be lowered is an error.

    ```mlir
    %o = seqmix.apply %m, %v {form = #seqmix.form<recurrent>} : ...
    // becomes scf.for %n ... { scf.for %t ... { linalg.generic ... } }
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // SEQMIX_DIALECT_SEQMIX_TRANSFORMS_PASSES_TD
