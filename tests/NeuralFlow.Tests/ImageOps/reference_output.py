"""What the reference generators share (ImageOps/make_references.py, ImageAugment2/make_references.py):
the pattern images ImageOpsData builds and the C# array they print."""
import numpy as np


def pattern(shape, scale=22.0):
    """The images every test builds: ((i * 7) % 23) / 22 in row-major order (ImageOpsData.Pattern)."""
    n = int(np.prod(shape))
    return (((np.arange(n) * 7) % 23) / scale).reshape(shape)


def emit(name, values):
    flat = np.asarray(values, dtype=np.float64).ravel()
    body = ", ".join(repr(float(v)) for v in flat)
    print(f"    /// <summary>{name}: shape {list(np.shape(values))}.</summary>")
    print(f"    public static readonly double[] {name} = [{body}];")
