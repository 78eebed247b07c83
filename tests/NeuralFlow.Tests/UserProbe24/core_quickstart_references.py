# Reference values for CoreQuickstartTests: the Core APIs quickstart's linear regression (core/quickstart_core.ipynb)
# on a synthetic auto-mpg-like table (row i, feature j = 1..6: 2 + sin(0.37 i + 1.3 j), origin = 1 + i % 3,
# MPG = sum_j j * feature_j - 2 origin + 0.3 sin(i)), unshuffled: the first 100 rows are the test set. Weights start
# at w_k = 0.1 sin(k + 1), b = 0.5 instead of random; SGD 0.01 on batches of 64, 10 epochs.
import math
import torch

rows = []
for i in range(300):
    feats = [2 + math.sin(0.37 * i + 1.3 * j) for j in range(1, 7)]
    origin = 1 + i % 3
    mpg = sum(j * f for j, f in zip(range(1, 7), feats)) - 2 * origin + 0.3 * math.sin(i)
    rows.append([mpg] + feats + [origin])
data = torch.tensor(rows, dtype=torch.float32)
train, test = data[100:], data[:100]
x_train, y_train, x_test, y_test = train[:, 1:], train[:, 0], test[:, 1:], test[:, 0]


def onehot_origin(x):
    origin = x[:, -1].int()
    return torch.cat([x[:, :-1], torch.nn.functional.one_hot((origin - 1).long(), 3).float()], dim=1)


xtr, xte = onehot_origin(x_train), onehot_origin(x_test)
mean_x, std_x = xtr.mean(0), xtr.std(0, unbiased=False)
mean_y, std_y = y_train.mean(), y_train.std(unbiased=False)
xtr, xte = (xtr - mean_x) / std_x, (xte - mean_x) / std_x
ytr, yte = (y_train - mean_y) / std_y, (y_test - mean_y) / std_y
w = torch.tensor([[0.1 * math.sin(k + 1)] for k in range(9)], requires_grad=True)
b = torch.tensor(0.5, requires_grad=True)


def model(x):
    return (x @ w + b).squeeze(1)


print("first prediction unnormalized", f"{(model(xtr[:1]) * std_y + mean_y).item():.5f}")
for epoch in range(10):
    train_losses = []
    for s in range(0, 200, 64):
        loss = torch.mean((model(xtr[s:s + 64]) - ytr[s:s + 64]) ** 2)
        gw, gb = torch.autograd.grad(loss, [w, b])
        with torch.no_grad():
            w -= 0.01 * gw
            b -= 0.01 * gb
        train_losses.append(loss.item())
    with torch.no_grad():
        test_losses = [torch.mean((model(xte[s:s + 64]) - yte[s:s + 64]) ** 2).item() for s in range(0, 100, 64)]
    print(f"epoch {epoch}: train {sum(train_losses) / len(train_losses):.6f}f test {sum(test_losses) / len(test_losses):.6f}f")
with torch.no_grad():
    print("export of the first test row", f"{(model(xte[:1]) * std_y + mean_y).item():.5f}")
