"""Tests of the float64 reference (python/seqmix/reference.py).

The recurrent (token-loop) implementations are checked against the closed-form
T x T matrices, against each other where one family specialises another, and
for the state plumbing (initial/final states, cu_seqlens).  numpy only.
"""

import numpy as np
import pytest

from seqmix import reference as ref

# Small shapes: grouped value heads (Hv = 2 H), K != V to catch transposes.
B, H, HV, K, V = 2, 2, 4, 5, 3
TS = [1, 7, 13]
RTOL = 1e-12

TOKEN_KEYS = ("q", "k", "v", "g", "gk", "beta")


# -----------------------------------------------------------------------------
# helpers
# -----------------------------------------------------------------------------


def rel_err(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300)


def assert_close(actual, expected, tol=RTOL):
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    err = rel_err(actual, expected)
    assert err < tol, f"relative error {err:.3e} >= {tol:.1e}"


def logsigmoid(x):
    return -np.logaddexp(0.0, -x)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def make_inputs(seed, batch, T, H=H, Hv=HV, K=K, V=V, num_states=None):
    """Random fla-layout inputs; k is L2-normalised, gates negative, beta in (0, 1)."""
    rng = np.random.default_rng(seed)
    k = rng.standard_normal((batch, T, H, K))
    k /= np.linalg.norm(k, axis=-1, keepdims=True)
    return {
        "q": rng.standard_normal((batch, T, H, K)),
        "k": k,
        "v": rng.standard_normal((batch, T, Hv, V)),
        "g": logsigmoid(rng.standard_normal((batch, T, Hv))) / 8,
        "gk": logsigmoid(rng.standard_normal((batch, T, Hv, K))) / 8,
        "beta": sigmoid(rng.standard_normal((batch, T, Hv))),
        "g_gamma": np.log(1.0 - 2.0 ** (-5.0 - np.arange(Hv))),  # RetNet's per-head decays
        "h0": rng.standard_normal((num_states or batch, Hv, K, V)),
    }


def time_slice(d, t0, t1):
    return {name: (a[:, t0:t1] if name in TOKEN_KEYS else a) for name, a in d.items()}


# family -> (recurrent function, matrix function, {keyword: input key})
FAMILIES = {
    "linear_attn": (ref.linear_attn, ref.linear_attn_matrix, {}),
    "simple_gla": (ref.simple_gla, ref.simple_gla_matrix, {"g": "g"}),
    "simple_gla_gamma": (ref.simple_gla, ref.simple_gla_matrix, {"g_gamma": "g_gamma"}),
    "gla": (ref.gla, ref.gla_matrix, {"g": "gk"}),
    "delta_rule": (ref.delta_rule, ref.delta_rule_matrix, {"beta": "beta"}),
    "gated_delta_rule": (ref.gated_delta_rule, ref.gated_delta_rule_matrix, {"g": "g", "beta": "beta"}),
    "kda": (ref.kda, ref.kda_matrix, {"g": "gk", "beta": "beta"}),
}


def run(family, d, **kwargs):
    fn, _, gates = FAMILIES[family]
    return fn(d["q"], d["k"], d["v"], **{kw: d[key] for kw, key in gates.items()}, **kwargs)


def matrix(family, d):
    _, fn, gates = FAMILIES[family]
    extra = {"num_v_heads": d["v"].shape[2]} if family == "linear_attn" else {}
    return fn(d["q"], d["k"], **{kw: d[key] for kw, key in gates.items()}, **extra)


def apply_matrix(M, v):
    """o[b, i, h] = sum_j M[b, h, i, j] v[b, j, h]."""
    return np.einsum("bhij,bjhv->bihv", M, v)


def grouped(x, heads):
    return np.repeat(x, heads // x.shape[2], axis=2)


def channel_gates(family, d):
    """The per-channel log decay [B, T, Hv, K] that each family applies to the state rows."""
    shape = d["gk"].shape
    if family in ("linear_attn", "delta_rule"):
        return np.zeros(shape)
    if family in ("simple_gla", "gated_delta_rule"):
        return np.broadcast_to(d["g"][..., None], shape)
    if family == "simple_gla_gamma":
        return np.broadcast_to(d["g_gamma"][:, None], shape)
    return d["gk"]


# -----------------------------------------------------------------------------
# recurrent form == closed-form matrix
# -----------------------------------------------------------------------------


@pytest.mark.parametrize("T", TS)
@pytest.mark.parametrize("family", FAMILIES)
def test_recurrence_matches_matrix(family, T):
    d = make_inputs(1, B, T)
    o, final = run(family, d)
    assert o.shape == (B, T, HV, V) and o.dtype == np.float64
    assert final is None
    M = matrix(family, d)
    assert M.shape == (B, HV, T, T)
    assert np.all(np.triu(M, 1) == 0.0), "causal matrices must be lower triangular"
    assert_close(o, apply_matrix(M, d["v"]))


@pytest.mark.parametrize("family", ["linear_attn", "simple_gla", "simple_gla_gamma", "gla"])
def test_initial_state_term_closed_form(family):
    # Additive families: o_i = (M V)_i + scale * (Diag(exp(G_i)) S_0)^T q_i.
    T = 7
    d = make_inputs(2, B, T)
    o, _ = run(family, d, initial_state=d["h0"])
    G = np.cumsum(channel_gates(family, d), axis=1)  # [B, T, Hv, K]
    q = grouped(d["q"], HV)
    init_term = K**-0.5 * np.einsum("bthk,bhkv->bthv", q * np.exp(G), d["h0"])
    assert_close(o, apply_matrix(matrix(family, d), d["v"]) + init_term)


@pytest.mark.parametrize("family", FAMILIES)
def test_final_state_closed_form(family):
    # S_T = Diag(exp(G_T)) S_0 + sum_j Diag(exp(G_T - G_j)) k_j u_j^T where u = v for
    # the additive families and, for the delta families (zero S_0),
    # U = (I + stril(diag(beta) A_kk))^{-1} diag(beta) V.
    T = 13
    d = make_inputs(3, B, T)
    delta = "beta" in FAMILIES[family][2]
    h0 = None if delta else d["h0"]
    _, final = run(family, d, initial_state=h0, output_final_state=True)
    assert final.shape == (B, HV, K, V)

    G = np.cumsum(channel_gates(family, d), axis=1)  # [B, T, Hv, K]
    k = grouped(d["k"], HV)
    if delta:
        A_kk = np.einsum("bihd,bjhd,bijhd->bhij", k, k, np.exp(G[:, :, None] - G[:, None, :]))
        b = d["beta"].transpose(0, 2, 1)
        lhs = np.eye(T) + np.tril(b[..., :, None] * A_kk, -1)
        u = np.linalg.solve(lhs, b[..., None] * d["v"].transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3)
        expected = np.zeros((B, HV, K, V))
    else:
        u = d["v"]
        expected = np.exp(G[:, -1])[..., None] * d["h0"]
    expected = expected + np.einsum("bjhk,bjhv->bhkv", k * np.exp(G[:, -1:] - G), u)
    assert_close(final, expected)


def test_linear_attn_final_state_is_KtV():
    d = make_inputs(4, B, 7)
    _, final = ref.linear_attn(d["q"], d["k"], d["v"], output_final_state=True)
    assert_close(final, np.einsum("bthk,bthv->bhkv", grouped(d["k"], HV), d["v"]))


# -----------------------------------------------------------------------------
# state plumbing: initial state, splits, cu_seqlens
# -----------------------------------------------------------------------------


@pytest.mark.parametrize("split", [1, 5, 12])
@pytest.mark.parametrize("family", FAMILIES)
def test_split_with_initial_state(family, split):
    T = 13
    d = make_inputs(5, B, T)
    o, final = run(family, d, initial_state=d["h0"], output_final_state=True)
    o1, s1 = run(family, time_slice(d, 0, split), initial_state=d["h0"], output_final_state=True)
    o2, s2 = run(family, time_slice(d, split, T), initial_state=s1, output_final_state=True)
    assert_close(np.concatenate([o1, o2], axis=1), o)
    assert_close(s2, final)


@pytest.mark.parametrize("cu", [[0, 5, 6, 13], [0, 4, 4, 13]])
@pytest.mark.parametrize("family", FAMILIES)
def test_cu_seqlens_matches_separate_sequences(family, cu):
    T = cu[-1]
    N = len(cu) - 1
    d = make_inputs(6, 1, T, num_states=N)
    o, final = run(family, d, initial_state=d["h0"], output_final_state=True, cu_seqlens=np.array(cu))
    assert final.shape == (N, HV, K, V)
    for n in range(N):
        part = time_slice(d, cu[n], cu[n + 1])
        o_n, s_n = run(family, part, initial_state=d["h0"][n : n + 1], output_final_state=True)
        np.testing.assert_allclose(o[:, cu[n] : cu[n + 1]], o_n, rtol=0, atol=0)
        np.testing.assert_allclose(final[n : n + 1], s_n, rtol=0, atol=0)
    # Without cu_seqlens the state would leak from one sequence into the next.
    o_packed, _ = run(family, d, initial_state=d["h0"][:1])
    assert rel_err(o_packed[:, cu[1] :], o[:, cu[1] :]) > 1e-6


@pytest.mark.parametrize("family", FAMILIES)
def test_cu_seqlens_zero_initial_state_and_empty_sequence(family):
    cu = np.array([0, 3, 3, 9])
    d = make_inputs(7, 1, 9)
    _, final = run(family, d, output_final_state=True, cu_seqlens=cu)
    assert final.shape == (3, HV, K, V)
    assert np.all(final[1] == 0.0)  # the empty sequence keeps its (zero) initial state


def test_empty_sequence_T0_returns_initial_state():
    d = make_inputs(8, B, 0)
    o, final = ref.gated_delta_rule(d["q"], d["k"], d["v"], d["g"], d["beta"], initial_state=d["h0"], output_final_state=True)
    assert o.shape == (B, 0, HV, V)
    assert_close(final, d["h0"])


def test_float32_inputs_give_float64_results():
    d = make_inputs(9, B, 7)
    d32 = {name: a.astype(np.float32) for name, a in d.items()}
    o32, s32 = ref.kda(d32["q"], d32["k"], d32["v"], d32["gk"], d32["beta"], output_final_state=True)
    assert o32.dtype == np.float64 and s32.dtype == np.float64
    # Same values as the float64 run on the float32-rounded inputs.
    d64 = {name: a.astype(np.float64) for name, a in d32.items()}
    o64, _ = ref.kda(d64["q"], d64["k"], d64["v"], d64["gk"], d64["beta"])
    np.testing.assert_array_equal(o32, o64)


def test_scale_argument():
    d = make_inputs(10, B, 7)
    o_default, _ = run("gated_delta_rule", d)
    o_scaled, _ = run("gated_delta_rule", d, scale=3.0)
    assert_close(o_scaled, o_default * 3.0 / K**-0.5)


# -----------------------------------------------------------------------------
# specialisations between families
# -----------------------------------------------------------------------------


@pytest.mark.parametrize("T", TS)
def test_simple_gla_g_gamma_equals_broadcast_g(T):
    d = make_inputs(11, B, T)
    g = np.broadcast_to(d["g_gamma"], (B, T, HV))
    o1, s1 = ref.simple_gla(d["q"], d["k"], d["v"], g_gamma=d["g_gamma"], initial_state=d["h0"], output_final_state=True)
    o2, s2 = ref.simple_gla(d["q"], d["k"], d["v"], g=g, initial_state=d["h0"], output_final_state=True)
    assert_close(o1, o2)
    assert_close(s1, s2)
    # The Toeplitz closed form agrees with the cumulative-sum one.
    assert_close(ref.simple_gla_matrix(d["q"], d["k"], g_gamma=d["g_gamma"]), ref.simple_gla_matrix(d["q"], d["k"], g=g))


def test_simple_gla_without_decay_is_linear_attn():
    d = make_inputs(12, B, 13)
    o_lin, s_lin = ref.linear_attn(d["q"], d["k"], d["v"], initial_state=d["h0"], output_final_state=True)
    for kwargs in ({"g": np.zeros((B, 13, HV))}, {"g_gamma": np.zeros(HV)}, {}):
        o, s = ref.simple_gla(d["q"], d["k"], d["v"], initial_state=d["h0"], output_final_state=True, **kwargs)
        assert_close(o, o_lin)
        assert_close(s, s_lin)


def test_gla_with_channel_constant_gate_is_simple_gla():
    d = make_inputs(13, B, 13)
    gk = np.broadcast_to(d["g"][..., None], (B, 13, HV, K))
    o1, s1 = ref.gla(d["q"], d["k"], d["v"], gk, initial_state=d["h0"], output_final_state=True)
    o2, s2 = ref.simple_gla(d["q"], d["k"], d["v"], g=d["g"], initial_state=d["h0"], output_final_state=True)
    assert_close(o1, o2)
    assert_close(s1, s2)


def test_gated_delta_rule_without_decay_is_delta_rule():
    d = make_inputs(14, B, 13)
    o1, s1 = ref.gated_delta_rule(d["q"], d["k"], d["v"], np.zeros((B, 13, HV)), d["beta"], initial_state=d["h0"], output_final_state=True)
    o2, s2 = ref.delta_rule(d["q"], d["k"], d["v"], d["beta"], initial_state=d["h0"], output_final_state=True)
    assert_close(o1, o2)
    assert_close(s1, s2)


def test_kda_with_channel_constant_gate_is_gated_delta_rule():
    d = make_inputs(15, B, 13)
    gk = np.broadcast_to(d["g"][..., None], (B, 13, HV, K))
    o1, s1 = ref.kda(d["q"], d["k"], d["v"], gk, d["beta"], initial_state=d["h0"], output_final_state=True)
    o2, s2 = ref.gated_delta_rule(d["q"], d["k"], d["v"], d["g"], d["beta"], initial_state=d["h0"], output_final_state=True)
    assert_close(o1, o2)
    assert_close(s1, s2)


def test_delta_rule_with_zero_beta_keeps_state():
    d = make_inputs(16, B, 7)
    o, s = ref.delta_rule(d["q"], d["k"], d["v"], np.zeros((B, 7, HV)), initial_state=d["h0"], output_final_state=True)
    assert_close(s, d["h0"])
    assert_close(o, K**-0.5 * np.einsum("bthk,bhkv->bthv", grouped(d["q"], HV), d["h0"]))


def test_delta_rule_with_unit_beta_stores_the_value():
    # With beta = 1 and a unit key, S_t^T k_t = v_t exactly (the memory is overwritten).
    d = make_inputs(17, B, 7)
    _, s = ref.delta_rule(d["q"], d["k"], d["v"], np.ones((B, 7, HV)), initial_state=d["h0"], output_final_state=True)
    k_last = grouped(d["k"], HV)[:, -1]
    assert_close(np.einsum("bhkv,bhk->bhv", s, k_last), d["v"][:, -1])


# -----------------------------------------------------------------------------
# Mamba2 SSD
# -----------------------------------------------------------------------------

SSD_H, SSD_G, SSD_P, SSD_N = 4, 2, 3, 5


def make_ssd_inputs(seed, batch, T, D_shape="H"):
    rng = np.random.default_rng(seed)
    D = {"H": rng.standard_normal(SSD_H), "HP": rng.standard_normal((SSD_H, SSD_P)), None: None}[D_shape]
    return {
        "x": rng.standard_normal((batch, T, SSD_H, SSD_P)),
        "dt": rng.standard_normal((batch, T, SSD_H)),
        "A": -np.exp(rng.uniform(-1.0, 1.0, SSD_H)),
        "B": rng.standard_normal((batch, T, SSD_G, SSD_N)),
        "C": rng.standard_normal((batch, T, SSD_G, SSD_N)),
        "D": D,
        "dt_bias": rng.uniform(-2.0, 0.0, SSD_H),
        "dt_softplus": True,
        "initial_state": rng.standard_normal((batch, SSD_H, SSD_P, SSD_N)),
    }


def effective_dt(s):
    return np.logaddexp(0.0, s["dt"] + s["dt_bias"])


def ssd_skip(s):
    if s["D"] is None:
        return 0.0
    D = s["D"][:, None] if s["D"].ndim == 1 else s["D"]
    return D * s["x"]


@pytest.mark.parametrize("T", TS)
@pytest.mark.parametrize("D_shape", ["H", "HP", None])
def test_ssd_matches_matrix(T, D_shape):
    s = make_ssd_inputs(20, B, T, D_shape)
    s["initial_state"] = None
    y, final = ref.ssd(**s)
    assert y.shape == (B, T, SSD_H, SSD_P) and final is None
    M = ref.ssd_matrix(s["dt"], s["A"], s["B"], s["C"], dt_bias=s["dt_bias"], dt_softplus=True)
    assert M.shape == (B, SSD_H, T, T)
    assert_close(y - ssd_skip(s), apply_matrix(M, s["x"]))


@pytest.mark.parametrize("T", TS)
@pytest.mark.parametrize("D_shape", ["H", "HP"])
def test_ssd_is_simple_gla_with_mamba_mapping(T, D_shape):
    # q = C, k = B (groups as q/k heads), v = dt' x, g = A dt', scale = 1, + D x;
    # SSD states are [B, H, P, N], fla's [B, H, K=N, V=P].
    s = make_ssd_inputs(21, B, T, D_shape)
    y, final = ref.ssd(**s, output_final_state=True)
    dt = effective_dt(s)
    o, final_gla = ref.simple_gla(
        s["C"], s["B"], s["x"] * dt[..., None], g=s["A"] * dt, scale=1.0,
        initial_state=s["initial_state"].transpose(0, 1, 3, 2), output_final_state=True,
    )
    assert_close(y, o + ssd_skip(s))
    assert_close(final, final_gla.transpose(0, 1, 3, 2))


def test_ssd_without_softplus_or_bias():
    s = make_ssd_inputs(22, B, 7)
    s.update(dt=np.random.default_rng(0).uniform(0.01, 0.5, (B, 7, SSD_H)), dt_bias=None, dt_softplus=False, initial_state=None)
    y, _ = ref.ssd(**s)
    M = ref.ssd_matrix(s["dt"], s["A"], s["B"], s["C"])
    assert_close(y - ssd_skip(s), apply_matrix(M, s["x"]))


def test_ssd_split_with_initial_state():
    T, split = 13, 6
    s = make_ssd_inputs(23, B, T)
    y, final = ref.ssd(**s, output_final_state=True)
    first = {n: (a[:, :split] if n in ("x", "dt", "B", "C") else a) for n, a in s.items()}
    second = {n: (a[:, split:] if n in ("x", "dt", "B", "C") else a) for n, a in s.items()}
    y1, s1 = ref.ssd(**first, output_final_state=True)
    second["initial_state"] = s1
    y2, s2 = ref.ssd(**second, output_final_state=True)
    assert_close(np.concatenate([y1, y2], axis=1), y)
    assert_close(s2, final)


# -----------------------------------------------------------------------------
# softmax attention and non-causal low rank
# -----------------------------------------------------------------------------

ATT_HQ, ATT_HKV = 4, 2


def make_attention_inputs(seed, T, Hq=ATT_HQ, Hkv=ATT_HKV):
    rng = np.random.default_rng(seed)
    return (
        rng.standard_normal((B, T, Hq, K)),
        rng.standard_normal((B, T, Hkv, K)),
        rng.standard_normal((B, T, Hkv, V)),
    )


@pytest.mark.parametrize("T", TS)
@pytest.mark.parametrize("causal, window", [(True, None), (True, 1), (True, 4), (False, None)])
def test_attention_matches_matrix(T, causal, window):
    q, k, v = make_attention_inputs(30, T)
    o, state = ref.attention(q, k, v, causal=causal, window=window)
    assert state is None and o.shape == (B, T, ATT_HQ, V)
    P = ref.attention_matrix(q, k, causal=causal, window=window)
    assert P.shape == (B, ATT_HQ, T, T)
    assert_close(o, apply_matrix(P, grouped(v, ATT_HQ)))
    # Rows are probability distributions supported exactly on the allowed keys.
    np.testing.assert_allclose(P.sum(axis=-1), 1.0, rtol=0, atol=1e-14)
    i, j = np.arange(T)[:, None], np.arange(T)[None, :]
    allowed = np.ones((T, T), dtype=bool)
    if causal:
        allowed &= j <= i
    if window is not None:
        allowed &= j > i - window
    assert np.all(P[..., ~allowed] == 0.0)
    assert np.all(P[..., allowed] > 0.0)


@pytest.mark.parametrize("T", TS)
def test_attention_window_covering_everything_is_causal(T):
    q, k, v = make_attention_inputs(31, T)
    o_causal, _ = ref.attention(q, k, v)
    for window in (T, T + 3):
        o_window, _ = ref.attention(q, k, v, window=window)
        assert_close(o_window, o_causal)


def test_attention_window_one_returns_own_value():
    q, k, v = make_attention_inputs(32, 7)
    o, _ = ref.attention(q, k, v, window=1)
    assert_close(o, grouped(v, ATT_HQ))


def test_attention_gqa_equals_repeated_kv():
    q, k, v = make_attention_inputs(33, 13)
    o_gqa, _ = ref.attention(q, k, v)
    o_mha, _ = ref.attention(q, grouped(k, ATT_HQ), grouped(v, ATT_HQ))
    assert_close(o_gqa, o_mha)
    # Query heads 0, 1 share kv head 0: with equal queries they give equal outputs.
    q[:, :, 1] = q[:, :, 0]
    o, _ = ref.attention(q, k, v)
    assert_close(o[:, :, 1], o[:, :, 0])


def test_attention_is_stable_for_large_logits():
    q, k, v = make_attention_inputs(34, 13)
    o, _ = ref.attention(q * 1e4, k, v, causal=False)
    P = ref.attention_matrix(q * 1e4, k, causal=False)
    assert np.all(np.isfinite(o)) and np.all(np.isfinite(P))
    assert_close(o, apply_matrix(P, grouped(v, ATT_HQ)))


@pytest.mark.parametrize("T", TS)
def test_lowrank(T):
    d = make_inputs(35, B, T)
    o, state = ref.lowrank(d["q"], d["k"], d["v"], scale=0.7)
    assert state is None
    q, k = grouped(d["q"], HV), grouped(d["k"], HV)
    expected = 0.7 * np.einsum("bihd,bjhd,bjhv->bihv", q, k, d["v"])
    assert_close(o, expected)
    M = ref.lowrank_matrix(d["q"], d["k"], scale=0.7, num_v_heads=HV)
    assert_close(o, apply_matrix(M, d["v"]))
    # The causal part of the low-rank matrix is linear attention's matrix.
    assert_close(np.tril(M), ref.linear_attn_matrix(d["q"], d["k"], scale=0.7, num_v_heads=HV))


# -----------------------------------------------------------------------------
# bf16 helpers
# -----------------------------------------------------------------------------


def bf16_round_bit_trick(x32):
    """Textbook float32 -> bf16 round-to-nearest-even on the bit pattern (finite inputs)."""
    bits = x32.view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return rounded.astype(np.uint32).view(np.float32)


def test_bf16_round_matches_bit_trick_on_all_float32_classes():
    rng = np.random.default_rng(40)
    x = rng.integers(0, 2**32, size=200_000, dtype=np.uint64).astype(np.uint32).view(np.float32)
    x = x[~np.isnan(x)]  # normals, subnormals, zeros, infinities, near-overflow values
    np.testing.assert_array_equal(ref.bf16_round(x).view(np.uint32), bf16_round_bit_trick(x).view(np.uint32))


def test_bf16_round_ties_overflow_subnormals_nan():
    one_ulp = 2.0**-7
    cases = {
        1.0 + one_ulp / 2: 1.0,  # tie -> even (down)
        1.0 + 3 * one_ulp / 2: 1.0 + 2 * one_ulp,  # tie -> even (up)
        -(1.0 + one_ulp / 2): -1.0,
        float.fromhex("0x1.fep127"): float.fromhex("0x1.fep127"),  # largest bf16
        float.fromhex("0x1.ffp127"): np.inf,  # tie between max and 2^128 -> overflow
        2.0**-133: 2.0**-133,  # smallest bf16 subnormal
        2.0**-134: 0.0,  # tie -> even (zero)
        3 * 2.0**-134: 2 * 2.0**-133,
    }
    for x, expected in cases.items():
        assert ref.bf16_round(np.array([x]))[0] == np.float32(expected), x
    assert np.isnan(ref.bf16_round(np.array([np.nan]))[0])
    assert np.all(ref.bf16_round(np.array([np.inf, -np.inf])) == np.array([np.inf, -np.inf], dtype=np.float32))
    r = ref.bf16_round(np.array([-0.0]))
    assert r[0] == 0.0 and np.signbit(r[0])


def test_bf16_round_float64_rounds_once():
    # 1 + 2^-8 + 2^-40 lies just above the tie between 1 and 1 + 2^-7; rounding
    # to float32 first would land on the tie and then go down to 1.
    x = np.array([1.0 + 2.0**-8 + 2.0**-40])
    assert ref.bf16_round(x)[0] == np.float32(1.0 + 2.0**-7)
    assert ref.bf16_round(x.astype(np.float32))[0] == np.float32(1.0)


def test_bf16_bits_roundtrip():
    all_bits = np.arange(2**16, dtype=np.uint32).astype(np.uint16)
    values = ref.from_bf16_bits(all_bits)
    assert values.dtype == np.float32 and values.shape == all_bits.shape
    finite_or_inf = ~np.isnan(values)
    np.testing.assert_array_equal(ref.bf16_bits(values)[finite_or_inf], all_bits[finite_or_inf])
    assert np.all(np.isnan(ref.from_bf16_bits(ref.bf16_bits(values[~finite_or_inf]))))
    x = np.random.default_rng(41).standard_normal((3, 4))
    assert ref.bf16_bits(x).dtype == np.uint16 and ref.bf16_bits(x).shape == (3, 4)
    np.testing.assert_array_equal(ref.from_bf16_bits(ref.bf16_bits(x)), ref.bf16_round(x))
    assert ref.from_bf16_bits(np.array([0x3F80], dtype=np.uint16))[0] == 1.0


# -----------------------------------------------------------------------------
# bad arguments
# -----------------------------------------------------------------------------


def _bad_calls():
    d = make_inputs(50, B, 7)
    d1 = make_inputs(51, 1, 7)
    q, k, v, g, gk, beta, h0 = (d[n] for n in ("q", "k", "v", "g", "gk", "beta", "h0"))
    s = make_ssd_inputs(52, B, 7)
    aq, ak, av = make_attention_inputs(53, 7)
    return {
        "cu_seqlens with B > 1": lambda: ref.linear_attn(q, k, v, cu_seqlens=np.array([0, 3, 7])),
        "cu_seqlens not ending at T": lambda: ref.linear_attn(d1["q"], d1["k"], d1["v"], cu_seqlens=np.array([0, 3, 6])),
        "cu_seqlens not starting at 0": lambda: ref.linear_attn(d1["q"], d1["k"], d1["v"], cu_seqlens=np.array([1, 3, 7])),
        "cu_seqlens decreasing": lambda: ref.linear_attn(d1["q"], d1["k"], d1["v"], cu_seqlens=np.array([0, 5, 3, 7])),
        "cu_seqlens float": lambda: ref.linear_attn(d1["q"], d1["k"], d1["v"], cu_seqlens=np.array([0.0, 7.0])),
        "cu_seqlens 2-D": lambda: ref.linear_attn(d1["q"], d1["k"], d1["v"], cu_seqlens=np.array([[0, 7]])),
        "cu_seqlens too short": lambda: ref.linear_attn(d1["q"], d1["k"], d1["v"], cu_seqlens=np.array([0])),
        "initial_state N vs cu_seqlens": lambda: ref.linear_attn(d1["q"], d1["k"], d1["v"], initial_state=d1["h0"], cu_seqlens=np.array([0, 3, 7])),
        "initial_state wrong shape": lambda: ref.delta_rule(q, k, v, beta, initial_state=h0.transpose(0, 1, 3, 2)),
        "Hv not a multiple of H": lambda: ref.linear_attn(q, k, v[:, :, :3]),
        "k shape differs": lambda: ref.linear_attn(q, k[..., :4], v),
        "v length differs": lambda: ref.linear_attn(q, k, v[:, :6]),
        "q not 4-D": lambda: ref.linear_attn(q[0], k[0], v[0]),
        "g and g_gamma": lambda: ref.simple_gla(q, k, v, g=g, g_gamma=d["g_gamma"]),
        "simple_gla g per channel": lambda: ref.simple_gla(q, k, v, g=gk),
        "gla scalar gate": lambda: ref.gla(q, k, v, g),
        "beta wrong shape": lambda: ref.delta_rule(q, k, v, beta[..., :2]),
        "gdn diag gate": lambda: ref.gated_delta_rule(q, k, v, gk, beta),
        "kda scalar gate": lambda: ref.kda(q, k, v, g, beta),
        "uint16 bf16 bits as input": lambda: ref.linear_attn(ref.bf16_bits(q), k, v),
        "integer input": lambda: ref.linear_attn(q.astype(np.int64), k, v),
        "ssd H not multiple of G": lambda: ref.ssd(s["x"][:, :, :3], s["dt"][:, :, :3], s["A"][:3], s["B"], s["C"]),
        "ssd D wrong shape": lambda: ref.ssd(s["x"], s["dt"], s["A"], s["B"], s["C"], D=np.ones(SSD_P)),
        "ssd A wrong shape": lambda: ref.ssd(s["x"], s["dt"], s["A"][:2], s["B"], s["C"]),
        "ssd C differs from B": lambda: ref.ssd(s["x"], s["dt"], s["A"], s["B"], s["C"][..., :4]),
        "ssd initial_state fla layout": lambda: ref.ssd(s["x"], s["dt"], s["A"], s["B"], s["C"], initial_state=s["initial_state"].transpose(0, 1, 3, 2)),
        "attention window non-causal": lambda: ref.attention(aq, ak, av, causal=False, window=3),
        "attention window zero": lambda: ref.attention(aq, ak, av, window=0),
        "attention window float": lambda: ref.attention(aq, ak, av, window=2.5),
        "attention Hq not multiple of Hkv": lambda: ref.attention(aq[:, :, :3], ak, av),
        "attention v heads differ": lambda: ref.attention(aq, ak, av[:, :, :1]),
        "lowrank Hv not multiple of H": lambda: ref.lowrank(q, k, v[:, :, :3]),
        "matrix g and g_gamma": lambda: ref.simple_gla_matrix(q, k, g=g, g_gamma=d["g_gamma"]),
        "matrix num_v_heads": lambda: ref.linear_attn_matrix(q, k, num_v_heads=3),
        "matrix num_v_heads vs g": lambda: ref.simple_gla_matrix(q, k, g=g, num_v_heads=2),
        "from_bf16_bits of floats": lambda: ref.from_bf16_bits(np.ones(3)),
        "bf16_round of integers": lambda: ref.bf16_round(np.ones(3, dtype=np.int32)),
    }


BAD_CALLS = _bad_calls()


@pytest.mark.parametrize("case", BAD_CALLS)
def test_bad_arguments_raise_value_error(case):
    with pytest.raises(ValueError):
        BAD_CALLS[case]()
