namespace NeuralFlow;

// torch.cdist: the p-norm distance of every row of x1 to every row of x2, composed from the
// broadcast difference [..., P, R, M] and a reduction over M, so every engine runs it and the
// gradient is the composition's. The root of the sum is taken only where the sum is positive:
// two equal points have distance 0 and gradient 0 there (PyTorch's), not sqrt's 0/0.
public static partial class NF
{
    /// <summary>
    /// The p-norm distances (<c>torch.cdist</c>) between the rows of <paramref name="x1"/> [..., P, M]
    /// and of <paramref name="x2"/> [..., R, M]: [..., P, R], the batch axes broadcast. p = 0 counts
    /// the differing coordinates (no gradient), p = infinity is the largest |difference|, any other
    /// p &gt; 0 (Σ |difference|^p)^(1/p). Coinciding points get distance 0 and a zero gradient.
    /// </summary>
    /// <exception cref="ArgumentException">Not float tensors of rank 2 or more, different dtypes, feature or batch axes that do not match.</exception>
    /// <exception cref="ArgumentOutOfRangeException">p negative or NaN.</exception>
    public static Tensor Cdist(Tensor x1, Tensor x2, double p = 2)
    {
        const string op = nameof(Cdist);
        ArgumentNullException.ThrowIfNull(x1);
        ArgumentNullException.ThrowIfNull(x2);
        foreach (var (what, x) in new[] { ("x1", x1), ("x2", x2) })
            if (x.Rank < 2 || !x.DType.IsFloating())
                throw new ArgumentException($"{op}: {what} must be a float32 or float64 tensor [..., rows, features], got {x.DType.Name()} {x.Shape}.", what);
        if (x1.DType != x2.DType)
            throw new ArgumentException($"{op}: x1 and x2 must have one dtype, got {x1.DType.Name()} and {x2.DType.Name()}.", nameof(x2));
        if (x1.Shape[-1] != x2.Shape[-1])
            throw new ArgumentException($"{op}: x1 {x1.Shape} and x2 {x2.Shape} must have the same number of features (last axis).", nameof(x2));
        if (!(p >= 0)) throw new ArgumentOutOfRangeException(nameof(p), p, $"{op}: p must be a non-negative number (or infinity).");
        var batch = Engine.BroadcastShapes(op, new Shape(x1.Shape.ToArray()[..^2]), new Shape(x2.Shape.ToArray()[..^2]));
        var diff = ExpandDims(x1, -2) - ExpandDims(x2, -3);                 // [..., P, R, M]
        if (x1.Shape[-1] == 0)
        {
            // No features: every distance is 0 (the max of no differences included).
            using (UseBackend(x1.Backend))
                return Zeros(new Shape([.. batch.ToArray(), x1.Shape[-2], x2.Shape[-2]]), x1.DType);
        }
        if (p == 0) return ReduceSum(Cast(NotEqual(StopGradient(diff), 0), diff.DType), -1);
        if (double.IsPositiveInfinity(p)) return ReduceMax(Abs(diff), -1);
        if (p == 1) return ReduceSum(Abs(diff), -1);
        var sum = ReduceSum(p == 2 ? Square(diff) : Pow(Abs(diff), p), -1);
        var positive = Greater(sum, 0);
        return Where(positive, Pow(Where(positive, sum, 1), 1 / p), 0);
    }
}
