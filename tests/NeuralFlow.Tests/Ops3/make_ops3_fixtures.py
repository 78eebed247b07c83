"""Reference values for the Ops3 tests (tf.* ops NF gained: trig, matrix, clip, select, scatter/gather, rearrange).

Forward values from NumPy/PyTorch 1.13 in float64; gradients are PyTorch's of sum(f(x) * w).
TensorFlow's clip_by_norm / clip_by_global_norm are written out with its own formula (no
TensorFlow here), so their values and gradients are those of TensorFlow's graph.
Run: /usr/bin/python3 make_ops3_fixtures.py > ops3_fixtures.json
"""
import json
import numpy as np
import torch

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(3)
cases = []


def case(name, f, inputs, diff=None, extra=None):
    """f maps torch tensors to one tensor; diff: which inputs are differentiable (default all float)."""
    ts = []
    for i, a in enumerate(inputs):
        a = np.asarray(a)
        want = a.dtype.kind == 'f' and (diff is None or i in diff)
        ts.append(torch.tensor(a, requires_grad=want))
    out = f(*ts)
    w = rng.uniform(0.5, 1.5, size=out.shape)
    grads = []
    if any(t.requires_grad for t in ts) and out.dtype.is_floating_point:
        (out * torch.tensor(w)).sum().backward()
        grads = [(t.grad.numpy().ravel().tolist() if t.grad is not None else []) if t.requires_grad else [] for t in ts]
    cases.append(dict(name=name, inputs=[np.asarray(a, dtype=np.float64).ravel().tolist() for a in inputs],
                      shapes=[list(np.shape(a)) for a in inputs], out=out.detach().numpy().astype(np.float64).ravel().tolist(),
                      out_shape=list(out.shape), w=w.ravel().tolist(), grads=grads, **(extra or {})))


def u(shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, size=shape)


# Trigonometric and hyperbolic functions: values across their domains, gradients inside them.
case('tan', torch.tan, [u([3, 4], -1.4, 1.4)])
case('atan', torch.atan, [np.concatenate([u([8], -3, 3), [-40.0, 0.5, 0.7, 2.5, 1e-3, -1e5]])])
case('asin', torch.asin, [u([2, 5], -0.95, 0.95)])
case('acos', torch.acos, [u([2, 5], -0.95, 0.95)])
case('sinh', torch.sinh, [np.concatenate([u([6], -3, 3), [1e-4, -0.9, 1.1, 30.0, -50.0]])])
case('cosh', torch.cosh, [np.concatenate([u([6], -3, 3), [1e-4, 30.0, -50.0]])])
case('asinh', torch.asinh, [np.concatenate([u([6], -5, 5), [1e-6, -1e3, 1e9]])])
case('acosh', torch.acosh, [np.concatenate([u([6], 1.05, 6), [1.001, 1e3, 1e9]])])
case('atanh', torch.atanh, [np.concatenate([u([6], -0.95, 0.95), [1e-6, -0.999]])])
case('atan2', torch.atan2, [u([3, 4]), u([4])])
case('atan2_columns', torch.atan2, [u([2, 1]), u([2, 3])])
case('squared_difference', lambda a, b: (a - b) ** 2, [u([2, 3]), u([3])])

# Matrices.
x34 = u([2, 3, 4])
case('tril', torch.tril, [x34])
case('tril_k1', lambda t: torch.tril(t, 1), [x34])
case('triu', torch.triu, [x34])
case('triu_km1', lambda t: torch.triu(t, -1), [x34])
# band_part(x, 1, 2): i - j <= 1 and j - i <= 2.
case('band_part_1_2', lambda t: torch.tril(torch.triu(t, -1), 2), [u([4, 5])])
case('band_part_0_0', lambda t: torch.tril(torch.triu(t, 0), 0), [u([3, 3])])
case('band_part_m1_0', lambda t: torch.tril(t, 0), [u([3, 4])])
case('diag', torch.diag_embed, [u([2, 3])])
case('diag_part', lambda t: torch.diagonal(t, dim1=-2, dim2=-1), [u([2, 3, 4])])
case('diag_part_tall', lambda t: torch.diagonal(t, dim1=-2, dim2=-1), [u([4, 2])])
case('trace', lambda t: torch.diagonal(t, dim1=-2, dim2=-1).sum(-1), [u([2, 3, 3])])
case('outer', torch.outer, [u([3]), u([4])])


# TensorFlow's clip_by_norm and clip_by_global_norm, term by term.
def clip_by_norm(t, c, axes=None):
    l2sum = (t * t).sum(dim=axes, keepdim=True) if axes is not None else (t * t).sum().reshape([1] * t.dim())
    pred = l2sum > 0
    l2sum_safe = torch.where(pred, l2sum, torch.ones_like(l2sum))
    l2norm = torch.where(pred, torch.sqrt(l2sum_safe), l2sum)
    return t * c / torch.maximum(l2norm, torch.tensor(c))


case('clip_by_norm_clipped', lambda t: clip_by_norm(t, 1.5), [u([2, 3])])
case('clip_by_norm_within', lambda t: clip_by_norm(t, 50.0), [u([2, 3])])
case('clip_by_norm_axis1', lambda t: clip_by_norm(t, 1.0, [1]), [np.array([[3.0, 4.0, 0.0], [0.1, 0.2, 0.2], [0.0, 0.0, 0.0]])])


def clip_by_global_norm(ts, c):
    norm = torch.sqrt(sum((t * t).sum() for t in ts))
    scale = c * torch.minimum(1.0 / norm, torch.tensor(1.0 / c)) + (norm - norm)
    return [t * scale for t in ts], norm


case('clip_by_global_norm_0', lambda a, b: clip_by_global_norm([a, b], 2.0)[0][0], [u([2, 2]), u([3])])
case('clip_by_global_norm_1', lambda a, b: clip_by_global_norm([a, b], 2.0)[0][1], [u([2, 2]), u([3])])
case('global_norm', lambda a, b: clip_by_global_norm([a, b], 2.0)[1], [u([2, 2]), u([3])])

# Selections.
xm = u([3, 4])
m = np.array([[True, False, True, True], [False, False, False, False], [True, True, False, True]])
case('boolean_mask_full', lambda t, mm: t[mm.bool()], [xm, m.astype(np.float64)], diff=[0])
mrow = np.array([True, False, True])
case('boolean_mask_rows', lambda t, mm: t[mm.bool()], [xm, mrow.astype(np.float64)], diff=[0])
x234 = u([2, 3, 4])
mcol = np.array([False, True, True, False])
case('boolean_mask_axis2', lambda t, mm: t[:, :, mm.bool()], [x234, mcol.astype(np.float64)], diff=[0])
m23 = np.array([[True, False, True], [False, True, True]])
case('boolean_mask_2d_mask', lambda t, mm: t[mm.bool()],
     [u([2, 3, 4]), m23.astype(np.float64)], diff=[0])

xu = np.array([4.0, 1.0, 4.0, 2.0, 1.0, 7.0, 2.0, 4.0, -0.0, 0.0])
vals, first, inv = np.unique(xu, return_index=True, return_inverse=True)
order = np.argsort(first, kind='stable')
rank = np.empty_like(order)
rank[order] = np.arange(len(order))
cases.append(dict(name='unique', inputs=[xu.tolist()], shapes=[[len(xu)]], out=xu[np.sort(first)].tolist(),
                  out_shape=[len(first)], w=[], grads=[], idx=rank[inv].tolist()))

# Gather and scatter by index tuples.
p = u([3, 4, 2])
idx = np.array([[0, 1], [2, 3], [0, 1], [1, 0]])
case('gather_nd_pairs', lambda t, i: t[i[:, 0].long(), i[:, 1].long()], [p, idx.astype(np.float64)], diff=[0])
idx1 = np.array([[[2], [0]], [[1], [2]]])
case('gather_nd_rows', lambda t, i: t[i[..., 0].long()], [p, idx1.astype(np.float64)], diff=[0])
idx3 = np.array([[0, 3, 1], [2, 0, 0]])
case('gather_nd_elements', lambda t, i: t[i[:, 0].long(), i[:, 1].long(), i[:, 2].long()], [p, idx3.astype(np.float64)], diff=[0])
# batch_dims 1: params [2, 3, 4], indices [2, 2, 1] -> out[b, j] = params[b, indices[b, j, 0]].
pb = u([2, 3, 4])
ib = np.array([[[2], [0]], [[1], [1]]])
case('gather_nd_batch1', lambda t, i: torch.stack([t[b][i[b, :, 0].long()] for b in range(2)]), [pb, ib.astype(np.float64)], diff=[0])

si = np.array([[1], [3], [1], [0]])
su = u([4, 3])


def scatter_nd(i, upd, shape, base=None, add=True):
    out = torch.zeros(shape) if base is None else base.clone()
    return out.index_put(tuple(i[:, k].long() for k in range(i.shape[1])), upd, accumulate=add)


case('scatter_nd_rows_dup', lambda i, upd: scatter_nd(i, upd, [5, 3]), [si.astype(np.float64), su], diff=[1])
si2 = np.array([[0, 1], [2, 2], [0, 1]])
case('scatter_nd_elements_dup', lambda i, upd: scatter_nd(i, upd, [3, 3]), [si2.astype(np.float64), u([3])], diff=[1])
tb = u([4, 3])
ti = np.array([[2], [0]])
case('tensor_scatter_update', lambda t, i, upd: scatter_nd(i, upd, None, base=t, add=False), [tb, ti.astype(np.float64), u([2, 3])], diff=[0, 2])
case('tensor_scatter_add', lambda t, i, upd: scatter_nd(i, upd, None, base=t, add=True), [tb, si.astype(np.float64), su], diff=[0, 2])

# Rearranging.
xr = u([3, 4])
case('roll_1_axis1', lambda t: torch.roll(t, 1, 1), [xr])
case('roll_m5_axis0', lambda t: torch.roll(t, -5, 0), [xr])
case('roll_both', lambda t: torch.roll(t, (2, -1), (0, 1)), [xr])
case('roll_repeated_axis', lambda t: torch.roll(t, 3, 1), [xr])   # NF: shift [1, 2] on axes [1, -1]
case('slice', lambda t: t[1:3, 0:2, :], [u([3, 3, 4])])
case('repeat_axis0', lambda t: torch.repeat_interleave(t, 2, 0), [u([2, 3])])
case('repeat_flat', lambda t: torch.repeat_interleave(t.reshape(-1), 3), [u([2, 2])])
case('repeat_list_axis1', lambda t: torch.repeat_interleave(t, torch.tensor([1, 0, 3]), 1), [u([2, 3])])
case('meshgrid_xy_0', lambda a, b, c: torch.stack(torch.meshgrid(a, b, c, indexing='xy'))[0], [u([2]), u([3]), u([4])])
case('meshgrid_xy_1', lambda a, b, c: torch.stack(torch.meshgrid(a, b, c, indexing='xy'))[1], [u([2]), u([3]), u([4])])
case('meshgrid_ij_2', lambda a, b, c: torch.stack(torch.meshgrid(a, b, c, indexing='ij'))[2], [u([2]), u([3]), u([4])])

for (a, b, n) in [(0.0, 1.0, 5), (-3.0, 7.5, 11), (2.0, -1.0, 4), (1.5, 9.0, 1)]:
    cases.append(dict(name=f'linspace_{a}_{b}_{n}', inputs=[[a, b, float(n)]], shapes=[[3]], out=np.linspace(a, b, n).tolist(),
                      out_shape=[n], w=[], grads=[]))



# tf.linspace with tensors: start + i * (stop - start) / (num - 1), the last exactly stop
# (TensorFlow's formula, differentiated by PyTorch; the values checked against np.linspace).
def linspace(a, b, num, axis):
    a, b = torch.broadcast_tensors(a, b)
    ax = axis if axis >= 0 else axis + a.dim() + 1
    first, last = a.unsqueeze(ax), b.unsqueeze(ax)
    shape = [1] * (a.dim() + 1)
    shape[ax] = num
    i = torch.arange(num, dtype=torch.float64).reshape(shape)
    out = torch.where(i == num - 1, last, first + i * ((last - first) / (num - 1)))
    assert np.array_equal(out.detach().numpy(), np.linspace(a.detach().numpy(), b.detach().numpy(), num, axis=ax))
    return out


case('linspace_tensor_axis1', lambda a, b: linspace(a, b, 5, 1), [np.array([0.0, 1.5, -2.0]), np.array([[1.0], [4.0]])])
case('linspace_tensor_axis_m1', lambda a, b: linspace(a, b, 4, -1), [u([2, 3]), u([3])])

print(json.dumps({'cases': cases}))
