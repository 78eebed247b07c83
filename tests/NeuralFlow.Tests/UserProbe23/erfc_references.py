# Reference values for ErfcTests.cs: torch.special.erfc (PyTorch 1.13, /usr/bin/python3) in float64
# and float32, and its gradient -2/sqrt(pi) exp(-x^2) from autograd.
import torch

torch.set_printoptions(precision=17)
x = torch.tensor([-3.0, -0.5, 0.0, 0.3, 1.4, 1.6, 3.0, 5.0, 10.0, 26.0, float("inf"), float("-inf")], dtype=torch.float64)
print("float64", [repr(v) for v in torch.special.erfc(x).tolist()])
print("float32", [repr(v) for v in torch.special.erfc(x.float()).tolist()])
print("1-erf float64", [repr(v) for v in (1 - torch.erf(x)).tolist()])
g = x[:9].clone().requires_grad_(True)
torch.special.erfc(g).sum().backward()
print("grad", [repr(v) for v in g.grad.tolist()])
