# Reference values for GammaFamilyTests.cs and LogAddExpTests.cs: PyTorch 1.13 (/usr/bin/python3) in float64.
# torch.lgamma, torch.digamma, torch.polygamma(n, x), torch.special.zeta(s, q), torch.logaddexp, and their autograd
# gradients. Where PyTorch 1.13 is off (polygamma(1, -1) = 6.6e32 where the pole gives +inf; polygamma(3, +inf) = NaN
# where the limit is 0) the tests say so and take the mathematical value, which is TensorFlow's Cephes'.
import torch

x = torch.tensor([-2.5, -1.0, -0.0, 0.0, 1e-8, 0.5, 1.0, 1.4616321449683622, 2.0, 3.7, 8.0, 30.0, 1e10,
                  float('inf'), float('-inf'), float('nan')], dtype=torch.float64)
print("lgamma", [repr(v) for v in torch.lgamma(x).tolist()])
print("digamma", [repr(v) for v in torch.digamma(x).tolist()])
print("trigamma", [repr(v) for v in torch.polygamma(1, x).tolist()])
# torch.polygamma(1, x) (its own trigamma series) is only good to about 3e-10 (4.934802202073678 at 0.5, where pi^2/2 =
# 4.934802200544679); the tests take trigamma from Cephes' zeta instead: zeta(2, x) for x > 0, and the reflection
# pi^2 / sin^2(pi x) - trigamma(1 - x) at -2.5.
pos = torch.tensor([1e-8, 0.5, 1.0, 1.4616321449683622, 2.0, 3.7, 8.0, 30.0, 1e10], dtype=torch.float64)
print("trigamma from zeta", [repr(v) for v in torch.special.zeta(torch.full_like(pos, 2.0), pos).tolist()])
print("trigamma(-2.5)", repr((torch.pi ** 2 / torch.sin(torch.tensor(-2.5, dtype=torch.float64) * torch.pi) ** 2
                              - torch.special.zeta(torch.tensor(2.0, dtype=torch.float64), torch.tensor(3.5, dtype=torch.float64))).item()))
print("polygamma3", [repr(v) for v in torch.polygamma(3, x).tolist()])
s = torch.tensor([2., 3., 1.5, 1.0, 0.5, 4.0, 2.0, 3.0, 2.0], dtype=torch.float64)
q = torch.tensor([1., 2.5, 0.1, 1.0, 1.0, -2.0, -2.5, 100.0, -6.5], dtype=torch.float64)
print("zeta", [repr(v) for v in torch.special.zeta(s, q).tolist()])
a = torch.tensor([1., -1000., float('inf'), float('-inf'), 0.0, 800.0, -3.0], dtype=torch.float64)
b = torch.tensor([2., -1001., float('inf'), float('-inf'), 0.0, 1.0, 40.0], dtype=torch.float64)
print("logaddexp", [repr(v) for v in torch.logaddexp(a, b).tolist()])

# Gradients at smooth points.
g = torch.tensor([-2.5, -0.3, 0.2, 1.0, 3.7, 12.0], dtype=torch.float64, requires_grad=True)
(torch.lgamma(g) * torch.arange(1, 7)).sum().backward()
print("lgamma grad", [repr(v) for v in g.grad.tolist()])
g.grad = None
torch.digamma(g).sum().backward()
print("digamma grad (torch's trigamma)", [repr(v) for v in g.grad.tolist()])
gd = g.detach()
print("digamma grad from zeta", [repr(v) for v in torch.where(gd > 0, torch.special.zeta(torch.full_like(gd, 2.0), gd.abs()),
      torch.pi ** 2 / torch.sin(gd * torch.pi) ** 2 - torch.special.zeta(torch.full_like(gd, 2.0), 1 - gd)).tolist()])
h = torch.tensor([0.2, 1.0, 3.7, 12.0], dtype=torch.float64, requires_grad=True)
torch.polygamma(2, h).sum().backward()
print("polygamma2", [repr(v) for v in torch.polygamma(2, h.detach()).tolist()])
print("polygamma2 grad", [repr(v) for v in h.grad.tolist()])
ga = a[[0, 1, 4, 5, 6]].clone().requires_grad_(True)
gb = b[[0, 1, 4, 5, 6]].clone().requires_grad_(True)
torch.logaddexp(ga, gb).sum().backward()
print("logaddexp grad a", [repr(v) for v in ga.grad.tolist()])
print("logaddexp grad b", [repr(v) for v in gb.grad.tolist()])
f = torch.tensor([0.5, 2.0, 7.25], dtype=torch.float32)
print("float32 lgamma", [repr(v) for v in torch.lgamma(f).tolist()], "digamma", [repr(v) for v in torch.digamma(f).tolist()])
