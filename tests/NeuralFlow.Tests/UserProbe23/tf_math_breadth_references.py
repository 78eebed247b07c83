# Reference values for TfMathBreadthTests.cs (PyTorch 1.13 / NumPy, /usr/bin/python3, float64).
import numpy as np
import torch

x = torch.tensor([1e-20, 0.01, 0.5, 1.0, 1.7, 2.0 - 1e-12], dtype=torch.float64)
# tf.math.erfcinv(x) = -ndtri(x / 2) / sqrt(2)
print("erfcinv", [repr(v) for v in (-torch.special.ndtri(x / 2) / 2 ** 0.5).tolist()])
print("erfinv(1 - x)", [repr(v) for v in torch.special.erfinv(1 - x).tolist()])
a = torch.tensor([[1.0, 2.0, 3.0], [0.5, 0.5, 0.5], [10.0, 0.1, 4.0]], dtype=torch.float64)
print("lbeta", [repr(v) for v in (torch.lgamma(a).sum(-1) - torch.lgamma(a.sum(-1))).tolist()])
print("polyval", [repr(v) for v in np.polyval([2.0, -3.0, 0.5, 7.0], np.array([-1.5, 0.0, 2.25])).tolist()])

# CumulativeLogsumexp: torch.logcumsumexp (exclusive and reverse from flips and a -inf pad).
c = torch.tensor([[-1000.0, 0.0, -2000.0, 5.0], [1.0, 2.0, 3.0, 4.0]], dtype=torch.float64)
print("logcumsumexp axis 1", [repr(v) for v in torch.logcumsumexp(c, 1).flatten().tolist()])
print("reverse", [repr(v) for v in torch.logcumsumexp(c.flip(1), 1).flip(1).flatten().tolist()])
print("axis 0", [repr(v) for v in torch.logcumsumexp(c, 0).flatten().tolist()])
w = c.clone().requires_grad_(True)
(torch.logcumsumexp(w, 1) * torch.arange(1.0, 9.0, dtype=torch.float64).reshape(2, 4)).sum().backward()
print("grad axis 1", [repr(v) for v in w.grad.flatten().tolist()])
