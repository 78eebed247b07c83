using System.Numerics;
using NeuralFlow.Backends;
using NeuralFlow.Backends.Managed;

namespace NeuralFlow;

// A unary op of a C# number gives a C# number (a weak scalar), as JAX's weak types and TensorFlow's
// auto dtype conversion do: NF.Log(2.0 * Math.PI) or NF.Exp(-0.0) then takes the dtype of the tensor
// it meets, as the number itself would, instead of becoming a float64 tensor that a float32
// computation refuses (the CVAE tutorial's log_normal_pdf(z, 0., 0.) with log2pi = tf.math.log(2. * np.pi)).
// The value is computed here from the C# number by the managed engine's own op table, so no kernel
// runs, nothing is read back from a device, and an NF.Function trace sees a constant.
internal static partial class Engine
{
    private static Tensor? WeakUnary(UnaryOp op, Tensor x)
    {
        if (!x.IsWeakScalar) return null;
        return x.WeakValue switch
        {
            double d => WeakScalar(FloatScalar(op, d), DType.Float64, x.Backend),
            float f => WeakScalar(FloatScalar(op, f), DType.Float32, x.Backend),
            // Integers compute in float32 where the op needs a float (Engine.Unary's rule for integer tensors).
            int or long when op.NeedsFloat() => WeakScalar(FloatScalar(op, Convert.ToSingle(x.WeakValue)), DType.Float32, x.Backend),
            int i => WeakScalar(IntegerScalar(op, i), DType.Int32, x.Backend),
            long l => WeakScalar(IntegerScalar(op, l), DType.Int64, x.Backend),
            _ => null,
        };
    }

    private static T FloatScalar<T>(UnaryOp op, T value) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var apply = new ApplyToOne<T>(value);
        ManagedBackend.FloatUnaryOp<T, ApplyToOne<T>>(op, ref apply);
        return apply.Result;
    }

    // The integer ops (the managed engine's UnaryInt table): the rest need a float.
    private static T IntegerScalar<T>(UnaryOp op, T value) where T : unmanaged, IBinaryInteger<T> => op switch
    {
        UnaryOp.Neg => NegOp<T>.Apply(value),
        UnaryOp.Abs => AbsIntOp<T>.Apply(value),
        UnaryOp.Square => SquareOp<T>.Apply(value),
        UnaryOp.Relu => ReluOp<T>.Apply(value),
        UnaryOp.Sign => SignOp<T>.Apply(value),
        _ => throw new System.Diagnostics.UnreachableException($"{op} is not an integer op (NeedsFloat routes it to the float table)."),
    };

    private struct ApplyToOne<T>(T value) : ManagedBackend.IFloatUnaryUse<T> where T : unmanaged
    {
        public T Result;

        public void Use<TOp>(int cost) where TOp : IUnaryOp<T> => Result = TOp.Apply(value);
    }
}
