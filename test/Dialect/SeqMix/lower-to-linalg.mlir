// RUN: seqmix-opt %s -split-input-file -seqmix-lower-to-linalg -verify-diagnostics | FileCheck %s

// Structure of each form's lowering; numerics are tested through the compiled
// libraries (test/Integration) and scripts/dev/jit_check*.py.

!gdn = !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 8, decay = scalar, transition = delta>>

// Recurrent: a loop over sequences around a loop over tokens, one
// linalg.generic per step piece, and no seqmix op left.
// CHECK-LABEL: func.func @recurrent
// CHECK-NOT: seqmix.
// CHECK: scf.for
// CHECK:   scf.for
// CHECK:     math.exp
// CHECK:     linalg.generic
// CHECK: return
func.func @recurrent(%q: tensor<?x?x2x8xbf16>, %k: tensor<?x?x2x8xbf16>, %g: tensor<?x?x4xf32>,
                     %b: tensor<?x?x4xbf16>, %v: tensor<?x?x4x16xbf16>, %s0: tensor<?x4x8x16xf32>)
    -> (tensor<?x?x4x16xbf16>, tensor<?x4x8x16xf32>) {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<?x?x4xf32>) beta(%b : tensor<?x?x4xbf16>)
      : tensor<?x?x2x8xbf16>, tensor<?x?x2x8xbf16> -> !gdn
  %o, %s = seqmix.apply %m, %v init(%s0 : tensor<?x4x8x16xf32>) {form = #seqmix.form<recurrent>}
      : !gdn, tensor<?x?x4x16xbf16> -> tensor<?x?x4x16xbf16>, tensor<?x4x8x16xf32>
  return %o, %s : tensor<?x?x4x16xbf16>, tensor<?x4x8x16xf32>
}

// -----

!gdn = !seqmix.mixer<?x4x?, #seqmix.semiseparable<state = 8, decay = scalar, transition = delta>>

// Parallel: per sequence, the L×L matrices and a forward substitution (the
// UT transform of the delta rule) over the rows.
// CHECK-LABEL: func.func @parallel
// CHECK-NOT: seqmix.
// CHECK: scf.for
// CHECK:   linalg.generic
// CHECK:   scf.for
// CHECK: arith.truncf
func.func @parallel(%q: tensor<?x?x2x8xbf16>, %k: tensor<?x?x2x8xbf16>, %g: tensor<?x?x4xf32>,
                    %b: tensor<?x?x4xbf16>, %v: tensor<?x?x4x16xbf16>) -> tensor<?x?x4x16xbf16> {
  %m = seqmix.semiseparable %q, %k gate(%g : tensor<?x?x4xf32>) beta(%b : tensor<?x?x4xbf16>)
      : tensor<?x?x2x8xbf16>, tensor<?x?x2x8xbf16> -> !gdn
  %o = seqmix.apply %m, %v {form = #seqmix.form<parallel>}
      : !gdn, tensor<?x?x4x16xbf16> -> tensor<?x?x4x16xbf16>
  return %o : tensor<?x?x4x16xbf16>
}

// -----

// Materialize: the parallel form applied to the identity.
// CHECK-LABEL: func.func @materialize
// CHECK-NOT: seqmix.
// CHECK: arith.select
// CHECK: return {{.*}} : tensor<2x4x16x16xf32>
func.func @materialize(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x4x8xf32>) -> tensor<2x4x16x16xf32> {
  %m = seqmix.lowrank %q, %k : tensor<2x16x4x8xf32>, tensor<2x16x4x8xf32> -> !seqmix.mixer<2x4x16, #seqmix.lowrank<rank = 8>>
  %M = seqmix.materialize %m : !seqmix.mixer<2x4x16, #seqmix.lowrank<rank = 8>> -> tensor<2x4x16x16xf32>
  return %M : tensor<2x4x16x16xf32>
}

// -----

func.func @no_form(%m: !seqmix.mixer<2x4x16, #seqmix.diagonal>, %v: tensor<2x16x4x8xf32>) -> tensor<2x16x4x8xf32> {
  // expected-error @+1 {{'seqmix.apply' op has no #seqmix.form: run seqmix-select-form first (or pin one)}}
  %o = seqmix.apply %m, %v : !seqmix.mixer<2x4x16, #seqmix.diagonal>, tensor<2x16x4x8xf32> -> tensor<2x16x4x8xf32>
  return %o : tensor<2x16x4x8xf32>
}

// -----

func.func @block_argument(%m: !seqmix.mixer<2x4x16, #seqmix.diagonal>, %v: tensor<2x16x4x8xf32>) -> tensor<2x16x4x8xf32> {
  // expected-error @+1 {{'seqmix.apply' op cannot lower a mixer that is not built in this function (a block argument): build it with seqmix constructors}}
  %o = seqmix.apply %m, %v {form = #seqmix.form<parallel>} : !seqmix.mixer<2x4x16, #seqmix.diagonal>, tensor<2x16x4x8xf32> -> tensor<2x16x4x8xf32>
  return %o : tensor<2x16x4x8xf32>
}

// -----

// A mixer that escapes the function cannot be lowered.
func.func @escaping(%q: tensor<2x16x4x8xf32>, %k: tensor<2x16x4x8xf32>) -> !seqmix.mixer<2x4x16, #seqmix.lowrank<rank = 8>> {
  // expected-error @+1 {{'seqmix.lowrank' op cannot be lowered by seqmix-lower-to-linalg: its result is used by 'func.return'}}
  %m = seqmix.lowrank %q, %k : tensor<2x16x4x8xf32>, tensor<2x16x4x8xf32> -> !seqmix.mixer<2x4x16, #seqmix.lowrank<rank = 8>>
  return %m : !seqmix.mixer<2x4x16, #seqmix.lowrank<rank = 8>>
}
