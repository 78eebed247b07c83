# Reference numbers for TutorialQuickstartAdvancedTests.cs: the quickstart's MyModel (Conv2D(32, 3, relu), Flatten,
# Dense(128, relu), Dense(10)) on 8x8x1 images, with the weights SineWeights writes (Keras layout), two train steps
# (SparseCategoricalCrossentropy(from_logits=True), Keras 3's Adam with its defaults) and one test step.
# Run with /usr/bin/python3 (PyTorch 1.13).
import math
import torch

torch.set_default_dtype(torch.float64)


def weight(shape, v, bias):
    n = math.prod(shape)
    scale = 0.05 if bias else 0.3
    return torch.tensor([scale * math.sin(0.37 * k + 1.1 * v) for k in range(n)]).reshape(shape)


def images(batch, offset):
    # x[n, i, j, 0] = ((offset + n) * 64 + i * 8 + j) * 37 % 256 / 255, NHWC as Keras.
    return torch.tensor([[[[(((offset + n) * 64 + i * 8 + j) * 37 % 256) / 255.0] for j in range(8)] for i in range(8)]
                         for n in range(batch)])


params = [weight((3, 3, 1, 32), 0, False), weight((32,), 1, True), weight((6 * 6 * 32, 128), 2, False),
          weight((128,), 3, True), weight((128, 10), 4, False), weight((10,), 5, True)]
for p in params:
    p.requires_grad_(True)


def model(x):
    kernel, bias, w1, b1, w2, b2 = params
    y = torch.nn.functional.conv2d(x.permute(0, 3, 1, 2), kernel.permute(3, 2, 0, 1), bias)
    y = torch.relu(y).permute(0, 2, 3, 1).reshape(x.shape[0], -1)   # Keras flattens NHWC
    y = torch.relu(y @ w1 + b1)
    return y @ w2 + b2


m = [torch.zeros_like(p) for p in params]
v = [torch.zeros_like(p) for p in params]


def adam(step, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7):
    lr_t = lr * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
    with torch.no_grad():
        for p, mi, vi in zip(params, m, v):
            mi += (p.grad - mi) * (1 - beta1)
            vi += (p.grad * p.grad - vi) * (1 - beta2)
            p -= lr_t * mi / (vi.sqrt() + eps)
            p.grad = None


def accuracy_hits(labels, logits):
    return (logits.argmax(1) == labels).double().sum().item()


losses, hits = [], 0
for step, (offset, labels) in enumerate([(0, [9, 7, 1, 0]), (4, [3, 7, 0, 5])], start=1):
    logits = model(images(4, offset))
    loss = torch.nn.functional.cross_entropy(logits, torch.tensor(labels))
    loss.backward()
    adam(step)
    losses.append(loss.item())
    hits += accuracy_hits(torch.tensor(labels), logits.detach())
    print('argmax', logits.argmax(1).tolist())
    print(f'step {step} loss {loss.item()!r}')
print('train_loss.result()', sum(losses) / 2)
print('train_accuracy.result()', hits / 8)
with torch.no_grad():
    test_labels = torch.tensor([3, 4, 0, 6])
    logits = model(images(4, 8))
    print('test loss', torch.nn.functional.cross_entropy(logits, test_labels).item())
    print('test accuracy', accuracy_hits(test_labels, logits) / 4)
    print('test argmax', logits.argmax(1).tolist())
    print('test logits[0]', logits[0].tolist())
