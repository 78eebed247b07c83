# Reference text for PrintFormatTests: TensorFlow's StrCat of a float (FloatToBuffer: C's %.6g when it reads back
# as the same float32, else %.9g; DoubleToBuffer: %.15g, else %.17g), computed with C-style formatting and numpy.
import numpy as np

def f32(v):
    v = np.float32(v)
    s = '%.6g' % v
    return s if np.float32(s) == v else '%.9g' % v

def f64(v):
    s = '%.15g' % v
    return s if float(s) == v else '%.17g' % v

print([f32(v) for v in [1.5, 2.0, 1 / 3, 1e10, -2.5e-5, 0.1, 123456789.0]])
print([f64(v) for v in [0.1, 1 / 3, 2.0, 1e-7]])
