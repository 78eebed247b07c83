# Reference values for TapeParityTests.cs (run with /usr/bin/python3; torch 1.13).
# TensorFlow: a persistent tape's gradient taken inside its `with` block is recorded on the
# tape, so t.gradient(t.gradient(y, x), x) is the second derivative. torch.autograd.grad with
# create_graph=True is the same computation.
import torch

torch.set_printoptions(precision=17)
x = torch.tensor([0.5, -1.2, 2.0], dtype=torch.float64, requires_grad=True)
y = (torch.sin(x) * x**2).sum()
(d1,) = torch.autograd.grad(y, x, create_graph=True)
(d2,) = torch.autograd.grad(d1.sum(), x, create_graph=True)
(d3,) = torch.autograd.grad(d2.sum(), x)
print("sin(x)*x^2  d1", d1.tolist())
print("sin(x)*x^2  d2", d2.tolist())
print("sin(x)*x^2  d3", d3.tolist())

# Variable w = 1.5, loss = w^3: 3w^2 = 6.75, 6w = 9.
w = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
(g,) = torch.autograd.grad(w**3, w, create_graph=True)
(h,) = torch.autograd.grad(g, w)
print("w^3", g.item(), h.item())

# Jacobian of x^2 (diag 2x), then the gradient of its sum: 2 for each x.
x = torch.tensor([0.5, -1.2, 2.0], dtype=torch.float64, requires_grad=True)
J = torch.autograd.functional.jacobian(lambda v: v**2, x, create_graph=True)
(gJ,) = torch.autograd.grad(J.sum(), x)
print("jacobian x^2", J.tolist(), "grad of its sum", gJ.tolist())
