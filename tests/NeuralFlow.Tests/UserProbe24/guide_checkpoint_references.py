# Reference values for GuideCheckpointTests: the checkpoint guide's Net (Dense(5) on one input) trained by
# train_step (mean absolute error, Adam(0.1), Keras' update rule) on toy_dataset's batches of two, straight through.
# The guide's step variable starts at 1 and is saved when it reaches a multiple of 10, so the checkpoints hold
# gradient steps 9, 19, ..., 49 of the first run; the second run restores step 49 (and the iterator after 49
# batches) and runs 50 more: gradient steps 50-99 of this straight run, saved after steps 59, ..., 99.
import torch

torch.set_default_dtype(torch.float32)
inputs = torch.arange(10.0)[:, None]
labels = inputs * 5.0 + torch.arange(5.0)[None, :]
kernel = torch.tensor([[0.1, -0.2, 0.3, -0.4, 0.5]], requires_grad=True)
bias = torch.zeros(5, requires_grad=True)
params = [kernel, bias]
m = [torch.zeros_like(p) for p in params]
v = [torch.zeros_like(p) for p in params]
lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-7
for step in range(1, 100):
    k = (step - 1) % 5
    x, y = inputs[2 * k:2 * k + 2], labels[2 * k:2 * k + 2]
    loss = torch.mean(torch.abs(x @ kernel + bias - y))
    grads = torch.autograd.grad(loss, params)
    with torch.no_grad():
        alpha = lr * (1 - b2 ** step) ** 0.5 / (1 - b1 ** step)
        for i, p in enumerate(params):
            m[i] += (grads[i] - m[i]) * (1 - b1)
            v[i] += (grads[i] ** 2 - v[i]) * (1 - b2)
            p -= alpha * m[i] / (v[i].sqrt() + eps)
    if step % 10 == 9:
        print(f"step {step}: loss {loss.item():.7f}")
    if step == 50:
        print("kernel50", [f"{t:.7f}" for t in kernel.detach().flatten().tolist()])
        print("bias50", [f"{t:.7f}" for t in bias.detach().tolist()])
print("kernel", [f"{t:.7f}" for t in kernel.detach().flatten().tolist()])
print("bias", [f"{t:.7f}" for t in bias.detach().tolist()])
