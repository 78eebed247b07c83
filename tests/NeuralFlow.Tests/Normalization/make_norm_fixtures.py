"""Reference values for the normalization tests (NormalizationTests.cs), from PyTorch.

Run from this folder: /usr/bin/python3 make_norm_fixtures.py  (torch 1.13, numpy); it writes
norm_fixtures.json. Batch norm is F.batch_norm (training: the batch's mean and biased variance;
eval: given statistics), with the feature axis moved to PyTorch's axis 1; layer norm is
F.layer_norm over trailing axes (other axes are permuted to the end first). Gradients are of
sum(y * w) for a fixed weight w, with respect to x, gamma and beta. The batch statistics are
x's mean and biased variance (what NF.BatchNormalizationTraining returns and Keras' moving
averages take). The "large" cases round x to float32 first, so that a float32 run sees exactly
the values the float64 reference saw.
"""
import json

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(15)
cases = []


def flat(t):
    return [float(v) for v in np.asarray(t.detach().numpy() if torch.is_tensor(t) else t).reshape(-1)]


def batch_norm_case(name, shape, axis, training, eps=1e-3, center=0.0, spread=1.0, affine=True, f32=False):
    x = rng.uniform(center - spread, center + spread, shape)
    if f32:
        x = x.astype(np.float32).astype(np.float64)
    rank = len(shape)
    axis = axis % rank
    c = shape[axis]
    gamma = rng.uniform(0.5, 1.5, c)
    beta = rng.uniform(-1, 1, c)
    mean = rng.uniform(center - spread, center + spread, c)
    var = rng.uniform(0.1 * spread * spread, spread * spread, c)
    perm = [0, axis] + [d for d in range(1, rank) if d != axis] if axis != 0 else list(range(rank))
    xt = torch.tensor(x, requires_grad=True)
    gt = torch.tensor(gamma, requires_grad=True)
    bt = torch.tensor(beta, requires_grad=True)
    # PyTorch wants [N, C, ...]: the feature axis moved to 1 (axis 0 stands for itself as N=1 batches).
    if axis == 0:
        xp = xt.reshape(1, c, -1)
    else:
        xp = xt.permute(*perm)
    y = F.batch_norm(xp, None if training else torch.tensor(mean), None if training else torch.tensor(var),
                     gt if affine else None, bt if affine else None, training=training, eps=eps)
    if axis == 0:
        y = y.reshape(shape)
    else:
        inv = list(np.argsort(perm))
        y = y.permute(*inv)
    w = torch.tensor(rng.uniform(0.5, 1.5, shape))
    (y * w).sum().backward()
    axes = tuple(d for d in range(rank) if d != axis)
    case = {
        "name": name, "op": "batch_norm", "training": training, "axis": axis, "epsilon": eps, "affine": affine,
        "x": flat(x), "shape": list(shape), "y": flat(y), "w": flat(w), "dx": flat(xt.grad),
        "batch_mean": flat(x.mean(axis=axes)), "batch_variance": flat(x.var(axis=axes)),
    }
    if affine:
        case.update({"gamma": flat(gamma), "beta": flat(beta), "dgamma": flat(gt.grad), "dbeta": flat(bt.grad)})
    if not training:
        case.update({"mean": flat(mean), "variance": flat(var)})
    cases.append(case)


def layer_norm_case(name, shape, axes, eps=1e-3, center=0.0, spread=1.0, affine=True, f32=False):
    x = rng.uniform(center - spread, center + spread, shape)
    if f32:
        x = x.astype(np.float32).astype(np.float64)
    rank = len(shape)
    axes = sorted(a % rank for a in axes)
    pshape = [shape[a] for a in axes]
    gamma = rng.uniform(0.5, 1.5, pshape)
    beta = rng.uniform(-1, 1, pshape)
    perm = [d for d in range(rank) if d not in axes] + axes
    xt = torch.tensor(x, requires_grad=True)
    gt = torch.tensor(gamma, requires_grad=True)
    bt = torch.tensor(beta, requires_grad=True)
    y = F.layer_norm(xt.permute(*perm), pshape, gt if affine else None, bt if affine else None, eps=eps)
    y = y.permute(*list(np.argsort(perm)))
    w = torch.tensor(rng.uniform(0.5, 1.5, shape))
    (y * w).sum().backward()
    case = {
        "name": name, "op": "layer_norm", "axes": axes, "epsilon": eps, "affine": affine,
        "x": flat(x), "shape": list(shape), "y": flat(y), "w": flat(w), "dx": flat(xt.grad), "param_shape": pshape,
    }
    if affine:
        case.update({"gamma": flat(gamma), "beta": flat(beta), "dgamma": flat(gt.grad), "dbeta": flat(bt.grad)})
    cases.append(case)


batch_norm_case("bn_train_dense", (8, 5), -1, True)
batch_norm_case("bn_train_nhwc", (2, 3, 4, 3), -1, True)
batch_norm_case("bn_train_axis1", (3, 4, 5), 1, True)
batch_norm_case("bn_train_no_affine", (6, 4), -1, True, affine=False)
batch_norm_case("bn_train_eps", (4, 2, 2, 5), 3, True, eps=1e-5)
batch_norm_case("bn_eval_nhwc", (2, 3, 3, 4), -1, False)
batch_norm_case("bn_eval_axis1", (3, 4, 2), 1, False)
batch_norm_case("bn_train_large_mean", (64, 3), -1, True, center=1e4, spread=1e-2, f32=True)
batch_norm_case("bn_train_large_mean_nhwc", (4, 5, 5, 2), -1, True, center=-3e4, spread=0.05, f32=True)
layer_norm_case("ln_last", (4, 6), [-1])
layer_norm_case("ln_two_axes", (2, 3, 4), [-2, -1], eps=1e-5)
layer_norm_case("ln_middle_axis", (2, 3, 4), [1])
layer_norm_case("ln_no_affine", (5, 7), [-1], affine=False)
layer_norm_case("ln_large_mean", (6, 40), [-1], center=1e4, spread=1e-2, f32=True)

with open("norm_fixtures.json", "w") as f:
    json.dump({"cases": cases}, f)
print(len(cases), "cases")
