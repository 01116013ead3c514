"""SeqMix Python package.

Submodules (import them explicitly; this file stays light so that importing
``seqmix`` never pulls in heavy dependencies):

* ``seqmix.reference`` -- float64 numpy reference ("oracle") of every sequence
  mixer family, plus bf16 rounding helpers.
"""
