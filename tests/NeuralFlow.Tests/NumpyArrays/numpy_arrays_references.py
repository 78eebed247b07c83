# Prints the NumPy reference values that the NumpyArrays tests hard-code. Run with
# /usr/bin/python3 (numpy 1.24); each line names its test value. Keras docstring values
# (keras/src/ops/numpy.py) are quoted in the tests where they are printed there.
import numpy as np
np.set_printoptions(precision=17, floatmode="maxprec")
L = lambda a: np.asarray(a).tolist()

# NumpyShapeTests
a = np.arange(24).reshape(2, 3, 4)
print("moveaxis 0->-1", np.moveaxis(a, 0, -1).shape, L(np.moveaxis(a, 0, -1).flatten()))
print("moveaxis [0,1]->[-1,-2]", np.moveaxis(a, [0, 1], [-1, -2]).shape, L(np.moveaxis(a, [0, 1], [-1, -2]).flatten()))
print("swapaxes 0 2", np.swapaxes(a, 0, 2).shape, L(np.swapaxes(a, 0, 2).flatten()))
print("flip all", L(np.flip(a).flatten()))
print("flip (0, 2)", L(np.flip(a, (0, 2)).flatten()))
print("fliplr", L(np.fliplr(np.arange(6).reshape(2, 3)))), print("flipud", L(np.flipud(np.arange(6).reshape(2, 3))))
print("hstack", L(np.hstack([np.array([1, 2]), np.array([3.5])])), L(np.hstack([np.ones((2, 1), int), np.zeros((2, 2), int)])))
print("vstack", L(np.vstack([np.array([1, 2]), np.array([[3, 4], [5, 6]])])))
print("column_stack", L(np.column_stack([np.array([1, 2, 3]), np.array([4, 5, 6])])))
print("array_split 10/3", [L(p) for p in np.array_split(np.arange(10), 3)])
print("array_split 5/4", [L(p) for p in np.array_split(np.arange(5), 4)])
print("array_split [2,3,-1,9]", [L(p) for p in np.array_split(np.arange(6), [2, 3, -1, 9])])
print("hsplit [1,3]", [L(p) for p in np.hsplit(np.arange(16.0).reshape(4, 4), [1, 3])])
print("vsplit 2", [L(p) for p in np.vsplit(np.arange(12).reshape(4, 3), 2)])
print("dsplit 2", [L(p) for p in np.dsplit(np.arange(16.0).reshape(2, 2, 4), 2)])

# NumpyIndexingTests
x = np.array([[10, 30, 20], [60, 40, 50]])
i = np.array([[0, 2], [1, -1]])
print("take_along_axis 1", L(np.take_along_axis(x, i, 1)))
print("take_along_axis argsort", L(np.take_along_axis(x, np.argsort(x, axis=0), 0)))
print("take_along_axis broadcast", L(np.take_along_axis(x, np.array([[2, 0]]), 1)))
print("take_along_axis None", L(np.take_along_axis(x, np.array([5, 0, 3]), None)))
y = x.copy(); np.put_along_axis(y, np.array([[1], [0]]), np.array([[-1], [-2]]), 1); print("put_along_axis", L(y))
y = x.copy(); np.put_along_axis(y, np.array([[0, 0, 1]]), 7, 0); print("put_along_axis 0", L(y))
print("unravel_index", [L(c) for c in np.unravel_index(np.array([22, 41, 37]), (7, 6))], np.unravel_index(5, (3, 3)))
print("ravel_multi_index", L(np.ravel_multi_index((np.array([3, 6, 6]), np.array([4, 5, 1])), (7, 6))))
print("ravel_multi_index wrap clip", L(np.ravel_multi_index((np.array([3, 8, -1]), np.array([4, 5, 7])), (7, 6), mode="wrap")),
      L(np.ravel_multi_index((np.array([3, 8, -1]), np.array([4, 5, 7])), (7, 6), mode="clip")))
p = np.array([3, 4, 2, 1])
print("argpartition 3", L(np.argpartition(p, 3)), "kth value", np.sort(p)[3])
print("argpartition (1,3)", L(np.argpartition(p, (1, 3))))

# NumpyLinearTests
A = np.arange(60.).reshape(3, 4, 5); B = np.arange(24.).reshape(4, 3, 2)
print("tensordot ([1,0],[0,1])", np.tensordot(A, B, axes=([1, 0], [0, 1])).shape, L(np.tensordot(A, B, axes=([1, 0], [0, 1]))))
print("tensordot 1", L(np.tensordot(np.array([[1, 2], [3, 4]]), np.array([[5, 6], [7, 8]]), 1)))
print("tensordot 0 shape", np.tensordot(np.ones((2, 3)), np.ones(4), 0).shape)
print("tensordot 2", np.tensordot(np.arange(6.).reshape(2, 3), np.arange(6.).reshape(2, 3), 2))
print("kron", L(np.kron([1, 10, 100], [5, 6, 7])), L(np.kron(np.eye(2, dtype=int), np.ones((2, 2), int))))
print("kron 2x3", L(np.kron(np.array([[1, 2], [3, 4]]), np.array([[0, 1, 2]]))))
print("cross 3", L(np.cross([1, 2, 3], [4, 5, 6])), "cross 2", L(np.cross([1, 2], [4, 5])), "cross 2x3", L(np.cross([1, 2], [4, 5, 6])),
      "cross 3x2", L(np.cross([1, 2, 3], [4, 5])))
X = np.array([[1, 2, 3], [4, 5, 6]]); Y = np.array([[4, 5, 6], [1, 2, 3]])
print("cross axisc=0", L(np.cross(X, Y, axisc=0)), "cross axis=0", L(np.cross(X.T, Y.T, axis=0)))
print("vdot", np.vdot(np.array([[1, 4], [5, 6]]), np.array([[4, 1], [2, 2]])), "inner", L(np.inner(np.arange(24).reshape(2, 3, 4), np.arange(4))))

# NumpyStatisticsTests
print("trapezoid", np.trapz([1, 2, 3]), np.trapz([1, 2, 3], x=[4, 6, 8]), np.trapz([1, 2, 3], dx=2), L(np.trapz([[1, 2, 3], [4, 5, 6]], axis=1)),
      L(np.trapz(np.arange(6.).reshape(2, 3) ** 2, x=np.array([[0, 1, 3], [0, 2, 3.]]), axis=1)), L(np.trapz(np.arange(6.).reshape(2, 3), axis=0)))
h = np.histogram([1, 2, 1], bins=3, range=(0, 3)); print("histogram", L(h[0]), L(h[1]))
h = np.histogram(np.array([0.5, 1.0, 1.0, 2.5, 3.0, 7.0, -1.0, np.nan]), bins=4, range=(0, 3)); print("histogram range", L(h[0]), L(h[1]))
h = np.histogram(np.array([0.1, 0.2, 0.3, 0.4, 1.0]), bins=3); print("histogram auto", L(h[0]), L(h[1]))
h = np.histogram(np.array([2.0, 2.0]), bins=2); print("histogram flat", L(h[0]), L(h[1]))
m = np.array([[0, 1, 2], [2, 1, 0.]])
print("cov", L(np.cov(m)), L(np.cov(m, bias=True)), L(np.cov(m.T, rowvar=False)), np.cov([1., 2, 4]), L(np.cov([1., 2, 4], [3., 1, 0])), L(np.cov(m, ddof=2)))
r = np.array([[1., 2, 3, 4], [2, 1, 4, 3], [0, 5, 1, 9]])
print("corrcoef", L(np.corrcoef(r)), L(np.corrcoef([1., 2, 3], [3., 1, 2])))
print("correlate", L(np.correlate([1, 2, 3], [0, 1, 0.5])), L(np.correlate([1, 2, 3], [0, 1, 0.5], "same")), L(np.correlate([1, 2, 3], [0, 1, 0.5], "full")),
      L(np.correlate([1., 2], [3., 4, 5, 6], "same")), L(np.correlate([1., 2], [3., 4, 5, 6], "valid")), L(np.correlate([1, 2, 3], [4, 5], "full")))
print("convolve", L(np.convolve([1, 2, 3], [0, 1, 0.5])), L(np.convolve([1, 2, 3], [0, 1, 0.5], "same")), L(np.convolve([1, 2, 3], [0, 1, 0.5], "valid")),
      L(np.convolve([1., 2], [3., 4, 5, 6], "same")))

# NumpyCreationTests
print("tri", L(np.tri(3, 5, 2, dtype=int)), L(np.tri(3, 5, -1)))
print("diagflat", L(np.diagflat([[1, 2], [3, 4]])), L(np.diagflat([1, 2], 1)))
print("vander", L(np.vander(np.array([1, 2, 3, 5]))), L(np.vander(np.array([1., 2, 3, 5]), 3, increasing=True)))
print("logspace", L(np.logspace(2.0, 3.0, num=4)), L(np.logspace(2.0, 3.0, num=4, endpoint=False)), L(np.logspace(2.0, 3.0, num=4, base=2.0)))
print("geomspace", L(np.geomspace(1, 1000, num=4)), L(np.geomspace(1, 1000, num=3, endpoint=False)), L(np.geomspace(-1000, -1, num=4)), L(np.geomspace(1, 256, num=9)))
for w in ("bartlett", "blackman", "hamming", "hanning"):
    print(w, L(getattr(np, w)(5)), L(getattr(np, w)(6)), L(getattr(np, w)(1)), L(getattr(np, w)(0)))
print("kaiser", L(np.kaiser(5, 14.0)), L(np.kaiser(6, 5.0)), L(np.kaiser(4, 0.0)), L(np.kaiser(1, 3.0)))
