# Reference values for the Ragged2* tests (run with /usr/bin/python3). TensorFlow is not installed, so each ragged
# result is worked out row by row with numpy, as TF's documented semantics define it; the rows print as to_list().
import numpy as np

def rows(splits, values):
    return [values[splits[i]:splits[i + 1]] for i in range(len(splits) - 1)]

def tolist(x):
    return [tolist(r) if isinstance(r, list) else np.asarray(r).tolist() for r in x]

# from_uniform_row_length: consecutive rows of one length.
print("uniform 6 by 2:", tolist(rows([0, 2, 4, 6], list(range(1, 7)))))
inner = rows([0, 3, 5, 9, 10], list(range(10, 20)))
print("guide cell 164:", tolist([inner[0:2], inner[2:4]]))

# concat on axis 2 of (2, None, 2) and (2, None, 1) with the same rows: each value's inner vectors joined.
a = [np.array([[1, 2], [3, 4]]), np.array([[5, 6]])]
b = [np.array([[7], [8]]), np.array([[9]])]
print("concat axis 2:", [np.concatenate([x, y], axis=1).tolist() for x, y in zip(a, b)])
# stack on axis 2 of two (2, None): row i, value j is [t1[i][j], t2[i][j]].
t1 = [np.array([1, 2]), np.array([3, 4, 5])]
t2 = [np.array([6, 7]), np.array([8, 9, 10])]
print("stack axis 2:", [np.stack([x, y], axis=1).tolist() for x, y in zip(t1, t2)])
# stack on axis 3 of (2, None, 2) tensors: a new innermost axis.
print("stack axis 3:", [np.stack([x, x * 10], axis=2).tolist() for x in a])
# two ragged axes, concat on axis 2: the innermost rows joined pairwise.
n1 = [[[1], [2, 3]], [[4]]]
n2 = [[[5, 6], [7]], [[8, 9]]]
print("nested concat axis 2:", [[p + q for p, q in zip(r1, r2)] for r1, r2 in zip(n1, n2)])

# Datasets. The guide's digits, sliced into rows and batched raggedly in twos (ragged_batch / batch of ragged rows).
digits = [[3, 1, 4, 1], [], [5, 9, 2], [6], []]
print("ragged_batch(2):", [digits[i:i + 2] for i in range(0, len(digits), 2)])
batches = [digits[i:i + 2] for i in range(0, len(digits), 2)]
print("then batch(2):", [batches[i:i + 2] for i in range(0, len(batches), 2)])
# padded_batch(2) of the same rows: zeros to each batch's longest row.
def pad(rows):
    w = max([len(r) for r in rows] + [0])
    return [r + [0] * (w - len(r)) for r in rows]
print("padded_batch(2):", [pad(b) for b in batches])
# Guide cell 73: from_tensor_slices([1, 5, 3, 2, 8]).map(tf.range) then dense_to_ragged_batch(2).
ranges = [list(range(n)) for n in [1, 5, 3, 2, 8]]
print("cell 73:", [ranges[i:i + 2] for i in range(0, 5, 2)])
# A Map over ragged batches: each row's mean (tf.reduce_mean(rt, axis=1)) as float32.
print("row means:", [[float(np.float32(np.mean(r))) if r else float('nan') for r in b] for b in batches])
