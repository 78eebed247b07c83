"""Reference values for the Migrate* tests (TF migration guides' TF2 halves), computed with torch 1.13.

Run with /usr/bin/python3. Each block prints what one test hard-codes.
"""
import torch

torch.set_printoptions(precision=8)


def linear_run(lr, epochs, kernel=0.5, bias=0.0):
    """Dense(1) on x = 1..4, y = 2x, full-batch SGD: the epoch losses (each before its step, as
    Keras logs a one-batch epoch) and the kernel/bias at the end of each epoch."""
    x = torch.tensor([[1.0], [2.0], [3.0], [4.0]])
    y = 2 * x
    w = torch.tensor([[kernel]], requires_grad=True)
    b = torch.tensor([bias], requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    losses, weights = [], []
    for _ in range(epochs):
        opt.zero_grad()
        loss = torch.mean((x @ w + b - y) ** 2)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        weights.append((w.item(), b.item()))
    return losses, weights


# MigrateEarlyStoppingTests: lr 0.2 diverges, so epoch 0 (the loss at the start) stays the best;
# patience 3 stops at epoch 3 and restore_best_weights puts back the weights at the end of epoch 0.
losses, weights = linear_run(0.2, 4)
print("diverging losses", [f"{v:.9g}" for v in losses])
print("weights after epoch 0", [f"{v:.9g}" for v in weights[0]])
print("weights after epoch 3", [f"{v:.9g}" for v in weights[3]])

# MigrateFaultToleranceTests / checkpoints: lr 0.01 converges; 6 epochs.
losses, weights = linear_run(0.01, 6)
print("converging losses", [f"{v:.9g}" for v in losses])
print("converging weights after epoch 5", [f"{v:.9g}" for v in weights[5]])

# MigrateMetricsOptimizersTests: ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5) stepped by the
# optimizer's iterations, SGD on the same problem for 4 steps.
x = torch.tensor([[1.0], [2.0], [3.0], [4.0]])
y = 2 * x
w = torch.tensor([[0.5]], requires_grad=True)
b = torch.tensor([0.0], requires_grad=True)
lrs = []
for step in range(4):
    lr = 0.1 * 0.5 ** (step / 2)
    lrs.append(lr)
    loss = torch.mean((x @ w + b - y) ** 2)
    gw, gb = torch.autograd.grad(loss, [w, b])
    with torch.no_grad():
        w -= lr * gw
        b -= lr * gb
print("schedule lrs", [f"{v:.9g}" for v in lrs])
print("schedule weights", f"{w.item():.9g}", f"{b.item():.9g}")
