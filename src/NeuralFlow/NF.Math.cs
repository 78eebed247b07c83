using NeuralFlow.Backends;

namespace NeuralFlow;

public static partial class NF
{
    /// <summary>Elementwise a + b with broadcasting (<c>tf.add</c>).</summary>
    public static Tensor Add(Tensor a, Tensor b) => Engine.Binary(BinaryOp.Add, a, b, nameof(Add));
    /// <summary>Elementwise a - b (<c>tf.subtract</c>).</summary>
    public static Tensor Subtract(Tensor a, Tensor b) => Engine.Binary(BinaryOp.Sub, a, b, nameof(Subtract));
    /// <summary>Elementwise a * b (<c>tf.multiply</c>).</summary>
    public static Tensor Multiply(Tensor a, Tensor b) => Engine.Binary(BinaryOp.Mul, a, b, nameof(Multiply));
    /// <summary>Elementwise true division a / b; integer operands give float32 (<c>tf.divide</c>, PyTorch semantics).</summary>
    public static Tensor Divide(Tensor a, Tensor b) => Engine.Binary(BinaryOp.Div, a, b, nameof(Divide));
    /// <summary>Elementwise a to the power b (<c>tf.pow</c>).</summary>
    public static Tensor Pow(Tensor a, Tensor b) => Engine.Binary(BinaryOp.Pow, a, b, nameof(Pow));
    /// <summary>Elementwise maximum (<c>tf.maximum</c>).</summary>
    public static Tensor Maximum(Tensor a, Tensor b) => Engine.Binary(BinaryOp.Maximum, a, b, nameof(Maximum));
    /// <summary>Elementwise minimum (<c>tf.minimum</c>).</summary>
    public static Tensor Minimum(Tensor a, Tensor b) => Engine.Binary(BinaryOp.Minimum, a, b, nameof(Minimum));

    /// <summary>Elementwise a == b as a bool tensor (<c>tf.equal</c>).</summary>
    public static Tensor Equal(Tensor a, Tensor b) => Engine.Binary(BinaryOp.Equal, a, b, nameof(Equal));
    /// <summary>Elementwise a != b (<c>tf.not_equal</c>).</summary>
    public static Tensor NotEqual(Tensor a, Tensor b) => Engine.Binary(BinaryOp.NotEqual, a, b, nameof(NotEqual));
    /// <summary>Elementwise a &lt; b (<c>tf.less</c>).</summary>
    public static Tensor Less(Tensor a, Tensor b) => Engine.Binary(BinaryOp.Less, a, b, nameof(Less));
    /// <summary>Elementwise a &lt;= b (<c>tf.less_equal</c>).</summary>
    public static Tensor LessEqual(Tensor a, Tensor b) => Engine.Binary(BinaryOp.LessEqual, a, b, nameof(LessEqual));
    /// <summary>Elementwise a &gt; b (<c>tf.greater</c>).</summary>
    public static Tensor Greater(Tensor a, Tensor b) => Engine.Binary(BinaryOp.Greater, a, b, nameof(Greater));
    /// <summary>Elementwise a &gt;= b (<c>tf.greater_equal</c>).</summary>
    public static Tensor GreaterEqual(Tensor a, Tensor b) => Engine.Binary(BinaryOp.GreaterEqual, a, b, nameof(GreaterEqual));

    /// <summary>Elementwise -x (<c>tf.negative</c>).</summary>
    public static Tensor Negative(Tensor x) => Engine.Unary(UnaryOp.Neg, x);
    /// <summary>Elementwise |x| (<c>tf.abs</c>).</summary>
    public static Tensor Abs(Tensor x) => Engine.Unary(UnaryOp.Abs, x);
    /// <summary>Elementwise e^x (<c>tf.exp</c>); integers compute in float32.</summary>
    public static Tensor Exp(Tensor x) => Engine.Unary(UnaryOp.Exp, x);
    /// <summary>Elementwise natural logarithm (<c>tf.math.log</c>).</summary>
    public static Tensor Log(Tensor x) => Engine.Unary(UnaryOp.Log, x);
    /// <summary>Elementwise square root (<c>tf.sqrt</c>).</summary>
    public static Tensor Sqrt(Tensor x) => Engine.Unary(UnaryOp.Sqrt, x);
    /// <summary>Elementwise x*x (<c>tf.square</c>).</summary>
    public static Tensor Square(Tensor x) => Engine.Unary(UnaryOp.Square, x);
    /// <summary>Elementwise max(x, 0) (<c>tf.nn.relu</c>).</summary>
    public static Tensor Relu(Tensor x) => Engine.Unary(UnaryOp.Relu, x);
    /// <summary>Elementwise logistic sigmoid (<c>tf.sigmoid</c>), stable for large |x|.</summary>
    public static Tensor Sigmoid(Tensor x) => Engine.Unary(UnaryOp.Sigmoid, x);
    /// <summary>Elementwise hyperbolic tangent (<c>tf.tanh</c>).</summary>
    public static Tensor Tanh(Tensor x) => Engine.Unary(UnaryOp.Tanh, x);
    /// <summary>Elementwise sign: -1, 0 or 1 (<c>tf.sign</c>).</summary>
    public static Tensor Sign(Tensor x) => Engine.Unary(UnaryOp.Sign, x);
}
