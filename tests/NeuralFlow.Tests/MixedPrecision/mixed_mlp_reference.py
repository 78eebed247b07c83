# Reference for MixedMlpStepTests: one training step of a mixed_float16 MLP
# (Dense(5, relu) -> Dense(3) -> Activation("softmax", dtype="float32"), SparseCategoricalCrossentropy,
# SGD(0.1) wrapped in a LossScaleOptimizer at scale 2^15), written by hand in torch 1.13 because
# torch.autocast does not do float16 on the CPU there. Keras' mixed precision per layer: the input and
# the float32 weights are cast to float16 (AutocastVariable), every float16 op computes in float32 and
# rounds once to float16 (as NeuralFlow and PyTorch's CPU float16 ops), so a float16 tensor's gradient is
# float16 too; the softmax and the loss run in float32 (Keras casts y_pred to float32 in the loss).
# Run: /usr/bin/python3 mixed_mlp_reference.py
import numpy as np
import torch

torch.set_printoptions(precision=9)
rng = np.random.default_rng(7)
x = rng.normal(size=(6, 4)).astype(np.float32)
y = np.array([0, 2, 1, 1, 0, 2])
w1 = (rng.normal(size=(4, 5)) * 0.6).astype(np.float32)
b1 = (rng.normal(size=(5,)) * 0.1).astype(np.float32)
w2 = (rng.normal(size=(5, 3)) * 0.6).astype(np.float32)
b2 = (rng.normal(size=(3,)) * 0.1).astype(np.float32)


class Half(torch.autograd.Function):
    """A float16 tensor held in float32: the value rounded to float16, and its gradient rounded too."""

    @staticmethod
    def forward(ctx, t):
        return t.half().float()

    @staticmethod
    def backward(ctx, g):
        return g.half().float()


H = Half.apply
W1, B1, W2, B2 = (torch.tensor(a, requires_grad=True) for a in (w1, b1, w2, b2))
xh = H(torch.tensor(x))
z1 = H(H(xh @ H(W1)) + H(B1))
h1 = torch.relu(z1)
o = H(H(h1 @ H(W2)) + H(B2))
p = torch.softmax(o, dim=1)                              # Activation("softmax", dtype="float32")
eps = 1e-7
pc = torch.clamp(p, eps, 1 - eps)                         # Keras' sparse CE from probabilities
loss = -torch.log(pc[torch.arange(6), torch.tensor(y)]).mean()
scale = 2.0 ** 15
(loss * scale).backward()
lr = 0.1
new = [(v - lr * v.grad / scale).detach().numpy() for v in (W1, B1, W2, B2)]


def cs(name, a):
    flat = ", ".join(f"{v:.9g}f" for v in np.asarray(a, dtype=np.float32).ravel())
    print(f"    private static readonly float[] {name} = [{flat}];")


for name, a in [("X", x), ("W1", w1), ("B1", b1), ("W2", w2), ("B2", b2)]:
    cs(name, a)
print(f"    private static readonly int[] Y = [{', '.join(str(int(v)) for v in y)}];")
cs("Hidden", h1.detach().numpy())      # float16 values of the first Dense's output
cs("Logits", o.detach().numpy())       # float16 values of the second Dense's output
cs("Probabilities", p.detach().numpy())
print(f"    private const double Loss = {loss.item():.9g};")
for name, a in zip(["NewW1", "NewB1", "NewW2", "NewB2"], new):
    cs(name, a)
