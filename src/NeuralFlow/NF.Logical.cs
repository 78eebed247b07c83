using NeuralFlow.Backends;

namespace NeuralFlow;

// Logical operations on bool tensors (tf.math.logical_*), also the operators & | ^ ! of Tensor.
// On the engines' 0/1 bytes, and is the minimum, or the maximum, xor inequality and not equality
// with false: the binary kernels every engine has, no kernels of their own. Comparisons have no
// gradient, nor do these.
public static partial class NF
{
    /// <summary>Elementwise a AND b of two bool tensors, with broadcasting (<c>tf.logical_and</c>, <c>a &amp; b</c>).</summary>
    public static Tensor LogicalAnd(Tensor a, Tensor b) => Engine.Binary(BinaryOp.Minimum, Bools(a, b, nameof(LogicalAnd)), b, nameof(LogicalAnd));

    /// <summary>Elementwise a OR b of two bool tensors, with broadcasting (<c>tf.logical_or</c>, <c>a | b</c>).</summary>
    public static Tensor LogicalOr(Tensor a, Tensor b) => Engine.Binary(BinaryOp.Maximum, Bools(a, b, nameof(LogicalOr)), b, nameof(LogicalOr));

    /// <summary>Elementwise a XOR b of two bool tensors, with broadcasting (<c>tf.math.logical_xor</c>, <c>a ^ b</c>).</summary>
    public static Tensor LogicalXor(Tensor a, Tensor b) => Engine.Binary(BinaryOp.NotEqual, Bools(a, b, nameof(LogicalXor)), b, nameof(LogicalXor));

    /// <summary>Elementwise NOT x of a bool tensor (<c>tf.logical_not</c>, <c>!x</c>).</summary>
    public static Tensor LogicalNot(Tensor x)
    {
        Bools(x, x, nameof(LogicalNot));
        using var no = Fill(NeuralFlow.Shape.Scalar, 0.0, DType.Bool, x.Backend);
        return Engine.Binary(BinaryOp.Equal, x, no, nameof(LogicalNot));
    }

    // a, once both are bool; TensorFlow refuses other dtypes too (a comparison makes bools: x > 0).
    private static Tensor Bools(Tensor a, Tensor b, string op)
    {
        if (a.DType != DType.Bool || b.DType != DType.Bool)
            throw new ArgumentException(
                $"NF.{op} takes bool tensors, got {a.DType} and {b.DType}: compare first (x > 0) or NF.Cast(x, DType.Bool).");
        return a;
    }
}
