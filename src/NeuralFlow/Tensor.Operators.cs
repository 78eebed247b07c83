namespace NeuralFlow;

public partial class Tensor
{
    /// <summary>a + b with broadcasting.</summary>
    [MethodImpl(Hot)]
    public static Tensor operator +(Tensor a, Tensor b) => NF.Add(a, b);
    /// <summary>a - b with broadcasting.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => NF.Subtract(a, b);
    /// <summary>a * b, elementwise, with broadcasting (use <see cref="NF.MatMul(Tensor, Tensor, bool, bool)"/> for the matrix product).</summary>
    [MethodImpl(Hot)]
    public static Tensor operator *(Tensor a, Tensor b) => NF.Multiply(a, b);
    /// <summary>a / b, true division (integers give float32).</summary>
    [MethodImpl(Hot)]
    public static Tensor operator /(Tensor a, Tensor b) => NF.Divide(a, b);
    /// <summary>
    /// a % b as C#'s % computes it: <see cref="NF.TruncateMod"/>, the remainder with the
    /// dividend's sign (-7 % 2 is -1, on ints and floats alike). Python's and TensorFlow's % (the
    /// divisor's sign, -7 % 2 is 1) is <see cref="NF.FloorMod"/>. Integers: a zero divisor throws
    /// DivideByZeroException, as in C#.
    /// </summary>
    public static Tensor operator %(Tensor a, Tensor b) => NF.TruncateMod(a, b);
    /// <summary>-x.</summary>
    public static Tensor operator -(Tensor x) => NF.Negative(x);

    // Comparisons are elementwise and give bool tensors, as TensorFlow's (x > 0); == and != stay
    // C#'s reference equality (dictionaries and null checks rely on it): NF.Equal / NF.NotEqual.

    /// <summary>a &lt; b elementwise, a bool tensor (<see cref="NF.Less(Tensor, Tensor)"/>).</summary>
    public static Tensor operator <(Tensor a, Tensor b) => NF.Less(a, b);
    /// <summary>a &gt; b elementwise, a bool tensor (<see cref="NF.Greater(Tensor, Tensor)"/>).</summary>
    public static Tensor operator >(Tensor a, Tensor b) => NF.Greater(a, b);
    /// <summary>a &lt;= b elementwise, a bool tensor (<see cref="NF.LessEqual(Tensor, Tensor)"/>).</summary>
    public static Tensor operator <=(Tensor a, Tensor b) => NF.LessEqual(a, b);
    /// <summary>a &gt;= b elementwise, a bool tensor (<see cref="NF.GreaterEqual(Tensor, Tensor)"/>).</summary>
    public static Tensor operator >=(Tensor a, Tensor b) => NF.GreaterEqual(a, b);

    // &, |, ^ and ~ are bitwise on integer tensors and logical on bool ones (the same thing on
    // 0/1 values, as NumPy's and PyTorch's); floats are refused with the op's name.

    /// <summary>a &amp; b: bitwise and of integer tensors, logical and of bool ones (<see cref="NF.BitwiseAnd"/>).</summary>
    public static Tensor operator &(Tensor a, Tensor b) => NF.BitwiseAnd(a, b);
    /// <summary>a | b: bitwise or of integer tensors, logical or of bool ones (<see cref="NF.BitwiseOr"/>).</summary>
    public static Tensor operator |(Tensor a, Tensor b) => NF.BitwiseOr(a, b);
    /// <summary>a ^ b: bitwise xor of integer tensors, logical xor of bool ones (<see cref="NF.BitwiseXor"/>).</summary>
    public static Tensor operator ^(Tensor a, Tensor b) => NF.BitwiseXor(a, b);
    /// <summary>~x: bitwise not of an integer tensor, logical not of a bool one (<see cref="NF.BitwiseNot"/>).</summary>
    public static Tensor operator ~(Tensor x) => NF.BitwiseNot(x);
    /// <summary>a &lt;&lt; b of integer tensors (<see cref="NF.LeftShift"/>: counts outside [0, bit width) give 0).</summary>
    public static Tensor operator <<(Tensor a, Tensor b) => NF.LeftShift(a, b);
    /// <summary>a &gt;&gt; b of integer tensors, arithmetic for signed ones (<see cref="NF.RightShift"/>).</summary>
    public static Tensor operator >>(Tensor a, Tensor b) => NF.RightShift(a, b);
    /// <summary>NOT x of a bool tensor (<see cref="NF.LogicalNot(Tensor)"/>).</summary>
    public static Tensor operator !(Tensor x) => NF.LogicalNot(x);

    // C# numbers become "weak" scalars: they take the other operand's dtype (2 * intTensor stays
    // int32), except that a float with an integer tensor gives float32 (images / 255f).

    /// <summary>An int as a weak scalar tensor.</summary>
    public static implicit operator Tensor(int value) => Weak(value);
    /// <summary>A long as a weak scalar tensor.</summary>
    public static implicit operator Tensor(long value) => Weak(value);
    /// <summary>A float as a weak scalar tensor.</summary>
    public static implicit operator Tensor(float value) => Weak(value);
    /// <summary>A double as a weak scalar tensor.</summary>
    public static implicit operator Tensor(double value) => Weak(value);

    // Kept as the value until an op knows the backend it goes to (see Engine.WeakScalar); the
    // dtype it ends up in is range-checked against it (ScalarRange).
    [MethodImpl(Hot)]
    private static Tensor Weak<T>(T value) where T : unmanaged => Engine.WeakScalar(value, DTypeExtensions.Of<T>(), NF.Backend);
}
