# Reference values for TrainingEdgeTests.cs: Keras' Fit/Evaluate arithmetic written out in
# NumPy (float32 layers, as Keras casts float64 inputs to the layer's float32), run with /usr/bin/python3.
import numpy as np
x = np.linspace(-1.0, 2.0, 20).reshape(10, 2); y = (x @ np.array([2.0, -1.0]) + 0.5).reshape(10, 1)
k = np.ones((2, 1), np.float32); b = np.zeros(1, np.float32)
x32 = x.astype(np.float32); y32 = y.astype(np.float32)
losses, sizes = [], []
for s in range(0, 10, 4):          # batches of 4, 4 and a last partial batch of 2; no shuffle
    xb, yb = x32[s:s + 4], y32[s:s + 4]; n = len(xb)
    e = xb @ k + b - yb
    losses.append(float(np.mean(e ** 2))); sizes.append(n)
    k = k - np.float32(0.1) * (2 / n * xb.T @ e); b = b - np.float32(0.1) * (2 / n * e.sum(0))
print("kernel:", k.ravel().tolist(), "bias:", b.tolist())
print("epoch loss (batch-size weighted):", np.dot(losses, sizes) / 10)
w = np.array([1, 0, 0, 0, 2, 1, 0, 3, 1, 0], np.float32)
e = (x32 @ k + b - y32).ravel()
print("evaluate with weights:", float(np.sum(w * e ** 2) / 10))
