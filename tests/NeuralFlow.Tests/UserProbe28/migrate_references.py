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


def keras_adagrad_run(steps, lr=0.05, kernel=(0.5, -0.25), bias=0.0):
    """Dense(1) on the logging/session-hook guides' features and labels, one example a step (batch(1),
    repeated), Keras' Adagrad (accumulators start at 0.1; var -= lr * g / sqrt(acc + 1e-7)). Returns the
    per-step losses and the kernel/bias after each step."""
    features = torch.tensor([[1.0, 1.5], [2.0, 2.5], [3.0, 3.5]])
    labels = torch.tensor([[0.3], [0.5], [0.7]])
    w = torch.tensor([[kernel[0]], [kernel[1]]], requires_grad=True)
    b = torch.tensor([bias], requires_grad=True)
    acc = [torch.full_like(w, 0.1), torch.full_like(b, 0.1)]
    losses, weights = [], []
    for step in range(steps):
        i = step % 3
        loss = torch.mean((features[i:i + 1] @ w + b - labels[i:i + 1]) ** 2)
        grads = torch.autograd.grad(loss, [w, b])
        with torch.no_grad():
            for v, g, a in zip([w, b], grads, acc):
                a += g * g
                v -= lr * g / torch.sqrt(a + 1e-7)
        losses.append(loss.item())
        weights.append(([w[0, 0].item(), w[1, 0].item()], b.item()))
    return losses, weights


# MigrateLoggingStopHookTests: two steps, then the stop; the batch logs' loss is the running mean.
losses, weights = keras_adagrad_run(2)
print("stop hook losses", [f"{v:.9g}" for v in losses], "running", f"{(losses[0] + losses[1]) / 2:.9g}")
print("stop hook weights after step 1", [f"{v:.9g}" for v in weights[0][0]], f"{weights[0][1]:.9g}")
print("stop hook weights after step 2", [f"{v:.9g}" for v in weights[1][0]], f"{weights[1][1]:.9g}")

# MigrateSessionRunHookTests: batch(1).repeat(100), 300 steps in one epoch; history['loss'] is their mean.
losses, weights = keras_adagrad_run(300)
print("session hook epoch loss", f"{sum(losses) / len(losses):.9g}")
