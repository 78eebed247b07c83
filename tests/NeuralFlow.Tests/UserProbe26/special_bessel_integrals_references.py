#!/usr/bin/python3
"""Reference values for SpecialBesselIntegralsTests: mpmath at 30 digits (PyTorch 1.13 agrees for the Bessel functions
it has, torch.special.bessel_j0/j1/y0/y1, modified_bessel_k0/k1, scaled_modified_bessel_k0/k1, except at +-inf where
it gives NaN). Run with /usr/bin/python3."""
import mpmath as mp

mp.mp.dps = 30
F = {
    "J0": lambda x: mp.besselj(0, x), "J1": lambda x: mp.besselj(1, x),
    "Y0": lambda x: mp.bessely(0, x), "Y1": lambda x: mp.bessely(1, x),
    "K0": lambda x: mp.besselk(0, x), "K1": lambda x: mp.besselk(1, x),
    "K0e": lambda x: mp.exp(x) * mp.besselk(0, x), "K1e": lambda x: mp.exp(x) * mp.besselk(1, x),
    "Dawsn": lambda x: mp.sqrt(mp.pi) / 2 * mp.exp(-x * x) * mp.erfi(x),
    "FresnelCos": mp.fresnelc, "FresnelSin": mp.fresnels,
    "Spence": lambda x: mp.polylog(2, 1 - x), "Expint": mp.ei,
}
# Points on both sides of every piece's boundary (J/Y: 8; K: 2; Dawson: 2, 4, 8; Fresnel: 2; Spence: 1/2, 2;
# Ei: +-2, 4, ..., 64, -8, -32) and far out.
POINTS = {
    "J0": [0.3, 2.404825557695773, 7.99, 8.01, 25.5, 1e4 + 0.5], "J1": [-0.3, 3.8, 7.99, 8.01, 60.25, 1e6],
    "Y0": [1e-5, 0.89, 7.99, 8.01, 33.3, 1e5], "Y1": [1e-5, 2.2, 7.99, 8.01, 41.0, 1e7],
    "K0": [1e-8, 0.7, 1.99, 2.01, 30.0, 700.0], "K1": [1e-8, 0.7, 1.99, 2.01, 30.0, 700.0],
    "K0e": [1e-3, 1.5, 2.5, 100.0, 800.0, 1e6], "K1e": [1e-3, 1.5, 2.5, 100.0, 800.0, 1e6],
    "Dawsn": [0.001, 0.9241388730, 1.99, 2.01, 3.99, 4.01, 7.99, 8.01, -50.0, 1e200],
    "FresnelCos": [1e-3, 1.0, 1.99, 2.01, -7.5, 1e4 + 0.1, 123456.789], "FresnelSin": [1e-3, 1.0, 1.99, 2.01, -7.5, 1e4 + 0.1, 123456.789],
    "Spence": [1e-9, 0.3, 0.49, 0.51, 1.0, 1.99, 2.01, 50.0, 1e12],
    "Expint": [-60.0, -20.0, -5.0, -1.99, -1e-6, 1e-6, 0.5, 1.99, 2.01, 5.0, 15.0, 40.0, 63.9, 64.1, 300.0, 710.0],
}
# TensorFlow's docstring inputs (tf.math.special.*), float32.
DOCS = {"J0": [0.5, 1., 2., 4.], "J1": [0.5, 1., 2., 4.], "Y0": [0.5, 1., 2., 4.], "Y1": [0.5, 1., 2., 4.],
        "K0": [0.5, 1., 2., 4.], "K1": [0.5, 1., 2., 4.], "K0e": [0.5, 1., 2., 4.], "K1e": [0.5, 1., 2., 4.],
        "Dawsn": [-1., -0.5, 0.5, 1.], "Expint": [1., 1.1, 2.1, 4.1], "FresnelCos": [-1., -0.1, 0.1, 1.],
        "FresnelSin": [-1., -0.1, 0.1, 1.], "Spence": [0.5, 1., 2., 3.]}
# Derivatives at a few points, by mpmath's numerical differentiation.
GRADS = {"J0": [0.5, 9.0], "J1": [0.0, 9.0], "Y0": [0.5, 9.0], "Y1": [0.5, 9.0], "K0": [0.5, 3.0], "K1": [0.5, 3.0],
         "K0e": [0.5, 3.0], "K1e": [0.5, 3.0], "Dawsn": [0.5, 5.0], "FresnelCos": [0.5, 3.0], "FresnelSin": [0.5, 3.0],
         "Spence": [0.3, 1.0, 4.0], "Expint": [-3.0, 0.5, 3.0]}

for name, f in F.items():
    print(f'{name}: [{", ".join(repr(float(f(mp.mpf(x)))) for x in POINTS[name])}]')
for name, xs in DOCS.items():
    print(f'doc {name}: [{", ".join("%.8g" % float(F[name](mp.mpf(x))) for x in xs)}]')
for name, xs in GRADS.items():
    print(f'grad {name}: [{", ".join(repr(float(mp.diff(F[name], mp.mpf(x)) if not (name == "Spence" and x == 1.0) else -1.0)) for x in xs)}]')
print("J0'' at 0.5, 9:", [float(mp.diff(F["J0"], mp.mpf(x), 2)) for x in (0.5, 9.0)])
print("edges at -1: J0, J1, Dawsn, C, S, Ei:", [float(F[n](mp.mpf(-1))) for n in ("J0", "J1", "Dawsn", "FresnelCos", "FresnelSin", "Expint")])
