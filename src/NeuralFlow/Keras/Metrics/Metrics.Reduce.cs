namespace NeuralFlow.Keras;

public partial class Metrics
{
    /// <summary>The running (weighted) mean of the values given (<c>tf.keras.metrics.Mean</c>).</summary>
    public sealed class Mean : Metric
    {
        private readonly MetricVariable _total, _count;

        /// <summary>A running mean named <paramref name="name"/>.</summary>
        public Mean(string name = "mean") : base(name)
        {
            _total = AddState("total", Shape.Scalar);
            _count = AddState("count", Shape.Scalar);
        }

        /// <summary>Adds the values of <paramref name="values"/> (a loss, say), weighted by <paramref name="sampleWeight"/>.</summary>
        [MethodImpl(Hot)]
        public void UpdateState(Tensor values, Tensor? sampleWeight = null)
        {
            using var scope = TensorScope.Begin();
            var (total, count) = WeightedSums(values, sampleWeight, Name, mean: true);
            _total.Add(total);
            _count.Add(count);
        }

        /// <summary>Adds one number.</summary>
        [MethodImpl(Hot)]
        public void UpdateState(double value)
        {
            using var scope = TensorScope.Begin();
            _total.Add(NF.Constant(value));
            _count.Add(NF.Constant(1.0));
        }

        /// <summary>Keras' <c>mean(values)</c>: updates, then returns the mean so far.</summary>
        public CallResult Call(Tensor values, Tensor? sampleWeight = null)
        {
            UpdateState(values, sampleWeight);
            return CalledResult();
        }

        /// <inheritdoc/>
        public override float Result()
        {
            double count = _count.Read()[0];
            return count == 0 ? 0f : (float)(_total.Read()[0] / count);
        }
    }

    /// <summary>The running (weighted) sum (<c>tf.keras.metrics.Sum</c>).</summary>
    public sealed class Sum : Metric
    {
        private readonly MetricVariable _total;

        /// <summary>A running sum named <paramref name="name"/>.</summary>
        public Sum(string name = "sum") : base(name) => _total = AddState("total", Shape.Scalar);

        /// <summary>Adds the values of <paramref name="values"/>, weighted by <paramref name="sampleWeight"/>.</summary>
        [MethodImpl(Hot)]
        public void UpdateState(Tensor values, Tensor? sampleWeight = null)
        {
            using var scope = TensorScope.Begin();
            _total.Add(WeightedSums(values, sampleWeight, Name, mean: false).Total);
        }

        /// <summary>Keras' <c>sum(values)</c>: updates, then returns the sum so far.</summary>
        public CallResult Call(Tensor values, Tensor? sampleWeight = null)
        {
            UpdateState(values, sampleWeight);
            return CalledResult();
        }

        /// <inheritdoc/>
        public override float Result() => (float)_total.Read()[0];
    }
}
