# Reference numbers for TutorialCustomTrainingTests.cs: the custom training walkthrough's model (Dense(10, relu),
# Dense(10, relu), Dense(3)) with the weights SineWeights writes, on the first batch of 32 rows of the penguins-like
# CSV the test writes (same formula), the loss, one SGD(0.01) step and the loss after it, and the softmax of the
# tutorial's predict_dataset from those weights. Run with /usr/bin/python3 (PyTorch 1.13).
import math
import torch

torch.set_default_dtype(torch.float64)


def weight(shape, v, bias):
    n = math.prod(shape)
    scale = 0.05 if bias else 0.3
    return torch.tensor([scale * math.sin(0.37 * k + 1.1 * v) for k in range(n)]).reshape(shape)


def rows(n):
    # species = 7i mod 3; feature k = 0.15 + 0.25 species + ((37i + 11k) mod 20) / 100, written with 2 decimals.
    out = []
    for i in range(n):
        species = (7 * i) % 3
        out.append((species, [float('%.2f' % (0.15 + 0.25 * species + ((37 * i + 11 * k) % 20) / 100.0)) for k in range(4)]))
    return out


data = rows(40)[:32]
# Features are float32 in the CSV dataset; the model computes in float32 there, here in float64 from the same values.
x = torch.tensor([f for _, f in data], dtype=torch.float32).double()
y = torch.tensor([s for s, _ in data])
params = [weight((4, 10), 0, False), weight((10,), 1, True), weight((10, 10), 2, False), weight((10,), 3, True),
          weight((10, 3), 4, False), weight((3,), 5, True)]
for p in params:
    p.requires_grad_(True)


def model(x):
    w1, b1, w2, b2, w3, b3 = params
    return torch.relu(torch.relu(x @ w1 + b1) @ w2 + b2) @ w3 + b3


logits = model(x)
print('predictions[:2]', logits[:2].tolist())
print('softmax(predictions[:1])', torch.softmax(logits[:1], 1).tolist())
print('argmax', logits.argmax(1).tolist())
loss = torch.nn.functional.cross_entropy(logits, y)
print('Loss test', loss.item())
loss.backward()
with torch.no_grad():
    for p in params:
        p -= 0.01 * p.grad
    print('Step 1 loss', torch.nn.functional.cross_entropy(model(x), y).item())
    predict = torch.tensor([[0.3, 0.8, 0.4, 0.5], [0.4, 0.1, 0.8, 0.5], [0.7, 0.9, 0.8, 0.4]], dtype=torch.float32).double()
    print('predict softmax', torch.softmax(model(predict), 1).tolist())
