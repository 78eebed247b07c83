namespace NeuralFlow;

public sealed partial class GradientTape
{
    // Set while Jacobian runs its Gradient calls: a non-persistent tape keeps its records until the last.
    private bool _holdRecords;

    /// <summary>
    /// The Jacobian of every element of <paramref name="target"/> with respect to every element of
    /// <paramref name="source"/> (<c>tape.jacobian</c>, <c>torch.autograd.functional.jacobian</c>):
    /// shape target.shape + source.shape, one vector-Jacobian product per target element. Null
    /// where the source does not influence the target, unless <paramref name="unconnectedGradients"/>
    /// asks for zeros. Counts as the tape's one Gradient call unless the tape is persistent.
    /// </summary>
    public Tensor Jacobian(Tensor target, Tensor source, UnconnectedGradients unconnectedGradients = UnconnectedGradients.None) =>
        Rows(nameof(Jacobian), target, source, batched: false, unconnectedGradients);

    /// <summary>
    /// The Jacobian of each example of <paramref name="target"/> with respect to the same example of
    /// <paramref name="source"/> (<c>tape.batch_jacobian</c>): both have the batch axis first, and the
    /// result has shape [batch] + target.shape[1:] + source.shape[1:]. As in TensorFlow, examples must
    /// not depend on each other (a batch normalization in training mixes them and gives sums).
    /// </summary>
    public Tensor BatchJacobian(Tensor target, Tensor source, UnconnectedGradients unconnectedGradients = UnconnectedGradients.None) =>
        Rows(nameof(BatchJacobian), target, source, batched: true, unconnectedGradients);

    private Tensor Rows(string method, Tensor target, Tensor source, bool batched, UnconnectedGradients unconnected)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        ThrowIfDisposed("Jacobian");
        if (_used && !Persistent)
            throw new InvalidOperationException(
                $"This GradientTape already computed a gradient; {method} needs its records, so create it with new GradientTape(persistent: true) to take both.");
        if (batched && (target.Rank == 0 || source.Rank == 0 || target.Shape[0] != source.Shape[0]))
            throw new ArgumentException(
                $"{method}: target and source need the same batch axis first, got shapes {target.Shape} and {source.Shape}.", nameof(source));
        var rowShape = batched ? new Shape(target.Shape.ToArray()[1..]) : target.Shape;
        var tail = batched ? source.Shape.ToArray()[1..] : source.Shape.ToArray();
        int[] resultDims = batched ? [target.Shape[0], .. rowShape, .. tail] : [.. rowShape, .. tail];
        int rows = checked((int)rowShape.Count);
        var gradients = new Tensor[rows];
        bool hold = !Persistent;
        _holdRecords = hold;
        try
        {
            for (int i = 0; i < rows; i++)
            {
                // One element of each example's target weighted 1, the rest 0: row i of the Jacobian.
                using var hot = NF.OneHot(NF.Constant([i]), rows, dtype: target.DType);
                using var weights = NF.BroadcastTo(NF.Reshape(hot, [.. rowShape]), target.Shape);
                var g = Gradient(target, [source], weights)[0];
                if (g is null)
                {
                    if (unconnected == UnconnectedGradients.None) return null!;
                    g = NF.ZerosLike(source);
                }
                gradients[i] = g;
            }
        }
        finally
        {
            if (hold)
            {
                _holdRecords = false;
                _used = true;
                Release();
                Tape.Active.Remove(this);
            }
        }
        if (rows == 0) return NF.Zeros(resultDims, source.DType);
        var stacked = NF.Stack(gradients, axis: batched ? 1 : 0);
        return NF.Reshape(stacked, resultDims);
    }
}
