// RUN: seqmix-opt %s | seqmix-opt | FileCheck %s
// RUN: seqmix-opt %s --mlir-print-op-generic | seqmix-opt | FileCheck %s

// Round trips of every family the dialect represents.

// CHECK-LABEL: func.func @linear_attention
// CHECK: %[[M:.*]] = seqmix.semiseparable %{{.*}}, %{{.*}} : tensor<?x?x4x64xbf16>, tensor<?x?x4x64xbf16> -> !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>
// CHECK: seqmix.apply %[[M]], %{{.*}} : !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>, tensor<?x?x4x32xbf16> -> tensor<?x?x4x32xbf16>
func.func @linear_attention(%q: tensor<?x?x4x64xbf16>, %k: tensor<?x?x4x64xbf16>,
                            %v: tensor<?x?x4x32xbf16>) -> tensor<?x?x4x32xbf16> {
  %m = seqmix.semiseparable %q, %k
      : tensor<?x?x4x64xbf16>, tensor<?x?x4x64xbf16>
      -> !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>
  %o = seqmix.apply %m, %v
      : !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 64, decay = none, transition = additive>>,
        tensor<?x?x4x32xbf16> -> tensor<?x?x4x32xbf16>
  return %o : tensor<?x?x4x32xbf16>
}
