using static NeuralFlow.GradientHelpers;

namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Elementwise select (<c>tf.where(condition, x, y)</c>): x where <paramref name="condition"/>
    /// is true, y elsewhere, all three broadcast together (NumPy rules). x and y share a dtype
    /// (a C# number takes the other's); condition must be bool. A true select, not
    /// <c>c*x + (1-c)*y</c>: an inf or NaN in the branch not taken never reaches the result.
    /// Gradient: the upstream gradient goes to x where condition holds and to y elsewhere (0 in
    /// the other), summed back to each one's shape; condition gets none.
    /// </summary>
    /// <exception cref="ArgumentException">condition is not bool, x and y differ in dtype, the shapes do not broadcast, or the operands are on different devices.</exception>
    public static Tensor Where(Tensor condition, Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        const string op = nameof(Where);
        if (condition.DType != DType.Bool)
            throw new ArgumentException(
                $"{op}: condition must be bool, got {condition.DType.Name()} with shape {condition.Shape}; make one with a comparison (NF.Greater(t, 0)) or NF.Cast(t, DType.Bool).",
                nameof(condition));
        // A C# number (weak scalar) goes to the backend of the tensors it meets.
        var home = x.IsWeakScalar ? y.IsWeakScalar ? condition : y : x;
        x = Engine.OnBackendOf(x, home);
        y = Engine.OnBackendOf(y, home);
        Engine.BackendOf(op, condition, x);
        (x, y) = Engine.Promote(op, x, y);   // np.where's branches of two dtypes; the casts carry the gradients back
        var backend = Engine.BackendOf(op, x, y);
        var dtype = Engine.CommonDType(op, x, y);
        ScalarRange.CheckWeak(op, x, dtype);
        ScalarRange.CheckWeak(op, y, dtype);
        var shape = Engine.BroadcastShapes(op, condition.Shape, Engine.BroadcastShapes(op, x.Shape, y.Shape));
        var cx = Engine.As(x, dtype);
        var cy = Engine.As(y, dtype);
        try
        {
            var result = Tensor.Empty(shape, dtype, backend);
            Engine.Where(condition, cx, cy, result);
            return Tape.Record(result, [condition, x, y], static (g, n) =>
            {
                // Where again, not a product with the mask: g * 0 would be NaN where g is inf.
                var c = n.Value(0);
                using var zero = Engine.WeakScalar(0.0, g.DType, g.Backend);
                return [null,
                        n.Wants(1) ? ReduceTo(Where(c, g, zero), n.Value(1).Shape) : null,
                        n.Wants(2) ? ReduceTo(Where(c, zero, g), n.Value(2).Shape) : null];
            });
        }
        finally
        {
            if (!ReferenceEquals(cx, x)) cx.Dispose();
            if (!ReferenceEquals(cy, y)) cy.Dispose();
        }
    }

    /// <summary>
    /// The coordinates of the true elements of <paramref name="condition"/>
    /// (<c>tf.where(condition)</c>): an int64 tensor [n, rank], one row per true element in
    /// row-major order. A bool condition as is; any other dtype counts nonzero elements as true
    /// (NaN included), as TensorFlow does. The row count depends on the values, so the
    /// condition is read back to the host (a synchronisation on a GPU, as in TensorFlow) and the
    /// result is made on the condition's device. No gradient (integer output).
    /// </summary>
    public static Tensor Where(Tensor condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var mask = condition.DType == DType.Bool ? null : NotEqual(condition, 0);
        var flags = (mask ?? condition).ToArray<bool>();
        int rank = condition.Rank;
        var dims = condition.Shape.Dims;
        int count = flags.Count(f => f);
        var coords = new long[(long)count * rank];
        var index = new long[rank];
        long row = 0;
        for (long i = 0; i < flags.LongLength; i++)
        {
            if (flags[i])
            {
                index.CopyTo(coords, row * rank);
                row++;
            }
            // Advance the row-major multi-index of element i + 1.
            for (int d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < dims[d]) break;
                index[d] = 0;
            }
        }
        return Engine.FromHost<long>(coords, new Shape(count, rank), condition.Backend);
    }
}
