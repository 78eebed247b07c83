#!/usr/bin/python3
"""References for TutorialAutoencoderTests, with PyTorch 1.13 in float64: the tutorial's two autoencoders with
the same weights as the C# test writes (value k of weight v, in Keras' layout, is 0.3 sin(0.37 k + 1.1 v) for a
kernel and 0.05 sin(0.37 k + 1.1 v) for a bias), trained as model.fit(x, y, batch_size, epochs, shuffle=False,
validation_data) does: MSE averaged over everything, Keras' Adam (lr 1e-3, epsilon 1e-7 added to sqrt(v), the bias
corrections folded into the rate), "loss" the mean of an epoch's batch losses, "val_loss" after each epoch.
Keras' padding="same": stride 1 pads 1 each side; stride 2 on an even size pads 0 before and 1 after, and the
transposed convolution is the adjoint of that convolution (PyTorch's full transposed output, last row and column cut)."""
import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def weight(shape, v, bias):
    k = np.arange(int(np.prod(shape)), dtype=np.float64)
    return (0.05 if bias else 0.3) * np.sin(0.37 * k + 1.1 * v).reshape(shape)


def keras_adam(params, lr=1e-3, b1=0.9, b2=0.999, eps=1e-7):
    state = [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]
    t = [0]

    def step():
        t[0] += 1
        alpha = lr * np.sqrt(1 - b2 ** t[0]) / (1 - b1 ** t[0])
        with torch.no_grad():
            for p, (m, v) in zip(params, state):
                m.mul_(b1).add_((1 - b1) * p.grad)
                v.mul_(b2).add_((1 - b2) * p.grad ** 2)
                p.sub_(alpha * m / (v.sqrt() + eps))
                p.grad = None
    return step


def fit(forward, params, x, y, val, batch, epochs):
    step = keras_adam(params)
    losses, val_losses = [], []
    for _ in range(epochs):
        batch_losses = []
        for s in range(0, len(x), batch):
            loss = torch.mean((forward(x[s:s + batch]) - y[s:s + batch]) ** 2)
            loss.backward()
            step()
            batch_losses.append(loss.item())
        losses.append(np.mean(batch_losses))
        with torch.no_grad():
            val_losses.append(torch.mean((forward(val[0]) - val[1]) ** 2).item())
    return losses, val_losses


# 1. Autoencoder(latent_dim=3, shape=(4, 4)): Flatten, Dense(3, relu) | Dense(16, sigmoid), Reshape.
n = np.arange(16)[:, None, None]; i = np.arange(4)[None, :, None]; j = np.arange(4)[None, None, :]
x_train = torch.tensor(0.5 + 0.4 * np.sin(0.7 * n + 1.3 * i - 0.9 * j))
n = np.arange(8)[:, None, None]
x_test = torch.tensor(0.5 + 0.4 * np.cos(0.5 * n - 0.8 * i + 1.1 * j))
shapes = [((16, 3), False), ((3,), True), ((3, 16), False), ((16,), True)]
params = [torch.tensor(weight(s, v, b), requires_grad=True) for v, (s, b) in enumerate(shapes)]


def dense_ae(x):
    encoded = torch.relu(x.reshape(len(x), 16) @ params[0] + params[1])
    return torch.sigmoid(encoded @ params[2] + params[3]).reshape(len(x), 4, 4)


losses, val_losses = fit(dense_ae, params, x_train, x_train, (x_test, x_test), batch=8, epochs=3)
print("dense loss:", repr(losses))
print("dense val_loss:", repr(val_losses))
print("dense decoded test[0]:", repr(dense_ae(x_test[:1]).detach().numpy().ravel().tolist()))

# 2. Denoise on 8 x 8 x 1 images: Conv2D(4, 3, s2) Conv2D(2, 3, s2) | Conv2DTranspose(2, 3, s2) Conv2DTranspose(4, 3, s2) Conv2D(1, 3).
n = np.arange(4)[:, None, None, None]; i = np.arange(8)[None, :, None, None]; j = np.arange(8)[None, None, :, None]
clean = 0.5 + 0.45 * np.sin(0.9 * n + 0.6 * i) * np.cos(0.4 * j - 0.3 * n)
noisy = np.clip(clean + 0.2 * np.sin(3.7 * n + 2.3 * i + 1.9 * j + 0.5), 0.0, 1.0)
clean_t = torch.tensor(clean).permute(0, 3, 1, 2)
noisy_t = torch.tensor(noisy).permute(0, 3, 1, 2)
layers = [("conv", 1, 4, 2), ("conv", 4, 2, 2), ("convT", 2, 2, 2), ("convT", 2, 4, 2), ("conv", 4, 1, 1)]
params = []
for index, (kind, cin, cout, _) in enumerate(layers):
    kshape = (3, 3, cin, cout) if kind == "conv" else (3, 3, cout, cin)   # Keras' kernel layouts
    params.append(torch.tensor(weight(kshape, 2 * index, False), requires_grad=True))
    params.append(torch.tensor(weight((cout,), 2 * index + 1, True), requires_grad=True))


def denoise(x):
    for index, (kind, _, _, stride) in enumerate(layers):
        kernel, bias = params[2 * index], params[2 * index + 1]
        if kind == "conv":
            w = kernel.permute(3, 2, 0, 1)             # (out, in, kh, kw)
            x = F.pad(x, (0, 1, 0, 1)) if stride == 2 else F.pad(x, (1, 1, 1, 1))
            x = F.conv2d(x, w, bias, stride=stride)
        else:
            w = kernel.permute(3, 2, 0, 1)             # (in, out, kh, kw)
            size = x.shape[-1] * stride
            x = F.conv_transpose2d(x, w, bias, stride=stride)[:, :, :size, :size]
        x = torch.sigmoid(x) if index == len(layers) - 1 else torch.relu(x)
    return x


print("denoise output[0] before training:", repr(denoise(noisy_t[:1]).detach().permute(0, 2, 3, 1).numpy().ravel()[:8].tolist()))
losses, val_losses = fit(denoise, params, noisy_t, clean_t, (noisy_t, clean_t), batch=2, epochs=2)
print("denoise loss:", repr(losses))
print("denoise val_loss:", repr(val_losses))
