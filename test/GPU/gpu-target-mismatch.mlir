// RUN: seqmix-opt %s --seqmix-gpu-target="chip=sm_90a" -verify-diagnostics

// A module compiled for another chip than its #seqmix.target names.
// expected-error @below {{the module's #seqmix.target names chip 'sm_80' but the pipeline compiles for 'sm_90a'}}
module attributes {seqmix.target = #seqmix.target<chip = "sm_80">} {
}
