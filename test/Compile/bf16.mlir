// bf16 (and f16) inputs and outputs: the metadata says bf16 and the buffers
// hold the 16-bit patterns (the driver converts, rounding to nearest even).
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %cc %S/Inputs/driver.c -I%seqmix_src_root/include -ldl -o %t/driver
// RUN: seqmix-compile %s -o %t/lib.so
// RUN: %t/driver %t/lib.so | FileCheck %s --check-prefix=META
// RUN: %t/driver %t/lib.so widen N=4 1,-2.5,0.1,300 | FileCheck %s --check-prefix=WIDEN
// RUN: %t/driver %t/lib.so half N=3 0,0.5,1 | FileCheck %s --check-prefix=HALF
// The linear attention of linear-attention.mlir with bf16 q, k, v and o (the
// state stays f32): o rounded to bf16.
// RUN: %t/driver %t/lib.so forward B=1,T=3 1,0,0,1,1,1 1,0,1,1,0,2 1,2,3,-1,0.5,1 \
// RUN:   | FileCheck %s --check-prefix=LA

// META:      function widen: device cpu, entry set, symbols [N]
// META-NEXT:   input 0 input0: bf16 [N]
// META-NEXT:   output 0 output0: f32 [N]
// META-NEXT:   output 1 output1: bf16 [N]
// META:      function half: device cpu, entry set, symbols [N]
// META-NEXT:   input 0 input0: f16 [N]
// META-NEXT:   output 0 output0: f16 [N]
// META:      function forward: device cpu, entry set, symbols [B, T]
// META-NEXT:   input 0 input0: bf16 [B, T, 1, 2]
// META-NEXT:   input 1 input1: bf16 [B, T, 1, 2]
// META-NEXT:   input 2 input2: bf16 [B, T, 1, 2]
// META-NEXT:   output 0 output0: bf16 [B, T, 1, 2]
// META-NEXT:   output 1 output1: f32 [B, 1, 2, 2]

// 0.1 is 0.10009765625 in bf16; 2x in f32, then rounded back to bf16.
// WIDEN:      status 0
// WIDEN-NEXT: output0 = 2 -5 0.200195 600
// WIDEN-NEXT: output1 = 2 -5 0.200195 600

// exp(2x) in f16: e and e^2 rounded to 11 significant bits.
// HALF:      status 0
// HALF-NEXT: output0 = 1 2.71875 7.39062

// LA:      status 0
// LA-NEXT: output0 = 0.707031 1.41406 2.125 -0.707031 5.65625 1.41406
// LA-NEXT: output1 = 4 1 4 1

func.func @widen(%x: tensor<?xbf16> {seqmix.dims = ["N"]})
    -> (tensor<?xf32> {seqmix.dims = ["N"]}, tensor<?xbf16> {seqmix.dims = ["N"]}) {
  %wide = arith.extf %x : tensor<?xbf16> to tensor<?xf32>
  %twice = arith.addf %wide, %wide : tensor<?xf32>
  %narrow = arith.truncf %twice : tensor<?xf32> to tensor<?xbf16>
  return %twice, %narrow : tensor<?xf32>, tensor<?xbf16>
}

func.func @half(%x: tensor<?xf16> {seqmix.dims = ["N"]}) -> tensor<?xf16> {
  %y = arith.addf %x, %x : tensor<?xf16>
  %z = math.exp %y : tensor<?xf16>
  return %z : tensor<?xf16>
}

!qk = tensor<?x?x1x2xbf16>
!state = tensor<?x1x2x2xf32>
!mixer = !seqmix.mixer<?x1x?, #seqmix.semiseparable<state = 2, decay = none,
                                                   transition = additive>>

func.func @forward(%q: !qk {seqmix.dims = ["B", "T", 1, 2]},
                   %k: !qk {seqmix.dims = ["B", "T", 1, 2]},
                   %v: !qk {seqmix.dims = ["B", "T", 1, 2]}) -> (!qk, !state) {
  %m = seqmix.semiseparable %q, %k : !qk, !qk -> !mixer
  %o, %final = seqmix.apply %m, %v {form = #seqmix.form<recurrent>}
      : !mixer, !qk -> !qk, !state
  return %o, %final : !qk, !state
}
