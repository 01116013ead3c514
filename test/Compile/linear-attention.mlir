// Causal linear attention in the recurrent form, compiled and run on
// B = 1, T = 3, H = 1, K = 2, V = 2:
//
//   S_t = S_{t-1} + k_t v_tᵀ      o_t = scale · S_tᵀ q_t = scale · Σ_{s≤t} (q_t·k_s) v_s
//
// with scale = K^-1/2 and
//
//   q = [1, 0], [0, 1], [1, 1]     k = [1, 0], [1, 1], [0, 2]
//   v = [1, 2], [3, -1], [0.5, 1]
//
//   o_1 = s·(1·v_1)                     = s·[1, 2]  = [0.707107, 1.41421]
//   o_2 = s·(0·v_1 + 1·v_2)             = s·[3, -1] = [2.12132, -0.707107]
//   o_3 = s·(1·v_1 + 2·v_2 + 2·v_3)     = s·[8, 2]  = [5.65685, 1.41421]
//   S_3 = k_1 v_1ᵀ + k_2 v_2ᵀ + k_3 v_3ᵀ = [[4, 1], [4, 1]]
//
// The results carry no seqmix.dims: B and T come from the inputs.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %cc %S/Inputs/driver.c -I%seqmix_src_root/include -ldl -o %t/driver
// RUN: seqmix-compile %s -o %t/lib.so
// RUN: %t/driver %t/lib.so | FileCheck %s --check-prefix=META
// RUN: %t/driver %t/lib.so forward B=1,T=3 1,0,0,1,1,1 1,0,1,1,0,2 1,2,3,-1,0.5,1 \
// RUN:   | FileCheck %s --check-prefix=RUN1
// Two sequences at once: the second is the first scaled by 2 in v.
// RUN: %t/driver %t/lib.so forward B=2,T=3 1,0,0,1,1,1,1,0,0,1,1,1 \
// RUN:   1,0,1,1,0,2,1,0,1,1,0,2 1,2,3,-1,0.5,1,2,4,6,-2,1,2 \
// RUN:   | FileCheck %s --check-prefix=RUN2

// META:      function forward: device cpu, entry set, symbols [B, T]
// META-NEXT:   input 0 q: f32 [B, T, 1, 2]
// META-NEXT:   input 1 k: f32 [B, T, 1, 2]
// META-NEXT:   input 2 v: f32 [B, T, 1, 2]
// META-NEXT:   output 0 output0: f32 [B, T, 1, 2]
// META-NEXT:   output 1 output1: f32 [B, 1, 2, 2]

// RUN1:      status 0
// RUN1-NEXT: output0 = 0.707107 1.41421 2.12132 -0.707107 5.65685 1.41421
// RUN1-NEXT: output1 = 4 1 4 1

// RUN2:      status 0
// RUN2-NEXT: output0 = 0.707107 1.41421 2.12132 -0.707107 5.65685 1.41421 1.41421 2.82843 4.24264 -1.41421 11.3137 2.82843
// RUN2-NEXT: output1 = 4 1 4 1 8 2 8 2

!qk = tensor<?x?x1x2xf32>
!state = tensor<?x1x2x2xf32>
!mixer = !seqmix.mixer<?x1x?, #seqmix.semiseparable<state = 2, decay = none,
                                                   transition = additive>>

func.func @forward(%q: !qk {seqmix.dims = ["B", "T", 1, 2], seqmix.name = "q"},
                   %k: !qk {seqmix.dims = ["B", "T", 1, 2], seqmix.name = "k"},
                   %v: !qk {seqmix.dims = ["B", "T", 1, 2], seqmix.name = "v"})
    -> (!qk, !state) {
  %m = seqmix.semiseparable %q, %k : !qk, !qk -> !mixer
  %o, %final = seqmix.apply %m, %v {form = #seqmix.form<recurrent>}
      : !mixer, !qk -> !qk, !state
  return %o, %final : !qk, !state
}
