# Reference values for GuideCoreQuickstartTests (TensorFlow's guide/core/quickstart_core.ipynb): linear regression on
# a synthetic table with the auto-mpg columns (392 rows: MPG, Cylinders, Displacement, Horsepower, Weight,
# Acceleration, Model Year, Origin), a fixed permutation for tf.random.shuffle, unshuffled batches of 64 and fixed
# initial weights, so PyTorch 1.13 (float32) sees what the C# test does. Run with /usr/bin/python3.
import math
import torch

ROWS = 392

def row(i):
    cyl = [4, 6, 8][i % 3]
    disp = 70 + 3.1 * cyl * (8 + 4 * math.sin(0.3 * i))
    hp = 45 + 0.4 * disp + 10 * math.cos(0.7 * i)
    weight = 1600 + 7.5 * disp + 150 * math.sin(1.1 * i)
    acc = 20 - 0.03 * hp + 2 * math.sin(0.5 * i)
    year = 70 + i % 13
    origin = 1 + (i * 7) % 3
    mpg = 46 - 0.006 * weight + 0.45 * (year - 70) + 1.5 * (origin - 1) + 2 * math.sin(2.3 * i)
    return [mpg, cyl, disp, hp, weight, acc, year, origin]

data = torch.tensor([row(i) for i in range(ROWS)], dtype=torch.float32)
perm = [(149 * i + 31) % ROWS for i in range(ROWS)]
shuffled = data[perm]
train, test = shuffled[100:], shuffled[:100]
x_train, y_train, x_test, y_test = train[:, 1:], train[:, 0], test[:, 1:], test[:, 0]

def onehot_origin(x):
    origin = x[:, -1].to(torch.int64)
    return torch.cat([x[:, :-1], torch.nn.functional.one_hot(origin - 1, 3).float()], dim=1)

class Normalize:
    def __init__(self, x): self.mean, self.std = x.mean(0), x.std(0, unbiased=False)
    def norm(self, x): return (x - self.mean) / self.std
    def unnorm(self, x): return x * self.std + self.mean

xtr, xte = onehot_origin(x_train), onehot_origin(x_test)
norm_x, norm_y = Normalize(xtr), Normalize(y_train)
xtrn, ytrn, xten, yten = norm_x.norm(xtr), norm_y.norm(y_train), norm_x.norm(xte), norm_y.norm(y_test)
print("x_train_ohe[0]", [float(v) for v in xtr[0]])
print("y_train mean/std", float(norm_y.mean), float(norm_y.std))

w = torch.tensor([[0.3 + 0.2 * math.sin(1.3 * k)] for k in range(9)], dtype=torch.float32, requires_grad=True)
b = torch.tensor(0.25, requires_grad=True)
def model(x): return (x @ w + b).squeeze(1)
print("first prediction unnorm", float(norm_y.unnorm(model(xtrn[:1]))[0]))

lr = 0.01
for epoch in range(100):
    tr, te = [], []
    for s in range(0, xtrn.shape[0], 64):
        loss = ((model(xtrn[s:s + 64]) - ytrn[s:s + 64]) ** 2).mean()
        gb, gw = torch.autograd.grad(loss, [b, w])
        with torch.no_grad():
            b -= lr * gb; w -= lr * gw
        tr.append(loss.detach())
    with torch.no_grad():
        for s in range(0, xten.shape[0], 64):
            te.append(((model(xten[s:s + 64]) - yten[s:s + 64]) ** 2).mean())
    trl, tel = torch.stack(tr).mean(), torch.stack(te).mean()
    if epoch % 10 == 0: print(f"Mean squared error for step {epoch}: {trl.item():0.3f}")
print(f"Final train loss: {trl.item():0.3f}")
print(f"Final test loss: {tel.item():0.3f}")
print("final losses", trl.item(), tel.item())
with torch.no_grad():
    preds = norm_y.unnorm(model(norm_x.norm(onehot_origin(x_test))))
print("test_preds[:10]", [round(float(v), 4) for v in preds[:10]])
