"""Reference values for the UserProbe19 guide tests (GuidesSlicingTests, GuidesGatherBatchDimsTests).

tf.gather(params, indices, axis, batch_dims) is written out from TensorFlow's documented
semantics with numpy loops: for every batch coordinate, gather along `axis` of that batch's
params with that batch's indices. Run with /usr/bin/python3 (numpy only).
"""
import numpy as np


def tf_gather(params, indices, axis=None, batch_dims=0):
    if batch_dims < 0:
        batch_dims += indices.ndim
    if axis is None:
        axis = batch_dims
    if axis < 0:
        axis += params.ndim
    if batch_dims == 0:
        return np.take(params, indices, axis=axis)
    return np.stack([tf_gather(params[b], indices[b], axis - 1, batch_dims - 1) for b in range(params.shape[0])])


p = np.arange(24).reshape(2, 3, 4)
print("axis 1, batch_dims 1:", tf_gather(p, np.array([[2, 0], [1, 1]]), 1, 1).shape, tf_gather(p, np.array([[2, 0], [1, 1]]), 1, 1).ravel().tolist())
print("axis 2, batch_dims 1:", tf_gather(p, np.array([[3, 0], [1, 2]]), 2, 1).shape, tf_gather(p, np.array([[3, 0], [1, 2]]), 2, 1).ravel().tolist())
q = np.arange(6).reshape(2, 3)
print("one index per batch:", tf_gather(q, np.array([2, 0]), 1, 1).tolist())
print("axis 2, batch_dims 2:", tf_gather(p, np.array([[[3], [0], [1]], [[2], [2], [0]]]), 2, 2).shape,
      tf_gather(p, np.array([[[3], [0], [1]], [[2], [2], [0]]]), 2, 2).ravel().tolist())
r = np.arange(2 * 3 * 4 * 2).reshape(2, 3, 4, 2)
print("axis 2 with a middle axis and a rest axis, batch_dims 1:", tf_gather(r, np.array([[3, 1], [0, 0]]), 2, 1).shape,
      tf_gather(r, np.array([[3, 1], [0, 0]]), 2, 1).ravel().tolist())


def tf_tensor_scatter_extreme_grad(x, indices, y, upstream, extreme):
    """TensorFlow's _TensorScatterMinOrMaxGrad (array_grad.py) in numpy: ties share evenly."""
    out = x.copy()
    for (i,), v in zip(indices, y):
        out[i] = extreme(out[i], v)
    x_ind = (x == out).astype(float)
    y_ind = (y == out[indices[:, 0]]).astype(float)
    ys_ind = np.zeros_like(x)
    np.add.at(ys_ind, indices[:, 0], y_ind)
    ind = x_ind + ys_ind
    return out.tolist(), (upstream * x_ind / ind).tolist(), ((upstream / ind)[indices[:, 0]] * y_ind).tolist()


x = np.array([1., 5., 2., 7.])
idx = np.array([[1], [1], [3], [0]])
w = np.array([1., 2., 3., 4.])
print("tensor_scatter_nd_max ties:", tf_tensor_scatter_extreme_grad(x, idx, np.array([5., 5., 3., 1.]), w, max))
print("tensor_scatter_nd_min ties:", tf_tensor_scatter_extreme_grad(x, idx, np.array([0., 0., 7., 1.]), w, min))

import torch  # noqa: E402  torch's scatter_reduce amax, include_self True

xt = torch.tensor([1., 5., 2.], dtype=torch.float64, requires_grad=True)
st = torch.tensor([5., 5., 0.], dtype=torch.float64, requires_grad=True)
r = xt.scatter_reduce(0, torch.tensor([1, 1, 2]), st, "amax", include_self=True)
r.sum().backward()
print("torch amax ties:", r.tolist(), xt.grad.tolist(), st.grad.tolist())
# With include_self=False torch 1.13 still counts the excluded input among the ties (and then
# zeroes its share), so the shares no longer add up to the upstream gradient; NeuralFlow counts
# only the values taken, whose shares add up (GuidesScatterTieGradientTests).
