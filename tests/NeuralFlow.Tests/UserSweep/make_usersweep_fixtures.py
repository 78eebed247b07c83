"""Reference values for UserSweep/*Tests.cs: what a TensorFlow/PyTorch user would compute.

Each case names an op (the C# tests map the name to the NeuralFlow call), its inputs (drawn
here with NumPy's seeded generator, so nobody chose them to pass) and the value PyTorch 1.13 or
NumPy gives. Where NeuralFlow follows TensorFlow and TensorFlow differs from NumPy (an integer
mean truncates, uint8 sums wrap), the case computes TensorFlow's rule and says so in "rule".
NaN and infinities are written as the strings "nan", "inf", "-inf".
Run: /usr/bin/python3 make_usersweep_fixtures.py > usersweep_fixtures.json
"""
import json
import numpy as np
import torch

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(20261202)
ops, grads, optim = [], [], []


def enc(a):
    a = np.asarray(a)
    out = []
    for v in a.ravel().tolist():
        if isinstance(v, float) and not np.isfinite(v):
            out.append("nan" if np.isnan(v) else ("inf" if v > 0 else "-inf"))
        else:
            out.append(v)
    return {"values": out, "shape": list(a.shape), "dtype": str(a.dtype)}


def op(name, inputs, expected, rule="numpy"):
    ops.append({"op": name, "inputs": [enc(x) for x in inputs], "expected": enc(expected), "rule": rule})


def f32(shape, lo=-3, hi=3):
    return rng.uniform(lo, hi, shape).astype(np.float32)


def ints(shape, lo=-9, hi=10, dtype=np.int32):
    return rng.integers(lo, hi, shape).astype(dtype)


SPECIAL = np.array([0.0, -0.0, 1.5, -2.5, np.inf, -np.inf, np.nan, 1e-45, -3e38, 3e38], dtype=np.float32)

# --- elementwise on every dtype, with broadcasting corners --------------------------------
for dt in [np.float32, np.float64]:
    s = SPECIAL.astype(dt)
    with np.errstate(all="ignore"):
        op("abs", [s], np.abs(s)); op("negative", [s], -s); op("square", [s], np.square(s))
        op("exp", [s], np.exp(s)); op("sqrt", [s], np.sqrt(s)); op("floor", [s], np.floor(s)); op("ceil", [s], np.ceil(s))
        op("round", [s], np.round(s)); op("relu", [s], torch.relu(torch.from_numpy(s)).numpy())
        op("sigmoid", [s], torch.sigmoid(torch.from_numpy(s)).numpy()); op("tanh", [s], np.tanh(s))
        op("sign", [s], np.sign(s))
        op("elu", [s], torch.nn.functional.elu(torch.from_numpy(s)).numpy(), rule="elu(-inf) = -1 (PyTorch, tf.nn.elu)")
        op("selu", [s], torch.nn.functional.selu(torch.from_numpy(s)).numpy())
        op("relu6", [s], torch.nn.functional.relu6(torch.from_numpy(s)).numpy())
for dt in [np.int32, np.int64]:
    a, b = ints((3, 1), dtype=dt), ints((1, 4), lo=1, hi=6, dtype=dt) * np.array([[1, -1, 1, -1]], dtype=dt)
    op("add", [a, b], a + b); op("subtract", [a, b], a - b); op("multiply", [a, b], a * b)
    op("divide", [a, b], (a / b).astype(np.float32), rule="PyTorch true division: integer operands give float32")
    op("floor_div", [a, b], a // b); op("floor_mod", [a, b], np.mod(a, b)); op("truncate_mod", [a, b], np.fmod(a, b))
    op("maximum", [a, b], np.maximum(a, b)); op("minimum", [a, b], np.minimum(a, b))
    op("pow", [a, np.abs(b)], np.power(a, np.abs(b)))
    op("less", [a, b], a < b); op("equal", [a, a.T[:, :1]], a == a.T[:, :1])
    op("abs", [a], np.abs(a)); op("negative", [a], -a); op("square", [a], a * a); op("sign", [a], np.sign(a))
# An integer base to a negative integer power is an error (TensorFlow, NumPy, and PyTorch for a scalar
# exponent), not a value: KerasFix/IntegerPowTests checks the refusal.
u = ints((5,), lo=0, hi=256, dtype=np.uint8); v = ints((5,), lo=1, hi=256, dtype=np.uint8)
op("add", [u, v], u + v, rule="uint8 wraps (NumPy, TensorFlow, PyTorch)"); op("subtract", [u, v], u - v, rule="uint8 wraps")
op("multiply", [u, v], u * v, rule="uint8 wraps"); op("floor_div", [u, v], u // v); op("floor_mod", [u, v], u % v)
op("maximum", [u, v], np.maximum(u, v))
for dt in [np.float32, np.float64]:
    a, b = f32((2, 1, 3)).astype(dt), f32((4, 1)).astype(dt)
    op("add", [a, b], a + b); op("multiply", [a, b], a * b); op("divide", [a, b], a / b)
    op("floor_div", [a, b], np.floor_divide(a, b)); op("floor_mod", [a, b], np.mod(a, b)); op("truncate_mod", [a, b], np.fmod(a, b))
    with np.errstate(all="ignore"):
        op("pow", [a, b], np.power(a, b).astype(dt), rule="negative base to a fractional power is NaN")
    op("maximum", [a, b], np.maximum(a, b)); op("greater_equal", [a, b], a >= b)
    base = np.array([-2, -2, -8, 0, 0, -0.0, 2], dtype=dt); ex = np.array([2, 3, 1 / 3, -1, 0, -1, 0.5], dtype=dt)
    with np.errstate(all="ignore"):
        op("pow", [base, ex], np.power(base, ex))
    x = np.array([1, np.nan, -np.inf, np.inf], dtype=dt); y = np.array([np.nan, 1, np.inf, np.nan], dtype=dt)
    op("maximum", [x, y], torch.maximum(torch.from_numpy(x), torch.from_numpy(y)).numpy(), rule="NaN propagates (PyTorch, TensorFlow)")
    op("minimum", [x, y], torch.minimum(torch.from_numpy(x), torch.from_numpy(y)).numpy(), rule="NaN propagates (PyTorch, TensorFlow)")
    op("add", [np.zeros((0, 3), dt), np.ones((1, 3), dt)], np.zeros((0, 3), dt))
    s = np.array(2.5, dt); m = f32((2, 3)).astype(dt)
    op("multiply", [s, m], s * m)

# --- clip (min > max: every value becomes max, as NumPy and PyTorch) -------------------------
c = f32((7,))
op("clip", [c, np.float32(1.0), np.float32(-1.0)], np.minimum(np.maximum(c, 1.0), -1.0).astype(np.float32))
op("clip", [c, np.float32(-0.5), np.float32(0.5)], np.clip(c, -0.5, 0.5))

# --- reductions: axes, negative axes, keepdims, NaN/inf, ties, empty, integer dtypes ---------
r = f32((3, 4, 5))
for axes, keep in [((0,), False), ((-1,), True), ((0, 2), False), ((-3, -1), True), (None, False)]:
    ax = axes if axes is not None else None
    op(f"sum{list(axes) if axes else ''}{'k' if keep else ''}", [r], np.sum(r.astype(np.float64), axis=ax, keepdims=keep).astype(np.float32), rule="float32 sum, compared at float32 precision")
    op(f"mean{list(axes) if axes else ''}{'k' if keep else ''}", [r], np.mean(r.astype(np.float64), axis=ax, keepdims=keep).astype(np.float32))
    op(f"max{list(axes) if axes else ''}{'k' if keep else ''}", [r], np.max(r, axis=ax, keepdims=keep))
    op(f"min{list(axes) if axes else ''}{'k' if keep else ''}", [r], np.min(r, axis=ax, keepdims=keep))
nanr = np.array([[1, np.nan, 3], [np.inf, 2, -np.inf], [5, 5, 1]], dtype=np.float32)
for ax in [0, 1]:
    op(f"sum[{ax}]", [nanr], np.sum(nanr, axis=ax)); op(f"mean[{ax}]", [nanr], np.mean(nanr, axis=ax))
    op(f"max[{ax}]", [nanr], torch.amax(torch.from_numpy(nanr), dim=ax).numpy(), rule="NaN propagates")
    op(f"min[{ax}]", [nanr], torch.amin(torch.from_numpy(nanr), dim=ax).numpy(), rule="NaN propagates")
    op(f"prod[{ax}]", [nanr], np.prod(nanr, axis=ax))
    op(f"argmax[{ax}]", [nanr], torch.argmax(torch.from_numpy(nanr), dim=ax).numpy(), rule="NaN is the maximum (PyTorch, NumPy); ties: first index")
    op(f"argmin[{ax}]", [nanr], torch.argmin(torch.from_numpy(nanr), dim=ax).numpy(), rule="NaN is the minimum (PyTorch, NumPy); ties: first index")
ties = np.array([[2, 7, 7, 1], [3, 3, 3, 3], [-1, -5, -5, 0]], dtype=np.float32)
op("argmax[1]", [ties], np.argmax(ties, axis=1)); op("argmin[1]", [ties], np.argmin(ties, axis=1)); op("argmax[0]", [ties], np.argmax(ties, axis=0))
op("argmax[-1]", [ties], np.argmax(ties, axis=-1))
empty = np.zeros((0, 4), np.float32)
op("sum[0]", [empty], np.sum(empty, axis=0)); op("prod[0]", [empty], np.prod(empty, axis=0)); op("sum[1]", [empty], np.sum(empty, axis=1))
op("max[1]", [empty], np.max(empty, axis=1) if empty.shape[0] else np.zeros((0,), np.float32))
with np.errstate(all="ignore"):
    op("mean[0]", [empty], np.mean(empty, axis=0))
ri = ints((4, 5), lo=-50, hi=50)
op("sum[1]", [ri], np.sum(ri, axis=1).astype(np.int32)); op("max[0]", [ri], np.max(ri, axis=0)); op("prod[0]", [ri], np.prod(ri, axis=0).astype(np.int32))
op("mean[1]", [ri], np.trunc(np.sum(ri, axis=1) / 5).astype(np.int32), rule="TensorFlow: an integer mean is the truncated integer quotient")
op("argmax[1]", [ri], np.argmax(ri, axis=1))
op("sum", [np.array([200, 100, 7], np.uint8)], np.array((200 + 100 + 7) % 256, np.uint8), rule="TensorFlow: a uint8 sum stays uint8 and wraps (PyTorch and NumPy widen to int64)")
op("sum", [np.array(3.5, np.float32)], np.float32(3.5))
op("max[0]", [np.array([-np.inf, -np.inf], np.float32)], np.float32(-np.inf))
op("logsumexp[1]", [np.array([[1000, 1000], [-np.inf, -np.inf], [0, -np.inf], [-1000, -1000.5]], np.float32)],
   torch.logsumexp(torch.tensor([[1000, 1000], [-np.inf, -np.inf], [0, -np.inf], [-1000, -1000.5]], dtype=torch.float32), 1).numpy())
# An empty axis: the log of an empty sum is -inf (torch.logsumexp, tf.reduce_logsumexp), not an error.
op("logsumexp[1]", [np.zeros((2, 0), np.float32)], torch.logsumexp(torch.zeros((2, 0), dtype=torch.float32), 1).numpy())
op("softmax", [np.array([[1000, 0, -1000], [-np.inf, 0, 0], [3e38, 3e38, 0]], np.float32)],
   torch.softmax(torch.tensor([[1000, 0, -1000], [-np.inf, 0, 0], [3e38, 3e38, 0]], dtype=torch.float32), -1).numpy())
op("log_softmax", [np.array([[1000, 0, -1000], [-np.inf, 0, 0]], np.float32)],
   torch.log_softmax(torch.tensor([[1000, 0, -1000], [-np.inf, 0, 0]], dtype=torch.float32), -1).numpy())

# --- cumulative, sort, top-k, gather, one-hot, where, concat, pad, tile ------------------------
cs = f32((3, 4))
op("cumsum[1]", [cs], np.cumsum(cs.astype(np.float64), axis=1).astype(np.float32))
op("cumsum[0]excl_rev", [cs], (np.flip(np.cumsum(np.flip(cs.astype(np.float64), 0), 0), 0) - cs).astype(np.float32))
op("cumprod[-1]", [cs], np.cumprod(cs.astype(np.float64), axis=-1).astype(np.float32))
op("cumsum[1]", [ri], np.cumsum(ri, axis=1).astype(np.int32))
st = np.array([[3, 1, 2, 1, np.nan, -np.inf], [0, -0.0, 5, 5, -1, 2]], np.float32)
op("sort", [st], torch.sort(torch.from_numpy(st), dim=-1, stable=True).values.numpy(), rule="NaN sorts last (NumPy, PyTorch)")
op("sort_desc", [st], torch.sort(torch.from_numpy(st), dim=-1, descending=True, stable=True).values.numpy(), rule="descending: NaN first (PyTorch)")
op("argsort", [ties], np.argsort(ties, axis=-1, kind="stable"), rule="stable: ties keep their order")
op("argsort_desc", [ties], np.argsort(-ties, axis=-1, kind="stable"), rule="stable: ties keep their order (TensorFlow's argsort, stable=True)")
op("topk2", [ties], torch.topk(torch.from_numpy(ties), 2).values.numpy())
op("topk2_idx", [ties], np.argsort(-ties, axis=-1, kind="stable")[:, :2], rule="ties: lower index first (TensorFlow's top_k)")
g = f32((4, 3))
idx = np.array([[3, 0], [0, 3], [-4 + 4, 2]], np.int32)
op("gather0", [g, idx], g[idx]); op("gather1", [g, np.array([2, 2, 0], np.int32)], g[:, [2, 2, 0]])
op("gather0", [g, np.array(1, np.int32)], g[1])
op("gather0", [g, np.zeros((0,), np.int32)], g[np.zeros((0,), np.int64)])
oh = np.array([[0, 3], [-1, 4], [2, 1]], np.int32)
op("one_hot4", [oh], np.array([[[1 if k == v else 0 for k in range(4)] for v in row] for row in oh], np.float32), rule="TensorFlow: an index outside [0, depth) gives a row of zeros")
cond = rng.uniform(size=(3, 1)) > 0.5; wa = f32((1, 4)); wb = f32((3, 4))
op("where", [cond, wa, wb], np.where(cond, wa, wb))
ca, cb = f32((2, 0)), f32((2, 3)); op("concat1", [ca, cb], np.concatenate([ca, cb], 1))
ca, cb = f32((2, 3)), f32((2, 3)); op("concat-1", [ca, cb], np.concatenate([ca, cb], -1)); op("stack-1", [ca, cb], np.stack([ca, cb], -1))
pa = f32((3, 4))
op("pad_reflect", [pa], np.pad(pa, [(2, 1), (1, 3)], mode="reflect"))
op("pad_symmetric", [pa], np.pad(pa, [(2, 1), (1, 3)], mode="symmetric"))
op("pad_constant", [pa], np.pad(pa, [(0, 1), (2, 0)], mode="constant", constant_values=-7))
op("tile_2_0", [pa], np.tile(pa, (2, 0)))
op("tile_1_3", [pa[:1]], np.tile(pa[:1], (1, 3)))
op("range_f32", [], np.arange(1.0, 2.0, 0.3, dtype=np.float32)); op("range_i32", [], np.arange(10, -3, -4, dtype=np.int32))
op("cast_f32_i32", [np.array([-2.7, -0.5, 0.5, 2.7, 1e9], np.float32)], np.trunc(np.array([-2.7, -0.5, 0.5, 2.7, 1e9], np.float32)).astype(np.int32), rule="truncation toward zero")
op("cast_i64_f32", [np.array([2**40 + 1, -3], np.int64)], np.array([2**40 + 1, -3], np.int64).astype(np.float32))
op("cast_f32_bool", [np.array([0.0, -0.0, 0.1, np.nan, -np.inf], np.float32)], np.array([0.0, -0.0, 0.1, np.nan, -np.inf], np.float32).astype(bool))
ma, mb = f32((3,)), f32((3, 2)); op("matmul", [ma, mb], (ma.astype(np.float64) @ mb).astype(np.float32))
ma, mb = f32((2, 1, 3, 4)), f32((5, 4, 2)); op("matmul", [ma, mb], (ma.astype(np.float64) @ mb).astype(np.float32))
ma, mb = f32((2, 0)), f32((0, 3)); op("matmul", [ma, mb], ma @ mb)
ma, mb = f32((4,)), f32((4,)); op("matmul", [ma, mb], np.float32(ma.astype(np.float64) @ mb))

# --- gradients against torch.autograd ---------------------------------------------------------
def grad(name, fn, inputs, out_weight=True):
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    y = fn(*ts)
    w = torch.from_numpy(rng.uniform(-1, 1, tuple(y.shape))) if out_weight else torch.ones(())
    gs = torch.autograd.grad((y * w).sum(), ts, allow_unused=True)
    grads.append({"op": name, "inputs": [enc(x) for x in inputs], "weight": enc(w.numpy()), "value": enc(y.detach().numpy()),
                  "grads": [None if gr is None else enc(gr.numpy()) for gr in gs]})


x34 = rng.uniform(-2, 2, (3, 4))
grad("slice", lambda x: x[1:, ::2] * 3 + x[:2, 1:3] ** 2, [x34])
grad("index_row", lambda x: x[-1] * x[0], [x34])
grad("gather_dup", lambda x: x[[2, 0, 2, 2]], [x34])
grad("gather_axis1", lambda x: x[:, [3, 3, 1]], [x34])
grad("concat", lambda a, b: torch.cat([a, b * b], 1), [x34, rng.uniform(-1, 1, (3, 2))])
grad("stack", lambda a, b: torch.stack([a, a * b], 0), [x34, rng.uniform(-1, 1, (3, 4))])
grad("where", lambda a, b: torch.where(a > 0, a * b, b - a), [x34, rng.uniform(-1, 1, (3, 4))])
mt = np.array([[1, 5, 5, 2], [3, 3, 3, 3], [0, -1, 4, 4]], np.float64)
grad("max_ties_axis1", lambda x: torch.amax(x, 1), [mt])
grad("max_ties_all", lambda x: torch.amax(x), [mt])
grad("min_ties_axis0", lambda x: torch.amin(x, 0), [mt])
# TensorFlow's rule for a tie of maximum: the whole gradient to the first operand (x >= y); torch
# splits it in halves. torch.where(a >= b, a, b) gives TensorFlow's rule.
grad("maximum_ties", lambda a, b: torch.where(a >= b, a, b), [mt, np.full((3, 4), 3.0)])
grad("leaky_relu_at_zero", lambda x: torch.nn.functional.leaky_relu(x, 0.2), [np.array([-1.0, 0.0, 0.0, 2.0])])
grad("relu_at_zero", lambda x: torch.relu(x), [np.array([-1.0, 0.0, 2.0])])
grad("abs_at_zero", lambda x: torch.abs(x), [np.array([-1.0, 0.0, 2.0])])
grad("elu_at_zero", lambda x: torch.nn.functional.elu(x), [np.array([-1.0, 0.0, 2.0])])
grad("relu6_at_bounds", lambda x: torch.nn.functional.relu6(x), [np.array([-1.0, 0.0, 3.0, 6.0, 7.0])])
grad("selu_negative", lambda x: torch.nn.functional.selu(x), [np.array([-np.inf, -30.0, -1.0, 2.0])])
grad("clip_at_bounds", lambda x: torch.clamp(x, -1, 1), [np.array([-2, -1, 0, 1, 2.0])])
grad("nonscalar_target", lambda x: x * x * x, [x34])
grad("broadcast", lambda a, b: a * b + a, [rng.uniform(-1, 1, (3, 1)), rng.uniform(-1, 1, (1, 4))])
grad("matmul_vec", lambda a, b: a @ b, [rng.uniform(-1, 1, (4,)), rng.uniform(-1, 1, (4, 3))])
grad("matmul_batch", lambda a, b: a @ b, [rng.uniform(-1, 1, (2, 3, 4)), rng.uniform(-1, 1, (4, 2))])
grad("softmax", lambda x: torch.softmax(x, -1), [x34])
grad("log_softmax", lambda x: torch.log_softmax(x, 0), [x34])
grad("logsumexp", lambda x: torch.logsumexp(x, 1), [x34])
grad("mean_keepdims", lambda x: x.mean(-1, keepdim=True) * x, [x34])
grad("prod_zero", lambda x: torch.prod(x, 1), [np.array([[0, 2, 3], [0, 0, 5], [1, 2, 3]], np.float64)])
grad("cumsum", lambda x: torch.cumsum(x, 1), [x34])
grad("transpose", lambda x: x.t() @ x, [x34])
grad("reshape", lambda x: x.reshape(2, 6) ** 2, [x34])
grad("tile", lambda x: x.repeat(2, 3), [rng.uniform(-1, 1, (2, 2))])
grad("sort", lambda x: torch.sort(x, -1).values, [x34])
grad("topk", lambda x: torch.topk(x, 2).values, [x34])
grad("pow", lambda a, b: a ** b, [np.array([0.0, 0.0, 2.0, 1.5, 0.5]), np.array([2.0, 0.0, 3.0, 0.5, -2.0])])
# A negative base: d/dx only (d/dy needs log x; TensorFlow and NeuralFlow take it as 0 there, torch gives NaN).
grad("pow_neg_base", lambda a: a ** torch.tensor([2.0, 3.0, 0.0, 1.0]), [np.array([-2.0, -1.5, -3.0, -0.5])])
grad("sqrt_div", lambda x: torch.sqrt(x) / (x + 1), [rng.uniform(0.1, 2, (5,))])
grad("split", lambda x: torch.split(x, 2, 1)[1] * 2, [x34])
grad("pad_reflect", lambda x: torch.nn.functional.pad(x[None], (1, 2), mode="reflect")[0], [x34])
grad("sigmoid_ce", lambda x: torch.nn.functional.binary_cross_entropy_with_logits(x, torch.tensor([[1., 0, 1, 0]] * 3), reduction="none"), [x34])
grad("sparse_ce", lambda x: torch.nn.functional.cross_entropy(x, torch.tensor([3, 0, 2]), reduction="none"), [x34])

# --- optimizers: three Keras steps on loss = sum(c * w^2), Keras 3 formulas written out ---------
def keras_steps(name, w0, c, steps=3, **kw):
    w = np.array(w0, np.float64); cc = np.array(c, np.float64)
    state = {}
    traj = []
    for t in range(1, steps + 1):
        gr = 2 * cc * w
        if "clipnorm" in kw:
            gr = gr * kw["clipnorm"] / max(np.linalg.norm(gr), kw["clipnorm"])
        if "clipvalue" in kw:
            gr = np.clip(gr, -kw["clipvalue"], kw["clipvalue"])
        if "weight_decay" in kw:  # Keras 3: decoupled, before the update, scaled by the learning rate
            w = w - w * kw["weight_decay"] * kw.get("lr", 0.001)
        if name == "sgd":
            lr, mom, nest = kw.get("lr", 0.01), kw.get("momentum", 0.0), kw.get("nesterov", False)
            if mom == 0:
                w = w - lr * gr
            else:
                m = state.get("m", np.zeros_like(w)); m = mom * m - lr * gr; state["m"] = m
                w = w + (mom * m - lr * gr if nest else m)
        elif name == "adam":
            lr, b1, b2, eps = kw.get("lr", 0.001), 0.9, 0.999, 1e-7
            m = state.get("m", np.zeros_like(w)); v = state.get("v", np.zeros_like(w))
            m = m + (gr - m) * (1 - b1); v = v + (gr * gr - v) * (1 - b2); state["m"], state["v"] = m, v
            alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            if kw.get("amsgrad"):
                vh = np.maximum(state.get("vh", np.zeros_like(w)), v); state["vh"] = vh
                w = w - alpha * m / (np.sqrt(vh) + eps)
            else:
                w = w - alpha * m / (np.sqrt(v) + eps)
        elif name == "nadam":
            lr, b1, b2, eps = kw.get("lr", 0.001), 0.9, 0.999, 1e-7
            m = state.get("m", np.zeros_like(w)); v = state.get("v", np.zeros_like(w))
            # Keras 3 (keras/src/optimizers/nadam.py): 0.96 ** step; TF 2 had 0.96 ** (0.004 * step).
            u_t = b1 * (1 - 0.5 * 0.96 ** t); u_t1 = b1 * (1 - 0.5 * 0.96 ** (t + 1))
            up_t = state.get("up", 1.0) * u_t; up_t1 = up_t * u_t1; state["up"] = up_t
            m = m + (gr - m) * (1 - b1); v = v + (gr * gr - v) * (1 - b2); state["m"], state["v"] = m, v
            m_hat = u_t1 * m / (1 - up_t1) + (1 - u_t) * gr / (1 - up_t)
            v_hat = v / (1 - b2 ** t)
            w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
        elif name == "adamax":
            lr, b1, b2, eps = kw.get("lr", 0.001), 0.9, 0.999, 1e-7
            m = state.get("m", np.zeros_like(w)); u = state.get("u", np.zeros_like(w))
            m = m + (gr - m) * (1 - b1); u = np.maximum(b2 * u, np.abs(gr)); state["m"], state["u"] = m, u
            w = w - lr / (1 - b1 ** t) * m / (u + eps)
        elif name == "adadelta":
            lr, rho, eps = kw.get("lr", 0.001), 0.95, 1e-7
            ag = state.get("ag", np.zeros_like(w)); ad = state.get("ad", np.zeros_like(w))
            ag = rho * ag + (1 - rho) * gr * gr
            delta = -np.sqrt(ad + eps) / np.sqrt(ag + eps) * gr
            ad = rho * ad + (1 - rho) * delta * delta; state["ag"], state["ad"] = ag, ad
            w = w + lr * delta
        elif name == "rmsprop":
            lr, rho, eps = kw.get("lr", 0.001), 0.9, 1e-7
            v = state.get("v", np.zeros_like(w)); v = rho * v + (1 - rho) * gr * gr; state["v"] = v
            w = w - lr * gr / np.sqrt(v + eps)   # Keras 3: epsilon inside the root
        elif name == "adagrad":
            lr, eps = kw.get("lr", 0.001), 1e-7
            acc = state.get("a", np.full_like(w, 0.1)); acc = acc + gr * gr; state["a"] = acc
            w = w - lr * gr / np.sqrt(acc + eps)
        traj.append(w.tolist())
    optim.append({"optimizer": name, "args": {k: v for k, v in kw.items()}, "w0": list(w0), "c": list(c), "trajectory": traj})


W0, C = [1.0, -2.0, 3.0, 0.5], [1.0, 0.001, 0.0, 30.0]
keras_steps("sgd", W0, C, lr=0.1)
keras_steps("sgd", W0, C, lr=0.1, momentum=0.9)
keras_steps("sgd", W0, C, lr=0.1, momentum=0.9, nesterov=True)
keras_steps("adam", W0, C, lr=0.1)
keras_steps("adam", W0, C)
keras_steps("rmsprop", W0, C, lr=0.1)
keras_steps("adagrad", W0, C, lr=0.1)
keras_steps("adam", W0, C, lr=0.1, amsgrad=True, steps=5)
keras_steps("nadam", W0, C, lr=0.1)
keras_steps("adamax", W0, C, lr=0.1)
keras_steps("adadelta", W0, C, lr=1.0)
keras_steps("sgd", W0, C, lr=0.1, clipnorm=1.0)
keras_steps("sgd", W0, C, lr=0.1, clipvalue=0.5)
keras_steps("adam", W0, C, lr=0.1, weight_decay=0.05)
keras_steps("sgd", W0, C, lr=0.1, momentum=0.9, weight_decay=0.05)

# --- Fit of a Dense model: SGD, batch 4 over 10 examples (a last batch of 2), two epochs ---------
# Keras' epoch loss and accuracy are means over the epoch's examples (each batch weighted by its
# size), taken with the weights before each batch's update; the metric starts afresh each epoch.
fit = []


def fit_case(optimizer, lr, sample_weight=None):
    x = rng.normal(size=(10, 3)); y = rng.integers(0, 3, 10)
    w0 = rng.uniform(-0.5, 0.5, (3, 3)); b0 = rng.uniform(-0.1, 0.1, 3)
    W = torch.tensor(w0, requires_grad=True); B = torch.tensor(b0, requires_grad=True)
    X = torch.tensor(x.astype(np.float32).astype(np.float64)); Y = torch.tensor(y)
    sw = None if sample_weight is None else torch.tensor(sample_weight)
    state = {}
    losses, accs = [], []
    step = 0
    for epoch in range(2):
        tot, acc_sum, n = 0.0, 0.0, 0.0
        for start in range(0, 10, 4):
            xb, yb = X[start:start + 4], Y[start:start + 4]
            logits = xb @ W + B
            per = torch.nn.functional.cross_entropy(logits, yb, reduction="none")
            if sw is None:
                loss = per.mean(); weight = len(yb)
            else:
                wb = sw[start:start + 4]; loss = (per * wb).sum() / len(yb); weight = len(yb)
            correct = (logits.argmax(1) == yb).double()
            tot += loss.item() * weight; n += weight
            acc_sum += correct.sum().item()  # Keras: `metrics=` ignore sample weights (only `weighted_metrics=` use them)
            gW, gB = torch.autograd.grad(loss, [W, B])
            step += 1
            with torch.no_grad():
                for p_, g_ in ((W, gW), (B, gB)):
                    if optimizer == "sgd":
                        p_ -= lr * g_
                    else:  # Keras Adam
                        m, v = state.get((id(p_), "m"), torch.zeros_like(p_)), state.get((id(p_), "v"), torch.zeros_like(p_))
                        m = m + (g_ - m) * 0.1; v = v + (g_ * g_ - v) * 0.001
                        state[(id(p_), "m")], state[(id(p_), "v")] = m, v
                        alpha = lr * np.sqrt(1 - 0.999 ** step) / (1 - 0.9 ** step)
                        p_ -= alpha * m / (torch.sqrt(v) + 1e-7)
        losses.append(tot / n); accs.append(acc_sum / 10)
    fit.append({"optimizer": optimizer, "lr": lr, "x": enc(x.astype(np.float32)), "y": enc(y.astype(np.int32)), "w0": enc(w0.astype(np.float32)),
                "b0": enc(b0.astype(np.float32)), "sample_weight": None if sample_weight is None else enc(np.asarray(sample_weight, np.float32)),
                "loss": losses, "accuracy": accs, "w": enc(W.detach().numpy()), "b": enc(B.detach().numpy())})


fit_case("sgd", 0.1)
fit_case("adam", 0.05)
fit_case("sgd", 0.1, sample_weight=[1, 2, 0, 1, 1, 3, 1, 0.5, 1, 1])

# --- a small CNN (Keras layouts: NHWC input, HWIO kernel, flatten in NHWC order) ------------------
def cnn_case():
    x = rng.normal(size=(3, 7, 6, 2)).astype(np.float32); y = np.array([2, 0, 1])
    k = rng.normal(0, 0.3, (3, 3, 2, 4)).astype(np.float32); kb = rng.normal(0, 0.1, 4).astype(np.float32)
    w = rng.normal(0, 0.3, (2 * 2 * 4, 3)).astype(np.float32); wb = rng.normal(0, 0.1, 3).astype(np.float32)
    K, KB, W, WB = (torch.tensor(a.astype(np.float64), requires_grad=True) for a in (k, kb, w, wb))
    X = torch.tensor(x.astype(np.float64)).permute(0, 3, 1, 2)
    h = torch.relu(torch.nn.functional.conv2d(X, K.permute(3, 2, 0, 1), KB))       # (3, 4, 5, 4)
    h = torch.nn.functional.max_pool2d(h, 2)                                         # (3, 4, 2, 2)
    logits = h.permute(0, 2, 3, 1).reshape(3, -1) @ W + WB
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(y))
    gk, gkb, gw, gwb = torch.autograd.grad(loss, [K, KB, W, WB])
    return {"x": enc(x), "y": enc(y.astype(np.int32)), "kernel": enc(k), "kernel_bias": enc(kb), "dense": enc(w), "dense_bias": enc(wb),
            "logits": enc(logits.detach().numpy()), "loss": loss.item(),
            "grads": [enc(g.numpy()) for g in (gk, gkb, gw, gwb)]}


cnn = cnn_case()

print(json.dumps({"ops": ops, "grads": grads, "optimizers": optim, "fit": fit, "cnn": cnn}, indent=None))
