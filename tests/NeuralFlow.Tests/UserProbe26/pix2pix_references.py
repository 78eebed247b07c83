# Reference values for TutorialPix2Pix*Tests: TensorFlow's pix2pix tutorial (site/en/tutorials/generative/pix2pix.ipynb)
# at a reduced size, rebuilt in PyTorch 1.13 with TF/Keras semantics written out where they differ from torch's:
# 'same' padding of stride-2 4x4 convolutions (1 each side for even sizes), Conv2DTranspose kernels [kh, kw, out, in],
# Keras BatchNormalization (epsilon 1e-3, momentum 0.99, biased batch variance for the moving statistics; torch's
# refuses one value per channel), LeakyReLU's Keras slope 0.3, and Keras' Adam (epsilon added to sqrt(v) after the
# bias corrections are folded into the step). Weights are not random: every kernel is Kernel(shape, k) below, the
# k-th kernel in building order, the same integers the C# tests compute; biases and BatchNormalization start at
# Keras' defaults (0, gamma 1, beta 0, moving mean 0, moving variance 1). Dropout is rate 0 here (its masks are random).
# Run: /usr/bin/python3 pix2pix_references.py
import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)   # float64 references; the float32 tests compare within float32 rounding

SIZE, BATCH, LAMBDA = 32, 2, 100
DOWN = [4, 8, 16, 32, 32]          # the tutorial's 64, 128, 256, 512, 512 ... divided by 16, one per halving of SIZE
OUT_CHANNELS = 3


def kernel(shape, k):
    # TF layout; integer arithmetic so C# gets the same numbers exactly.
    n = int(np.prod(shape))
    j = np.arange(n, dtype=np.int64)
    v = ((j * 7919 + k * 104729 + 13) % 1999) / 1999.0 - 0.5
    return (v * 0.3).astype(np.float32).astype(np.float64).reshape(shape)


def image(b, coef):
    # [b, SIZE, SIZE, 3] in [-1, 1), exact in float32.
    i = np.arange(SIZE).reshape(1, SIZE, 1, 1); j = np.arange(SIZE).reshape(1, 1, SIZE, 1)
    c = np.arange(3).reshape(1, 1, 1, 3); n = np.arange(b).reshape(b, 1, 1, 1)
    return ((i * coef[0] + j * coef[1] + c * coef[2] + n * coef[3]) % 17) / 8.0 - 1.0


class BN:
    def __init__(self, c):
        self.gamma = torch.ones(c, requires_grad=True); self.beta = torch.zeros(c, requires_grad=True)
        self.mean = torch.zeros(c); self.var = torch.ones(c)

    def __call__(self, x, training):   # NCHW
        if training:
            m = x.mean(dim=(0, 2, 3)); v = ((x - m.view(1, -1, 1, 1)) ** 2).mean(dim=(0, 2, 3))
            with torch.no_grad():
                self.mean.mul_(0.99).add_(0.01 * m); self.var.mul_(0.99).add_(0.01 * v)
        else:
            m, v = self.mean, self.var
        return (x - m.view(1, -1, 1, 1)) / torch.sqrt(v.view(1, -1, 1, 1) + 1e-3) * self.gamma.view(1, -1, 1, 1) + self.beta.view(1, -1, 1, 1)


class Net:
    def __init__(self):
        self.params = []   # Keras' trainable_variables order
        self.k = 0

    def kern(self, shape):
        w = torch.tensor(kernel(shape, self.k), requires_grad=True); self.k += 1
        self.params.append(w)
        return w

    def bn(self, c):
        b = BN(c); self.params += [b.gamma, b.beta]
        return b


def lrelu(x): return F.leaky_relu(x, 0.3)


class Generator(Net):
    def __init__(self):
        super().__init__()
        self.down = []
        cin = 3
        for i, f in enumerate(DOWN):
            self.down.append((self.kern((4, 4, cin, f)), self.bn(f) if i > 0 else None)); cin = f
        self.up = []
        for i in range(len(DOWN) - 1):
            f = DOWN[len(DOWN) - 2 - i]
            self.up.append((self.kern((4, 4, f, cin)), self.bn(f))); cin = 2 * f
        self.last = self.kern((4, 4, OUT_CHANNELS, cin))
        self.last_b = torch.zeros(OUT_CHANNELS, requires_grad=True); self.params.append(self.last_b)

    def __call__(self, x, training):
        x = x.permute(0, 3, 1, 2)
        skips = []
        for w, bn in self.down:
            x = F.conv2d(x, w.permute(3, 2, 0, 1).contiguous(), stride=2, padding=1)
            if bn: x = bn(x, training)
            x = lrelu(x); skips.append(x)
        for (w, bn), skip in zip(self.up, reversed(skips[:-1])):
            x = torch.relu(bn(F.conv_transpose2d(x, w.permute(3, 2, 0, 1).contiguous(), stride=2, padding=1), training))
            x = torch.cat([x, skip], 1)
        x = torch.tanh(F.conv_transpose2d(x, self.last.permute(3, 2, 0, 1).contiguous(), self.last_b, stride=2, padding=1))
        return x.permute(0, 2, 3, 1)


class Discriminator(Net):
    def __init__(self):
        super().__init__()
        self.d1 = self.kern((4, 4, 6, 4))
        self.d2 = self.kern((4, 4, 4, 8)); self.bn2 = self.bn(8)
        self.d3 = self.kern((4, 4, 8, 16)); self.bn3 = self.bn(16)
        self.conv = self.kern((4, 4, 16, 32)); self.bn4 = self.bn(32)
        self.last = self.kern((4, 4, 32, 1))
        self.last_b = torch.zeros(1, requires_grad=True); self.params.append(self.last_b)

    def __call__(self, inp, tar, training):
        x = torch.cat([inp, tar], 3).permute(0, 3, 1, 2)
        x = lrelu(F.conv2d(x, self.d1.permute(3, 2, 0, 1).contiguous(), stride=2, padding=1))
        x = lrelu(self.bn2(F.conv2d(x, self.d2.permute(3, 2, 0, 1).contiguous(), stride=2, padding=1), training))
        x = lrelu(self.bn3(F.conv2d(x, self.d3.permute(3, 2, 0, 1).contiguous(), stride=2, padding=1), training))
        x = F.conv2d(F.pad(x, (1, 1, 1, 1)), self.conv.permute(3, 2, 0, 1).contiguous())
        x = lrelu(self.bn4(x, training))
        x = F.conv2d(F.pad(x, (1, 1, 1, 1)), self.last.permute(3, 2, 0, 1).contiguous(), self.last_b)
        return x.permute(0, 2, 3, 1)


def bce_logits(target, logits):
    return F.binary_cross_entropy_with_logits(logits, target)


def generator_loss(disc_generated_output, gen_output, target):
    gan_loss = bce_logits(torch.ones_like(disc_generated_output), disc_generated_output)
    l1_loss = torch.mean(torch.abs(target - gen_output))
    return gan_loss + LAMBDA * l1_loss, gan_loss, l1_loss


def discriminator_loss(real, generated):
    return bce_logits(torch.ones_like(real), real) + bce_logits(torch.zeros_like(generated), generated)


class KerasAdam:
    def __init__(self, params, lr=2e-4, b1=0.5, b2=0.999, eps=1e-7):
        self.p, self.lr, self.b1, self.b2, self.eps, self.t = params, lr, b1, b2, eps, 0
        self.m = [torch.zeros_like(p) for p in params]; self.v = [torch.zeros_like(p) for p in params]

    def apply(self, grads):
        self.t += 1
        alpha = self.lr * np.sqrt(1 - self.b2 ** self.t) / (1 - self.b1 ** self.t)
        with torch.no_grad():
            for p, g, m, v in zip(self.p, grads, self.m, self.v):
                m.add_((g - m) * (1 - self.b1)); v.add_((g * g - v) * (1 - self.b2))
                p.sub_(alpha * m / (torch.sqrt(v) + self.eps))


def fmt(xs): return ", ".join(f"{x:.9g}" for x in xs)


def main():
    inp = torch.tensor(image(BATCH, (7, 3, 5, 11))); tar = torch.tensor(image(BATCH, (2, 9, 4, 6)))
    gen, disc = Generator(), Discriminator()
    print("generator variables", len(gen.params), "discriminator variables", len(disc.params))

    with torch.no_grad():
        g = gen(inp, False)
        d = disc(inp, g, False)
        print("gen_output(training=False) sum", f"{g.sum().item():.9g}", "abs sum", f"{g.abs().sum().item():.9g}")
        print("gen_output[0, 5, 7, :]", fmt(g[0, 5, 7].tolist()), "[1, 31, 0, :]", fmt(g[1, 31, 0].tolist()))
        print("disc_out(training=False) shape", tuple(d.shape), "values", fmt(d.flatten().tolist()))
        gt = gen(inp, True)   # generate_images: training=True (batch statistics); moving stats updated, recomputed below
        print("gen_output(training=True) sum", f"{gt.sum().item():.9g}", "[0, 5, 7, :]", fmt(gt[0, 5, 7].tolist()))
        dr, dg = disc(inp, tar, False), disc(inp, g, False)
        total, gan, l1 = generator_loss(dg, g, tar)
        print("generator_loss(training=False outputs)", fmt([total.item(), gan.item(), l1.item()]))
        print("discriminator_loss(training=False outputs)", f"{discriminator_loss(dr, dg).item():.9g}")

    # Fresh networks for the train steps (the training=True call above moved the moving statistics).
    gen, disc = Generator(), Discriminator()
    gopt, dopt = KerasAdam(gen.params), KerasAdam(disc.params)
    for step in range(3):
        gen_output = gen(inp, True)
        disc_real = disc(inp, tar, True)
        disc_gen = disc(inp, gen_output, True)
        gen_total, gen_gan, gen_l1 = generator_loss(disc_gen, gen_output, tar)
        disc_loss = discriminator_loss(disc_real, disc_gen)
        gg = torch.autograd.grad(gen_total, gen.params, retain_graph=True, allow_unused=True)
        dg = torch.autograd.grad(disc_loss, disc.params, allow_unused=True)
        gg = [torch.zeros_like(p) if x is None else x for p, x in zip(gen.params, gg)]
        gopt.apply(gg); dopt.apply(list(dg))
        print(f"step {step} losses (gen_total, gen_gan, gen_l1, disc)", fmt([gen_total.item(), gen_gan.item(), gen_l1.item(), disc_loss.item()]))
    with torch.no_grad():
        print("after 3 steps: generator last kernel sum", f"{gen.last.sum().item():.9g}", "last bias", fmt(gen.last_b.tolist()))
        print("after 3 steps: discriminator last bias", fmt(disc.last_b.tolist()), "bn4 moving mean sum", f"{disc.bn4.mean.sum().item():.9g}")
        print("after 3 steps: generator(training=False) sum", f"{gen(inp, False).sum().item():.9g}")

    # load(): nearest-neighbour resize, TF's half-pixel rule = torch's 'nearest-exact'.
    x = torch.arange(25.).reshape(1, 1, 5, 5)
    print("nearest 5x5 -> 7x7 row 3:", fmt(F.interpolate(x, size=(7, 7), mode="nearest-exact")[0, 0, 3].tolist()))
    print("nearest 5x5 -> 7x7 col 6:", fmt(F.interpolate(x, size=(7, 7), mode="nearest-exact")[0, 0, :, 6].tolist()))


# cyclegan_references.py imports the helpers above; running this file prints the pix2pix references.
if __name__ == "__main__":
    main()
