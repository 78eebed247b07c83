#!/usr/bin/python3
"""Writes src/NeuralFlow/SpecialChebyshev.cs: the Chebyshev series behind NF's Bessel functions J0, J1, Y0, Y1, K0, K1
(and K0e, K1e), Dawson's integral, the Fresnel integrals, Spence's function and the exponential integral.

Each series approximates a smooth remainder of one function on one interval, mapped to t in [-1, 1] (the singular
or oscillating part -- a logarithm, a sine, an exponential -- is applied in C#, see NF.SpecialBessel.cs and
NF.SpecialIntegrals.cs, whose comments name the same pieces). Coefficients come from mpmath at 40 digits, sampled at
96 Chebyshev nodes, and are cut where they fall below 1e-18 of the largest; they are written in the order
NF.Chebyshev takes (Cephes' chbevl: highest degree first, argument 2t, constant term halved).

Run with Debian's /usr/bin/python3 (python3-mpmath):  /usr/bin/python3 scripts/special_chebyshev.py
"""
import os
import mpmath as mp

mp.mp.dps = 40
NODES = 96
PI = mp.pi
HALF = mp.mpf(1) / 2


def chebyshev(g):
    """Coefficients c_k of g(t) ~ c_0/2 + sum c_k T_k(t) on [-1, 1], cut at 1e-18 of the largest."""
    th = [PI * (j + HALF) / NODES for j in range(NODES)]
    vals = [g(mp.cos(t)) for t in th]
    cs = [2 * mp.fsum(v * mp.cos(k * t) for v, t in zip(vals, th)) / NODES for k in range(NODES)]
    top = max(abs(c) for c in cs)
    n = len(cs)
    while n > 1 and abs(cs[n - 1]) < 1e-18 * top:
        n -= 1
    return cs[:n]


def hankel(n, x):
    """P and Q of J_n = sqrt(2/(pi x)) (P cos th - Q sin th), Y_n = sqrt(2/(pi x)) (P sin th + Q cos th), th = x - (2n+1) pi/4."""
    th = x - (2 * n + 1) * PI / 4
    a = mp.sqrt(2 / (PI * x))
    j, y = mp.besselj(n, x), mp.bessely(n, x)
    return (j * mp.cos(th) + y * mp.sin(th)) / a, (y * mp.cos(th) - j * mp.sin(th)) / a


def dawson(x):
    return mp.sqrt(PI) / 2 * mp.exp(-x * x) * mp.erfi(x)


def fresnel_aux(x):
    """f and g of C = 1/2 + f sin(pi x^2/2) - g cos(pi x^2/2), S = 1/2 - f cos(pi x^2/2) - g sin(pi x^2/2)."""
    c, s = mp.fresnelc(x) - HALF, mp.fresnels(x) - HALF
    ph = PI * x * x / 2
    return c * mp.sin(ph) - s * mp.cos(ph), -c * mp.cos(ph) - s * mp.sin(ph)


def inverse_interval(lo, hi):
    """x in [lo, hi] from t in [-1, 1] linear in 1/x (t = 1 at lo)."""
    return lambda t: 1 / ((1 / mp.mpf(hi) + 1 / mp.mpf(lo)) / 2 + t * (1 / mp.mpf(lo) - 1 / mp.mpf(hi)) / 2)


TWO_OVER_PI = 2 / PI
bessel_near = lambda t: mp.sqrt(32 * (t + 1))   # x in [0, 8], t = x^2/32 - 1
bessel_far = lambda t: 16 / (t + 1)             # x in [8, inf), t = 16/x - 1
k_near = lambda t: mp.sqrt(2 * (t + 1))         # x in [0, 2], t = x^2/2 - 1
k_far = lambda t: 4 / (t + 1)                   # x in [2, inf), t = 4/x - 1
scaled_e1 = lambda y: y * mp.exp(y) * mp.e1(y)
scaled_ei = lambda x: x * mp.exp(-x) * mp.ei(x)

SERIES = [
    # Bessel functions of the first and second kind: entire remainders in x^2 on [0, 8], Hankel's P and Q beyond.
    ("J0Near", "J0(x)", lambda t: mp.besselj(0, bessel_near(t))),
    ("J1Near", "J1(x) / x", lambda t: (lambda x: mp.besselj(1, x) / x)(bessel_near(t))),
    ("Y0Near", "Y0(x) - 2/pi ln(x) J0(x)", lambda t: (lambda x: mp.bessely(0, x) - TWO_OVER_PI * mp.log(x) * mp.besselj(0, x))(bessel_near(t))),
    ("Y1Near", "(Y1(x) - 2/pi (ln(x) J1(x) - 1/x)) / x",
     lambda t: (lambda x: (mp.bessely(1, x) - TWO_OVER_PI * (mp.log(x) * mp.besselj(1, x) - 1 / x)) / x)(bessel_near(t))),
    ("P0Far", "P0(x)", lambda t: hankel(0, bessel_far(t))[0]),
    ("Q0Far", "x Q0(x)", lambda t: (lambda x: x * hankel(0, x)[1])(bessel_far(t))),
    ("P1Far", "P1(x)", lambda t: hankel(1, bessel_far(t))[0]),
    ("Q1Far", "x Q1(x)", lambda t: (lambda x: x * hankel(1, x)[1])(bessel_far(t))),
    # Modified Bessel functions of the second kind: log-free remainders in x^2 on [0, 2], e^x sqrt(x) K beyond.
    ("K0Near", "K0(x) + ln(x/2) I0(x)", lambda t: (lambda x: mp.besselk(0, x) + mp.log(x / 2) * mp.besseli(0, x))(k_near(t))),
    ("K1Near", "x K1(x) - x ln(x/2) I1(x)", lambda t: (lambda x: x * mp.besselk(1, x) - x * mp.log(x / 2) * mp.besseli(1, x))(k_near(t))),
    ("K0Far", "e^x sqrt(x) K0(x)", lambda t: (lambda x: mp.exp(x) * mp.sqrt(x) * mp.besselk(0, x))(k_far(t))),
    ("K1Far", "e^x sqrt(x) K1(x)", lambda t: (lambda x: mp.exp(x) * mp.sqrt(x) * mp.besselk(1, x))(k_far(t))),
    # Dawson's integral F(x) = e^(-x^2) int_0^x e^(t^2) dt, for x >= 0 (odd).
    ("DawsonNear", "F(x) / x on [0, 2], t = x^2/2 - 1", lambda t: (lambda x: dawson(x) / x)(mp.sqrt(2 * (t + 1)))),
    ("DawsonMid", "F(x) on [2, 4], t = x - 3", lambda t: dawson(t + 3)),
    ("DawsonHigh", "F(x) on [4, 8], t = (x - 6)/2", lambda t: dawson(2 * t + 6)),
    ("DawsonFar", "x F(x) on [8, inf), t = 128/x^2 - 1", lambda t: (lambda x: x * dawson(x))(mp.sqrt(128 / (t + 1)))),
    # Fresnel integrals (odd): entire remainders in x^4 on [0, 2], the auxiliary f and g beyond.
    ("FresnelCNear", "C(x) / x, t = x^4/8 - 1", lambda t: (lambda x: mp.fresnelc(x) / x)(mp.root(8 * (t + 1), 4))),
    ("FresnelSNear", "S(x) / x^3, t = x^4/8 - 1", lambda t: (lambda x: mp.fresnels(x) / x ** 3)(mp.root(8 * (t + 1), 4))),
    ("FresnelFFar", "x f(x), t = 8/x^2 - 1", lambda t: (lambda x: x * fresnel_aux(x)[0])(mp.sqrt(8 / (t + 1)))),
    ("FresnelGFar", "x^3 g(x), t = 8/x^2 - 1", lambda t: (lambda x: x ** 3 * fresnel_aux(x)[1])(mp.sqrt(8 / (t + 1)))),
    # The dilogarithm Li2(z) / z on [-1, 1/2], t = (4z + 1)/3: Spence's function reaches every x through it.
    ("Dilog", "Li2(z) / z", lambda t: (lambda z: mp.polylog(2, z) / z if z != 0 else mp.mpf(1))((3 * t - 1) / 4)),
    # The exponential integral: Ei(x) - gamma - ln|x| (entire) on [-2, 2], t = x/2; x e^-x Ei(x) on octaves of x > 2;
    # y e^y E1(y) (Ei(-y) = -E1(y)) on [2, 8], [8, 32], [32, inf).
    ("EiSmall", "Ei(x) - gamma - ln|x|", lambda t: (lambda x: mp.ei(x) - mp.euler - mp.log(abs(x)) if x != 0 else mp.mpf(0))(2 * t)),
] + [(f"EiPos{lo}", f"x e^-x Ei(x) on [{lo}, {2 * lo}], linear in 1/x", (lambda f: lambda t: scaled_ei(f(t)))(inverse_interval(lo, 2 * lo)))
     for lo in (2, 4, 8, 16, 32)] + [
    ("EiPosFar", "x e^-x Ei(x) on [64, inf), t = 128/x - 1", lambda t: scaled_ei(128 / (t + 1))),
    ("E1Neg2", "y e^y E1(y) on [2, 8], linear in 1/y", lambda t: scaled_e1(inverse_interval(2, 8)(t))),
    ("E1Neg8", "y e^y E1(y) on [8, 32], linear in 1/y", lambda t: scaled_e1(inverse_interval(8, 32)(t))),
    ("E1NegFar", "y e^y E1(y) on [32, inf), t = 64/y - 1", lambda t: scaled_e1(64 / (t + 1))),
]


def main():
    out = ["// <auto-generated> by scripts/special_chebyshev.py (mpmath); do not edit: change the script and run it again.",
           "namespace NeuralFlow;", "",
           "// Chebyshev series of the smooth remainders of the special functions in NF.SpecialBessel.cs and",
           "// NF.SpecialIntegrals.cs, one per function and interval, in NF.Chebyshev's order (highest degree first).",
           "internal static class SpecialChebyshev", "{"]
    for name, what, g in SERIES:
        cs = [float(c) for c in reversed(chebyshev(g))]
        out.append(f"    /// <summary>{what}.</summary>")
        out.append(f"    internal static readonly double[] {name} =")
        lines, row = [], []
        for c in cs:
            row.append(repr(c))
            if len(row) == 4:
                lines.append(", ".join(row)); row = []
        if row:
            lines.append(", ".join(row))
        out.append("        [" + (",\n         ".join(lines)) + "];")
        out.append("")
    out[-1] = "}"
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "NeuralFlow", "SpecialChebyshev.cs")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
