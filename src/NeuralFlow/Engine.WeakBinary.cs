using System.Globalization;
using NeuralFlow.Backends;

namespace NeuralFlow;

// Arithmetic of two C# numbers gives a C# number (a weak scalar), as Python's float * float stays a Python float
// and JAX's weak * weak stays weak: the optimizers guide's Momentum keeps `self.change = 0.` and computes
// `lr * grad + self.momentum * self.change`; in C# the field is a Tensor holding 0.0, and momentum * change made a
// strong float64 tensor that the float32 gradient then refused to add. The value is computed here in C#, so no
// kernel runs and an NF.Function trace sees a constant (as Engine.WeakUnary does for one operand).
internal static partial class Engine
{
    private static Tensor? WeakBinary(BinaryOp op, Tensor a, Tensor b, string name)
    {
        if (!a.IsWeakScalar || !b.IsWeakScalar) return null;
        var dtype = CommonDType(name, a, b);
        var backend = a.Backend;
        if (dtype.IsFloating())
        {
            double x = Convert.ToDouble(a.WeakValue, CultureInfo.InvariantCulture), y = Convert.ToDouble(b.WeakValue, CultureInfo.InvariantCulture);
            if (dtype == DType.Float32)
            {
                // float32 numbers compute in float, as the kernel would round each result.
                float? f = FloatOp(op, (float)x, (float)y);
                return f is { } fv ? WeakScalar(fv, DType.Float32, backend) : null;
            }
            double? d = FloatOp(op, x, y);
            return d is { } dv && dtype == DType.Float64 ? WeakScalar(dv, DType.Float64, backend) : null;
        }
        // Integers: + - * wrap as the kernels do; division (true division gives float32) and the rest stay on the kernels.
        if (dtype is not (DType.Int32 or DType.Int64) || op is not (BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul)) return null;
        long p = Convert.ToInt64(a.WeakValue, CultureInfo.InvariantCulture), q = Convert.ToInt64(b.WeakValue, CultureInfo.InvariantCulture);
        long r = unchecked(op switch { BinaryOp.Add => p + q, BinaryOp.Sub => p - q, _ => p * q });
        return dtype == DType.Int32 ? WeakScalar(unchecked((int)r), DType.Int32, backend) : WeakScalar(r, DType.Int64, backend);
    }

    private static T? FloatOp<T>(BinaryOp op, T x, T y) where T : struct, System.Numerics.IFloatingPointIeee754<T> => op switch
    {
        BinaryOp.Add => x + y,
        BinaryOp.Sub => x - y,
        BinaryOp.Mul => x * y,
        BinaryOp.Div => x / y,
        BinaryOp.Pow => T.Pow(x, y),
        // NaN propagates, as the kernels' maximum and minimum do.
        BinaryOp.Maximum => T.IsNaN(x) || T.IsNaN(y) ? T.NaN : T.Max(x, y),
        BinaryOp.Minimum => T.IsNaN(x) || T.IsNaN(y) ? T.NaN : T.Min(x, y),
        _ => null,
    };
}
