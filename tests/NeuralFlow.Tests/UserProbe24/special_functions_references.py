# Reference values for SpecialFunctionsTests (run with /usr/bin/python3: PyTorch 1.13 and mpmath 1.2).
# i0e/i1/i1e from PyTorch; lgamma near its roots,
# the incomplete gamma and beta functions from mpmath at 40 digits (PyTorch has no betainc, and its
# gammainc is good to about 1e-10 near large a = x).
import mpmath, torch
mpmath.mp.dps = 40
d = torch.float64
r = lambda xs: ', '.join(repr(float(v)) for v in xs)

# Zeta and polygamma at negative fractional q as Cephes, TensorFlow and PyTorch define them there (whole s):
# the terms (q + k)^-s up to q + k > 0 summed, then mpmath's Hurwitz zeta (whose own continuation to a
# negative q differs). PyTorch 1.13 agrees except its trigamma (3e-10).
def zeta(s, q):
    n = int(mpmath.ceil(-q)) + 1
    return sum((mpmath.mpf(q) + k) ** (-s) for k in range(n)) + mpmath.zeta(s, mpmath.mpf(q) + n)
q = [-7.5, -8.25, -20.5, -100.3, -3.7]
print('zeta(3, q)', r(zeta(3, v) for v in q))
print('zeta(4, q)', r(zeta(4, v) for v in q))
for n in (1, 2, 3):
    print(f'polygamma({n}, q)', r((-1) ** (n + 1) * mpmath.factorial(n) * zeta(n + 1, v) for v in q))

xs = [0.9, 0.99, 0.999999, 1.000001, 1.01, 1.19, 1.81, 1.999, 2.0001, 2.19]
print('lgamma near roots', r(mpmath.log(abs(mpmath.gamma(v))) for v in xs))

z = torch.tensor([0.0, 1.0, -5.0, 20.0, 1000.0, -1e5], dtype=d)
print('i0e', r(torch.special.i0e(z)))
print('i1', r(torch.special.i1(z[:4])))
print('i1e', r(torch.special.i1e(z)))
zg = torch.tensor([-3.0, -0.5, 0.25, 2.0, 9.0], dtype=d, requires_grad=True)
for name, f in (('i0e', torch.special.i0e), ('i1', torch.special.i1), ('i1e', torch.special.i1e)):
    g, = torch.autograd.grad(f(zg).sum(), zg)
    print(f"{name}'", r(g))

A = [0.5, 1, 3, 100, 100, 1e4, 20, 1e-3, 0.2, 50, 1e6, 7]
X = [0.2, 2, 2.5, 100, 90, 1.0001e4, 60, 0.8, 0.01, 70, 1e6 - 300, 1e-5]
print('igamma', r(mpmath.gammainc(a, 0, x, regularized=True) for a, x in zip(A, X)))
print('igammac', r(mpmath.gammainc(a, x, mpmath.inf, regularized=True) for a, x in zip(A, X)))
DA, DX = [0.5, 1, 3, 100, 100, 1e4, 20, 1e-3, 0.2, 50, 7, 2.5], [0.2, 2, 2.5, 100, 90, 1.0001e4, 60, 0.8, 0.01, 70, 1e-5, 0.7]
print('d/da igamma', r(mpmath.diff(lambda s: mpmath.gammainc(s, 0, mpmath.mpf(x), regularized=True), mpmath.mpf(a)) for a, x in zip(DA, DX)))
print('gamma density', r(mpmath.exp(-x) * x ** (a - 1) / mpmath.gamma(a) for a, x in zip([0.5, 3, 20], [0.2, 2.5, 25])))

BA = [0.5, 2, 10, 1e3, 0.1, 5, 200]
BB = [0.5, 3, 20, 2e3, 0.2, 1, 0.5]
BX = [0.3, 0.4, 0.3, 0.34, 0.999, 0.9, 0.998]
print('betainc', r(mpmath.betainc(a, b, 0, x, regularized=True) for a, b, x in zip(BA, BB, BX)))
print('beta density', r(x ** (a - 1) * (1 - x) ** (b - 1) / mpmath.beta(a, b) for a, b, x in zip([2, 0.5, 10], [3, 0.5, 20], [0.4, 0.3, 0.3])))
# Student-t CDF at t = 1.5 with 4 degrees of freedom: 1 - I_{v/(v+t^2)}(v/2, 1/2) / 2.
print('student t cdf', repr(float(1 - mpmath.betainc(2, 0.5, 0, 4 / (4 + 2.25), regularized=True) / 2)))
