# Reference values for TutorialCycleGan*Tests: TensorFlow's CycleGAN tutorial (site/en/tutorials/generative/cyclegan.ipynb)
# at 32 x 32 with the filters divided by 16, rebuilt in PyTorch 1.13 with TF/Keras semantics written out where they
# differ from torch's: 'same' padding of stride-2 4x4 convolutions (1 each side for even sizes), Conv2DTranspose kernels
# [kh, kw, out, in], tensorflow_examples' InstanceNormalization (moments over height and width, biased variance,
# epsilon 1e-5, learned scale and offset), Keras' LeakyReLU slope 0.3, Keras' BinaryCrossentropy(from_logits=True)
# and Keras' Adam (epsilon added to sqrt(v) after folding the bias corrections into the step).
# Weights are not random: kernel(shape, k) is pix2pix_references.py's (imported), numbered on across generator_g, generator_f,
# discriminator_x, discriminator_y; scale(c, s) likewise for the instance-norm scales; offsets and biases are 0.
# Dropout is rate 0 here (its masks are random). Run: /usr/bin/python3 cyclegan_references.py
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

# pix2pix_references.py's kernel(shape, k), image(b, coef) at SIZE 32, Keras' Adam, LeakyReLU(0.3) and number format;
# importing it sets torch's default dtype to float64 (float64 references; the float32 tests compare within float32 rounding).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "UserProbe26"))
from pix2pix_references import KerasAdam, fmt, image, kernel, lrelu  # noqa: E402

SIZE, LAMBDA = 32, 10
DOWN = [4, 8, 16, 32, 32]          # 64, 128, 256, 512, 512 divided by 16, one block per halving of SIZE


def scale(c, s):
    j = np.arange(c)
    return (1 + ((j * 13 + s * 7) % 11 - 5) * 0.02).astype(np.float32).astype(np.float64)


class Counter:
    k = 0
    s = 0


class IN:
    def __init__(self, c, params):
        self.scale = torch.tensor(scale(c, Counter.s), requires_grad=True); Counter.s += 1
        self.offset = torch.zeros(c, requires_grad=True)
        params += [self.scale, self.offset]

    def __call__(self, x):   # NCHW
        m = x.mean(dim=(2, 3), keepdim=True); v = ((x - m) ** 2).mean(dim=(2, 3), keepdim=True)
        return (x - m) * torch.rsqrt(v + 1e-5) * self.scale.view(1, -1, 1, 1) + self.offset.view(1, -1, 1, 1)


class Net:
    def __init__(self):
        self.params = []   # Keras' trainable_variables order

    def kern(self, shape):
        w = torch.tensor(kernel(shape, Counter.k), requires_grad=True); Counter.k += 1
        self.params.append(w)
        return w


def conv(x, w, stride, padding): return F.conv2d(x, w.permute(3, 2, 0, 1).contiguous(), stride=stride, padding=padding)
def deconv(x, w, b=None): return F.conv_transpose2d(x, w.permute(3, 2, 0, 1).contiguous(), b, stride=2, padding=1)


class Generator(Net):
    # Building order as Keras makes the weights: the down blocks (kernel, norm), the up blocks, the last layer.
    def __init__(self):
        super().__init__()
        self.down, cin = [], 3
        for i, f in enumerate(DOWN):
            w = self.kern((4, 4, cin, f))
            self.down.append((w, IN(f, self.params) if i > 0 else None)); cin = f
        self.up = []
        for i in range(len(DOWN) - 1):
            f = DOWN[len(DOWN) - 2 - i]
            w = self.kern((4, 4, f, cin))
            self.up.append((w, IN(f, self.params))); cin = 2 * f
        self.last = self.kern((4, 4, 3, cin))
        self.last_b = torch.zeros(3, requires_grad=True); self.params.append(self.last_b)

    def __call__(self, x):
        x = x.permute(0, 3, 1, 2)
        skips = []
        for w, norm in self.down:
            x = conv(x, w, 2, 1)
            if norm: x = norm(x)
            x = lrelu(x); skips.append(x)
        for (w, norm), skip in zip(self.up, reversed(skips[:-1])):
            x = torch.cat([torch.relu(norm(deconv(x, w))), skip], 1)
        return torch.tanh(deconv(x, self.last, self.last_b)).permute(0, 2, 3, 1)


class Discriminator(Net):
    def __init__(self):
        super().__init__()
        self.d1 = self.kern((4, 4, 3, 4))
        self.d2 = self.kern((4, 4, 4, 8)); self.n2 = IN(8, self.params)
        self.d3 = self.kern((4, 4, 8, 16)); self.n3 = IN(16, self.params)
        self.conv = self.kern((4, 4, 16, 32)); self.n4 = IN(32, self.params)
        self.last = self.kern((4, 4, 32, 1))
        self.last_b = torch.zeros(1, requires_grad=True); self.params.append(self.last_b)

    def __call__(self, x):
        x = x.permute(0, 3, 1, 2)
        x = lrelu(conv(x, self.d1, 2, 1))
        x = lrelu(self.n2(conv(x, self.d2, 2, 1)))
        x = lrelu(self.n3(conv(x, self.d3, 2, 1)))
        x = lrelu(self.n4(conv(F.pad(x, (1, 1, 1, 1)), self.conv, 1, 0)))
        x = F.conv2d(F.pad(x, (1, 1, 1, 1)), self.last.permute(3, 2, 0, 1).contiguous(), self.last_b)
        return x.permute(0, 2, 3, 1)


def bce(target, logits): return F.binary_cross_entropy_with_logits(logits, target)
def discriminator_loss(real, generated): return (bce(torch.ones_like(real), real) + bce(torch.zeros_like(generated), generated)) * 0.5
def generator_loss(generated): return bce(torch.ones_like(generated), generated)
def calc_cycle_loss(real, cycled): return LAMBDA * torch.mean(torch.abs(real - cycled))
def identity_loss(real, same): return LAMBDA * 0.5 * torch.mean(torch.abs(real - same))


real_x = torch.tensor(image(1, (7, 3, 5, 11))); real_y = torch.tensor(image(1, (2, 9, 4, 6)))
gen_g, gen_f, disc_x, disc_y = Generator(), Generator(), Discriminator(), Discriminator()
print("variables g f x y", len(gen_g.params), len(gen_f.params), len(disc_x.params), len(disc_y.params), "kernels", Counter.k, "scales", Counter.s)

with torch.no_grad():
    to_zebra, to_horse = gen_g(real_x), gen_f(real_y)
    print("to_zebra shape", tuple(to_zebra.shape), "sum", f"{to_zebra.sum().item():.9g}", "[0, 5, 7, :]", fmt(to_zebra[0, 5, 7].tolist()))
    print("to_horse sum", f"{to_horse.sum().item():.9g}", "[0, 31, 0, :]", fmt(to_horse[0, 31, 0].tolist()))
    d = disc_y(real_y)
    print("discriminator_y(real_y) shape", tuple(d.shape), "values", fmt(d.flatten().tolist()))

opts = [KerasAdam(m.params) for m in (gen_g, gen_f, disc_x, disc_y)]
for step in range(2):
    fake_y = gen_g(real_x); cycled_x = gen_f(fake_y)
    fake_x = gen_f(real_y); cycled_y = gen_g(fake_x)
    same_x = gen_f(real_x); same_y = gen_g(real_y)
    disc_real_x, disc_real_y = disc_x(real_x), disc_y(real_y)
    disc_fake_x, disc_fake_y = disc_x(fake_x), disc_y(fake_y)
    gen_g_loss, gen_f_loss = generator_loss(disc_fake_y), generator_loss(disc_fake_x)
    total_cycle_loss = calc_cycle_loss(real_x, cycled_x) + calc_cycle_loss(real_y, cycled_y)
    total_gen_g_loss = gen_g_loss + total_cycle_loss + identity_loss(real_y, same_y)
    total_gen_f_loss = gen_f_loss + total_cycle_loss + identity_loss(real_x, same_x)
    disc_x_loss = discriminator_loss(disc_real_x, disc_fake_x)
    disc_y_loss = discriminator_loss(disc_real_y, disc_fake_y)
    # tape.gradient four times from one persistent tape = four grads over a retained graph.
    grads = [torch.autograd.grad(loss, net.params, retain_graph=True, allow_unused=True)
             for loss, net in ((total_gen_g_loss, gen_g), (total_gen_f_loss, gen_f), (disc_x_loss, disc_x), (disc_y_loss, disc_y))]
    for opt, net, g in zip(opts, (gen_g, gen_f, disc_x, disc_y), grads):
        opt.apply([torch.zeros_like(p) if x is None else x for p, x in zip(net.params, g)])
    print(f"step {step} losses (total_gen_g, total_gen_f, disc_x, disc_y, gen_g, total_cycle)",
          fmt([t.item() for t in (total_gen_g_loss, total_gen_f_loss, disc_x_loss, disc_y_loss, gen_g_loss, total_cycle_loss)]))
with torch.no_grad():
    print("after 2 steps: generator_g last bias", fmt(gen_g.last_b.tolist()), "discriminator_y last bias", fmt(disc_y.last_b.tolist()))
    print("after 2 steps: generator_g(real_x) sum", f"{gen_g(real_x).sum().item():.9g}",
          "generator_g first scale", fmt(gen_g.down[1][1].scale.tolist()[:3]))
