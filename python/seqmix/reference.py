"""Float64 numpy reference ("oracle") for every SeqMix sequence-mixer family.

This module is the project's ground truth: compiled kernels (CPU and GPU) are
compared against it.  It is written directly from the recurrences of the
design (section 3.1: ``S_t = A_t S_{t-1} + B_t v_t^T``), favours clarity over
speed, and depends on numpy only.

Conventions (fla's, unless stated otherwise)
--------------------------------------------
* Layout ``[B, T, H, D]``: batch, time, heads, feature.
* ``q, k`` are ``[B, T, H, K]``; ``v`` is ``[B, T, Hv, V]`` with ``Hv`` a
  multiple of ``H``.  Value head ``h`` reads q/k head ``h // (Hv // H)``
  (consecutive grouping, fla's "GVA", Mamba2's groups).
* Per batch ``b`` and value head ``h`` the recurrent families keep a state
  ``S`` in ``R^{K x V}`` ("kv" layout) and compute, for ``t = 1..T``::

      S_t = A_t S_{t-1} + B_t v_t^T          o_t = scale * S_t^T q_t

  The read is *inclusive* (``o_t`` sees ``S_t``, hence token ``t`` itself).
  ``S_0`` is ``initial_state`` or zero.
* States are ``[N, Hv, K, V]`` where ``N = B``, or ``N`` = the number of
  sequences when ``cu_seqlens`` is given.
* ``scale`` defaults to ``K ** -0.5``.
* Gates ``g`` are log decays in the natural base (the decay is ``exp(g)``).
* Variable-length batches: ``cu_seqlens`` is a 1-D integer array ``[N + 1]`` of
  cumulative offsets (FlashAttention convention, ``cu_seqlens[0] == 0``,
  ``cu_seqlens[-1] == T``); it requires ``B == 1``.  Sequence ``n`` occupies
  tokens ``cu_seqlens[n]:cu_seqlens[n+1]``, starts from ``initial_state[n]``
  and has its own final state.  Empty sequences are allowed (their final
  state is their initial state).
* Every function casts its floating-point inputs to float64 and returns
  float64 arrays.  Integer arrays are rejected: bf16 tensors stored as uint16
  bit patterns must first be decoded with :func:`from_bf16_bits`.
* Every mixer returns a pair ``(output, final_state)``; ``final_state`` is None
  unless ``output_final_state`` is set (and always None for the non-recurrent
  ``attention`` and ``lowrank``).

Mamba2 SSD keeps Mamba's own names and layouts: ``x [B, T, H, P]``,
``B, C [B, T, G, N]`` (head ``h`` uses group ``h // (H // G)``) and states
``[B, H, P, N]`` ("vk" layout).  Softmax attention groups heads the other way
(GQA): query heads are a multiple of key/value heads.

Closed forms
------------
The ``*_matrix`` functions return, per batch and (value) head, the T x T
matrix ``M`` of the mixer with zero initial state: ``o[b, :, h] = M[b, h] @
v[b, :, h]``.  They are derived from the algebra of each family, independently
of the token loops, so that the two can check each other.

Families and transitions ``A_t`` / input vectors ``B_t``:

=================  ==================================  ===========
function           A_t                                 B_t
=================  ==================================  ===========
linear_attn        I                                   k_t
simple_gla         exp(g_t) I   (or exp(g_gamma) I)    k_t
gla                Diag(exp(g_t))                      k_t
delta_rule         I - b_t k_t k_t^T                   b_t k_t
gated_delta_rule   exp(g_t) (I - b_t k_t k_t^T)        b_t k_t
kda                (I - b_t k_t k_t^T) Diag(exp(g_t))  b_t k_t
ssd                exp(dt_t A) I                       dt_t B_t  (v = x)
=================  ==================================  ===========
"""

import numpy as np

__all__ = [
    # bf16 helpers
    "bf16_round",
    "bf16_bits",
    "from_bf16_bits",
    # recurrent mixers
    "linear_attn",
    "simple_gla",
    "gla",
    "delta_rule",
    "gated_delta_rule",
    "kda",
    "ssd",
    # non-recurrent mixers
    "attention",
    "lowrank",
    # closed-form T x T matrices
    "linear_attn_matrix",
    "simple_gla_matrix",
    "gla_matrix",
    "delta_rule_matrix",
    "gated_delta_rule_matrix",
    "kda_matrix",
    "ssd_matrix",
    "attention_matrix",
    "lowrank_matrix",
]


# =============================================================================
# bf16 helpers
# =============================================================================

_BF16_MANTISSA_BITS = 8  # significant bits, including the implicit leading one
_BF16_MIN_EXP_SPACING = -133  # log2 of the spacing of bf16 subnormals (2^-126 * 2^-7)
_BF16_MAX = float.fromhex("0x1.fep127")  # largest finite bf16 value (0x7F7F)


def bf16_round(x):
    """Round ``x`` to the nearest bfloat16 value (round to nearest, ties to even).

    The rounding is done once, directly from the input precision (a float64
    input is *not* rounded to float32 first, which could round twice).
    Subnormals are rounded to the bf16 subnormal grid, values beyond the
    largest finite bf16 overflow to +-inf, NaN stays NaN (canonical quiet NaN).

    Returns a float32 array holding exactly representable bf16 values.
    """
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"bf16_round expects a floating-point array, got dtype {x.dtype}")
    with np.errstate(invalid="ignore"):  # signalling NaNs; they become NaN below anyway
        x = x.astype(np.float64)
    finite = np.isfinite(x)
    xf = np.where(finite, x, 0.0)
    # x = m * 2^e with 0.5 <= |m| < 1: the bf16 grid around x has spacing
    # 2^(e - 8), or 2^-133 in the subnormal range.
    _, e = np.frexp(xf)
    spacing_exp = np.maximum(e - _BF16_MANTISSA_BITS, _BF16_MIN_EXP_SPACING)
    # Scaling by a power of two is exact in float64; np.rint rounds half to even.
    r = np.ldexp(np.rint(np.ldexp(xf, -spacing_exp)), spacing_exp)
    r = np.where(np.abs(r) > _BF16_MAX, np.copysign(np.inf, r), r)
    r = np.where(finite, r, x)  # +-inf pass through
    r = np.where(np.isnan(x), np.nan, r)  # canonical quiet NaN
    return r.astype(np.float32)


def bf16_bits(x):
    """Round ``x`` to bf16 (see :func:`bf16_round`) and return the uint16 bit patterns."""
    r = np.ascontiguousarray(bf16_round(x))
    return (r.view(np.uint32) >> 16).astype(np.uint16)


def from_bf16_bits(u16):
    """Decode uint16 bf16 bit patterns into float32 values (exact)."""
    u = np.asarray(u16)
    if u.dtype != np.uint16:
        raise ValueError(f"from_bf16_bits expects a uint16 array of bf16 bit patterns, got dtype {u.dtype}")
    return np.ascontiguousarray(u.astype(np.uint32) << 16).view(np.float32)


# =============================================================================
# Argument checking
# =============================================================================


def _as_f64(name, x):
    """Return ``x`` as a float64 array; reject non-floating dtypes with a clear message."""
    a = np.asarray(x)
    if not np.issubdtype(a.dtype, np.floating):
        hint = " (bf16 bit patterns? decode them with from_bf16_bits first)" if a.dtype == np.uint16 else ""
        raise ValueError(f"{name} must be a floating-point array, got dtype {a.dtype}{hint}")
    return a.astype(np.float64)


def _check_shape(name, a, shape, dims):
    if a.shape != tuple(shape):
        raise ValueError(f"{name} must have shape [{dims}] = {tuple(shape)}, got {a.shape}")


def _check_qk(q, k):
    """Validate q, k of shape [B, T, H, K]; return them as float64."""
    q = _as_f64("q", q)
    k = _as_f64("k", k)
    if q.ndim != 4:
        raise ValueError(f"q must have shape [B, T, H, K], got {q.shape}")
    if k.shape != q.shape:
        raise ValueError(f"k must have the shape of q [B, T, H, K] = {q.shape}, got {k.shape}")
    return q, k


def _check_heads(H, Hv, what="value heads Hv"):
    if H < 1 or Hv < 1 or Hv % H != 0:
        raise ValueError(f"the number of {what} = {Hv} must be a positive multiple of the number of q/k heads H = {H}")


def _check_qkv(q, k, v):
    """Validate q, k [B, T, H, K] and v [B, T, Hv, V] with Hv % H == 0."""
    q, k = _check_qk(q, k)
    v = _as_f64("v", v)
    if v.ndim != 4 or v.shape[:2] != q.shape[:2]:
        raise ValueError(f"v must have shape [B, T, Hv, V] with B, T = {q.shape[:2]} as in q, got {v.shape}")
    _check_heads(q.shape[2], v.shape[2])
    return q, k, v


def _expand_heads(x, heads):
    """Repeat axis 2 of ``x`` so that new head ``h`` is old head ``h // (heads // x.shape[2])``."""
    return np.repeat(x, heads // x.shape[2], axis=2)


def _scale(scale, K):
    return K ** -0.5 if scale is None else float(scale)


def _sequences(B, T, cu_seqlens):
    """Split the batch into independent sequences.

    Returns ``(N, seqs)`` where each entry of ``seqs`` is
    ``(state_rows, batch_rows, bos, eos)``: the rows of the ``[N, ...]`` state
    and of the ``[B, ...]`` inputs that share the token range ``[bos, eos)``.
    Without ``cu_seqlens`` the whole batch is one entry (vectorised over B).
    """
    if cu_seqlens is None:
        rows = np.arange(B)
        return B, [(rows, rows, 0, T)]
    cu = np.asarray(cu_seqlens)
    if cu.ndim != 1 or cu.size < 2 or not np.issubdtype(cu.dtype, np.integer):
        raise ValueError(f"cu_seqlens must be a 1-D integer array [N + 1] with N >= 1, got shape {cu.shape} dtype {cu.dtype}")
    if B != 1:
        raise ValueError(f"cu_seqlens requires batch size B == 1 (sequences packed along T), got B = {B}")
    if cu[0] != 0 or cu[-1] != T:
        raise ValueError(f"cu_seqlens must start at 0 and end at T = {T}, got {cu.tolist()}")
    if np.any(np.diff(cu) < 0):
        raise ValueError(f"cu_seqlens must be non-decreasing, got {cu.tolist()}")
    N = cu.size - 1
    zero = np.array([0])
    return N, [(np.array([n]), zero, int(cu[n]), int(cu[n + 1])) for n in range(N)]


def _initial_state(initial_state, shape, dims):
    if initial_state is None:
        return np.zeros(shape)
    s = _as_f64("initial_state", initial_state)
    _check_shape("initial_state", s, shape, dims)
    return s.copy()


# =============================================================================
# Recurrent mixers in fla's layout
# =============================================================================
#
# Shapes inside the step functions: S is [n, Hv, K, V], k_t and q_t are
# [n, Hv, K] (already expanded to value heads), v_t is [n, Hv, V], scalar
# gates are [n, Hv] and diagonal gates [n, Hv, K].


def _outer(a, b):
    """Per-head outer product a b^T: [..., K] x [..., V] -> [..., K, V]."""
    return a[..., :, None] * b[..., None, :]


def _read(S, x):
    """Per-head S^T x: [..., K, V] x [..., K] -> [..., V]."""
    return np.einsum("...kv,...k->...v", S, x)


def _per_head(s):
    """Broadcast a per-head scalar [..., Hv] against states [..., Hv, K, V]."""
    return s[..., None, None]


def _run_recurrence(q, k, v, gates, step, scale, initial_state, output_final_state, cu_seqlens):
    """Drive ``S_t = step(S_{t-1}, k_t, v_t, *gates_t)``, ``o_t = scale * S_t^T q_t``.

    ``q, k, v`` are validated float64 arrays; ``gates`` is a list of float64
    arrays whose first two axes are [B, T] and whose third is Hv.
    """
    B, T, H, K = q.shape
    Hv, V = v.shape[2], v.shape[3]
    scale = _scale(scale, K)
    N, seqs = _sequences(B, T, cu_seqlens)
    S0 = _initial_state(initial_state, (N, Hv, K, V), "N, Hv, K, V")
    q = _expand_heads(q, Hv)
    k = _expand_heads(k, Hv)

    o = np.zeros((B, T, Hv, V))
    final_state = np.zeros((N, Hv, K, V))
    for state_rows, batch_rows, bos, eos in seqs:
        S = S0[state_rows]
        for t in range(bos, eos):
            S = step(S, k[batch_rows, t], v[batch_rows, t], *(x[batch_rows, t] for x in gates))
            o[batch_rows, t] = scale * _read(S, q[batch_rows, t])
        final_state[state_rows] = S
    return o, (final_state if output_final_state else None)


def _check_gate(name, g, shape, dims):
    g = _as_f64(name, g)
    _check_shape(name, g, shape, dims)
    return g


def linear_attn(q, k, v, scale=None, initial_state=None, output_final_state=False, cu_seqlens=None):
    """Causal linear attention (no decay, no normaliser).

    ``S_t = S_{t-1} + k_t v_t^T``,  ``o_t = scale * S_t^T q_t``.

    q, k [B, T, H, K]; v [B, T, Hv, V]; returns ``(o [B, T, Hv, V], final_state [N, Hv, K, V] or None)``.
    """
    q, k, v = _check_qkv(q, k, v)

    def step(S, k_t, v_t):
        return S + _outer(k_t, v_t)

    return _run_recurrence(q, k, v, [], step, scale, initial_state, output_final_state, cu_seqlens)


def simple_gla(q, k, v, g=None, g_gamma=None, scale=None, initial_state=None, output_final_state=False, cu_seqlens=None):
    """Scalar per-head decay: simple GLA (``g``), RetNet / Lightning attention (``g_gamma``).

    ``S_t = exp(g_t) S_{t-1} + k_t v_t^T``,  ``o_t = scale * S_t^T q_t``.

    g [B, T, Hv] is a data-dependent log decay; g_gamma [Hv] a static log decay
    (``g_t = g_gamma`` for every t).  At most one of them may be given; with
    neither this is :func:`linear_attn`.
    """
    q, k, v = _check_qkv(q, k, v)
    B, T, _, _ = q.shape
    Hv = v.shape[2]
    if g is not None and g_gamma is not None:
        raise ValueError("simple_gla takes at most one of g (data-dependent decay) and g_gamma (static decay)")
    if g is not None:
        g = _check_gate("g", g, (B, T, Hv), "B, T, Hv")
    elif g_gamma is not None:
        g_gamma = _check_gate("g_gamma", g_gamma, (Hv,), "Hv")
        g = np.broadcast_to(g_gamma, (B, T, Hv))
    else:
        g = np.zeros((B, T, Hv))

    def step(S, k_t, v_t, g_t):
        return np.exp(_per_head(g_t)) * S + _outer(k_t, v_t)

    return _run_recurrence(q, k, v, [g], step, scale, initial_state, output_final_state, cu_seqlens)


def gla(q, k, v, g, scale=None, initial_state=None, output_final_state=False, cu_seqlens=None):
    """Gated linear attention with a diagonal (per key channel) decay.

    ``S_t = Diag(exp(g_t)) S_{t-1} + k_t v_t^T``,  ``o_t = scale * S_t^T q_t``.

    g [B, T, Hv, K] is the log decay of each row of the state.
    """
    q, k, v = _check_qkv(q, k, v)
    B, T, _, K = q.shape
    Hv = v.shape[2]
    g = _check_gate("g", g, (B, T, Hv, K), "B, T, Hv, K")

    def step(S, k_t, v_t, g_t):
        return np.exp(g_t)[..., :, None] * S + _outer(k_t, v_t)

    return _run_recurrence(q, k, v, [g], step, scale, initial_state, output_final_state, cu_seqlens)


def delta_rule(q, k, v, beta, scale=None, initial_state=None, output_final_state=False, cu_seqlens=None):
    """DeltaNet.

    ``S_t = (I - b_t k_t k_t^T) S_{t-1} + b_t k_t v_t^T``,  ``o_t = scale * S_t^T q_t``.

    beta [B, T, Hv].  (Equivalently ``S_t = S_{t-1} + k_t (b_t (v_t - S_{t-1}^T k_t))^T``.)
    Keys are used as given: L2-normalise them beforehand if stability needs it.
    """
    q, k, v = _check_qkv(q, k, v)
    B, T, _, _ = q.shape
    Hv = v.shape[2]
    beta = _check_gate("beta", beta, (B, T, Hv), "B, T, Hv")

    def step(S, k_t, v_t, b_t):
        S = S - _per_head(b_t) * _outer(k_t, _read(S, k_t))  # (I - b k k^T) S
        return S + _per_head(b_t) * _outer(k_t, v_t)  # + b k v^T

    return _run_recurrence(q, k, v, [beta], step, scale, initial_state, output_final_state, cu_seqlens)


def gated_delta_rule(q, k, v, g, beta, scale=None, initial_state=None, output_final_state=False, cu_seqlens=None):
    """Gated DeltaNet (scalar decay times a generalised Householder transition).

    ``S_t = exp(g_t) (I - b_t k_t k_t^T) S_{t-1} + b_t k_t v_t^T``,  ``o_t = scale * S_t^T q_t``.

    g, beta [B, T, Hv].
    """
    q, k, v = _check_qkv(q, k, v)
    B, T, _, _ = q.shape
    Hv = v.shape[2]
    g = _check_gate("g", g, (B, T, Hv), "B, T, Hv")
    beta = _check_gate("beta", beta, (B, T, Hv), "B, T, Hv")

    def step(S, k_t, v_t, g_t, b_t):
        S = np.exp(_per_head(g_t)) * S  # exp(g) S  (a scalar commutes with the Householder factor)
        S = S - _per_head(b_t) * _outer(k_t, _read(S, k_t))  # (I - b k k^T) ...
        return S + _per_head(b_t) * _outer(k_t, v_t)  # + b k v^T

    return _run_recurrence(q, k, v, [g, beta], step, scale, initial_state, output_final_state, cu_seqlens)


def kda(q, k, v, g, beta, scale=None, initial_state=None, output_final_state=False, cu_seqlens=None):
    """Kimi Delta Attention (diagonal decay first, then the delta rule).

    ``S_t = (I - b_t k_t k_t^T) Diag(exp(g_t)) S_{t-1} + b_t k_t v_t^T``,  ``o_t = scale * S_t^T q_t``.

    g [B, T, Hv, K], beta [B, T, Hv].
    """
    q, k, v = _check_qkv(q, k, v)
    B, T, _, K = q.shape
    Hv = v.shape[2]
    g = _check_gate("g", g, (B, T, Hv, K), "B, T, Hv, K")
    beta = _check_gate("beta", beta, (B, T, Hv), "B, T, Hv")

    def step(S, k_t, v_t, g_t, b_t):
        S = np.exp(g_t)[..., :, None] * S  # Diag(exp(g)) S
        S = S - _per_head(b_t) * _outer(k_t, _read(S, k_t))  # (I - b k k^T) ...
        return S + _per_head(b_t) * _outer(k_t, v_t)  # + b k v^T

    return _run_recurrence(q, k, v, [g, beta], step, scale, initial_state, output_final_state, cu_seqlens)


# =============================================================================
# Mamba2 SSD
# =============================================================================


def _softplus(x):
    """log(1 + exp(x)), computed without overflow (exact, no threshold)."""
    return np.logaddexp(0.0, x)


def _check_ssd(x, dt, A, B, C, D=None, dt_bias=None, dt_softplus=False):
    """Validate SSD operands; return float64 ``x, dt', A, B, C, D`` with dt' the effective step."""
    x = _as_f64("x", x)
    if x.ndim != 4:
        raise ValueError(f"x must have shape [B, T, H, P], got {x.shape}")
    Bsz, T, H, P = x.shape
    dt = _check_gate("dt", dt, (Bsz, T, H), "B, T, H")
    A = _check_gate("A", A, (H,), "H")
    B = _as_f64("B", B)
    if B.ndim != 4 or B.shape[:2] != (Bsz, T):
        raise ValueError(f"B must have shape [B, T, G, N] with B, T = {(Bsz, T)} as in x, got {B.shape}")
    C = _as_f64("C", C)
    if C.shape != B.shape:
        raise ValueError(f"C must have the shape of B [B, T, G, N] = {B.shape}, got {C.shape}")
    _check_heads(B.shape[2], H, what="heads H of x")
    if D is not None:
        D = _as_f64("D", D)
        if D.shape not in ((H,), (H, P)):
            raise ValueError(f"D must have shape [H] = {(H,)} or [H, P] = {(H, P)}, got {D.shape}")
    if dt_bias is not None:
        dt = dt + _check_gate("dt_bias", dt_bias, (H,), "H")
    if dt_softplus:
        dt = _softplus(dt)
    return x, dt, A, B, C, D


def _ssd_skip(x, D):
    """The D x skip term, [B, T, H, P]."""
    if D is None:
        return np.zeros_like(x)
    if D.ndim == 1:
        return D[:, None] * x
    return D * x


def ssd(x, dt, A, B, C, D=None, dt_bias=None, dt_softplus=False, initial_state=None, output_final_state=False):
    """Mamba2 state-space duality (SSD) layer, Mamba's names and layouts.

    With ``dt'_t = softplus(dt_t + dt_bias)`` (bias and softplus optional), per
    head ``h`` (group ``h // (H // G)`` of B and C)::

        h_t = exp(dt'_t A) h_{t-1} + dt'_t x_t B_t^T      (state [P, N])
        y_t = h_t C_t + D x_t

    x [B, T, H, P]; dt [B, T, H]; A [H]; B, C [B, T, G, N]; D [H] or [H, P];
    dt_bias [H]; initial_state [B, H, P, N].  Returns ``(y [B, T, H, P],
    final_state [B, H, P, N] or None)``.  There is no scale (it is 1).
    The softplus is exact (Mamba's kernels skip it above 20; the difference is < 3e-9).
    """
    x, dt, A, Bm, Cm, D = _check_ssd(x, dt, A, B, C, D, dt_bias, dt_softplus)
    Bsz, T, H, P = x.shape
    N = Bm.shape[3]
    Bm = _expand_heads(Bm, H)
    Cm = _expand_heads(Cm, H)
    h = _initial_state(initial_state, (Bsz, H, P, N), "B, H, P, N")

    y = np.zeros((Bsz, T, H, P))
    for t in range(T):
        decay = np.exp(dt[:, t] * A)  # [B, H]
        h = _per_head(decay) * h + _outer(dt[:, t, :, None] * x[:, t], Bm[:, t])
        y[:, t] = np.einsum("bhpn,bhn->bhp", h, Cm[:, t])
    y += _ssd_skip(x, D)
    return y, (h if output_final_state else None)


# =============================================================================
# Non-recurrent mixers
# =============================================================================


def _check_attention_args(q, k, v, causal, window):
    q = _as_f64("q", q)
    k = _as_f64("k", k)
    v = None if v is None else _as_f64("v", v)
    if q.ndim != 4:
        raise ValueError(f"q must have shape [B, T, Hq, K], got {q.shape}")
    if k.ndim != 4 or k.shape[:2] != q.shape[:2] or k.shape[3] != q.shape[3]:
        raise ValueError(f"k must have shape [B, T, Hkv, K] with B, T, K = {q.shape[:2] + q.shape[3:]} as in q, got {k.shape}")
    if v is not None and (v.ndim != 4 or v.shape[:3] != k.shape[:3]):
        raise ValueError(f"v must have shape [B, T, Hkv, V] with B, T, Hkv = {k.shape[:3]} as in k, got {v.shape}")
    if k.shape[2] < 1 or q.shape[2] % k.shape[2] != 0:
        raise ValueError(f"the number of query heads Hq = {q.shape[2]} must be a positive multiple of the number of key/value heads Hkv = {k.shape[2]}")
    if window is not None:
        if not causal:
            raise ValueError("window is only defined for causal attention (causal=True)")
        if isinstance(window, (bool, np.bool_)) or not isinstance(window, (int, np.integer)) or window < 1:
            raise ValueError(f"window must be a positive integer or None, got {window!r}")
    return q, k, v


def _attention_mask(T, causal, window):
    """Boolean [T, T] mask: query i may attend to key j."""
    i = np.arange(T)[:, None]
    j = np.arange(T)[None, :]
    mask = np.ones((T, T), dtype=bool)
    if causal:
        mask &= j <= i
    if window is not None:
        mask &= j >= i - window + 1
    return mask


def attention(q, k, v, causal=True, window=None, scale=None):
    """Softmax attention (dense, causal, or causal sliding window).

    ``o_i = sum_j p_ij v_j`` with ``p_ij = exp(s_ij) / sum_l exp(s_il)``,
    ``s_ij = scale * q_i . k_j`` over the keys ``j`` that query ``i`` sees:
    all of them (``causal=False``), ``j <= i`` (``causal=True``), or
    ``i - window < j <= i`` (``causal=True, window=W``).  A window is only
    defined together with ``causal=True``.

    q [B, T, Hq, K]; k [B, T, Hkv, K]; v [B, T, Hkv, V]; query head ``h`` uses
    key/value head ``h // (Hq // Hkv)`` (GQA).  Returns ``(o [B, T, Hq, V], None)``.

    Computed one query at a time with a max-subtracted softmax (an independent
    path from :func:`attention_matrix`).
    """
    q, k, v = _check_attention_args(q, k, v, causal, window)
    B, T, Hq, K = q.shape
    scale = _scale(scale, K)
    k = _expand_heads(k, Hq)
    v = _expand_heads(v, Hq)
    mask = _attention_mask(T, causal, window)

    o = np.zeros((B, T, Hq, v.shape[3]))
    for i in range(T):
        keys = np.flatnonzero(mask[i])
        s = scale * np.einsum("bhk,bjhk->bhj", q[:, i], k[:, keys])  # [B, Hq, len(keys)]
        p = np.exp(s - s.max(axis=-1, keepdims=True))
        p /= p.sum(axis=-1, keepdims=True)
        o[:, i] = np.einsum("bhj,bjhv->bhv", p, v[:, keys])
    return o, None


def lowrank(q, k, v, scale=None):
    """Non-causal linear attention: ``O = scale * Q (K^T V)`` per head.

    q, k [B, T, H, K]; v [B, T, Hv, V] with value head ``h`` using q/k head
    ``h // (Hv // H)``.  Returns ``(o [B, T, Hv, V], None)``.
    """
    q, k, v = _check_qkv(q, k, v)
    Hv = v.shape[2]
    scale = _scale(scale, q.shape[3])
    q = _expand_heads(q, Hv)
    k = _expand_heads(k, Hv)
    kv = np.einsum("bthk,bthv->bhkv", k, v)  # K^T V, [B, Hv, K, V]
    return scale * np.einsum("bthk,bhkv->bthv", q, kv), None


# =============================================================================
# Closed-form T x T matrices (zero initial state)
# =============================================================================
#
# Every function returns M with shape [B, Hv, T, T] (SSD: [B, H, T, T];
# attention: [B, Hq, T, T]) such that o[b, :, h] = M[b, h] @ v[b, :, h]
# (attention: v[b, :, h // (Hq // Hkv)]; SSD: y - D x = M @ x).
# They are written from the algebra, not from the token loops above.


def _tril(T, strict=False):
    """Boolean lower-triangular [T, T] mask, diagonal included unless ``strict``."""
    return np.tril(np.ones((T, T), dtype=bool), -1 if strict else 0)


def _scores(x, y):
    """Per-head Gram matrix x_i . y_j: [B, T, H, D] x [B, T, H, D] -> [B, H, T, T]."""
    return np.einsum("bihd,bjhd->bhij", x, y)


def _scalar_decay(g):
    """L_ij = exp(G_i - G_j) for i >= j, else 0, with G = cumsum(g); g [B, T, H] -> [B, H, T, T]."""
    T = g.shape[1]
    G = np.cumsum(g, axis=1).transpose(0, 2, 1)  # [B, H, T]
    diff = G[..., :, None] - G[..., None, :]
    return np.exp(np.where(_tril(T), diff, -np.inf))


def _diagonal_weighted_scores(x, y, g):
    """(A_xy)_ij = sum_d x_id y_jd exp(G_id - G_jd) for i >= j, else 0; G = cumsum(g).

    x, y, g [B, T, H, D] -> [B, H, T, T].
    """
    T = g.shape[1]
    G = np.cumsum(g, axis=1).transpose(0, 2, 1, 3)  # [B, H, T, D]
    diff = G[:, :, :, None, :] - G[:, :, None, :, :]  # [B, H, T(i), T(j), D]
    decay = np.exp(np.where(_tril(T)[..., None], diff, -np.inf))
    return np.einsum("bihd,bjhd,bhijd->bhij", x, y, decay)


def _v_heads(num_v_heads, H):
    Hv = H if num_v_heads is None else int(num_v_heads)
    _check_heads(H, Hv)
    return Hv


def _check_qk_gate(q, k, name, g, trailing, dims):
    """Validate q, k and a gate of shape [B, T, Hv, *trailing]; return q, k expanded to Hv heads, gate."""
    q, k = _check_qk(q, k)
    g = _as_f64(name, g)
    B, T, H, _ = q.shape
    if g.ndim != 3 + len(trailing) or g.shape[:2] != (B, T) or g.shape[3:] != tuple(trailing):
        raise ValueError(f"{name} must have shape [{dims}] with B, T = {(B, T)} as in q, got {g.shape}")
    Hv = g.shape[2]
    _check_heads(H, Hv)
    return _expand_heads(q, Hv), _expand_heads(k, Hv), g


def linear_attn_matrix(q, k, scale=None, num_v_heads=None):
    """``M = scale * tril(Q K^T)`` (diagonal included).  num_v_heads defaults to H."""
    q, k = _check_qk(q, k)
    Hv = _v_heads(num_v_heads, q.shape[2])
    q, k = _expand_heads(q, Hv), _expand_heads(k, Hv)
    T = q.shape[1]
    return _scale(scale, q.shape[3]) * np.where(_tril(T), _scores(q, k), 0.0)


def simple_gla_matrix(q, k, g=None, g_gamma=None, scale=None, num_v_heads=None):
    """``M_ij = scale * q_i.k_j * exp(G_i - G_j)`` for i >= j, ``G_t = g_1 + ... + g_t``.

    With a static decay: ``M_ij = scale * q_i.k_j * exp((i - j) g_gamma)`` (a
    Toeplitz mask).  The number of value heads is taken from g / g_gamma, else
    from num_v_heads (default H).
    """
    if g is not None and g_gamma is not None:
        raise ValueError("simple_gla_matrix takes at most one of g and g_gamma")
    if g is not None:
        q, k, g = _check_qk_gate(q, k, "g", g, (), "B, T, Hv")
        if num_v_heads is not None and int(num_v_heads) != g.shape[2]:
            raise ValueError(f"num_v_heads = {num_v_heads} disagrees with g's {g.shape[2]} heads")
        mask = _scalar_decay(g)
    else:
        q, k = _check_qk(q, k)
        T = q.shape[1]
        if g_gamma is not None:
            g_gamma = _as_f64("g_gamma", g_gamma)
            if g_gamma.ndim != 1:
                raise ValueError(f"g_gamma must have shape [Hv], got {g_gamma.shape}")
            if num_v_heads is not None and int(num_v_heads) != g_gamma.shape[0]:
                raise ValueError(f"num_v_heads = {num_v_heads} disagrees with g_gamma's {g_gamma.shape[0]} heads")
            Hv = _v_heads(g_gamma.shape[0], q.shape[2])
            distance = np.arange(T)[:, None] - np.arange(T)[None, :]  # i - j
            mask = np.exp(np.where(_tril(T), distance * g_gamma[:, None, None], -np.inf))[None]
        else:
            Hv = _v_heads(num_v_heads, q.shape[2])
            mask = _tril(T).astype(np.float64)
        q, k = _expand_heads(q, Hv), _expand_heads(k, Hv)
    return _scale(scale, q.shape[3]) * _scores(q, k) * mask


def gla_matrix(q, k, g, scale=None):
    """``M_ij = scale * sum_d q_id k_jd exp(G_id - G_jd)`` for i >= j; g [B, T, Hv, K]."""
    q, k = _check_qk(q, k)
    q, k, g = _check_qk_gate(q, k, "g", g, (q.shape[3],), "B, T, Hv, K")
    return _scale(scale, q.shape[3]) * _diagonal_weighted_scores(q, k, g)


def _delta_matrix(A_qk, A_kk, beta):
    """``M = tril(A_qk) (I + stril(diag(beta) A_kk))^{-1} diag(beta)``.

    Derivation: every delta family writes ``S_t = D_t S_{t-1} + k_t u_t^T``
    with ``u_t = b_t (v_t - (D_t S_{t-1})^T k_t)`` (D_t the decay).  Unrolling,
    ``S_i = sum_{j<=i} Decay(i<-j) k_j u_j^T``, so
    ``u_i + b_i sum_{j<i} (A_kk)_ij u_j = b_i v_i`` and
    ``o_i = sum_{j<=i} (A_qk)_ij u_j``: a unit lower-triangular solve for U
    (strict triangle) followed by an inclusive lower-triangular product.
    A_qk, A_kk [B, H, T, T] already hold the decays (and scale, for A_qk).
    """
    T = A_qk.shape[-1]
    b = beta.transpose(0, 2, 1)  # [B, H, T]
    lhs = np.eye(T) + np.where(_tril(T, strict=True), b[..., :, None] * A_kk, 0.0)
    rhs = np.eye(T) * b[..., None, :]  # diag(beta)
    return np.where(_tril(T), A_qk, 0.0) @ np.linalg.solve(lhs, rhs)


def delta_rule_matrix(q, k, beta, scale=None):
    """``M = scale * tril(Q K^T) (I + stril(diag(beta) K K^T))^{-1} diag(beta)``; beta [B, T, Hv]."""
    q, k, beta = _check_qk_gate(q, k, "beta", beta, (), "B, T, Hv")
    return _delta_matrix(_scale(scale, q.shape[3]) * _scores(q, k), _scores(k, k), beta)


def gated_delta_rule_matrix(q, k, g, beta, scale=None):
    """``M = scale * tril(Q K^T o L) (I + stril(diag(beta) (K K^T o L)))^{-1} diag(beta)``.

    ``L_ij = exp(G_i - G_j)``, ``G`` the cumulative sum of g; g, beta [B, T, Hv].
    """
    q, k, g = _check_qk_gate(q, k, "g", g, (), "B, T, Hv")
    beta = _check_gate("beta", beta, g.shape, "B, T, Hv")
    L = _scalar_decay(g)
    return _delta_matrix(_scale(scale, q.shape[3]) * _scores(q, k) * L, _scores(k, k) * L, beta)


def kda_matrix(q, k, g, beta, scale=None):
    """``M = scale * A_qk (I + stril(diag(beta) A_kk))^{-1} diag(beta)``.

    ``(A_xy)_ij = sum_d x_id y_jd exp(G_id - G_jd)`` for i >= j (A_qk inclusive,
    A_kk used strictly below the diagonal); g [B, T, Hv, K], beta [B, T, Hv].
    """
    q, k = _check_qk(q, k)
    q, k, g = _check_qk_gate(q, k, "g", g, (q.shape[3],), "B, T, Hv, K")
    beta = _check_gate("beta", beta, g.shape[:3], "B, T, Hv")
    scale = _scale(scale, q.shape[3])
    return _delta_matrix(scale * _diagonal_weighted_scores(q, k, g), _diagonal_weighted_scores(k, k, g), beta)


def ssd_matrix(dt, A, B, C, dt_bias=None, dt_softplus=False):
    """``M_ij = C_i.B_j exp(sum_{l=j+1..i} dt'_l A) dt'_j`` for i >= j, so that ``y - D x = M x``.

    Same operands as :func:`ssd` (minus x and D); returns [B, H, T, T].  The
    segment sums are accumulated directly over (j, i], not as differences of
    prefix sums.
    """
    dt = _as_f64("dt", dt)
    if dt.ndim != 3:
        raise ValueError(f"dt must have shape [B, T, H], got {dt.shape}")
    Bsz, T, H = dt.shape
    x_dummy = np.zeros((Bsz, T, H, 1))
    _, dt, A, Bm, Cm, _ = _check_ssd(x_dummy, dt, A, B, C, None, dt_bias, dt_softplus)
    a = (dt * A).transpose(0, 2, 1)  # log decay per step, [B, H, T]

    segsum = np.full((Bsz, H, T, T), -np.inf)  # segsum[i, j] = sum_{l=j+1..i} a_l, -inf above the diagonal
    for j in range(T):
        segsum[:, :, j, j] = 0.0
        segsum[:, :, j + 1 :, j] = np.cumsum(a[:, :, j + 1 :], axis=-1)

    CB = _scores(_expand_heads(Cm, H), _expand_heads(Bm, H))  # [B, H, T, T]
    return CB * np.exp(segsum) * dt.transpose(0, 2, 1)[:, :, None, :]


def attention_matrix(q, k, causal=True, window=None, scale=None):
    """Row-stochastic attention matrix ``P = rowsoftmax(mask(scale Q K^T))``, [B, Hq, T, T].

    Masked entries are exactly 0; ``o[b, :, h] = P[b, h] @ v[b, :, h // (Hq // Hkv)]``.
    """
    q, k, _ = _check_attention_args(q, k, None, causal, window)
    B, T, Hq, K = q.shape
    mask = _attention_mask(T, causal, window)
    s = np.where(mask, _scale(scale, K) * _scores(q, _expand_heads(k, Hq)), -np.inf)
    p = np.exp(s - s.max(axis=-1, keepdims=True))
    return p / p.sum(axis=-1, keepdims=True)


def lowrank_matrix(q, k, scale=None, num_v_heads=None):
    """``M = scale * Q K^T`` (no mask).  num_v_heads defaults to H."""
    q, k = _check_qk(q, k)
    Hv = _v_heads(num_v_heads, q.shape[2])
    return _scale(scale, q.shape[3]) * _scores(_expand_heads(q, Hv), _expand_heads(k, Hv))
