"""NumPy float32 matmul GFLOP/s at the sizes of gemm_bench.cpp (best of several runs)."""
import time

import numpy as np

print("numpy", np.__version__)
print("%6s %14s" % ("n", "numpy GF/s"))
rng = np.random.default_rng(1)
for n in (128, 512, 1024, 2048):
    a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
    c = np.empty((n, n), np.float32)
    np.matmul(a, b, out=c)
    reps = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(reps):
            np.matmul(a, b, out=c)
        if time.perf_counter() - t0 > 0.2:
            break
        reps *= 2
    best = 0.0
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(reps):
            np.matmul(a, b, out=c)
        best = max(best, 2.0 * n**3 * reps / (time.perf_counter() - t0) / 1e9)
    print("%6d %14.1f" % (n, best))
