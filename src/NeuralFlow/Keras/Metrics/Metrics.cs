namespace NeuralFlow.Keras;

/// <summary>
/// The Keras metrics (<c>tf.keras.metrics</c>): stateful accumulators of a running sum and
/// count (never lists), with <c>UpdateState</c>, <c>Result</c> and <c>ResetState</c>.
/// </summary>
public static partial class Metrics
{
    /// <summary>A metric: a running total over a running count.</summary>
    public abstract class Metric(string name)
    {
        /// <summary>Sum of the values seen.</summary>
        protected double Total;
        /// <summary>Number of values seen.</summary>
        protected double Counted;

        /// <summary>The Keras name, used in <c>History</c> and progress lines ("accuracy", "loss", ...).</summary>
        public string Name { get; set; } = name;

        /// <summary>The current value (Keras returns a scalar tensor; this returns the number).</summary>
        [MethodImpl(Hot)]
        public virtual float Result() => Counted == 0 ? 0f : (float)(Total / Counted);

        /// <summary>Forgets everything seen (<c>reset_state</c>).</summary>
        public virtual void ResetState() { Total = 0; Counted = 0; }

        /// <summary>Adds the values of <paramref name="values"/> (any shape) to the running mean.</summary>
        [MethodImpl(Hot)]
        protected void Accumulate(Tensor values)
        {
            using var scope = TensorScope.Begin();
            // Reads what it must in the cheapest way: a scalar (a batch loss) directly, hits as a count.
            Total += (values.Count, values.DType) switch
            {
                (1, DType.Float32) => values.Item<float>(),
                (1, DType.Float64) => values.Item<double>(),
                (_, DType.Bool) => NF.ReduceSum(values).Item<long>(),
                _ => NF.ReduceSum(NF.Cast(values, DType.Float64)).Item<double>(),
            };
            Counted += values.Count;
        }

        /// <inheritdoc/>
        public override string ToString() => $"{Name}: {Result():0.####}";
    }

    /// <summary>A metric fed (yTrue, yPred) pairs, as <c>Compile</c>'s metrics are.</summary>
    public abstract class PredictionMetric(string name) : Metric(name)
    {
        /// <summary>Accumulates one batch.</summary>
        [MethodImpl(Hot)]
        public void UpdateState(Tensor yTrue, Tensor yPred)
        {
            using var scope = TensorScope.Begin();
            Accumulate(Matches(yTrue, yPred));
        }

        /// <summary>Per-example values: a bool tensor of hits for accuracies, or numbers to average.</summary>
        protected abstract Tensor Matches(Tensor yTrue, Tensor yPred);
    }

    /// <summary>The running mean of the values given (<c>tf.keras.metrics.Mean</c>).</summary>
    public sealed class Mean(string name = "mean") : Metric(name)
    {
        /// <summary>Adds the values of <paramref name="values"/> (a loss, say).</summary>
        [MethodImpl(Hot)]
        public void UpdateState(Tensor values) => Accumulate(values);
        /// <summary>Adds one number.</summary>
        [MethodImpl(Hot)]
        public void UpdateState(double value) { Total += value; Counted += 1; }
    }

    /// <summary>The running sum (<c>tf.keras.metrics.Sum</c>).</summary>
    public sealed class Sum(string name = "sum") : Metric(name)
    {
        /// <summary>Adds the values of <paramref name="values"/>.</summary>
        [MethodImpl(Hot)]
        public void UpdateState(Tensor values) => Accumulate(values);
        /// <inheritdoc/>
        [MethodImpl(Hot)]
        public override float Result() => (float)Total;
    }

    /// <summary>Fraction of predictions equal to the targets (<c>tf.keras.metrics.Accuracy</c>).</summary>
    public sealed class Accuracy(string name = "accuracy") : PredictionMetric(name)
    {
        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Matches(Tensor yTrue, Tensor yPred)
        {
            (yTrue, yPred) = Targets.Align("Accuracy", yTrue, yPred);
            return NF.Equal(NF.Cast(yTrue, DType.Float64), NF.Cast(yPred, DType.Float64));
        }
    }

    /// <summary>Fraction of predictions on the right side of <paramref name="threshold"/> (<c>tf.keras.metrics.BinaryAccuracy</c>).</summary>
    public sealed class BinaryAccuracy(string name = "accuracy", double threshold = 0.5) : PredictionMetric(name)
    {
        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Matches(Tensor yTrue, Tensor yPred)
        {
            (yTrue, yPred) = Targets.Align("BinaryAccuracy", yTrue, yPred);
            return NF.Equal(NF.Greater(yPred, threshold), NF.Greater(yTrue, 0.5));
        }
    }

    /// <summary>Fraction of rows whose arg-max matches the one-hot target's (<c>tf.keras.metrics.CategoricalAccuracy</c>).</summary>
    public sealed class CategoricalAccuracy(string name = "accuracy") : PredictionMetric(name)
    {
        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Matches(Tensor yTrue, Tensor yPred)
        {
            (yTrue, yPred) = Targets.Align("CategoricalAccuracy", yTrue, yPred);
            return NF.Equal(NF.ArgMax(yTrue, -1), NF.ArgMax(yPred, -1));
        }
    }

    /// <summary>Fraction of rows whose arg-max equals the integer label (<c>tf.keras.metrics.SparseCategoricalAccuracy</c>).</summary>
    public sealed class SparseCategoricalAccuracy(string name = "accuracy") : PredictionMetric(name)
    {
        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Matches(Tensor yTrue, Tensor yPred)
        {
            var labels = Targets.SparseLabels("SparseCategoricalAccuracy", yTrue, yPred);
            return NF.Equal(NF.Cast(labels, DType.Int64), NF.ArgMax(yPred, -1));
        }
    }

    /// <summary>
    /// The metric named <paramref name="name"/>; "accuracy"/"acc" resolves to the accuracy that
    /// fits <paramref name="loss"/>, as Keras does.
    /// </summary>
    public static PredictionMetric Get(string name, Losses.Loss? loss = null) => name.ToLowerInvariant() switch
    {
        "accuracy" or "acc" => loss switch
        {
            Losses.SparseCategoricalCrossentropy => new SparseCategoricalAccuracy(),
            Losses.CategoricalCrossentropy => new CategoricalAccuracy(),
            Losses.BinaryCrossentropy => new BinaryAccuracy(),
            _ => new Accuracy(),
        },
        "sparse_categorical_accuracy" => new SparseCategoricalAccuracy(name),
        "categorical_accuracy" => new CategoricalAccuracy(name),
        "binary_accuracy" => new BinaryAccuracy(name),
        _ => throw new ArgumentException($"Unknown metric '{name}'; use accuracy, sparse_categorical_accuracy, categorical_accuracy or binary_accuracy.", nameof(name)),
    };
}
