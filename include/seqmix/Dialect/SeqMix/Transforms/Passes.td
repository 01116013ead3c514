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

def SeqMixExpandChunked : Pass<"seqmix-expand-chunked"> {
  let summary = "Rewrite each chunked seqmix.apply into chunk-level ops";
  let description = [{
    Replaces every `seqmix.apply` whose form is `#seqmix.form<chunked,
    chunk = C>` by the chunked algorithm spelled with the chunk-level ops,
    leaving applies of other forms alone. For the causal semiseparable term:

    - gates: `seqmix.chunk_cumsum` (a static decay is first broadcast over
      the tokens);
    - additive transition: `seqmix.chunk_gram` of q and k, then
      `seqmix.chunk_state_scan` of k and the values (times `dt`), then
      `seqmix.chunk_output`;
    - delta rule: `seqmix.chunk_gram` of k with itself (`strict`),
      `seqmix.tri_inverse` with β, `seqmix.wy_apply` giving W and U,
      `seqmix.chunk_state_scan` giving the per-chunk states and the
      corrected values `v_new`, `seqmix.chunk_gram` of q and k, and
      `seqmix.chunk_output`.

    The other terms of the mixer are lowered as `seqmix-lower-to-linalg`
    would: a diagonal term is an elementwise product, an anticausal
    (transposed) semiseparable term takes the recurrent form. The terms are
    summed in f32 and the sum converted to the value's element type with
    `linalg.generic`. `seqmix-lower-to-linalg` runs the same expansion on any
    chunked apply left and then lowers the chunk-level ops; the CPU pipeline
    runs this pass first so that `--mlir-print-ir-after-all` shows the chunk
    level.

    ```mlir
    %o = seqmix.apply %m, %v {form = #seqmix.form<chunked, chunk = 64>} : ...
    // becomes
    %G = seqmix.chunk_cumsum %g {chunk = 64 : i64} : ...
    %A = seqmix.chunk_gram %q, %k decay(%G : ...) {chunk = 64 : i64} : ...
    %h, %hT = seqmix.chunk_state_scan %k, %v decay(%G : ...) {chunk = 64 : i64} : ...
    %o32 = seqmix.chunk_output %q, %A, %v, %h decay(%G : ...) {chunk = 64 : i64, scale = ...} : ...
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def SeqMixLowerToLinalg : Pass<"seqmix-lower-to-linalg"> {
  let summary = "Lower seqmix ops to linalg, scf, tensor, arith and math on "
                "tensors, in the form each seqmix.apply names";
  let description = [{
    Replaces every `seqmix.apply` by tensor code in the form its
    `#seqmix.form` names (run `seqmix-select-form` first): `recurrent`
    scans the state token by token (`scf.for` over sequences and tokens,
    `linalg.generic` per step); `parallel` materialises the T×T matrix and
    multiplies; `chunked` goes through the chunk-level ops (see
    `seqmix-expand-chunked`), which are lowered in the same pass, as are
    chunk-level ops written by hand: `scf.for` over sequences and their
    chunks, `linalg.generic` per chunk. Diagonal terms
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
