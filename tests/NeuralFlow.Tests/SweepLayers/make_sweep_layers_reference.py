"""Reference values for tests/NeuralFlow.Tests/SweepLayers (run with /usr/bin/python3: torch 1.13, numpy).

The Keras docstrings print no values for some of their examples (pooling, Dot, Concatenate);
these are computed here from the examples' own inputs. DepthwiseConv1D (a layer NeuralFlow
lacked) is checked against torch's grouped conv1d with TF's "same" padding.
"""
import math
import numpy as np
import torch
import torch.nn.functional as F


def fmt(a):
    return ", ".join(repr(float(v)) for v in np.asarray(a, dtype=np.float64).ravel())


def tf_same_pad(length, k, s, d):
    out = math.ceil(length / s)
    total = max((out - 1) * s + (k - 1) * d + 1 - length, 0)
    return total // 2, total - total // 2


def depthwise1d(x, kernel, stride, padding, dilation):
    # x: [N, L, C] (channels_last); kernel: Keras' [K, C, M]; output channel c * M + m.
    k, c, m = kernel.shape
    xt = torch.tensor(x).permute(0, 2, 1)
    w = torch.tensor(kernel).permute(1, 2, 0).reshape(c * m, 1, k)
    if padding == "same":
        xt = F.pad(xt, tf_same_pad(x.shape[1], k, stride, dilation))
    y = F.conv1d(xt, w, stride=stride, dilation=dilation, groups=c)
    return y.permute(0, 2, 1).numpy()


def pool(x, size, stride, padding, op):
    # 1-D/2-D pooling over the spatial axes of [N, *spatial, C] with TF's rules: "same" pads at the
    # end (then the start), padded cells never count (average over the real cells only).
    spatial = x.shape[1:-1]
    outs, pads = [], []
    for n, k, s in zip(spatial, size, stride):
        if padding == "valid":
            outs.append((n - k) // s + 1); pads.append(0)
        else:
            o = math.ceil(n / s); outs.append(o)
            pads.append(max((o - 1) * s + k - n, 0) // 2)
    y = np.zeros((x.shape[0], *outs, x.shape[-1]))
    for idx in np.ndindex(*outs):
        sl = tuple(slice(max(i * s - p, 0), min(i * s - p + k, n)) for i, s, p, k, n in zip(idx, stride, pads, size, spatial))
        window = x[(slice(None),) + sl + (slice(None),)]
        axes = tuple(range(1, 1 + len(spatial)))
        y[(slice(None),) + idx + (slice(None),)] = window.max(axis=axes) if op == "max" else window.mean(axis=axes)
    return y


if __name__ == "__main__":
    x = (np.arange(30, dtype=np.float32).reshape(2, 5, 3) * 0.37 % 1.9 - 0.8).astype(np.float32)
    kernel = (np.arange(18, dtype=np.float32).reshape(3, 3, 2) * 0.29 % 1.3 - 0.6).astype(np.float32)
    print("depthwise x:", fmt(x))
    print("depthwise kernel:", fmt(kernel))
    print("depthwise same s2:", depthwise1d(x, kernel, 2, "same", 1).shape, fmt(depthwise1d(x, kernel, 2, "same", 1)))
    print("depthwise valid d2:", depthwise1d(x, kernel, 1, "valid", 2).shape, fmt(depthwise1d(x, kernel, 1, "valid", 2)))

    # pooling docstrings (keras/src/layers/pooling/{average,max}_pooling{1,2}d.py)
    x1 = np.array([1., 2., 3., 4., 5.]).reshape(1, 5, 1)
    for op in ("avg", "max"):
        for s, p in ((1, "valid"), (2, "valid"), (1, "same")):
            print(f"{op}1d s{s} {p}:", fmt(pool(x1, (2,), (s,), p, op)))
    x33 = np.arange(1., 10.).reshape(1, 3, 3, 1)
    x34 = np.arange(1., 13.).reshape(1, 3, 4, 1)
    for op in ("avg", "max"):
        print(f"{op}2d s1 valid:", fmt(pool(x33, (2, 2), (1, 1), "valid", op)))
        print(f"{op}2d s2 valid:", fmt(pool(x34, (2, 2), (2, 2), "valid", op)))
        print(f"{op}2d s1 same:", fmt(pool(x33, (2, 2), (1, 1), "same", op)))

    # merging docstrings (keras/src/layers/merging/{concatenate,dot}.py)
    a = np.arange(20).reshape(2, 2, 5); b = np.arange(20, 30).reshape(2, 1, 5)
    print("concatenate axis 1:", np.concatenate([a, b], axis=1).shape, np.concatenate([a, b], axis=1).ravel().tolist())
    x = np.arange(10).reshape(1, 5, 2); y = np.arange(10, 20).reshape(1, 2, 5)
    print("dot axes (1, 2):", np.einsum("bki,bjk->bij", x, y).ravel().tolist())

    # Adaptive pooling (keras/src/layers/pooling/adaptive_*.py, NeuralFlow lacked them): Keras' windows
    # are PyTorch's, [floor(i L / out), ceil((i + 1) L / out)); inputs sin(0.7 k) in channels_last.
    def wave(*shape):
        return np.sin(0.7 * np.arange(np.prod(shape))).reshape(shape).astype(np.float64)
    x1 = wave(1, 7, 2); t1 = torch.tensor(x1).permute(0, 2, 1)
    print("adaptive avg1d 3:", fmt(F.adaptive_avg_pool1d(t1, 3).permute(0, 2, 1)))
    print("adaptive max1d 3:", fmt(F.adaptive_max_pool1d(t1, 3).permute(0, 2, 1)))
    x2 = wave(1, 5, 7, 2); t2 = torch.tensor(x2).permute(0, 3, 1, 2)
    print("adaptive avg2d (3, 4):", fmt(F.adaptive_avg_pool2d(t2, (3, 4)).permute(0, 2, 3, 1)))
    print("adaptive max2d (3, 4):", fmt(F.adaptive_max_pool2d(t2, (3, 4)).permute(0, 2, 3, 1)))
    x3 = wave(1, 3, 4, 5, 1); t3 = torch.tensor(x3).permute(0, 4, 1, 2, 3)
    print("adaptive avg3d (2, 3, 2):", fmt(F.adaptive_avg_pool3d(t3, (2, 3, 2)).permute(0, 2, 3, 4, 1)))
    print("adaptive max3d (2, 3, 2):", fmt(F.adaptive_max_pool3d(t3, (2, 3, 2)).permute(0, 2, 3, 4, 1)))
