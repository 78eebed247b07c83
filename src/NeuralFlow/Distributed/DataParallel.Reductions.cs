using NeuralFlow.Keras;

namespace NeuralFlow.Distributed;

// What a custom loop needs besides averaged gradients, as "Custom training with
// tf.distribute.Strategy" writes it: a loss scaled by the global batch (tf.nn.compute_average_loss)
// and metrics read over every rank's updates (Keras' metric variables are SUM-synchronized on read).
public sealed partial class DataParallel
{
    /// <summary>
    /// tf.nn.compute_average_loss: the sum of <paramref name="perExampleLoss"/> (a loss made with
    /// <c>reduction: "none"</c>, weighted by <paramref name="sampleWeight"/> when given) divided by
    /// the global batch size, so that the ranks' losses add up to the global batch's mean loss and
    /// their gradients, summed with <c>AllReduceGradients(grads, mean: false)</c>, to its gradient.
    /// </summary>
    /// <param name="perExampleLoss">One loss per example of this rank's part of the batch (rank 1 or more).</param>
    /// <param name="globalBatchSize">Examples in the global batch; by default this rank's count times <see cref="WorldSize"/>, as TensorFlow's default.</param>
    /// <param name="sampleWeight">Weights multiplied into the losses (broadcast to their shape).</param>
    public Tensor ComputeAverageLoss(Tensor perExampleLoss, int? globalBatchSize = null, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(perExampleLoss);
        if (perExampleLoss.Rank == 0)
            throw new ArgumentException("ComputeAverageLoss: perExampleLoss is a scalar; pass one loss per example (a loss made with reduction: \"none\").", nameof(perExampleLoss));
        if (!perExampleLoss.DType.IsFloating())
            throw new ArgumentException($"ComputeAverageLoss: perExampleLoss is {perExampleLoss.DType.Name()}; losses are floating point.", nameof(perExampleLoss));
        int global = globalBatchSize ?? checked(perExampleLoss.Shape[0] * WorldSize);
        if (global < 1)
            throw new ArgumentOutOfRangeException(nameof(globalBatchSize), global, "ComputeAverageLoss: the global batch size must be at least 1.");
        var weighted = sampleWeight is null ? perExampleLoss : perExampleLoss * NF.Cast(sampleWeight, perExampleLoss.DType);
        return NF.ReduceSum(weighted) / global;
    }

    /// <summary>
    /// tf.nn.scale_regularization_loss: the sum of <paramref name="regularizationLoss"/> (the
    /// penalties of <c>model.Losses</c>, e.g. <c>NF.AddN(model.Losses)</c>) divided by the number of
    /// ranks, so that, added on every rank to a <see cref="ComputeAverageLoss"/> loss whose gradients
    /// are summed (<c>AllReduceGradients(grads, mean: false)</c>), the penalty counts once in the
    /// global gradient, as in one process.
    /// </summary>
    public Tensor ScaleRegularizationLoss(Tensor regularizationLoss)
    {
        ArgumentNullException.ThrowIfNull(regularizationLoss);
        if (!regularizationLoss.DType.IsFloating())
            throw new ArgumentException($"ScaleRegularizationLoss: regularizationLoss is {regularizationLoss.DType.Name()}; losses are floating point.", nameof(regularizationLoss));
        return NF.ReduceSum(regularizationLoss) / WorldSize;
    }

    /// <summary>
    /// tf.distribute's <c>strategy.reduce(reduce_op, value, axis=None)</c>: <paramref name="value"/>
    /// (this rank's per-replica value, e.g. the loss a step returned) summed ("SUM") or averaged
    /// ("MEAN") element-wise over the ranks, a new tensor of its shape and dtype, the same on every
    /// rank. A collective on host values: call it on every rank, outside an NF.Function.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="reduceOp"/> is neither "SUM" nor "MEAN", or the value is not a floating-point tensor.</exception>
    public Tensor Reduce(string reduceOp, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        bool mean = reduceOp?.ToUpperInvariant() switch
        {
            "SUM" => false,
            "MEAN" => true,
            _ => throw new ArgumentException($"Reduce: reduceOp '{reduceOp}' is not one of tf.distribute's ReduceOp: \"SUM\" or \"MEAN\".", nameof(reduceOp)),
        };
        if (!value.DType.IsFloating())
            throw new ArgumentException($"Reduce: value is {value.DType.Name()}; reduce a floating-point tensor (cast it first).", nameof(value));
        NotReplayable("Reduce");
        double[] values;
        using (TensorScope.Begin()) values = NF.Cast(value, DType.Float64).ToArray<double>();
        AllReduce(values, mean);
        using var scope = TensorScope.Begin();
        using (NF.UseBackend(value.Backend)) return scope.Keep(NF.Cast(NF.Constant(values, value.Shape), value.DType));
    }

    /// <summary>
    /// <paramref name="metric"/>'s result over the updates of every rank: its state variables
    /// (totals, counts, confusion counts) summed across the ranks, as Keras reads a metric under a
    /// strategy. This rank's own state is left as it was, so call it as often as a log needs; every
    /// rank must call it at the same point, with the same metric.
    /// </summary>
    /// <exception cref="ArgumentException">The ranks' metrics have different states (thrown on every rank).</exception>
    public float GlobalResult(Metrics.Metric metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        NotReplayable("GlobalResult");
        return WithStatesSummed([metric], metric.Result);
    }

    /// <summary>
    /// What <paramref name="read"/> returns while <paramref name="metrics"/> hold their states
    /// summed over the ranks; each rank's own states are put back afterwards. A collective.
    /// </summary>
    internal T WithStatesSummed<T>(IReadOnlyList<Metrics.Metric> metrics, Func<T> read)
    {
        ThrowIfUnusable();
        var distinct = metrics.Distinct().ToList();  // a metric listed twice is summed once
        var saved = distinct.Select(m => m.SaveState()).ToList();
        var summed = distinct.Select(m => Summed(m)).ToList();
        for (int i = 0; i < distinct.Count; i++) distinct[i].RestoreState(summed[i]);
        try
        {
            return read();
        }
        finally
        {
            for (int i = 0; i < distinct.Count; i++) distinct[i].RestoreState(saved[i]);
        }
    }

    /// <summary>Whether <paramref name="flag"/> is true on any rank (the same answer on every rank). A collective.</summary>
    internal bool AnyRank(bool flag) => Gather([flag ? 1 : 0]).Any(v => v != 0);

    /// <summary>
    /// Each of <paramref name="values"/> averaged over the ranks, rank r's weighed by its
    /// <paramref name="weight"/> (rows of a batch; 0: its values are left out), the same on every
    /// rank; NaN where every weight is 0. A collective.
    /// </summary>
    /// <exception cref="InvalidOperationException">The ranks passed different numbers of values (thrown on every rank).</exception>
    internal double[] WeightedMean(double[] values, double weight)
    {
        var all = Gather([values.Length, weight]);
        double total = 0;
        for (int r = 0; r < WorldSize; r++)
        {
            if (all[2 * r] != values.Length)
                throw OnEveryRank(new InvalidOperationException(
                    $"DataParallel: the ranks' steps logged {string.Join(", ", Enumerable.Range(0, WorldSize).Select(q => all[2 * q]))} tensor values by rank; every rank's step must return the same logs."));
            total += all[2 * r + 1];
        }
        var sums = values.Select(v => weight == 0 ? 0 : v * weight).ToArray();
        AllReduce(sums);
        return sums.Select(v => total > 0 ? v / total : double.NaN).ToArray();
    }

    // One metric's states summed over the ranks (null where no rank updated a state). A null
    // metric is that of a rank that does not know it (JoinStatesSummed): it joins the same
    // reductions with `stateCount` states it never updated, adding nothing.
    private (Shape Shape, double[] Values)?[] Summed(Metrics.Metric? metric, int stateCount = 0)
    {
        var states = metric?.States;
        int count = states?.Count ?? stateCount;
        string name = metric?.Name ?? "(unknown on this rank)";
        if (AllGather([count]) is var stateCounts && stateCounts.Any(c => c != count))
            throw OnEveryRank(new ArgumentException($"GlobalResult: the ranks' metric '{name}' has {string.Join(", ", stateCounts)} state variables by rank; pass the same metric on every rank.", nameof(metric)));
        // Each state's length on each rank (-1: not made yet, as on a rank that saw no batch).
        var lengths = new double[count];
        for (int i = 0; i < count; i++) lengths[i] = states?[i].Value is { } v ? v.Count : -1;
        var all = AllGather(lengths);
        var own = metric?.SaveState();
        var summed = new (Shape Shape, double[] Values)?[count];
        for (int i = 0; i < count; i++)
        {
            var counts = Enumerable.Range(0, WorldSize).Select(r => all[r * count + i]).ToArray();
            if (counts.Where(c => c >= 0).Distinct().Count() > 1)
                throw OnEveryRank(new ArgumentException($"GlobalResult: the ranks' metric '{name}' has state {i} of {string.Join(", ", counts.Select(c => c < 0 ? "no" : c.ToString(System.Globalization.CultureInfo.InvariantCulture)))} values by rank; pass the same metric on every rank.", nameof(metric)));
            long length = (long)counts.Max();
            if (length < 0) continue;  // no rank updated it
            var values = own?[i]?.Values ?? new double[length];  // SaveState's own copy
            AllReduce(values);
            if (metric is null) continue;
            var shape = own![i]?.Shape ?? states![i].Shape
                ?? throw new InvalidOperationException($"GlobalResult: metric '{name}' on rank {Rank} was never updated and its state {i} has no known shape; update it on every rank first.");
            summed[i] = (shape, values);
        }
        return summed;
    }

    // A collective on host values inside an NF.Function trace: the C# code gives or reads numbers
    // that a replay would neither give again nor read, and the replay would skip the MPI call, so
    // the ranks would drift apart or wait for each other. The function runs eagerly instead, and
    // says why (TracedFunction.EagerReason). AllReduceGradients is recorded instead (a plan call).
    private static void NotReplayable(string what) =>
        FunctionTrace.Current?.Fail($"it calls DataParallel.{what}, a collective across the ranks (MPI) on values the C# code holds, which a replay would not repeat; " +
                                    "call it outside the function (AllReduceGradients and ComputeAverageLoss replay)");
}
