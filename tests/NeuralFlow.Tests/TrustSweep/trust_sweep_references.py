# The reference values of the TrustSweep tests, printed by NumPy 1.24 and PyTorch 1.13:
#   /usr/bin/python3 tests/NeuralFlow.Tests/TrustSweep/trust_sweep_references.py
# Each line names the test value it gives.
import numpy as np
import torch

inf, nan = np.inf, np.nan
print("median [inf]", np.median([inf]))
print("median [1, 2, inf]", np.median([1.0, 2.0, inf]))
print("median [1, inf]", np.median([1.0, inf]))
print("median [-inf, inf]", np.median([-inf, inf]))
print("median [-inf, -inf, 0]", np.median([-inf, -inf, 0.0]))
print("torch.quantile([1, inf], 0.25)", torch.quantile(torch.tensor([1.0, inf]), 0.25).item())
print("quantile [1 2 3 4 10] at .1 .5 .9", np.quantile([1.0, 2, 3, 4, 10], [0.1, 0.5, 0.9]))
print("digitize [nan 1 5] in [0 2 4]", np.digitize([nan, 1, 5], [0, 2, 4]), np.digitize([nan, 1, 5], [0, 2, 4], right=True))
print("searchsorted [0 2 nan] of [nan 3] left/right", np.searchsorted([0, 2, nan], [nan, 3]), np.searchsorted([0, 2, nan], [nan, 3], side="right"))
print("torch.searchsorted [0 2 4] of nan", torch.searchsorted(torch.tensor([0.0, 2, 4]), torch.tensor([nan])).tolist())
x = torch.arange(3.0).reshape(1, 1, 3) / 10
print("adaptive_avg_pool1d(0, .1, .2 -> 5)", torch.nn.functional.adaptive_avg_pool1d(x, 5).flatten().tolist())
print("adaptive_max_pool1d(0, .1, .2 -> 5)", torch.nn.functional.adaptive_max_pool1d(x, 5).flatten().tolist())
# Sparsemax of [-inf, 0.5, 0.6]: the support is {0.5, 0.6}, tau = (1.1 - 1) / 2 = 0.05 (Keras' formula, numpy).
z = np.array([-inf, 0.5, 0.6]); zs = -np.sort(-z); cs = np.cumsum(zs); k = np.arange(1, 4)
support = zs - (cs - 1) / k > 0; tau = (np.sum(np.where(support, zs, 0)) - 1) / support.sum()
print("sparsemax [-inf, .5, .6]", np.maximum(z - tau, 0))
z = np.array([nan, 0, 1.0]); zs = -np.sort(-z); cs = np.cumsum(zs)
support = zs - (cs - 1) / k > 0; tau = (np.sum(np.where(support, cs, 0)) - 1) / support.sum()
print("sparsemax [nan, 0, 1] (Keras' numpy formula)", np.maximum(z - tau, 0))
# Keras' formulas on int32 x = [-2, 0, 1, 2] as float32 (the int inputs of the activations).
xi = torch.tensor([-2, 0, 1, 2]).float()
print("celu", torch.celu(xi).tolist())
print("tanh_shrink", torch.nn.functional.tanhshrink(xi).tolist())
print("log_sigmoid", torch.nn.functional.logsigmoid(xi).tolist())
print("squareplus", ((xi + torch.sqrt(xi * xi + 4)) / 2).tolist())
print("glu", torch.nn.functional.glu(xi).tolist())
# TrainingEdgeTests: the custom step's last-batch losses of two Fits of two batches each.
w = torch.ones(2, 1, requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1)
for step in range(4):
    loss = ((torch.ones(2, 2) @ w - 1) ** 2).mean()
    opt.zero_grad(); loss.backward(); opt.step()
    print("custom step loss", step + 1, loss.item())
