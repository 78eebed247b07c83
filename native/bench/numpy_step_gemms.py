"""NumPy peer of step_gemms.cpp: the same products and transposes, median microseconds of 200 calls.
Threads through the environment, e.g.
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=2 /usr/bin/python3 native/bench/numpy_step_gemms.py
"""
import time

import numpy as np

# name, ta, tb, M, N, K: op(A) [M, K] stored [K, M] when ta; op(B) [K, N] stored [N, K] when tb.
PRODUCTS = [
    ("mlp x@W1", False, False, 256, 512, 784), ("mlp h1@W2", False, False, 256, 512, 512),
    ("mlp h2@W3", False, False, 256, 10, 512), ("mlp h2^T@dy", True, False, 512, 10, 256),
    ("mlp dy@W3^T", False, True, 256, 512, 10), ("mlp h1^T@dz2", True, False, 512, 512, 256),
    ("mlp dz2@W2^T", False, True, 256, 512, 512), ("mlp x^T@dz1", True, False, 784, 512, 256),
    ("ws x@W1", False, False, 256, 50, 784), ("ws x^T@dz1", True, False, 784, 50, 256),
    ("cnn conv1", False, False, 43264, 32, 9), ("cnn conv2", False, False, 7744, 64, 288),
    ("cnn cols2^T@dy", True, False, 288, 64, 7744), ("cnn dy@W2^T", False, True, 7744, 288, 64),
]
rng = np.random.default_rng(1)
mlp_total = 0.0
for name, ta, tb, m, n, k in PRODUCTS:
    a = rng.uniform(-1, 1, (k, m) if ta else (m, k)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, k) if tb else (k, n)).astype(np.float32)
    a_op, b_op = (a.T if ta else a), (b.T if tb else b)
    c = np.empty((m, n), np.float32)
    times = []
    for r in range(210):
        t0 = time.perf_counter()
        np.matmul(a_op, b_op, out=c)
        if r >= 10:
            times.append((time.perf_counter() - t0) * 1e6)
    median = sorted(times)[len(times) // 2]
    if name.startswith("mlp"):
        mlp_total += median
    print("%-16s %5dx%5dx%5d %8.1f" % (name, m, n, k, median))
print("mlp step's products %.1f" % mlp_total)
