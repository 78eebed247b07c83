using NeuralFlow.Backends;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuralFlow;

public static partial class NF
{
    /// <summary>A scalar tensor (shape <c>()</c>) holding <paramref name="value"/>; the dtype follows the C# type.</summary>
    [MethodImpl(Hot)]
    public static Tensor Constant<T>(T value) where T : unmanaged => FromSpan<T>([value], NeuralFlow.Shape.Scalar);

    /// <summary>A 1-D tensor from an array (int[] gives int32, float[] float32, byte[] uint8, ...).</summary>
    [MethodImpl(Hot)]
    public static Tensor Constant<T>(T[] values) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(values);
        return FromSpan<T>(values, [values.Length]);
    }

    /// <summary>A tensor of <paramref name="shape"/> from row-major <paramref name="values"/>.</summary>
    [MethodImpl(Hot)]
    public static Tensor Constant<T>(T[] values, Shape shape) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != shape.Count)
            throw new ArgumentException($"Constant: {values.Length} values cannot fill shape {shape} ({shape.Count} elements).", nameof(values));
        return FromSpan<T>(values, shape);
    }

    /// <summary>A 2-D tensor from a rectangular array.</summary>
    [MethodImpl(Hot)]
    public static Tensor Constant<T>(T[,] values) where T : unmanaged =>
        FromArray<T>(values, [values.GetLength(0), values.GetLength(1)]);

    /// <summary>A 3-D tensor from a rectangular array.</summary>
    [MethodImpl(Hot)]
    public static Tensor Constant<T>(T[,,] values) where T : unmanaged =>
        FromArray<T>(values, [values.GetLength(0), values.GetLength(1), values.GetLength(2)]);

    /// <summary>A 4-D tensor from a rectangular array.</summary>
    [MethodImpl(Hot)]
    public static Tensor Constant<T>(T[,,,] values) where T : unmanaged =>
        FromArray<T>(values, [values.GetLength(0), values.GetLength(1), values.GetLength(2), values.GetLength(3)]);

    private static Tensor FromArray<T>(Array values, Shape shape) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(values);
        // A rectangular array is one row-major block; read it in place, no per-element copy.
        var span = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(values)), values.Length);
        return FromSpan(span, shape);
    }

    // A C# array of any rank as a tensor of its shape (a Variable built from float[] or float[,]);
    // the element types are those DType maps. A rectangular array is one row-major block whatever its rank.
    internal static Tensor ConstantOf(Array values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var dims = new int[values.Rank];
        for (int i = 0; i < dims.Length; i++) dims[i] = values.GetLength(i);
        Shape shape = dims;
        var element = values.GetType().GetElementType();
        if (element == typeof(float)) return FromArray<float>(values, shape);
        if (element == typeof(double)) return FromArray<double>(values, shape);
        if (element == typeof(int)) return FromArray<int>(values, shape);
        if (element == typeof(long)) return FromArray<long>(values, shape);
        if (element == typeof(bool)) return FromArray<bool>(values, shape);
        if (element == typeof(byte)) return FromArray<byte>(values, shape);
        if (element == typeof(Half)) return FromArray<Half>(values, shape);
        throw new ArgumentException(
            $"A {values.GetType().Name} cannot become a tensor: use a rectangular array of float, double, int, long, bool, byte or Half"
            + (element is { IsArray: true } ? " (a jagged array such as float[][] is an array of arrays: make it float[,])." : "."), nameof(values));
    }

    [MethodImpl(Hot)]
    private static Tensor FromSpan<T>(ReadOnlySpan<T> values, Shape shape) where T : unmanaged => Engine.FromHost(values, shape, Backend);

    // The value as a double when that is exact (always but for huge 64-bit integers).
    internal static bool ExactAsDouble<T>(T value, out double result) where T : unmanaged
    {
        switch (value)
        {
            case float f: result = f; return true;
            case double d: result = d; return true;
            case int i: result = i; return true;
            case byte b: result = b; return true;
            case bool b: result = b ? 1 : 0; return true;
            case long l: result = l; return l is >= -(1L << 53) and <= 1L << 53;
            default: result = 0; return false;
        }
    }

    /// <summary>A tensor of zeros (<c>tf.zeros</c>).</summary>
    public static Tensor Zeros(Shape shape, DType dtype = DType.Float32) => Fill(shape, 0.0, dtype);

    /// <summary>A tensor of ones (<c>tf.ones</c>).</summary>
    public static Tensor Ones(Shape shape, DType dtype = DType.Float32) => Fill(shape, 1.0, dtype);

    /// <summary>Zeros with the shape and dtype of <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like) => Fill(like.Shape, 0.0, like.DType, like.Backend);

    /// <summary>Ones with the shape and dtype of <paramref name="like"/>.</summary>
    [MethodImpl(Hot)]
    public static Tensor OnesLike(Tensor like) => Fill(like.Shape, 1.0, like.DType, like.Backend);

    /// <summary>A tensor of <paramref name="shape"/> filled with <paramref name="value"/> (<c>tf.fill</c>).</summary>
    [MethodImpl(Hot)]
    public static Tensor Fill(Shape shape, double value, DType dtype = DType.Float32) => Fill(shape, value, dtype, Backend);

    // On a given backend: the *Like functions keep the device of the tensor they copy, as in PyTorch and TensorFlow.
    [MethodImpl(Hot)]
    internal static Tensor Fill(Shape shape, double value, DType dtype, IBackend backend)
    {
        ScalarRange.Check(nameof(Fill), value, dtype);
        var result = Tensor.Empty(shape, dtype, backend);
        Engine.Fill(result, value);
        return result;
    }

    /// <summary>The integers 0, 1, ..., <paramref name="limit"/>-1 as int32 (<c>tf.range(limit)</c>).</summary>
    public static Tensor Range(int limit) => Range(0, limit, 1);

    /// <summary>int32 values start, start+delta, ... below <paramref name="limit"/>.</summary>
    public static Tensor Range(int start, int limit, int delta = 1) => RangeOf(start, limit, delta, DType.Int32);

    /// <summary>int64 values start, start+delta, ... below <paramref name="limit"/>.</summary>
    public static Tensor Range(long start, long limit, long delta = 1) => RangeOf(start, limit, delta, DType.Int64);

    /// <summary>float32 values start, start+delta, ... below <paramref name="limit"/> (<c>NF.Range(1f, 5f, 0.1f)</c> has 40).</summary>
    public static Tensor Range(float start, float limit, float delta = 1f) => RangeOf(start, limit, delta, DType.Float32);

    /// <summary>
    /// Floating values start, start+delta, ... below <paramref name="limit"/>, float32 unless <paramref name="dtype"/> says
    /// otherwise: <c>NF.Range(0.5, 2.0)</c> is float32 <c>[0.5, 1.5]</c>, as <c>tf.range(0.5, 2.0)</c> and
    /// <c>torch.arange(0.5, 2.0)</c> give for Python floats; <c>NF.Range(0.0, 1.0, 0.1, DType.Float64)</c> keeps float64.
    /// The element count is ceil((limit - start) / delta) computed in double, as TensorFlow's; each value is
    /// start + i * delta in double, rounded once to <paramref name="dtype"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A non-finite or zero delta, a non-finite start or limit, too many elements, or a
    /// <paramref name="dtype"/> that is not float16, float32 or float64 (the int and long overloads give integer ranges).</exception>
    public static Tensor Range(double start, double limit, double delta = 1.0, DType dtype = DType.Float32)
    {
        if (dtype is not (DType.Float16 or DType.Float32 or DType.Float64))
            throw new ArgumentException($"Range: dtype must be float16, float32 or float64 for a range of doubles, got {dtype.Name()}; integer ranges are NF.Range(int, int, int) (int32) and NF.Range(long, long, long) (int64).", nameof(dtype));
        return RangeOf(start, limit, delta, dtype);
    }

    private static Tensor RangeOf(double start, double limit, double delta, DType dtype)
    {
        if (delta == 0 || !double.IsFinite(delta))
            throw new ArgumentException($"Range: delta must be finite and non-zero, got {delta}.", nameof(delta));
        if (!double.IsFinite(start) || !double.IsFinite(limit))
            throw new ArgumentException($"Range: start and limit must be finite, got ({start}, {limit}).");
        double n = Math.Ceiling((limit - start) / delta);
        if (n > int.MaxValue)
            throw new ArgumentException($"Range: ({start}, {limit}, {delta}) would have {n} elements, more than a tensor dimension holds.");
        int count = n > 0 ? (int)n : 0;
        var result = Tensor.Empty([count], dtype, Backend);
        Engine.Range(result, start, delta);
        return result;
    }
}
