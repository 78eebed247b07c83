namespace NeuralFlow;

/// <summary>Element type of a tensor. The numeric values match <c>nf_dtype</c> in the C ABI.</summary>
public enum DType
{
    /// <summary>32-bit IEEE float (TensorFlow <c>tf.float32</c>).</summary>
    Float32 = 0,
    /// <summary>64-bit IEEE float.</summary>
    Float64 = 1,
    /// <summary>32-bit signed integer.</summary>
    Int32 = 2,
    /// <summary>64-bit signed integer.</summary>
    Int64 = 3,
    /// <summary>8-bit unsigned integer (images).</summary>
    UInt8 = 4,
    /// <summary>Boolean, one byte holding 0 or 1.</summary>
    Bool = 5,
    /// <summary>
    /// 16-bit IEEE float (<c>tf.float16</c>, <c>torch.half</c>, <c>np.float16</c>), element type
    /// <see cref="Half"/>. Stored as float16; every op computes it in float32 and rounds its
    /// result once to float16, as PyTorch does on the CPU.
    /// </summary>
    Float16 = 6,
    /// <summary>
    /// Text (<c>tf.string</c>): the dtype of a <see cref="Data.StringTensor"/> and of a dataset
    /// component that holds one (<c>TensorSpec(shape=(), dtype=tf.string, name=None)</c>). Strings
    /// live on the host; no <see cref="Tensor"/> has this dtype, and making one is refused.
    /// </summary>
    String = 7,
}

/// <summary>Facts about <see cref="DType"/> values.</summary>
public static class DTypeExtensions
{
    /// <summary>Bytes per element.</summary>
    [MethodImpl(Hot)]
    public static int SizeInBytes(this DType dtype) => dtype switch
    {
        DType.Float32 or DType.Int32 => 4,
        DType.Float64 or DType.Int64 => 8,
        DType.UInt8 or DType.Bool => 1,
        DType.Float16 => 2,
        DType.String => throw new NotSupportedException(
            "DType.String is host text (a StringTensor, tf.string): tensors hold numbers only; turn text into numbers with TextVectorization, StringLookup or Hashing."),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>True for float16, float32 and float64.</summary>
    [MethodImpl(Hot)]
    public static bool IsFloating(this DType dtype) => dtype is DType.Float32 or DType.Float64 or DType.Float16;

    /// <summary>True for the integer dtypes (not bool).</summary>
    [MethodImpl(Hot)]
    public static bool IsInteger(this DType dtype) => dtype is DType.Int32 or DType.Int64 or DType.UInt8;

    /// <summary>The lower-case name users know from NumPy and TensorFlow ("float32", "int32", ...).</summary>
    public static string Name(this DType dtype) => dtype switch
    {
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        DType.Int32 => "int32",
        DType.Int64 => "int64",
        DType.UInt8 => "uint8",
        DType.Bool => "bool",
        DType.Float16 => "float16",
        DType.String => "string",
        _ => dtype.ToString(),
    };

    /// <summary>The dtype whose elements are the C# type <typeparamref name="T"/>.</summary>
    [MethodImpl(Hot)]
    public static DType Of<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return DType.Float32;
        if (typeof(T) == typeof(double)) return DType.Float64;
        if (typeof(T) == typeof(int)) return DType.Int32;
        if (typeof(T) == typeof(long)) return DType.Int64;
        if (typeof(T) == typeof(byte)) return DType.UInt8;
        if (typeof(T) == typeof(bool)) return DType.Bool;
        if (typeof(T) == typeof(Half)) return DType.Float16;
        throw new NotSupportedException($"{typeof(T).Name} is not a tensor element type; use float, double, Half, int, long, byte or bool.");
    }

    /// <summary>The C# type name that holds one element of <paramref name="dtype"/>.</summary>
    public static string ClrName(this DType dtype) => dtype switch
    {
        DType.Float32 => "float",
        DType.Float64 => "double",
        DType.Int32 => "int",
        DType.Int64 => "long",
        DType.UInt8 => "byte",
        DType.Bool => "bool",
        DType.Float16 => "Half",
        DType.String => "string",
        _ => dtype.ToString(),
    };
}
