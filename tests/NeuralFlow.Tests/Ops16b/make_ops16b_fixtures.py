"""Reference values for the issue-16 ops of Ops16b (Where, OneHot with axis, Tile, CumSum/CumProd,
Sort/ArgSort/TopK, Einsum).

Run with /usr/bin/python3 (NumPy, PyTorch 1.13): writes ops16b_fixtures.json beside it.
Forward values from NumPy where NumPy defines the op (np.where, np.tile, np.cumsum, np.sort with
kind="stable", np.einsum); tf.one_hot's axis semantics as np.moveaxis of the last-axis encoding;
gradients of sum(f(inputs) * w) from PyTorch autograd in float64. All values are finite: the
NaN / inf / -0 edge cases are spelled out in the tests themselves.
"""
import json
import os

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(1616)


def rnd(shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, size=shape)


def flat(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def grads(f, arrays):
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = f(*ts)
    w = torch.tensor(rng.uniform(0.5, 1.5, size=tuple(out.shape)))
    (out * w).sum().backward()
    return out.detach().numpy(), w.numpy(), [t.grad.numpy() for t in ts]


def where_cases():
    cases = []
    for cs, xs, ys in [((2, 3), (2, 3), (2, 3)), ((3, 1), (1, 4), (3, 4)), ((4,), (3, 4), ()), ((2, 1, 3), (3,), (2, 1, 1))]:
        c = rng.uniform(size=cs) > 0.5
        x, y = rnd(xs), rnd(ys)
        out, w, (dx, dy) = grads(lambda a, b: torch.where(torch.tensor(c), a, b), [x, y])
        assert np.array_equal(out, np.where(c, x, y))
        cases.append(dict(cond=[bool(v) for v in c.ravel()], cond_shape=list(cs), x=flat(x), x_shape=list(xs),
                          y=flat(y), y_shape=list(ys), out=flat(out), out_shape=list(out.shape), w=flat(w),
                          dx=flat(dx), dy=flat(dy)))
    return cases


def one_hot_cases():
    cases = []
    for idx, depth, axis in [([[0, 2], [1, -1]], 3, -1), ([[0, 2], [1, -1]], 3, 0), ([[0, 2], [1, 5]], 3, 1),
                             ([3, 0, 1], 4, 0), ([[[1]], [[0]]], 2, 2)]:
        i = np.array(idx)
        enc = (i[..., None] == np.arange(depth)).astype(np.float64) * 5.0 + (i[..., None] != np.arange(depth)) * -1.0
        ax = axis if axis >= 0 else i.ndim
        enc = np.moveaxis(enc, -1, ax)
        cases.append(dict(indices=[int(v) for v in i.ravel()], indices_shape=list(i.shape), depth=depth, axis=axis,
                          out=flat(enc), out_shape=list(enc.shape)))
    return cases


def tile_cases():
    cases = []
    for xs, m in [((2, 3), [2, 1]), ((2, 3), [1, 3]), ((3,), [4]), ((2, 1, 2), [2, 3, 1]), ((2, 2), [0, 2]), ((), [])]:
        x = rnd(xs)
        out, w, (dx,) = grads(lambda a: a.repeat(*m) if m else a * 1.0, [x])
        assert np.array_equal(out, np.tile(x, m) if m else x)
        cases.append(dict(x=flat(x), x_shape=list(xs), multiples=m, out=flat(out), out_shape=list(out.shape),
                          w=flat(w), dx=flat(dx)))
    return cases


def cumulative(op, x, axis, exclusive, reverse):
    a = np.flip(x, axis) if reverse else x
    f = np.cumsum if op == "sum" else np.cumprod
    r = f(a, axis=axis)
    if exclusive:
        ident = 0.0 if op == "sum" else 1.0
        shape = list(a.shape)
        shape[axis] = 1
        r = np.concatenate([np.full(shape, ident), np.take(r, range(a.shape[axis] - 1), axis=axis)], axis=axis)
    return np.flip(r, axis) if reverse else r


def torch_cumulative(op, t, axis, exclusive, reverse):
    a = torch.flip(t, [axis]) if reverse else t
    r = torch.cumsum(a, axis) if op == "sum" else torch.cumprod(a, axis)
    if exclusive:
        shape = list(a.shape)
        shape[axis] = 1
        ident = torch.zeros(shape) if op == "sum" else torch.ones(shape)
        r = torch.cat([ident, torch.narrow(r, axis, 0, a.shape[axis] - 1)], axis)
    return torch.flip(r, [axis]) if reverse else r


def cum_cases():
    cases = []
    for op in ["sum", "prod"]:
        for xs, axis in [((5,), 0), ((3, 4), 1), ((3, 4), 0), ((2, 3, 4), 1), ((2, 3, 4), -1)]:
            for exclusive in [False, True]:
                for reverse in [False, True]:
                    x = rnd(xs, 0.5, 1.5) if op == "prod" else rnd(xs)
                    out, w, (dx,) = grads(lambda a: torch_cumulative(op, a, axis, exclusive, reverse), [x])
                    assert np.allclose(out, cumulative(op, x, axis, exclusive, reverse))
                    cases.append(dict(op=op, x=flat(x), x_shape=list(xs), axis=axis, exclusive=exclusive,
                                      reverse=reverse, out=flat(out), w=flat(w), dx=flat(dx)))
    return cases


def sort_cases():
    cases = []
    for xs, axis in [((7,), -1), ((3, 5), -1), ((3, 5), 0), ((2, 3, 4), 1)]:
        x = np.round(rnd(xs) * 2) / 2  # halves: ties on purpose
        for descending in [False, True]:
            t = torch.tensor(x, requires_grad=True)
            v, i = torch.sort(t, dim=axis, descending=descending, stable=True)
            w = rng.uniform(0.5, 1.5, size=x.shape)
            (v * torch.tensor(w)).sum().backward()
            if not descending:
                assert np.array_equal(i.numpy(), np.argsort(x, axis=axis, kind="stable"))
            cases.append(dict(x=flat(x), x_shape=list(xs), axis=axis, descending=descending, values=flat(v.detach()),
                              indices=[int(k) for k in i.numpy().ravel()], w=flat(w), dx=flat(t.grad)))
    return cases


def top_k_cases():
    cases = []
    for xs, k in [((6,), 3), ((3, 5), 2), ((2, 3, 4), 4), ((4,), 0)]:
        x = np.round(rnd(xs) * 2) / 2
        t = torch.tensor(x, requires_grad=True)
        v, i = torch.topk(t, k, dim=-1, largest=True, sorted=True)
        # tf.math.top_k keeps the lower index first among equal values: the stable descending sort.
        sv, si = torch.sort(torch.tensor(x), dim=-1, descending=True, stable=True)
        i = torch.narrow(si, -1, 0, k)
        v = torch.gather(t, -1, i)
        w = rng.uniform(0.5, 1.5, size=tuple(v.shape))
        if v.numel():
            (v * torch.tensor(w)).sum().backward()
        dx = t.grad.numpy() if t.grad is not None else np.zeros_like(x)
        cases.append(dict(x=flat(x), x_shape=list(xs), k=k, values=flat(v.detach()),
                          indices=[int(j) for j in i.numpy().ravel()], w=flat(w), dx=flat(dx)))
    return cases


def einsum_cases():
    cases = []
    specs = [("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]), ("ij->ji", [(2, 3)]),
             ("ij->i", [(2, 3)]), ("ij->", [(2, 3)]), ("i,j->ij", [(3,), (4,)]), ("ij,ij->ij", [(2, 3), (2, 3)]),
             ("i,i->", [(5,), (5,)]), ("bi,ij,bj->b", [(2, 3), (3, 4), (2, 4)]), ("ij,jk", [(2, 3), (3, 2)]),
             ("ba", [(2, 3)]), ("ab", [(2, 3)]), ("...ij,...jk->...ik", [(2, 2, 3), (2, 3, 2)]),
             ("bhqd,bhkd->bhqk", [(1, 2, 3, 4), (1, 2, 2, 4)]), ("ijk->kji", [(2, 3, 4)]), ("i,i->i", [(4,), (4,)]),
             ("ij,kj->ik", [(2, 3), (4, 3)]), ("ijk,k->ij", [(2, 3, 4), (4,)])]
    for eq, shapes in specs:
        xs = [rnd(s) for s in shapes]
        out, w, gs = grads(lambda *ts: torch.einsum(eq, *ts), xs)
        assert np.allclose(out, np.einsum(eq, *xs))
        cases.append(dict(equation=eq, inputs=[flat(x) for x in xs], shapes=[list(s) for s in shapes], out=flat(out),
                          out_shape=list(out.shape), w=flat(w), grads=[flat(g) for g in gs]))
    return cases


data = dict(where=where_cases(), one_hot=one_hot_cases(), tile=tile_cases(), cumulative=cum_cases(), sort=sort_cases(),
            top_k=top_k_cases(), einsum=einsum_cases())
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "ops16b_fixtures.json"), "w") as f:
    json.dump(data, f, indent=0)
