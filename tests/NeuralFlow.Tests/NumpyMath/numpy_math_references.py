# Reference values for NumpyMathTests.cs and NanStatisticsTests.cs: run with /usr/bin/python3
# (NumPy 1.24, PyTorch 1.13). Each block prints the name the tests cite and NumPy's values.
import numpy as np
import torch
import warnings

warnings.simplefilter("ignore")   # NumPy warns for log(0), all-NaN slices, overflow: the values are what matter
np.seterr(all="ignore")

np.set_printoptions(precision=17, floatmode="unique")
inf, nan = np.inf, np.nan


def show(name, v):
    print(name, repr(np.asarray(v).tolist()), np.asarray(v).dtype)


show("log2", np.log2(np.array([8.0, 1.0, 0.5, 3.0, 0.0, -1.0, inf, 1e-300])))
show("log2 f32", np.log2(np.array([8, 1024, 3, 0.1], np.float32)))
show("log10", np.log10(np.array([1000.0, 1e-5, 2.0, 1e22, 0.0, -2.0, inf])))
show("log10 f32", np.log10(np.array([1000, 100000, 2, 0.001], np.float32)))
show("exp2", np.exp2(np.array([3.0, -2.0, 0.5, 1023.0, 1024.0, -inf, 10.3])))
show("exp2 f32", np.exp2(np.array([3, 10, -1, 0.5], np.float32)))
show("cbrt", np.cbrt(np.array([27.0, -8.0, 2.0, 0.0, -inf, 1e-300, -1e300, 0.001, -0.0])))
show("cbrt f32", np.cbrt(np.array([27, -64, 3, 1000], np.float64)).astype(np.float32))  # rounded once
show("cbrt f32 (NumPy's float32 loop)", np.cbrt(np.array([27, -64, 3, 1000], np.float32)))
show("reciprocal", np.reciprocal(np.array([2.0, -4.0, 0.0, inf])))
show("ldexp", np.ldexp(np.array([1.5, 3.0, -1.0, 2.0 ** -1074, 1.0]), np.array([3, -2, 10, 1100, 1024])))
show("ldexp f32", np.ldexp(np.array([1.5, 3.0], np.float32), np.array([3, 200])))
show("copysign", np.copysign(np.array([1.0, -2.0, 3.0, 0.0, inf]), np.array([-1.0, 2.0, -0.0, -5.0, -1.0])))
show("signbit", np.signbit(np.array([-1.0, 0.0, -0.0, inf, -inf, nan, 2.0])))
show("fmod", np.fmod(np.array([7.0, -7.0, 7.0, -7.0, 5.5, 1.0, inf]), np.array([2.0, 2.0, -2.0, -2.0, 2.0, 0.0, 2.0])))
show("fmod int", np.fmod(np.array([7, -7, 7, -7]), np.array([2, 2, -2, -2])))
show("nextafter", np.nextafter(np.array([1.0, 1.0, 0.0, 0.0, 2.0, -2.0, inf, 5e-324, 1.0, nan, 1.7976931348623157e308]),
                               np.array([2.0, 0.0, 1.0, -1.0, 0.0, -3.0, 0.0, 0.0, 1.0, 1.0, inf])))
show("nextafter f32", np.nextafter(np.array([1, 1, 0, 2, -2, 1e-40, 3.4028234663852886e38], np.float32),
                                   np.array([2, 0, 1, 0, 0, 0, inf], np.float32)))
show("gcd", np.gcd(np.array([12, -20, 0, 0, 17, 1071, 832040]), np.array([20, 12, 5, 0, 5, 462, 514229])))
show("lcm", np.lcm(np.array([4, -6, 0, 21, 7]), np.array([6, 4, 5, 6, 0])))
show("gcd broadcast", np.gcd(np.array([9, 12, 15]), 6))
show("gcd uint8", np.gcd(np.array([144, 0], np.uint8), np.array([6, 0], np.uint8)))
show("gcd int64 fib", np.gcd(np.array([7540113804746346429], np.int64), np.array([4660046610375530309], np.int64)))
show("nan_to_num", np.nan_to_num(np.array([nan, inf, -inf, 1.5])))
show("nan_to_num f32", np.nan_to_num(np.array([nan, inf, -inf, 1.5], np.float32)))
show("nan_to_num args", np.nan_to_num(np.array([nan, inf, -inf, 1.5]), nan=-1.0, posinf=9.0, neginf=-9.0))
a = np.array([1.0, 1.0, inf, inf, nan, 1e10, 0.0, 1e-9])
b = np.array([1.0 + 1e-6, 1.1, inf, -inf, nan, 1.00001e10, 1e-9, 0.0])
show("isclose", np.isclose(a, b))
show("isclose equal_nan", np.isclose(a, b, equal_nan=True))
show("isclose rtol0 atol0.2", np.isclose(a, b, rtol=0, atol=0.2))
show("isneginf", np.isneginf(np.array([-inf, inf, nan, 1.0])))
show("isposinf", np.isposinf(np.array([-inf, inf, nan, 1.0])))

x = np.array([-0.999, -0.5, -0.1, 0.0, 0.2, 0.7, 0.9999, 1.0, -1.0, 1.5, nan])
show("erfinv", torch.erfinv(torch.tensor(x, dtype=torch.float64)).numpy())
x32 = np.array([0.5, -0.3, 0.99, 0.999999], np.float32)
show("erfinv f32", torch.erfinv(torch.tensor(x32).double()).float().numpy())
show("erfinv f32 (torch's float32)", torch.erfinv(torch.tensor(x32)).numpy())
xi = np.array([0.0, 0.5, -1.0, 3.0, 7.9, 8.0, 8.5, -20.0, 100.0, 700.0])
show("i0", np.i0(xi))
show("i1 (i0 gradient)", torch.special.i1(torch.tensor(xi, dtype=torch.float64)).numpy())
show("i0 inf (NF gives the limit, inf)", np.i0(np.array([inf, -inf, nan])))
show("ldexp C# exponent", np.ldexp(np.array([1.5, -2.0]), 3))
show("nextafter toward inf", np.nextafter(np.array([1.0, 0.0]), inf))
show("i0 f32", np.i0(np.array([1.0, 2.0, 10.0], np.float64)).astype(np.float32))

# torch gradients of the smooth ones at x = 0.3, 1.7
t = torch.tensor([0.3, 1.7], dtype=torch.float64, requires_grad=True)
for name, f in [("log2", torch.log2), ("log10", torch.log10), ("exp2", torch.exp2), ("erfinv", lambda v: torch.erfinv(v / 2)), ("i0", torch.i0)]:
    (g,) = torch.autograd.grad(f(t).sum(), t)
    print("grad", name, g.tolist())

# NaN-aware statistics
m = np.array([[1.0, nan, 3.0, 4.0], [nan, nan, nan, nan], [2.0, 8.0, nan, -1.0]])
show("nancumsum axis=1", np.nancumsum(m, axis=1))
show("nancumsum flat", np.nancumsum(m))
show("nancumprod axis=0", np.nancumprod(m, axis=0))
if True:
    show("nanvar axis=1", np.nanvar(m, axis=1))
    show("nanvar axis=1 ddof=1", np.nanvar(m, axis=1, ddof=1))
    show("nanvar axis=0 ddof=1", np.nanvar(m, axis=0, ddof=1))
    show("nanstd all", np.nanstd(m))
    show("nanstd axis=0 keepdims", np.nanstd(m, axis=0, keepdims=True))
    show("nanmedian axis=1", np.nanmedian(m, axis=1))
    show("nanmedian all", np.nanmedian(m))
    show("nanquantile 0.3 axis=1", np.nanquantile(m, 0.3, axis=1))
    show("nanquantile [0,0.25,1] axis=0", np.nanquantile(m, [0.0, 0.25, 1.0], axis=0))
    show("nanpercentile 90 axis=1 keepdims", np.nanpercentile(m, 90, axis=1, keepdims=True))
    show("nanmedian inf", np.nanmedian(np.array([1.0, inf, nan, 2.0])))
show("nanargmax axis=1", np.nanargmax(np.array([[1.0, nan, 3.0, 3.0], [2.0, 8.0, nan, -1.0]]), axis=1))
show("nanargmin axis=0", np.nanargmin(np.array([[1.0, nan, 3.0, 3.0], [2.0, 8.0, nan, -1.0]]), axis=0))
show("nanargmax flat", np.nanargmax(m))
show("nanargmin flat", np.nanargmin(m))
try:
    np.nanargmax(m, axis=1)
except ValueError as e:
    print("nanargmax all-NaN row:", e)
# torch.nanquantile / nanmedian gradients on the same rows
tm = torch.tensor([[1.0, nan, 3.0, 4.0], [2.0, 8.0, nan, -1.0]], dtype=torch.float64, requires_grad=True)
(g,) = torch.autograd.grad(torch.nanquantile(tm, 0.3, dim=1).sum(), tm)
print("grad nanquantile 0.3 dim=1", g.tolist())
