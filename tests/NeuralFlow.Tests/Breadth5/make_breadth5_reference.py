# Reference numbers of the Breadth5 tests (numpy; run with /usr/bin/python3). Each block prints
# what one test pastes; the Discretization summary is Keras 3's (keras/src/layers/preprocessing/
# discretization.py), copied here as the reference implementation.
import numpy as np

def f(a):
    return ", ".join(f"{v:.7g}" for v in np.asarray(a, dtype=np.float64).ravel())

# EinsumDense "abc,cde->abde", bias_axes "de": x[i] = sin(0.3 i), kernel[i] = cos(0.2 i), bias[i] = 0.1 i.
x = np.sin(0.3 * np.arange(24)).reshape(2, 3, 4)
k = np.cos(0.2 * np.arange(24)).reshape(4, 2, 3)
b = 0.1 * np.arange(6).reshape(2, 3)
print("abde:", f(np.einsum("abc,cde->abde", x, k) + b))
# "ab...,bc->ac...", bias_axes "c" (bias shape [4, 1]): x [2, 3, 2], kernel [3, 4].
x2 = np.sin(0.3 * np.arange(12)).reshape(2, 3, 2)
k2 = np.cos(0.2 * np.arange(12)).reshape(3, 4)
b2 = 0.1 * np.arange(4).reshape(4, 1)
print("right:", f(np.einsum("ab...,bc->ac...", x2, k2) + b2))
# "...b,bc->...c" with relu, bias_axes "c": x [2, 2, 3], kernel [3, 2].
x3 = np.sin(0.3 * np.arange(12)).reshape(2, 2, 3)
k3 = np.cos(0.2 * np.arange(6)).reshape(3, 2)
b3 = 0.1 * np.arange(2)
print("left relu:", f(np.maximum(np.einsum("...b,bc->...c", x3, k3) + b3, 0)))

def summarize(values, epsilon):
    values = np.reshape(values, [-1])
    values = np.sort(values)
    elements = np.size(values)
    num_buckets = 1.0 / epsilon
    increment = elements / num_buckets
    start = increment
    step = max(increment, 1)
    boundaries = values[int(start)::int(step)]
    weights = np.ones_like(boundaries)
    weights = weights * step
    return np.stack([boundaries, weights])

def compress_summary(summary, epsilon):
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_weight_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_weight_percents, summary[0])
    cum_weights = np.interp(percents, cum_weight_percents, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    summary = np.stack((new_bins, new_weights))
    return summary.astype("float32")

def merge_summaries(prev_summary, next_summary, epsilon):
    merged = np.concatenate((prev_summary, next_summary), axis=1)
    merged = np.take(merged, np.argsort(merged[0]), axis=1)
    return compress_summary(merged, epsilon)

def adapt(batches, num_bins, epsilon):
    summary = np.array([[], []], dtype="float32")
    for batch in batches:
        summary = merge_summaries(summary, summarize(np.array(batch).astype("float32"), epsilon), epsilon)
    return compress_summary(summary, 1.0 / num_bins)[0, :-1].tolist()

doc = np.array([[-1.5, 1.0, 3.4, .5], [0.0, 3.0, 1.3, 0.0]])
bounds = adapt([doc], 4, 0.01)
print("docstring bounds:", bounds, np.digitize(doc.astype("float32"), np.array(bounds, dtype="float32")).tolist())
# 1000 values v[i] = sin(1.7 i) * 3 + 0.01 i, in batches of 300 (a dataset), 5 bins, epsilon 0.01.
v = (np.sin(1.7 * np.arange(1000)) * 3 + 0.01 * np.arange(1000)).astype("float32")
print("1000 one tensor:", f(adapt([v], 5, 0.01)))
print("1000 in batches:", f(adapt([v[i:i + 300] for i in range(0, 1000, 300)], 5, 0.01)))
print("1000 eps 0.1:", f(adapt([v], 3, 0.1)))

# SpectralNormalization (Keras 3's normalized_weights): Dense kernel W = cos(0.2 i) [3, 2] - 0.5 i/6,
# u0 = [[0.6, -0.8]]; power iterations of normalize(u W^T), normalize(v W); sigma = v W u^T.
def l2n(a):
    return a / np.sqrt(max(np.sum(a * a), 1e-24))
W = (np.cos(0.2 * np.arange(6)) - 0.5 * np.arange(6) / 6).reshape(3, 2)
for iters in (1, 3):
    u = np.array([[0.6, -0.8]])
    for _ in range(iters):
        v = l2n(u @ W.T)
        u = l2n(v @ W)
    sigma = (v @ W @ u.T)[0, 0]
    print(f"spectral {iters}: sigma {sigma:.9g} kernel", f(W / sigma), "u", f(u))
print("true sigma", np.linalg.svd(W, compute_uv=False)[0])
# After 50 training calls from u0 the kernel's largest singular value is 1.
# RMSNormalization: x = sin(0.3 i) [2, 3], scale [1, 0.5, -2], eps 1e-6 (Keras 3.9's formula).
x = np.sin(0.3 * np.arange(6)).reshape(2, 3)
s = np.array([1, 0.5, -2])
print("rms:", f(x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + 1e-6) * s))
# Over axes [1, 2] of [2, 2, 3], scale = 1 + 0.1 i [2, 3].
x3 = np.sin(0.3 * np.arange(12)).reshape(2, 2, 3)
s3 = (1 + 0.1 * np.arange(6)).reshape(2, 3)
print("rms12:", f(x3 / np.sqrt(np.mean(x3 * x3, axis=(1, 2), keepdims=True) + 1e-6) * s3))
