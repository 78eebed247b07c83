namespace NeuralFlow;

// The keras.activations / keras.ops.nn functions Keras 3 has beyond issue 16's set (celu, glu,
// the shrinks, the sparse and square variants, log_sigmoid, sparsemax, threshold), composed from
// NF ops as NF.Activations.cs's are, so each gradient comes from the tape and an outer tape can
// differentiate it again. Definitions: Keras 3's keras/src/backend/jax/nn.py (and jax.nn).
// Those whose formula leaves the integers (a tanh, a square root, a division) take integer x as
// float32, as Keras' backends do (x - tanh(x) of int32 x is float32 there, not a dtype error).
public static partial class NF
{
    /// <summary>max(x, 0) + alpha * expm1(min(x, 0) / alpha) (<c>keras.ops.celu</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">alpha is 0.</exception>
    public static Tensor Celu(Tensor x, double alpha = 1.0)
    {
        if (alpha == 0) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Celu: alpha must not be 0 (it divides x).");
        x = FloatOf(x);
        return Relu(x) + alpha * Expm1(Minimum(x, 0) / alpha);
    }

    /// <summary>
    /// Gated linear unit (<c>keras.ops.glu</c>): x split in two halves a, b along
    /// <paramref name="axis"/>, a * sigmoid(b).
    /// </summary>
    /// <exception cref="ArgumentException">The axis is out of range or its length is odd.</exception>
    public static Tensor Glu(Tensor x, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(x);
        int rank = x.Shape.Rank;
        if (axis < -rank || axis >= rank)
            throw new ArgumentException($"Glu: axis {axis} is out of range for shape {x.Shape}.", nameof(axis));
        int a = axis < 0 ? axis + rank : axis;
        if (x.Shape[a] % 2 != 0)
            throw new ArgumentException($"Glu: the length of axis {axis} must be even (it is split in two halves), got shape {x.Shape}.", nameof(x));
        var halves = Split(FloatOf(x), 2, a);
        return halves[0] * Sigmoid(halves[1]);
    }

    /// <summary>
    /// x clipped to [-1, 1] (<c>keras.ops.hard_tanh</c>), in x's dtype: int32 and int64 give -1, 0 or 1 as
    /// torch.nn.functional.hardtanh does for signed integers. An unsigned tensor (uint8) is refused, as torch
    /// refuses it ("cannot do hardtanh on an unsigned type with negative limits"): its lower bound -1 has no uint8
    /// value, and clipping at 0 instead would quietly be another function.
    /// </summary>
    /// <exception cref="ArgumentException">x is uint8 (or bool, string): no -1 to clip at.</exception>
    public static Tensor HardTanh(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.DType is DType.UInt8 or DType.Bool or DType.String)
            throw new ArgumentException($"HardTanh: x is {x.DType.Name()}, which has no -1 to clip at; cast it to a signed or floating dtype first (NF.Cast(x, DType.Int32) or DType.Float32).", nameof(x));
        return Minimum(Maximum(x, -1), 1);
    }

    /// <summary>x where |x| &gt; threshold, else 0 (<c>keras.ops.hard_shrink</c>).</summary>
    public static Tensor HardShrink(Tensor x, double threshold = 0.5) => Where(Greater(Abs(x), threshold), x, 0);

    /// <summary>x - threshold above threshold, x + threshold below -threshold, else 0 (<c>keras.ops.soft_shrink</c>).</summary>
    public static Tensor SoftShrink(Tensor x, double threshold = 0.5) =>
        Where(Greater(x, threshold), x - threshold, Where(Less(x, -threshold), x + threshold, 0));

    /// <summary>x - tanh(x) (<c>keras.ops.tanh_shrink</c>).</summary>
    public static Tensor TanhShrink(Tensor x) => FloatOf(x) - Tanh(x);

    /// <summary>x where x &gt; threshold, else defaultValue (<c>keras.ops.threshold</c>).</summary>
    public static Tensor Threshold(Tensor x, double threshold, double defaultValue) => Where(Greater(x, threshold), x, defaultValue);

    /// <summary>0 for x ≤ -1, x for x ≥ 1, (x + 1)² / 4 between (<c>keras.ops.sparse_plus</c>).</summary>
    public static Tensor SparsePlus(Tensor x)
    {
        x = FloatOf(x);
        return Where(LessEqual(x, -1), 0, Where(GreaterEqual(x, 1), x, Square(x + 1) / 4));
    }

    /// <summary>(x + √(x² + b)) / 2 (<c>keras.ops.squareplus</c>), a smooth relu.</summary>
    /// <exception cref="ArgumentOutOfRangeException">b is negative.</exception>
    public static Tensor Squareplus(Tensor x, double b = 4)
    {
        if (b < 0) throw new ArgumentOutOfRangeException(nameof(b), b, "Squareplus: b must be >= 0 (jax.nn.squareplus's rule).");
        x = FloatOf(x);
        return (x + Sqrt(Square(x) + b)) / 2;
    }

    /// <summary>0 for x ≤ -1, 1 for x ≥ 1, (x + 1) / 2 between (<c>keras.ops.sparse_sigmoid</c>).</summary>
    public static Tensor SparseSigmoid(Tensor x) => Minimum(Maximum((x + 1) / 2, 0), 1);

    /// <summary>log(sigmoid(x)) = -softplus(-x) (<c>keras.ops.log_sigmoid</c>, <c>tf.math.log_sigmoid</c>), stable for large |x|.</summary>
    public static Tensor LogSigmoid(Tensor x) => -Softplus(-FloatOf(x));

    /// <summary>
    /// Sparsemax (<c>keras.ops.sparsemax</c>, Martins and Astudillo 2016): the Euclidean projection
    /// of x onto the probability simplex along <paramref name="axis"/>, max(x - τ, 0) with τ chosen
    /// so that the outputs sum to 1.
    /// </summary>
    /// <exception cref="ArgumentException">The axis is out of range.</exception>
    // τ = (Σ_{i∈S} x_i - 1) / |S| over the support S = {i : x_i > τ}. Keras 3's backends sum the
    // running sums over S instead of taking the last one; the two agree while |S| = 1 (every Keras
    // example and test), and only this one sums to 1 beyond (x = [1, 1] gives [0.5, 0.5], Keras' [0, 0]).
    // The support comes from the sorted values of x with its gradient stopped (the support is
    // piecewise constant); τ is then recomputed from x over that support so the tape differentiates through it.
    public static Tensor Sparsemax(Tensor x, int axis = -1)
    {
        ArgumentNullException.ThrowIfNull(x);
        int rank = x.Shape.Rank;
        if (axis < -rank || axis >= rank)
            throw new ArgumentException($"Sparsemax: axis {axis} is out of range for shape {x.Shape}.", nameof(axis));
        x = FloatOf(x);
        int a = axis < 0 ? axis + rank : axis;
        var constant = StopGradient(x);
        var sorted = Sort(constant, a, "DESCENDING");
        var positions = new int[rank];
        Array.Fill(positions, 1);
        positions[a] = x.Shape[a];
        var r = Reshape(Cast(Range(1, x.Shape[a] + 1), x.DType), positions);
        var inSorted = Greater(sorted * r, CumSum(sorted, a) - 1);
        var k = ReduceSum(Cast(inSorted, x.DType), [a], keepDims: true);
        var tau0 = (ReduceSum(Where(inSorted, sorted, 0), [a], keepDims: true) - 1) / k;
        // Selected, not multiplied by a 0/1 mask: a -inf logit (a masked position) times 0 is NaN.
        var support = Greater(constant, tau0);
        var tau = (ReduceSum(Where(support, x, 0), [a], keepDims: true) - 1) / ReduceSum(Cast(support, x.DType), [a], keepDims: true);
        return Relu(x - tau);
    }
}
