// RUN: seqmix-opt %s --seqmix-gpu-target | FileCheck %s
// RUN: seqmix-opt %s --seqmix-gpu-target="chip=sm_80 ptx=70 opt-level=2 format=isa" \
// RUN:   | FileCheck %s --check-prefix=SM80
// RUN: not seqmix-opt %s --seqmix-gpu-target="chip=sm_50" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CHIP
// RUN: not seqmix-opt %s --seqmix-gpu-target="chip=sm_90a ptx=60" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=OLDPTX
// RUN: not seqmix-opt %s --seqmix-gpu-target="chip=sm_90a ptx=89" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=BADPTX
// RUN: not seqmix-opt %s --seqmix-gpu-target="opt-level=4" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=OPT
// RUN: not seqmix-opt %s --seqmix-gpu-target="format=ptx" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=FORMAT

// The pipeline checks its settings before upstream's NVPTX back end can
// abort on them ("LLVM ERROR: Cannot select", "PTX version 6.0 does not
// support target 'sm_90a'"): an ordinary error, and nothing else runs.
// RUN: not seqmix-opt %s --seqmix-to-nvvm-pipeline="chip=sm_90a ptx=60" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=OLDPTX
// RUN: not seqmix-opt %s --seqmix-to-nvvm-pipeline="chip=sm_50" 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CHIP

// CHECK: module attributes {seqmix.target = #seqmix.target<chip = "sm_90a">}
// SM80: module attributes {seqmix.target = #seqmix.target<chip = "sm_80">}
// CHIP: error: unsupported chip 'sm_50': the SeqMix GPU kernels need bf16 tensor cores (mma.sync m16n8k16); use sm_80, sm_90 or sm_90a
// CHIP-NOT: LLVM ERROR
// OLDPTX: error: PTX version 6.0 does not support sm_90a: it needs at least 8.0 (ptx=80)
// OLDPTX-NOT: LLVM ERROR
// BADPTX: error: unsupported PTX version 89: use 70 to 78, 80 to 88 or 90
// OPT: error: unsupported opt-level 4: use 0 to 3
// FORMAT: error: unsupported format 'ptx': use bin (cubin), isa (PTX), fatbin, llvm or offload
module {
}
