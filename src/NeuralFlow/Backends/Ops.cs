namespace NeuralFlow.Backends;

/// <summary>Elementwise binary operations; values match <c>nf_binary_op</c>.</summary>
public enum BinaryOp
{
    /// <summary>a + b</summary>
    Add = 0,
    /// <summary>a - b</summary>
    Sub = 1,
    /// <summary>a * b</summary>
    Mul = 2,
    /// <summary>a / b (integers truncate; x/0 gives 0)</summary>
    Div = 3,
    /// <summary>a to the power b</summary>
    Pow = 4,
    /// <summary>larger of a and b (NaN propagates)</summary>
    Maximum = 5,
    /// <summary>smaller of a and b (NaN propagates)</summary>
    Minimum = 6,
    /// <summary>a == b, Bool result</summary>
    Equal = 7,
    /// <summary>a != b, Bool result</summary>
    NotEqual = 8,
    /// <summary>a &lt; b, Bool result</summary>
    Less = 9,
    /// <summary>a &lt;= b, Bool result</summary>
    LessEqual = 10,
    /// <summary>a &gt; b, Bool result</summary>
    Greater = 11,
    /// <summary>a &gt;= b, Bool result</summary>
    GreaterEqual = 12,

    // ---- issue 16 ----
    /// <summary>a // b rounded down (NumPy's floor_divide; integers: x // 0 gives 0, callers check)</summary>
    FloorDiv = 13,
    /// <summary>remainder with the divisor's sign (Python's %)</summary>
    FloorMod = 14,
    /// <summary>remainder with the dividend's sign (C's fmod, C#'s %)</summary>
    TruncateMod = 15,

    // ---- bitwise: integers (and bool for and/or/xor), never floats ----
    /// <summary>a &amp; b (on bool: logical and)</summary>
    BitwiseAnd = 16,
    /// <summary>a | b (on bool: logical or)</summary>
    BitwiseOr = 17,
    /// <summary>a ^ b (on bool: logical xor)</summary>
    BitwiseXor = 18,
    /// <summary>a &lt;&lt; b; a count outside [0, bit width) gives 0 (NumPy on x86)</summary>
    LeftShift = 19,
    /// <summary>a &gt;&gt; b, arithmetic for signed a; a count outside [0, bit width) gives -1 for negative a, else 0</summary>
    RightShift = 20,
}

/// <summary>Elementwise unary operations; values match <c>nf_unary_op</c>.</summary>
public enum UnaryOp
{
    /// <summary>-x</summary>
    Neg = 0,
    /// <summary>|x|</summary>
    Abs = 1,
    /// <summary>e^x</summary>
    Exp = 2,
    /// <summary>natural logarithm</summary>
    Log = 3,
    /// <summary>square root</summary>
    Sqrt = 4,
    /// <summary>x*x</summary>
    Square = 5,
    /// <summary>max(x, 0)</summary>
    Relu = 6,
    /// <summary>1 / (1 + e^-x)</summary>
    Sigmoid = 7,
    /// <summary>hyperbolic tangent</summary>
    Tanh = 8,
    /// <summary>-1, 0 or 1</summary>
    Sign = 9,

    // ---- issue 16: floats only ----
    /// <summary>largest integer not above x</summary>
    Floor = 10,
    /// <summary>smallest integer not below x</summary>
    Ceil = 11,
    /// <summary>nearest integer, half to even</summary>
    Round = 12,
    /// <summary>sine</summary>
    Sin = 13,
    /// <summary>cosine</summary>
    Cos = 14,
    /// <summary>log(1 + x)</summary>
    Log1p = 15,
    /// <summary>e^x - 1</summary>
    Expm1 = 16,
    /// <summary>1 / sqrt(x)</summary>
    Rsqrt = 17,
    /// <summary>error function</summary>
    Erf = 18,
    /// <summary>log(1 + e^x), stable</summary>
    Softplus = 19,
    /// <summary>1 - erf(x), accurate in its tail</summary>
    Erfc = 20,
}

/// <summary>Reductions; values match <c>nf_reduce_op</c>.</summary>
public enum ReduceOp
{
    /// <summary>sum</summary>
    Sum = 0,
    /// <summary>mean</summary>
    Mean = 1,
    /// <summary>maximum</summary>
    Max = 2,
    /// <summary>minimum</summary>
    Min = 3,
    /// <summary>product</summary>
    Prod = 4,
    /// <summary>index of the maximum along one axis</summary>
    ArgMax = 5,
    /// <summary>index of the minimum along one axis</summary>
    ArgMin = 6,
}

internal static class OpFacts
{
    [MethodImpl(Hot)]
    public static bool IsComparison(this BinaryOp op) => op is >= BinaryOp.Equal and <= BinaryOp.GreaterEqual;
    /// <summary>The bitwise ops (common/elementwise_list.h's NF_EW_BITS_BOOL and NF_EW_BITS): never defined on floats.</summary>
    public static bool IsBitwise(this BinaryOp op) => op is >= BinaryOp.BitwiseAnd and <= BinaryOp.RightShift;
    /// <summary>Whether the op is defined on bool's 0/1 bytes: comparisons, maximum/minimum (or/and) and bitwise and/or/xor.</summary>
    public static bool TakesBool(this BinaryOp op) =>
        op.IsComparison() || op is BinaryOp.Maximum or BinaryOp.Minimum or BinaryOp.BitwiseAnd or BinaryOp.BitwiseOr or BinaryOp.BitwiseXor;
    [MethodImpl(Hot)]
    public static bool NeedsFloat(this UnaryOp op) =>
        op is UnaryOp.Exp or UnaryOp.Log or UnaryOp.Sqrt or UnaryOp.Sigmoid or UnaryOp.Tanh or >= UnaryOp.Floor;
}
