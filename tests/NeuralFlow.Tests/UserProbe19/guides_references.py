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
