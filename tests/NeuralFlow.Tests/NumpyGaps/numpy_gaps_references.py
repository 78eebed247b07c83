# Prints the NumPy reference values that NumpyElementwiseTests / NumpyReductionTests /
# NumpyIndexingTests hard-code. Run with /usr/bin/python3 (numpy); each block names its test.
import numpy as np
np.set_printoptions(precision=17, floatmode="maxprec")
f32 = np.float32
x = np.array([-1.7, -1.5, -0.2, 0.2, 1.5, 1.7, 2.0, -0.0, np.inf, -np.inf, np.nan])
print("trunc", np.trunc(x).tolist())
print("hypot", np.hypot([3., 4., 5., 1e200, 0., np.inf, 1e-200], [4., 3., 12., 1e200, 0., np.nan, 1e-200]).tolist())
print("hypot int", np.hypot(np.array([[1, 2], [3, 4]], f32), np.array([1, 1], f32)).tolist())
print("fmax", np.fmax([2., np.nan, np.nan, 1.], [1., 4., np.nan, 3.]).tolist())
print("fmin", np.fmin([2., np.nan, np.nan, 1.], [1., 4., np.nan, 3.]).tolist())
print("logaddexp2", np.logaddexp2([1., 2., 3., -np.inf, np.inf, 1000., -5.], [1., 2., 3., -np.inf, np.inf, 0., 2.]).tolist())
print("deg2rad", np.deg2rad([0., 90., 180., -45.]).tolist(), "rad2deg", np.rad2deg([0., np.pi / 2, np.pi, -1.]).tolist())
print("heaviside", np.heaviside([-2., 0., 3., np.nan, -0.], 0.5).tolist())
print("sinc", np.sinc([0., 1., 2., 0.5, -0.25, 1e-9]).tolist())
m = np.array([[1., 3., 2.], [4., 0., 5.]])
print("ptp", np.ptp(m), np.ptp(m, axis=1).tolist(), np.ptp(m, axis=0, keepdims=True).tolist())
print("diff", np.diff([1, 2, 4, 7, 0]).tolist(), np.diff([1, 2, 4, 7, 0], n=2).tolist(),
      np.diff([[1, 3, 6, 10], [0, 5, 6, 8]], axis=0).tolist(), np.diff([True, False, False, True]).tolist(),
      np.diff([1, 2, 4], n=5).shape)
a = np.arange(24).reshape(2, 3, 4)
for k in (1, 2, 3, -1):
    print("rot90", k, np.rot90(a, k, axes=(1, 2)).flatten().tolist(), np.rot90(a, k, axes=(1, 2)).shape)
print("rot90 (2, 0)", np.rot90(a, 1, axes=(2, 0)).flatten().tolist(), np.rot90(a, 1, axes=(2, 0)).shape)

# NumpyReductionTests
import warnings
warnings.simplefilter("ignore")
n = np.array([[1.0, np.nan, 3.0], [np.nan, 2.0, 1.0], [np.nan, np.nan, np.nan]])
for name in ("nansum", "nanmean", "nanmax", "nanmin", "nanprod"):
    fn = getattr(np, name)
    print(name, fn(n), fn(n, axis=1).tolist(), fn(n, axis=0, keepdims=True).tolist())
print("nanmean int", np.nanmean(np.array([1, 2, 4], np.int32)))
q = np.array([[7., 1., 4., 9.], [3., 3., 8., 0.], [5., 2., 6., 1.]])
print("median", np.median(q), np.median(q, axis=1).tolist(), np.median(q, axis=0, keepdims=True).tolist())
print("quantile", np.quantile(q, 0.3), np.quantile(q, [0.0, 0.25, 0.9, 1.0], axis=1).tolist(),
      np.quantile(q, 0.3, keepdims=True).shape)
print("percentile", np.percentile(q, 40, axis=0).tolist(), np.percentile(np.array([1, 2, 3, 4]), 50))
print("quantile nan", np.quantile(np.array([[1., np.nan, 2.], [1., 2., 3.]]), 0.0, axis=1).tolist())

# NumpyCountingTests
print("bincount", np.bincount([1, 2, 2, 3]).tolist(), np.bincount([1, 2, 2, 3], weights=[0.5, 1., 1., 1.5]).tolist(),
      np.bincount([1, 2, 2, 3], minlength=6).tolist(), np.bincount(np.array([], int), minlength=2).tolist())
print("digitize", np.digitize([0.0, 1.0, 3.0, 1.6], [0.0, 3.0, 4.5, 7.0]).tolist(),
      np.digitize([[-1.0, 3.0], [4.5, 9.0]], [0.0, 3.0, 4.5, 7.0], right=True).tolist())
print("isin", np.isin([0, 1, 2, 5], [0, 2]).tolist(), np.isin([[1., np.nan], [3., 4.]], [[4., np.nan]], invert=True).tolist())
a = np.arange(24).reshape(2, 3, 4)
print("diagonal", np.diagonal(np.arange(4).reshape(2, 2)).tolist(), np.diagonal(np.arange(4).reshape(2, 2), 1).tolist(),
      np.diagonal(a, 1, 1, 2).tolist(), np.diagonal(a, -1, 2, 1).tolist(), np.diagonal(a, 0, 0, 2).tolist(), np.diagonal(a, 5, 1, 2).shape)
print("dstack", np.dstack([[1, 2, 3], [4, 5, 6]]).tolist(), np.dstack([np.ones((2, 2)), np.zeros((2, 2, 3))]).shape)
print("average", np.average(np.arange(1, 5)), np.average(np.arange(1, 11), weights=np.arange(10, 0, -1)),
      np.average(np.arange(6).reshape(3, 2), axis=1, weights=[1. / 4, 3. / 4]).tolist(),
      np.average(np.arange(6.).reshape(3, 2), axis=0, weights=np.arange(6.).reshape(3, 2) + 1).tolist())
print("diag k", np.diag([1, 2, 3], 1).flatten().tolist(), np.diag([1, 2], -2).flatten().tolist())
