# Reference values for the GuideRagged* tests: TensorFlow's "Ragged tensors" guide cells, computed with
# numpy on nested Python lists (the notebook stores no outputs and TensorFlow is not installed here).
# Run with /usr/bin/python3.
import numpy as np

digits = [[3, 1, 4, 1], [], [5, 9, 2], [6], []]
print("add3", [[v + 3 for v in r] for r in digits])
print("mean", [float(np.mean(r)) if r else float("nan") for r in digits])
print("sum1", [int(np.sum(r)) for r in digits])
print("max1", [max(r) if r else np.iinfo(np.int32).min for r in digits])
longest = max(len(r) for r in digits)
print("sum0", [sum(r[j] for r in digits if len(r) > j) for j in range(longest)])
print("first2", [r[:2] for r in digits], "last2", [r[-2:] for r in digits])
print("plus", [[a + b for a, b in zip(r, s)] for r, s in zip(digits, [[1, 2, 3, 4], [], [5, 6, 7], [8], []])])
print("x2p1", [[v * 2 + 1 for v in r] for r in digits])
print("square", [[v * v for v in r] for r in digits])
print("tile", [r + r for r in digits])

x = [[10, 87, 12], [19, 53], [12, 32]]
print("rowbroadcast", [[v + y for v in r] for r, y in zip(x, [1000, 2000, 3000])])
x3 = [[[1, 2], [3, 4], [5, 6]], [[7, 8]]]
print("innerbroadcast", [[[v + 10 for v in p] for p in r] for r in x3])
x4 = [[[[1], [2]], [], [[3]], [[4]]], [[[5], [6]], [[7]]]]
print("lastaxis", [[[[v + y for y in (10, 20, 30)] for (v,) in q] for q in r] for r in x4])

rt = [[[1, 2, 3], [4]], [[5], [], [6]], [[7]], [[8, 9], [10]]]
print("rt[:,1:3]", [r[1:3] for r in rt], "rt[:,-1:]", [r[-1:] for r in rt])
print("innermax", [[max(q) if q else np.iinfo(np.int32).min for q in r] for r in rt])

pal = [[1, 2], [3], [4, 5, 6]]
print("palindrome", [r + r[::-1] for r in pal])
print("maxmin", [max(r) for r in pal], [min(r) for r in pal])

padded = np.array([[1, 3, -1, -1], [2, -1, -1, -1], [4, 5, 8, 9]])
print("from_tensor", [[int(v) for v in row[: max([j + 1 for j in range(4) if row[j] != -1] or [0])]] for row in padded])
rt = [[1], [2, 3], [], [4]]
width = max(len(r) for r in rt)
print("to_tensor", [r + [0] * (width - len(r)) for r in rt])
print("to_tensor_w3", [(r + [9] * 3)[:3] for r in [[1, 2, 3, 4], [5]]])

ax = [[1, 2], [3]]; ay = [[4], [5, 6, 7]]
print("concat0", ax + ay, "concat1", [a + b for a, b in zip(ax, ay)])
print("stack0", [ax, ay], "stack1", [[a, b] for a, b in zip(ax, ay)])

# The gradient of sum(to_tensor(rt, 5) * arange(8).reshape(4, 2)) + sum(reduce_sum(rt, 1)) with respect to the flat
# values of rt = from_row_splits(w, [0, 1, 3, 3, 4]): each value's padded place, plus 1.
splits = [0, 1, 3, 3, 4]
places = [i * 2 + (k - splits[i]) for i in range(4) for k in range(splits[i], splits[i + 1])]
print("grad", [float(p + 1) for p in places])
print("rowsums", [sum([1, 2, 3, 4, 5][a:b]) for a, b in zip([0, 2, 2], [2, 2, 5])])
print("range", [list(range(n)) for n in (3, 0, 2)], [list(range(a, b, d)) for a, b, d in zip((2, 5, 1), (6, 2, 3), (2, -1, -1))])
