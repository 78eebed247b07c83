# Reference values for GuideCoreMatrixTests (TensorFlow's guide/core/matrix_core.ipynb): the SVD of a fixed 40x30
# matrix standing in for tf.random.uniform, rank-r approximations, and the image compression on a synthetic 60x80 RGB
# image standing in for the downloaded photograph, with numpy (float64 SVD of the float32 data, as NF factors on the
# host in double). Run with /usr/bin/python3.
import numpy as np

def matrix_a():
    i, j = np.meshgrid(np.arange(40), np.arange(30), indexing="ij")
    v = np.sin(0.37 * i * j + 0.11 * i + 0.23 * j + 0.5) * 0.5 + 0.5   # in [0, 1] like uniform draws
    return v.astype(np.float32)

def image():
    h, w = np.meshgrid(np.arange(60), np.arange(80), indexing="ij")
    chans = []
    for c in range(3):
        v = 127.5 + 80 * np.sin(0.09 * h * (c + 1) + 0.05 * w) + 40 * np.cos(0.21 * w - 0.13 * h * c) + 7 * np.sin(1.7 * h * w + c)
        chans.append(np.clip(np.round(v), 0, 255))
    return np.stack(chans, axis=-1).astype(np.float32)

def rank_r(s, u, v, r):
    return np.einsum('...s,...us,...vs->...uv', s[..., :r], u[..., :, :r], v[..., :, :r]), u[..., :, :r].size + s[..., :r].size + v[..., :, :r].size

A = matrix_a().astype(np.float64)
u, s, vh = np.linalg.svd(A, full_matrices=False)
v = vh.T
print("s[:4]", [float(np.float32(x)) for x in s[:4]], "s[-1]", float(np.float32(s[-1])))
for r in (15, 3, 10):
    ar, size = rank_r(s, u, v, r)
    print(f"rank {r}: size {size} frobenius^2 {float(np.float32(np.sum((A - ar) ** 2)))} max err {float(np.float32(np.abs(A - ar).max()))}")
print("sum s[10:]^2", float(np.float32(np.sum(s[10:] ** 2))))

I = image().astype(np.float64)
print("I sum", float(I.sum()), "I[0,0]", I[0, 0].tolist(), "I[59,79]", I[59, 79].tolist())
Ib = np.transpose(I / 255, [2, 0, 1])
u, s, vh = np.linalg.svd(Ib, full_matrices=False)
v = np.swapaxes(vh, -1, -2)
print("image s[:, 0]", [float(np.float32(x)) for x in s[:, 0]], "s[:, 9]", [float(np.float32(x)) for x in s[:, 9]])
for r in (20, 10, 5):
    ir, size = rank_r(s, u, v, r)
    ir = np.transpose(ir, [1, 2, 0])
    print(f"image rank {r}: size {size} prop {size / I.size:.6f} mean abs err {float(np.float32(np.abs(I / 255 - ir).mean()))}")
props = np.cumsum(s, axis=1) / s.sum(axis=1, keepdims=True)
mean = props.mean(axis=0)
r = int(np.argmin(np.abs(mean - 0.75))) + 1
print("energy r", r, "actual_ef", float(np.float32(mean[r])), "mean[:3]", [float(np.float32(x)) for x in mean[:3]])
