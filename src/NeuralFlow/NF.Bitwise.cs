using NeuralFlow.Backends;

namespace NeuralFlow;

// Bitwise and shift ops (keras.ops.bitwise_*, tf.bitwise, torch.bitwise_*, NumPy's ufuncs): one
// elementwise kernel each on every engine (native/src/common/elementwise_list.h), integer and
// bool tensors only. Mixed dtypes promote as keras.ops (Keras' result_type, Engine.Promote:
// uint8 & int32 is int32, bool with an integer takes the integer). None is recorded on the
// tape: like TensorFlow's integer ops they have no gradient, so asking for one gives none.
public static partial class NF
{
    /// <summary>
    /// Elementwise a AND b of the bits (<c>keras.ops.bitwise_and</c>, <c>np.bitwise_and</c>, C#'s
    /// <c>a &amp; b</c>); on bool tensors the logical and. Integer or bool tensors, with broadcasting.
    /// </summary>
    /// <exception cref="ArgumentException">A float operand (bitwise ops are not defined on floats, as in NumPy), or shapes that do not broadcast.</exception>
    public static Tensor BitwiseAnd(Tensor a, Tensor b) => BitwiseBinary(BinaryOp.BitwiseAnd, a, b, nameof(BitwiseAnd));

    /// <summary>
    /// Elementwise a OR b of the bits (<c>keras.ops.bitwise_or</c>, <c>np.bitwise_or</c>, C#'s
    /// <c>a | b</c>); on bool tensors the logical or. Integer or bool tensors, with broadcasting.
    /// </summary>
    /// <exception cref="ArgumentException">A float operand, or shapes that do not broadcast.</exception>
    public static Tensor BitwiseOr(Tensor a, Tensor b) => BitwiseBinary(BinaryOp.BitwiseOr, a, b, nameof(BitwiseOr));

    /// <summary>
    /// Elementwise a XOR b of the bits (<c>keras.ops.bitwise_xor</c>, <c>np.bitwise_xor</c>, C#'s
    /// <c>a ^ b</c>); on bool tensors the logical xor. Integer or bool tensors, with broadcasting.
    /// </summary>
    /// <exception cref="ArgumentException">A float operand, or shapes that do not broadcast.</exception>
    public static Tensor BitwiseXor(Tensor a, Tensor b) => BitwiseBinary(BinaryOp.BitwiseXor, a, b, nameof(BitwiseXor));

    /// <summary>
    /// Elementwise NOT of the bits (<c>keras.ops.bitwise_not</c>, <c>np.invert</c>, C#'s <c>~x</c>):
    /// ~5 is -6 for signed integers, ~5 is 250 for uint8, and on bool tensors the logical not.
    /// Computed as x XOR all-ones, so it runs on every engine's xor kernel.
    /// </summary>
    /// <exception cref="ArgumentException">x is a float tensor.</exception>
    public static Tensor BitwiseNot(Tensor x) => Invert(x, nameof(BitwiseNot));

    /// <summary>Alias of <see cref="BitwiseNot"/> (<c>keras.ops.bitwise_invert</c>, <c>np.invert</c>).</summary>
    /// <exception cref="ArgumentException">x is a float tensor.</exception>
    public static Tensor BitwiseInvert(Tensor x) => Invert(x, nameof(BitwiseInvert));

    /// <summary>
    /// Elementwise a shifted left by b bits (<c>keras.ops.left_shift</c>, <c>np.left_shift</c>,
    /// C#'s <c>a &lt;&lt; b</c>), wrapping in a's width: int32 1 &lt;&lt; 31 is int.MinValue. A count
    /// b &gt;= the bit width, or negative, gives 0 (NumPy's result on x86; C#'s own shift would use
    /// the count modulo the width). Integer tensors only.
    /// </summary>
    /// <exception cref="ArgumentException">A float or bool operand, or shapes that do not broadcast.</exception>
    public static Tensor LeftShift(Tensor a, Tensor b) => BitwiseBinary(BinaryOp.LeftShift, a, b, nameof(LeftShift));

    /// <summary>
    /// Elementwise a shifted right by b bits (<c>keras.ops.right_shift</c>, <c>np.right_shift</c>,
    /// C#'s <c>a &gt;&gt; b</c>): arithmetic for signed integers (-5 &gt;&gt; 1 is -3). A count b &gt;= the
    /// bit width, or negative, gives -1 for negative a and 0 otherwise (NumPy's result on x86).
    /// Integer tensors only.
    /// </summary>
    /// <exception cref="ArgumentException">A float or bool operand, or shapes that do not broadcast.</exception>
    public static Tensor RightShift(Tensor a, Tensor b) => BitwiseBinary(BinaryOp.RightShift, a, b, nameof(RightShift));

    /// <summary>Alias of <see cref="LeftShift"/> (<c>keras.ops.bitwise_left_shift</c>, <c>torch.bitwise_left_shift</c>).</summary>
    /// <exception cref="ArgumentException">A float or bool operand, or shapes that do not broadcast.</exception>
    public static Tensor BitwiseLeftShift(Tensor a, Tensor b) => BitwiseBinary(BinaryOp.LeftShift, a, b, nameof(BitwiseLeftShift));

    /// <summary>Alias of <see cref="RightShift"/> (<c>keras.ops.bitwise_right_shift</c>, <c>torch.bitwise_right_shift</c>).</summary>
    /// <exception cref="ArgumentException">A float or bool operand, or shapes that do not broadcast.</exception>
    public static Tensor BitwiseRightShift(Tensor a, Tensor b) => BitwiseBinary(BinaryOp.RightShift, a, b, nameof(BitwiseRightShift));

    // Engine.Binary refuses floats (and bool for the shifts) with the op's name; the promotion's
    // casts are not disposed, as Engine.Promote says.
    private static Tensor BitwiseBinary(BinaryOp op, Tensor a, Tensor b, string name)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var (pa, pb) = Engine.Promote(name, a, b);
        return Engine.Binary(op, pa, pb, name);
    }

    private static Tensor Invert(Tensor x, string name)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.DType.IsFloating())
            throw new ArgumentException(
                $"{name}: bitwise ops take integer or bool tensors, not {x.DType.Name()}; cast first with NF.Cast(x, DType.Int32).", nameof(x));
        // All bits set: -1 for the signed types, 255 for uint8, true for bool (whose not is xor 1).
        double ones = x.DType switch { DType.UInt8 => byte.MaxValue, DType.Bool => 1, _ => -1 };
        using var mask = Fill(NeuralFlow.Shape.Scalar, ones, x.DType, x.Backend);
        return Engine.Binary(BinaryOp.BitwiseXor, x, mask, name);
    }
}
