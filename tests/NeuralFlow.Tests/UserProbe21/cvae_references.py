#!/usr/bin/python3
"""References for TutorialCvaeTests, with PyTorch 1.13 in float64: the tutorial's CVAE at 12 x 12 with latent_dim 2
and the C# test's weights (value k of weight v, in Keras' layout, 0.3 sin(0.37 k + 1.1 v) for a kernel, 0.05 sin(...)
for a bias), on the test's binarized images, with the test's fixed epsilon in reparameterize: compute_loss
(-mean(log p(x|z) + log p(z) - log q(z|x)), sigmoid cross entropy from logits summed over pixels), then again after
one train_step with Keras' Adam(1e-4) (epsilon 1e-7 added to sqrt(v), bias corrections folded into the rate).
Keras' padding="valid" convolutions; "same" transposed convolutions cut PyTorch's full output from pad_total // 2,
pad_total = (n - 1) * stride + kernel - n * stride."""
import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
latent = 2


def weight(shape, v, bias):
    k = np.arange(int(np.prod(shape)), dtype=np.float64)
    return torch.tensor((0.05 if bias else 0.3) * np.sin(0.37 * k + 1.1 * v).reshape(shape), requires_grad=True)


# Encoder: Conv2D(4, 3, s2) valid, Conv2D(8, 3, s2) valid, Flatten, Dense(2 * latent).
# Decoder: Dense(3 * 3 * 4, relu), Reshape(3, 3, 4), Conv2DTranspose(8, 3, s2, same, relu), (4, 3, s2, same, relu), (1, 3, s1, same).
shapes = [(3, 3, 1, 4), (4,), (3, 3, 4, 8), (8,), (32, 4), (4,),
          (latent, 36), (36,), (3, 3, 8, 4), (8,), (3, 3, 4, 8), (4,), (3, 3, 1, 4), (1,)]
params = [weight(s, v, len(s) == 1) for v, s in enumerate(shapes)]


def encode(x):
    h = torch.relu(F.conv2d(x, params[0].permute(3, 2, 0, 1), params[1], stride=2))
    h = torch.relu(F.conv2d(h, params[2].permute(3, 2, 0, 1), params[3], stride=2))
    h = h.permute(0, 2, 3, 1).reshape(len(x), -1)   # Keras flattens channels last
    out = h @ params[4] + params[5]
    return out[:, :latent], out[:, latent:]


def conv_t_same(x, kernel, bias, stride):
    n = x.shape[-1]
    full = F.conv_transpose2d(x, kernel.permute(3, 2, 0, 1), bias, stride=stride)
    before = ((n - 1) * stride + 3 - n * stride) // 2
    return full[:, :, before:before + n * stride, before:before + n * stride]


def decode(z):
    h = torch.relu(z @ params[6] + params[7]).reshape(len(z), 3, 3, 4).permute(0, 3, 1, 2)
    h = torch.relu(conv_t_same(h, params[8], params[9], 2))
    h = torch.relu(conv_t_same(h, params[10], params[11], 2))
    return conv_t_same(h, params[12], params[13], 1)   # logits, NCHW


def log_normal_pdf(sample, mean, logvar):
    return torch.sum(-0.5 * ((sample - mean) ** 2 * torch.exp(-logvar) + logvar + np.log(2 * np.pi)), dim=1)


def compute_loss(x, eps):
    mean, logvar = encode(x)
    z = eps * torch.exp(logvar * 0.5) + mean
    logits = decode(z)
    cross_ent = torch.clamp(logits, min=0) - logits * x + torch.log1p(torch.exp(-torch.abs(logits)))
    logpx_z = -torch.sum(cross_ent, dim=[1, 2, 3])
    return -torch.mean(logpx_z + log_normal_pdf(z, torch.zeros(1), torch.zeros(1)) - log_normal_pdf(z, mean, logvar))


n = np.arange(4)[:, None, None]; i = np.arange(12)[None, :, None]; j = np.arange(12)[None, None, :]
images = 127.5 + 127.5 * np.sin(0.8 * i + 0.5 * n) * np.cos(0.6 * j - 0.7 * n)   # 0..255
x = torch.tensor(np.where(images / 255.0 > 0.5, 1.0, 0.0))[:, None, :, :]
eps = torch.tensor([[0.3, -1.2], [0.8, 0.1], [-0.5, 0.6], [1.5, -0.4]])

loss = compute_loss(x, eps)
print("compute_loss:", repr(loss.item()))
loss.backward()
lr, b1, b2, e = 1e-4, 0.9, 0.999, 1e-7
alpha = lr * np.sqrt(1 - b2) / (1 - b1)
with torch.no_grad():
    for p in params:
        m = (1 - b1) * p.grad
        v = (1 - b2) * p.grad ** 2
        p.sub_(alpha * m / (v.sqrt() + e))
print("compute_loss after one train_step:", repr(compute_loss(x, eps).item()))
with torch.no_grad():
    print("sample(eps) first 6 pixels:", repr(torch.sigmoid(decode(eps)).permute(0, 2, 3, 1).numpy().ravel()[:6].tolist()))
