# Reference values for MuonScheduleFreeTests: a numpy (float64) reimplementation of Keras 3's
# keras/src/optimizers/muon.py and schedule_free_adamw.py update rules, including the base
# optimizer's decoupled weight decay (w -= w * wd * lr before the update).
# Run: /usr/bin/python3 tests/NeuralFlow.Tests/Optimizers2/reference_values.py
import numpy as np

def ns5(x, steps, a=3.4445, b=-4.7750, c=2.0315):
    t = x.shape[0] > x.shape[1]
    if t: x = x.T
    x = x / (np.linalg.norm(x) + 1e-7)
    for _ in range(steps):
        A = x @ x.T
        B = b * A + c * A @ A
        x = a * x + B @ x
    return x.T if t else x

def muon(ws, gs_per_step, lr, use_adam, wd=0.004, awd=0.004, mom=0.95, nesterov=True, rms=0.2, b1=0.9, b2=0.999, eps=1e-7, ratio=1.0, steps=5):
    ws = [w.copy() for w in ws]
    m = [np.zeros_like(w) for w in ws]; v = [np.zeros_like(w) for w in ws]
    for t, gs in enumerate(gs_per_step, 1):
        for i, (w, g) in enumerate(zip(ws, gs)):
            d = awd if use_adam[i] else wd
            if d: w -= w * d * lr
            if use_adam[i]:
                a = lr * ratio
                m[i] += (g - m[i]) * (1 - b1); v[i] += (g * g - v[i]) * (1 - b2)
                alpha = a * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
                w -= m[i] * alpha / (np.sqrt(v[i]) + eps)
            else:
                m[i] += g + m[i] * (mom - 1)
                gg = g + mom * m[i] if nesterov else m[i]
                u = lr * ns5(gg, steps)
                if rms is not None: u = u * np.sqrt(max(w.shape)) * rms
                w -= u
    return ws

def sfadamw(w, gs, lr, b1=0.9, b2=0.999, eps=1e-8, warmup=0, wd=None):
    y = w.copy(); z = w.copy(); v = np.zeros_like(w)
    for t, g in enumerate(gs, 1):
        if wd: y -= y * wd * lr
        l = lr * min(t / warmup, 1.0) if warmup > 0 else lr
        z_old = z.copy()   # the momentum before this step (the source's "momentum_old")
        v += (g * g - v) * (1 - b2)
        z -= l * g / (np.sqrt(v / (1 - b2 ** t)) + eps)
        c = 1.0 / t
        x_old = (y - (1 - b1) * z_old) / b1
        x_new = (1 - c) * x_old + c * z
        y = (1 - b1) * z + b1 * x_new
    return y

np.set_printoptions(precision=17)
print("keras NS", ns5(np.array([[0.2499, 0.9105], [0.2655, 0.8824]]), 5).ravel().tolist())
print("keras muon single", muon([np.array([[1., 2.], [3., 4.]])], [[np.array([[1., 6.], [7., 2.]])]], 0.5, [False], wd=0)[0].ravel().tolist())
# Three steps: a 3x2 matrix by Muon (transposed inside NS), a bias by AdamW; lr 0.1, defaults else.
W = np.arange(6.).reshape(3, 2) / 10 - 0.2; B = np.array([0.5, -0.5])
G = [[np.sin(np.arange(6.) * k).reshape(3, 2), np.cos(np.arange(2.) * k)] for k in (1, 2, 3)]
r = muon([W, B], G, 0.1, [False, True])
print("muon 3 steps W", r[0].ravel().tolist()); print("muon 3 steps B", r[1].ravel().tolist())
r = muon([W, B], G, 0.1, [False, True], nesterov=False, rms=None, wd=0.01, awd=None, ratio=0.5, steps=3)
print("muon 3 steps W (no nesterov, no rms, wd .01, 3 NS)", r[0].ravel().tolist()); print("  B (ratio .5, no adam wd)", r[1].ravel().tolist())
w0 = np.array([1., 2., 3., 4.])
print("sf 1 step keras", sfadamw(w0, [np.array([1., 6., 7., 2.])], 0.5).tolist())
gs = [np.sin(np.arange(4.) * k + 1) for k in (1, 2, 3)]
print("sf 3 steps", sfadamw(w0, gs, 0.1).tolist())
print("sf 3 steps warmup 2 wd .01", sfadamw(w0, gs, 0.1, warmup=2, wd=0.01).tolist())
