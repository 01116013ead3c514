// Debian's own mlir-opt loads SeqMix as a dialect plugin and as a pass plugin
// and round-trips seqmix IR.
// RUN: %mlir_opt %s --load-dialect-plugin=%seqmix_plugin | FileCheck %s --check-prefix=ROUNDTRIP
// RUN: %mlir_opt %s --load-dialect-plugin=%seqmix_plugin | %mlir_opt --load-dialect-plugin=%seqmix_plugin | FileCheck %s --check-prefix=ROUNDTRIP
// RUN: %mlir_opt %s --load-dialect-plugin=%seqmix_plugin --canonicalize | FileCheck %s --check-prefix=CANON
// RUN: %mlir_opt %s --load-dialect-plugin=%seqmix_plugin --load-pass-plugin=%seqmix_plugin \
// RUN:   --pass-pipeline="builtin.module(seqmix-select-form{chunk-size=32})" | FileCheck %s --check-prefix=PASS

// ROUNDTRIP-LABEL: func.func @gated_deltanet
// ROUNDTRIP: seqmix.semiseparable %{{.*}}, %{{.*}} gate(%{{.*}} : tensor<2x100x8xf32>) beta(%{{.*}} : tensor<2x100x8xf32>) : tensor<2x100x2x32xf32>, tensor<2x100x2x32xf32> -> !seqmix.mixer<2x8x100, #seqmix.semiseparable<state = 32, decay = scalar, transition = delta>>
// ROUNDTRIP: seqmix.apply
// CANON: seqmix.transpose
// CANON-NOT: seqmix.transpose
// PASS: seqmix.apply {{.*}} {form = #seqmix.form<parallel>}
func.func @gated_deltanet(%q: tensor<2x100x2x32xf32>, %k: tensor<2x100x2x32xf32>,
                          %g: tensor<2x100x8xf32>, %b: tensor<2x100x8xf32>,
                          %v: tensor<2x100x8x16xf32>) -> tensor<2x100x8x16xf32> {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<2x100x8xf32>) beta(%b : tensor<2x100x8xf32>)
      : tensor<2x100x2x32xf32>, tensor<2x100x2x32xf32>
      -> !seqmix.mixer<2x8x100, #seqmix.semiseparable<state = 32, decay = scalar, transition = delta>>
  %t = seqmix.transpose %m : !seqmix.mixer<2x8x100, #seqmix.semiseparable<state = 32, decay = scalar, transition = delta>>
  %t2 = seqmix.transpose %t : !seqmix.mixer<2x8x100, #seqmix.semiseparable<state = 32, decay = scalar, transition = delta, direction = anticausal>>
  %t3 = seqmix.transpose %t2 : !seqmix.mixer<2x8x100, #seqmix.semiseparable<state = 32, decay = scalar, transition = delta>>
  %o = seqmix.apply %t3, %v
      : !seqmix.mixer<2x8x100, #seqmix.semiseparable<state = 32, decay = scalar, transition = delta, direction = anticausal>>,
        tensor<2x100x8x16xf32> -> tensor<2x100x8x16xf32>
  return %o : tensor<2x100x8x16xf32>
}

// The whole family file round-trips through Debian's mlir-opt and the plugin,
// checked by its own CHECK lines.
// RUN: %mlir_opt %seqmix_src_root/test/Dialect/SeqMix/ops.mlir -split-input-file --load-dialect-plugin=%seqmix_plugin \
// RUN:   | %mlir_opt -split-input-file --load-dialect-plugin=%seqmix_plugin \
// RUN:   | FileCheck %seqmix_src_root/test/Dialect/SeqMix/ops.mlir
