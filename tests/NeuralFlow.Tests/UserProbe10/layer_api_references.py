"""References for UserProbe10's layer-authoring tests (PyTorch 1.13, float64 then printed as float32).

1. add_weight(regularizer=L2(0.1), constraint=NonNeg): a custom layer y = x @ w (w [3, 2]),
   loss = mean squared error + 0.1 * sum(w^2) (Keras' L2 formula), three SGD(0.1) steps on one batch,
   the projection max(w, 0) after each step (Keras 3 applies constraints after the update).
2. Embedding(5, 2) with embeddings_constraint MaxNorm(1, axis=1): out = table[ids] for ids [4, 1]
   flattened, mse loss, three SGD(0.5) steps, each row's norm clipped to 1 after each step
   (Keras' MaxNorm: w * clip(n, 0, max) / (1e-7 + n)).
"""
import torch

torch.set_default_dtype(torch.float64)

def show(name, t):
    print(name, ", ".join(f"{v:.8g}f" for v in t.detach().flatten().tolist()))

# 1. add_weight with regularizer and constraint
x = torch.tensor([[1., 2., -1.], [0.5, -1.5, 2.], [2., 0., 1.], [-1., 1., 0.5]])
y = torch.tensor([[3., 2.], [1., -3.], [2., 1.], [0.5, 4.]])
w = torch.tensor([[0.1, -0.2], [0.3, 0.05], [-0.15, 0.25]], requires_grad=True)
penalty0 = 0.1 * (w ** 2).sum()
print("penalty at start", f"{penalty0.item():.8g}")
for step in range(3):
    loss = ((x @ w - y) ** 2).mean() + 0.1 * (w ** 2).sum()
    if step == 0: print("first loss", f"{loss.item():.8g}")
    w.grad = None
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
        w.clamp_(min=0)
show("custom w", w)

# 2. Embedding with MaxNorm(1, axis=1)
table = torch.tensor([[0.5, -0.5], [0.9, 0.6], [0.1, 0.2], [-0.7, 0.4], [0.3, -0.8]], requires_grad=True)
ids = torch.tensor([1, 3, 1, 4])
t = torch.tensor([[2., 1.], [-1.5, 0.5], [1.5, 1.5], [0.5, -2.]])
for step in range(3):
    loss = ((table[ids] - t) ** 2).mean()
    table.grad = None
    loss.backward()
    with torch.no_grad():
        table -= 0.5 * table.grad
        n = table.norm(dim=1, keepdim=True)
        table *= n.clamp(0, 1) / (1e-7 + n)
show("embedding table", table)
