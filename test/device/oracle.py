"""Inputs and float64 oracle of the GPU correctness cases (test/device/check.py).

Numpy only, so that it runs on the GPU machine (no LLVM there) and here.

* :func:`make_inputs` draws the inputs of one case (a dict from
  ``test/device/build.py``'s manifest) and rounds them to the input dtype
  first: every floating input is returned as float32 holding exactly the
  values the compiled function gets (bf16 values are exactly representable
  in float32), so that the oracle computes on the same numbers.
* :func:`evaluate` is the float64 oracle of a case: ``seqmix.reference``
  (``python/seqmix/reference.py``, the project's token-by-token recurrences)
  for the short cases, and :func:`chunked_scan` for the long ones
  (T = 65536), where the token loop of the reference is far too slow.

:func:`chunked_scan` is an independent float64 evaluation of the same
recurrence, per head and sequence::

    S_t = exp(g_t) S_{t-1} + (dt_t k_t) v_t^T        o_t = scale * S_t^T q_t

unrolled over chunks of C tokens. With G_i = g_1 + ... + g_i counted from the
start of the chunk (so every exponent below is <= 0 for g <= 0)::

    o_i = scale * (sum_{j <= i} exp(G_i - G_j) (q_i . k_j) v_j + exp(G_i) S_prev^T q_i)
    S   = exp(G_C) S_prev + sum_j exp(G_C - G_j) k_j v_j^T

It is written from the recurrence, not from the compiler's lowering (its
chunk, 128, is not the kernels' 64, and it works in float64 throughout);
test/python/test_gpu_oracle.py checks it against ``seqmix.reference`` at
small T.

Families (the ``family`` of a case):

==========  ========================  =====================================
family      decay                     inputs (name: shape)
==========  ========================  =====================================
linear_attn none                      q, k [B,T,H,K]; v [B,T,Hv,V]
retnet      static, log γ per head    + g_gamma [Hv]
simple_gla  scalar per token, head    + g [B,T,Hv]
mamba2      scalar, g = A·dt          x [B,T,Hv,V]; dt, g [B,T,Hv];
                                      Bm, Cm [B,T,H,K] (H = groups); D [Hv]
==========  ========================  =====================================

plus ``s0`` [N,Hv,K,V] (f32, with ``init``) and ``seqlens`` [N+1] (int32,
``packed``: B = 1 and N sequences). States are in the dialect's layout
[N, Hv, K, V] (for Mamba2: [N, H, N_state, P]; Mamba's own is [.., P, N]).
"""
import concurrent.futures
import os
import zlib

import numpy as np

ORACLE_CHUNK = 128


# -----------------------------------------------------------------------------
# bf16 rounding (fast, float32 only)
# -----------------------------------------------------------------------------


def round_bf16(x):
    """Round a float32 array to bf16 (nearest, ties to even); returns float32.

    The bit trick on the float32 pattern: add 0x7FFF plus the lowest kept bit,
    drop the low 16 bits. Exact for finite values (the inputs here are
    finite and far from overflow); test_gpu_oracle.py compares it with
    ``reference.bf16_round``. The reference's version works in float64 with
    frexp/ldexp and is several times slower on the 134M-element inputs of
    the long cases.
    """
    x = np.ascontiguousarray(x, dtype=np.float32)
    u = x.view(np.uint32)
    r = (u + (np.uint32(0x7FFF) + ((u >> np.uint32(16)) & np.uint32(1)))) & np.uint32(0xFFFF0000)
    return r.view(np.float32)


def to_dtype(x, dtype):
    """float32 values of x rounded to the input dtype ('bf16' or 'f32')."""
    x = np.asarray(x, dtype=np.float32)
    return round_bf16(x) if dtype == "bf16" else np.ascontiguousarray(x)


# -----------------------------------------------------------------------------
# inputs
# -----------------------------------------------------------------------------


def seed_of(case_id):
    return zlib.crc32(case_id.encode())


def _normal(rng, shape):
    return rng.standard_normal(shape, dtype=np.float32)


def _logsigmoid(x):
    return -np.logaddexp(0.0, -x)


def _softplus(x):
    return np.logaddexp(0.0, x)


_BASE = {}  # the draws of the last long case: the long cases share them


def _draw_base(fam, rng, B, T, H, Hv, K, V):
    """The large float32 draws of a case, before rounding."""
    if fam == "mamba2":
        x = _normal(rng, (B, T, Hv, V))
        scale = np.float32(K ** -0.25)
        Bm = _normal(rng, (B, T, H, K))
        Bm *= scale
        Cm = _normal(rng, (B, T, H, K))
        Cm *= scale
        return {"x": x, "Bm": Bm, "Cm": Cm}
    q = _normal(rng, (B, T, H, K))
    k = _normal(rng, (B, T, H, K))
    k /= np.maximum(np.sqrt(np.einsum("...i,...i->...", k, k))[..., None], np.float32(1e-6))
    v = _normal(rng, (B, T, Hv, V))
    return {"q": q, "k": k, "v": v}


def _base(case):
    fam = case["family"]
    dims = tuple(case[n] for n in ("B", "T", "H", "Hv", "K", "V"))
    if not case.get("long"):
        return _draw_base(fam, np.random.default_rng(seed_of(case["id"] + ".base")), *dims)
    # Drawing 3 x 134M normals takes seconds: the 4 long cases of a kind
    # (families of q, k, v; Mamba2) x dtype x init draw them once.
    key = "long.%s.%s" % ("mamba2" if fam == "mamba2" else "qkv", ".".join(map(str, dims)))
    if key not in _BASE:
        if len(_BASE) >= 4:  # a few GB each
            _BASE.clear()
        _BASE[key] = _draw_base(fam, np.random.default_rng(seed_of(key)), *dims)
    return _BASE[key]


def make_inputs(case):
    """The inputs of a case by argument name (float32, rounded to the case's
    dtype where the argument has it; int32 seqlens); also the float64 values
    the oracle needs besides them (Mamba2's A) under names starting with '_'.

    Distributions: q, k ~ N(0,1), k L2-normalised per token (not for Mamba2),
    v ~ N(0,1); simple GLA g = logsigmoid(N(0,1)) / 16; RetNet
    log γ_h = log(1 - 2^(-5-h)); Mamba2 dt = softplus(N(0,1) - 1),
    A_h = -exp(U(0, 1.5)), g = A·dt (f32), D ~ N(0,1), B, C ~ N(0,1) / N^(1/4)
    (so that C_t.B_j has unit variance and the scan's part of y is of the
    size of D·x: neither hides the other); s0 ~ N(0,1). Seeded by the case
    id; the long cases share their large draws (q, k, v or x, B, C) per
    kind, before rounding.
    """
    rng = np.random.default_rng(seed_of(case["id"]))
    fam, dt_name = case["family"], case["dtype"]
    B, T, H, Hv, K, V = (case[n] for n in ("B", "T", "H", "Hv", "K", "V"))
    N = len(case["lengths"]) if case["packed"] else B
    x = {name: to_dtype(a, dt_name) for name, a in _base(case).items()}
    if fam == "mamba2":
        dt = _softplus(_normal(rng, (B, T, Hv)).astype(np.float64) - 1.0).astype(np.float32)
        A = -np.exp(rng.uniform(0.0, 1.5, size=Hv))
        x["dt"] = dt
        x["g"] = (A * dt.astype(np.float64)).astype(np.float32)
        x["_A"] = A
        x["D"] = _normal(rng, (Hv,))
    elif fam == "retnet":
        x["g_gamma"] = np.log(1.0 - 2.0 ** (-5.0 - np.arange(Hv))).astype(np.float32)
    elif fam == "simple_gla":
        x["g"] = (_logsigmoid(_normal(rng, (B, T, Hv)).astype(np.float64)) / 16).astype(np.float32)
    elif fam != "linear_attn":
        raise ValueError("unknown family %r" % fam)
    if case["init"]:
        x["s0"] = _normal(rng, (N, Hv, K, V))
    if case["packed"]:
        x["seqlens"] = np.concatenate([[0], np.cumsum(case["lengths"])]).astype(np.int32)
    return x


# -----------------------------------------------------------------------------
# oracle
# -----------------------------------------------------------------------------


def _f64(a):
    return None if a is None else np.asarray(a, dtype=np.float64)


def reference_oracle(case, x, reference):
    """Through ``seqmix.reference`` (the token loops): (o, final) in float64."""
    fam = case["family"]
    cu = x.get("seqlens")
    s0 = _f64(x.get("s0"))
    if fam == "mamba2":
        return _ssd_reference(x, s0, cu, reference)
    kw = dict(initial_state=s0, output_final_state=True, cu_seqlens=cu)
    q, k, v = _f64(x["q"]), _f64(x["k"]), _f64(x["v"])
    if fam == "linear_attn":
        return reference.linear_attn(q, k, v, **kw)
    if fam == "retnet":
        return reference.simple_gla(q, k, v, g_gamma=_f64(x["g_gamma"]), **kw)
    if fam == "simple_gla":
        return reference.simple_gla(q, k, v, g=_f64(x["g"]), **kw)
    raise ValueError("unknown family %r" % fam)


def _ssd_reference(x, s0, cu, reference):
    """Mamba2 through reference.ssd, one call per packed sequence; states
    transposed between Mamba's [.., P, N] and the dialect's [.., N, P]."""
    xs, dt, Bm, Cm = _f64(x["x"]), _f64(x["dt"]), _f64(x["Bm"]), _f64(x["Cm"])
    A, D = x["_A"], _f64(x["D"])
    if cu is None:
        init = None if s0 is None else s0.transpose(0, 1, 3, 2)
        y, fs = reference.ssd(xs, dt, A, Bm, Cm, D=D, initial_state=init, output_final_state=True)
        return y, fs.transpose(0, 1, 3, 2)
    ys, states = [], []
    for n in range(len(cu) - 1):
        sl = slice(int(cu[n]), int(cu[n + 1]))
        init = None if s0 is None else s0[n:n + 1].transpose(0, 1, 3, 2)
        y, fs = reference.ssd(xs[:, sl], dt[:, sl], A, Bm[:, sl], Cm[:, sl], D=D, initial_state=init,
                              output_final_state=True)
        ys.append(y)
        states.append(fs.transpose(0, 1, 3, 2))
    return np.concatenate(ys, axis=1), np.concatenate(states, axis=0)


def chunked_scan(q, k, v, log_decay=None, k_scale=None, scale=None, initial_state=None, cu_seqlens=None,
                 chunk=ORACLE_CHUNK, workers=1):
    """Float64 chunkwise evaluation of S_t = exp(g_t) S_{t-1} + (dt_t k_t) v_t^T, o_t = scale S_t^T q_t.

    q, k [B, T, H, K]; v [B, T, Hv, V] (value head h reads q/k head
    h // (Hv / H)); log_decay, k_scale [B, T, Hv] or None (no decay, no dt);
    initial_state [N, Hv, K, V]; cu_seqlens [N + 1] with B = 1 (packed) or
    None (N = B). Inputs may be float32: each chunk is converted to float64
    as it is used. Heads are independent: `workers` threads take a share of
    them each (numpy's matmul and ufuncs release the GIL). Returns
    (o [B, T, Hv, V], final_state [N, Hv, K, V]).
    """
    B, T, H, K = q.shape
    Hv, V = v.shape[2], v.shape[3]
    if Hv % H:
        raise ValueError("Hv = %d is not a multiple of H = %d" % (Hv, H))
    scale = K ** -0.5 if scale is None else float(scale)
    if cu_seqlens is None:
        seqs = [(b, b, 0, T) for b in range(B)]
    else:
        if B != 1:
            raise ValueError("packed sequences need B = 1")
        cu = [int(c) for c in cu_seqlens]
        seqs = [(n, 0, cu[n], cu[n + 1]) for n in range(len(cu) - 1)]
    N = len(seqs)
    o = np.zeros((B, T, Hv, V))
    final = np.zeros((N, Hv, K, V))
    f64 = lambda a: np.asarray(a, dtype=np.float64)

    def scan(hv):  # value heads hv (an index array), all sequences
        hq = hv // (Hv // H)
        nh = len(hv)
        for n, b, bos, eos in seqs:
            S = np.zeros((nh, K, V)) if initial_state is None else f64(initial_state[n][hv])
            for c0 in range(bos, eos, chunk):
                c1 = min(c0 + chunk, eos)
                L = c1 - c0
                qc = f64(q[b, c0:c1][:, hq]).transpose(1, 0, 2)  # [nh, L, K]
                kc = f64(k[b, c0:c1][:, hq]).transpose(1, 0, 2)  # [nh, L, K]
                vc = f64(v[b, c0:c1][:, hv]).transpose(1, 0, 2)  # [nh, L, V]
                if k_scale is not None:
                    kc = kc * f64(k_scale[b, c0:c1][:, hv]).T[:, :, None]
                g = np.zeros((nh, L)) if log_decay is None else f64(log_decay[b, c0:c1][:, hv]).T
                G = np.cumsum(g, axis=1)  # [nh, L], from the chunk's start
                tril = np.tril(np.ones((L, L), dtype=bool))
                decay = np.exp(np.where(tril, G[:, :, None] - G[:, None, :], -np.inf))  # [nh, L, L]
                scores = np.matmul(qc, kc.transpose(0, 2, 1)) * decay
                oc = np.matmul(scores, vc) + np.matmul(qc * np.exp(G)[:, :, None], S)
                o[b, c0:c1][:, hv] = scale * oc.transpose(1, 0, 2)  # o[b, c0:c1, hv] would put hv first
                last = G[:, -1]
                S = np.exp(last)[:, None, None] * S + np.matmul(
                    (kc * np.exp(last[:, None] - G)[:, :, None]).transpose(0, 2, 1), vc)
            final[n, hv] = S

    parts = [p for p in np.array_split(np.arange(Hv), max(1, min(workers, Hv))) if len(p)]
    if len(parts) == 1:
        scan(parts[0])
    else:
        with concurrent.futures.ThreadPoolExecutor(len(parts)) as pool:
            for f in [pool.submit(scan, p) for p in parts]:
                f.result()
    return o, final


def default_workers():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def chunked_oracle(case, x, chunk=ORACLE_CHUNK, workers=None):
    """The oracle of a case through :func:`chunked_scan`: (o, final) in float64."""
    workers = default_workers() if workers is None else workers
    fam = case["family"]
    cu = x.get("seqlens")
    s0 = x.get("s0")
    if fam == "mamba2":
        A = x["_A"]
        dt = x["dt"]
        B, T, Hv = dt.shape
        # g = dt·A in float64, as reference.ssd forms it (not the f32 gate of the kernel).
        log_decay = dt.astype(np.float64) * A[None, None, :]
        o, final = chunked_scan(x["Cm"], x["Bm"], x["x"], log_decay=log_decay, k_scale=dt, scale=1.0,
                                initial_state=s0, cu_seqlens=cu, chunk=chunk, workers=workers)
        o += _f64(x["D"])[None, None, :, None] * _f64(x["x"])
        return o, final
    log_decay = None
    if fam == "retnet":
        B, T = x["q"].shape[:2]
        log_decay = np.broadcast_to(_f64(x["g_gamma"]), (B, T, x["v"].shape[2]))
    elif fam == "simple_gla":
        log_decay = x["g"]
    elif fam != "linear_attn":
        raise ValueError("unknown family %r" % fam)
    return chunked_scan(x["q"], x["k"], x["v"], log_decay=log_decay, initial_state=s0, cu_seqlens=cu, chunk=chunk,
                        workers=workers)


def evaluate(case, x, reference):
    """(o, final_state) in float64 by the case's oracle (case['oracle']:
    'reference' or 'chunked')."""
    if case.get("oracle", "reference") == "chunked":
        return chunked_oracle(case, x)
    return reference_oracle(case, x, reference)


# -----------------------------------------------------------------------------
# errors
# -----------------------------------------------------------------------------


def rel_l2(got, want):
    """||got - want|| / ||want|| (plain ||got - want|| where want is 0); NaN if
    anything is not finite (an unwritten, NaN-poisoned element)."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        raise ValueError("shape %s, expected %s" % (got.shape, want.shape))
    if not np.all(np.isfinite(got)):
        return float("nan")
    den = np.linalg.norm(want)
    num = np.linalg.norm(got - want)
    return float(num / den) if den > 0 else float(num)
