using System.Text.Json.Nodes;
using NeuralFlow.Data;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Buckets continuous features by ranges (<c>keras.layers.Discretization</c>): boundaries
    /// [b0, b1, ...] make the bins (-inf, b0), [b0, b1), ..., [b_last, +inf), and each value
    /// becomes its bin's index (np.digitize). The boundaries are given, or learned by
    /// <see cref="Adapt(Tensor)"/> as <see cref="NumBins"/> approximate quantiles with Keras'
    /// own summary algorithm (so the same data gives Keras' boundaries). "int" output is int64;
    /// "one_hot", "multi_hot" and "count" encode the indices in NumBins slots (float).
    /// </summary>
    public sealed class Discretization : Layer
    {
        /// <summary>False: this layer's inputs are values to look up or count, not activations; under a mixed global policy it keeps <see cref="Config.FloatX"/>'s (Keras sets its dtype itself).</summary>
        private protected override bool TakesMixedPolicy => false;

        private double[]? _boundaries;
        private DiscretizationSummary? _summary;

        /// <summary>
        /// A layer with the given <paramref name="binBoundaries"/> (ascending), or one that learns
        /// <paramref name="numBins"/> bins by <see cref="Adapt(Tensor)"/>; give exactly one.
        /// </summary>
        public Discretization(double[]? binBoundaries = null, int? numBins = null, double epsilon = 0.01, string outputMode = "int",
                              bool sparse = false, string? name = null) : base(name)
        {
            if (numBins is < 0)
                throw new ArgumentOutOfRangeException(nameof(numBins), numBins, $"Discretization: num_bins must be greater than or equal to 0. Received: num_bins={numBins}.");
            if (numBins is not null && binBoundaries is not null)
                throw new ArgumentException($"Discretization: both num_bins and bin_boundaries should not be set. Received: num_bins={numBins} and bin_boundaries=[{string.Join(", ", binBoundaries)}].", nameof(numBins));
            if (numBins is null && binBoundaries is null)
                throw new ArgumentException("Discretization: you need to set either num_bins or bin_boundaries.", nameof(binBoundaries));
            if (!(epsilon > 0 && epsilon < 1))
                throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Discretization: epsilon must be in (0, 1), e.g. 0.01.");
            if (sparse) throw new ArgumentException("Discretization: sparse=true is not supported: NeuralFlow has no sparse tensors.", nameof(sparse));
            OutputMode = CategoricalEncoding.CheckMode("Discretization", outputMode, CategoricalEncoding.Modes);
            NumBins = numBins;
            Epsilon = epsilon;
            if (binBoundaries is not null) SetBoundaries(binBoundaries);
        }

        /// <summary>The number of bins <see cref="Adapt(Tensor)"/> learns (null when the boundaries were given).</summary>
        public int? NumBins { get; }

        /// <summary>The quantile summary's error tolerance (Keras' epsilon, default 0.01).</summary>
        public double Epsilon { get; }

        /// <summary>"int", "one_hot", "multi_hot" or "count".</summary>
        public string OutputMode { get; }

        /// <summary>The bin boundaries, given or adapted; null before Adapt.</summary>
        public double[]? BinBoundaries => _boundaries?.ToArray();

        // Sets the boundaries, ascending as np.digitize needs them; used by the loader after Adapt.
        internal void SetBoundaries(double[] boundaries)
        {
            for (int i = 1; i < boundaries.Length; i++)
                if (!(boundaries[i] >= boundaries[i - 1]))
                    throw new ArgumentException($"Discretization: bin_boundaries must be in ascending order, got [{string.Join(", ", boundaries)}].", "binBoundaries");
            _boundaries = boundaries.ToArray();
        }

        /// <summary>Learns <see cref="NumBins"/> bins from the quantiles of every value of <paramref name="data"/> (Keras' <c>adapt</c>).</summary>
        public void Adapt(Tensor data) => AdaptBatches([data ?? throw new ArgumentNullException(nameof(data))]);

        /// <summary>Learns the bins from the batches of a dataset of features (the whole pass, or <paramref name="steps"/> batches).</summary>
        public void Adapt(Dataset dataset, int? steps = null) => AdaptBatches(AdaptData.Batches(Name, dataset, steps));

        private void AdaptBatches(IEnumerable<Tensor> batches)
        {
            if (NumBins is not { } bins)
                throw new InvalidOperationException($"{Name}: cannot adapt a Discretization layer that has been initialized with bin_boundaries, use num_bins instead.");
            // Keras takes num_bins = 0 and then divides by it in adapt (a ZeroDivisionError): said plainly here.
            if (bins == 0)
                throw new InvalidOperationException($"{Name}: num_bins is 0, so Adapt has no bins to learn; make the layer with num_bins >= 1.");
            _summary = new DiscretizationSummary(Epsilon);
            foreach (var batch in batches)
            {
                using var values = NF.Cast(batch, DType.Float32);
                var data = values.ToArray<float>();
                // A NaN has no place among sorted values: it became a NaN boundary (every later value mis-binned).
                if (Array.FindIndex(data, float.IsNaN) is var at and >= 0)
                    throw new ArgumentException($"{Name}: Adapt's data holds NaN (at {at} of a batch of shape {batch.Shape}); quantile boundaries need numbers: drop or fill the missing values first.", "data");
                _summary.Add(data);
            }
            _boundaries = _summary.BinBoundaries(bins);
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            if (_boundaries is null)
                throw new InvalidOperationException($"{Name}: you need to either pass the bin_boundaries argument at construction time or call Adapt(data) before you can start using the Discretization layer.");
            if (x.DType == DType.Bool)
                throw new ArgumentException($"{Name}: expects numeric inputs, got a bool tensor of shape {x.Shape}.", nameof(x));
            // Keras compares in floatx (float32 boundaries); a float64 input keeps its precision.
            var values = x.DType is DType.Float32 or DType.Float64 ? x : NF.Cast(x, DType.Float32);
            using var bounds = values.DType == DType.Float64 ? NF.Constant(_boundaries) : NF.Constant(_boundaries.Select(b => (float)b).ToArray());
            // A value's bin is the number of boundaries it is not below (np.digitize, right=False; TF's
            // Bucketize): counted as "not less than" so that NaN, below nothing, falls in the last bin as in Keras.
            var indices = _boundaries.Length == 0
                ? NF.Zeros(x.Shape, DType.Int64)
                : NF.ReduceSum(NF.Cast(NF.LogicalNot(NF.Less(NF.ExpandDims(values, -1), bounds)), DType.Int64), [-1]);
            return OutputMode == "int" ? indices
                : CategoricalEncoding.Encode(Name, indices, OutputMode, _boundaries.Length + 1, VariableDType);
        }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["bin_boundaries"] = _boundaries is null ? null : new JsonArray(_boundaries.Select(b => (JsonNode)b).ToArray());
            c["num_bins"] = NumBins;
            c["epsilon"] = Epsilon;
            c["output_mode"] = OutputMode;
            c["sparse"] = false;
            return c;
        }
    }
}
