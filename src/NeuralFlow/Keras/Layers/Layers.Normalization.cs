using System.Text.Json.Nodes;
using NeuralFlow.Data;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Feature-wise standardization (<c>keras.layers.Normalization</c>), the first layer of Keras'
    /// regression tutorials: <c>(x - mean) / max(sqrt(variance), 1e-7)</c>, with one mean and
    /// variance per index of the kept <see cref="Axis"/> (the last axis by default: one per feature).
    /// The statistics come from <see cref="Adapt(Tensor)"/> on the training data (population
    /// variance, computed in float64) or are given to the constructor; before either it passes
    /// its input through (mean 0, variance 1). Adapted statistics are non-trainable weights saved
    /// with the model (mean, variance and, as in Keras, an int64 <see cref="Count"/>); given ones
    /// are constants of its config. <c>invert: true</c> maps
    /// standardized values back (<c>mean + x * sqrt(variance)</c>). Computes in float32.
    /// </summary>
    public sealed class Normalization : Layer
    {
        /// <summary>True: a mask passes through unchanged (Keras' supports_masking).</summary>
        public override bool SupportsMasking => true;

        private const double Epsilon = 1e-7;   // Keras' backend.epsilon()
        private readonly double[]? _givenMean, _givenVariance;
        private int[] _keep = [];              // the kept axes, non-negative, ascending
        private int[] _broadcast = [];         // the statistics' shape for broadcasting against an input
        private Tensor? _constantMean, _constantVariance;

        /// <summary>One mean and variance per index of <paramref name="axis"/> (Keras' default -1: per feature).</summary>
        public Normalization(int axis = -1, double[]? mean = null, double[]? variance = null, bool invert = false, string? name = null)
            : this([axis], mean, variance, invert, name) { }

        /// <summary>
        /// One mean and variance per index of the axes <paramref name="axis"/> together (Keras'
        /// tuple form); an empty array keeps no axis: one mean and variance for everything (Keras' <c>axis=None</c>).
        /// </summary>
        public Normalization(int[] axis, double[]? mean = null, double[]? variance = null, bool invert = false, string? name = null)
            : base(name)
        {
            ArgumentNullException.ThrowIfNull(axis);
            if (axis.Distinct().Count() != axis.Length)
                throw new ArgumentException($"Normalization: axis [{string.Join(", ", axis)}] names an axis twice.", nameof(axis));
            if ((mean is null) != (variance is null))
                throw new ArgumentException("Normalization: give both mean and variance, or neither (and call Adapt).", mean is null ? nameof(mean) : nameof(variance));
            // Keras: "mean and variance must have the same shape" (one value each, or one per index of the kept axes).
            if (mean is not null && variance is not null && mean.Length != variance.Length)
                throw new ArgumentException($"Normalization: mean and variance must have the same shape, got {mean.Length} and {variance.Length} values.", nameof(variance));
            if (variance is not null && variance.Any(v => !(v >= 0)))
                throw new ArgumentOutOfRangeException(nameof(variance), $"Normalization: a variance must be >= 0, got [{string.Join(", ", variance)}].");
            Axis = (int[])axis.Clone();
            _givenMean = mean?.ToArray();
            _givenVariance = variance?.ToArray();
            Invert = invert;
        }

        /// <summary>The kept axes: each index along them has its own mean and variance.</summary>
        public int[] Axis { get; }

        /// <summary>Whether the layer undoes a normalization instead of applying one.</summary>
        public bool Invert { get; }

        /// <summary>The adapted mean, shaped as the kept axes (null before build, or when the mean was given).</summary>
        public Variable? Mean { get; private set; }

        /// <summary>The adapted variance, shaped as the kept axes (null before build, or when it was given).</summary>
        public Variable? Variance { get; private set; }

        /// <summary>
        /// How many values each statistic was adapted over (an int64 scalar; 0 before Adapt), Keras'
        /// <c>count</c> weight: tf.keras 2 keeps the same number, Keras 3 keeps the weight (its files
        /// have three) at 0. Null before build, or when the statistics were given.
        /// </summary>
        public Variable? Count { get; private set; }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            int rank = inputShape.Rank;
            var keep = Axis.Select(a => FeatureAxis(Name, inputShape, a)).Order().ToArray();
            // [1, -1] names one axis of a rank-2 input twice: refused here, where ranks are known (it failed
            // later in a Reshape that named neither the layer nor the axis).
            if (keep.Distinct().Count() != keep.Length)
                throw new ArgumentException($"{Name}: axis [{string.Join(", ", Axis)}] names an axis twice for inputs of shape {inputShape} (rank {rank}).", "axis");
            _keep = keep;
            _broadcast = Enumerable.Range(0, rank).Select(d => Array.IndexOf(keep, d) >= 0 ? inputShape[d] : 1).ToArray();
            var statShape = new Shape(keep.Select(d => inputShape[d]).ToArray());
            if (_givenMean is null)
            {
                Mean = AddWeight("mean", statShape, Initializer.Zeros, trainable: false);
                Variance = AddWeight("variance", statShape, Initializer.Get("ones"), trainable: false);
                // Files NeuralFlow wrote before the layer had it hold only mean and variance: they load with count 0.
                Count = AddWeight("count", [], Initializer.Zeros, trainable: false, dtype: DType.Int64);
                Count.AbsentFromOlderFiles = true;
                return;
            }
            _constantMean = Given(_givenMean, statShape, "mean");
            _constantVariance = Given(_givenVariance!, statShape, "variance");
        }

        // A given mean or variance: one value for all, or one per index of the kept axes.
        private Tensor Given(double[] values, Shape shape, string what)
        {
            var count = (int)shape.Count;
            if (values.Length != 1 && values.Length != count)
                throw new ArgumentException($"{Name}: {what} has {values.Length} values, but the kept axes {shape} need 1 or {count}.");
            var full = values.Length == 1 ? Enumerable.Repeat((float)values[0], count).ToArray() : values.Select(v => (float)v).ToArray();
            // The layer keeps it for life: Build may run inside Fit's step scope (the first batch), which would dispose it.
            using (TensorScope.Suspend()) return NF.Constant(full, shape);
        }

        /// <summary>
        /// Sets the mean and variance to those of <paramref name="data"/> (Keras' <c>adapt</c>): over
        /// every axis but the kept ones, the examples' axis included; builds the layer for its shape.
        /// </summary>
        public void Adapt(Tensor data)
        {
            ArgumentNullException.ThrowIfNull(data);
            if (data.Rank == 0) throw new ArgumentException($"{Name}: Adapt needs data with at least one axis, got a scalar.", nameof(data));
            EnsureBuilt(data.Shape);
            AdaptBatches(Chunks(data));
        }

        // Large data in slices of rows, so the float64 copies stay small (the statistics combine exactly).
        private IEnumerable<Tensor> Chunks(Tensor data)
        {
            const int Rows = 4096;
            if (_keep.Contains(0) || data.Shape[0] <= Rows)
            {
                yield return data;
                yield break;
            }
            for (int start = 0; start < data.Shape[0]; start += Rows)
            {
                using var slice = data[start..Math.Min(data.Shape[0], start + Rows)];
                yield return slice;
            }
        }

        /// <summary>
        /// Adapts to the batches of a dataset of features (the whole pass, or <paramref name="steps"/>
        /// batches), combining the batches' statistics exactly (as one tensor would give).
        /// </summary>
        public void Adapt(Dataset dataset, int? steps = null) => AdaptBatches(AdaptData.Batches(Name, dataset, steps));

        private void AdaptBatches(IEnumerable<Tensor> batches)
        {
            if (_givenMean is not null)
                throw new InvalidOperationException($"{Name}: its mean and variance were given to the constructor; Adapt sets them only for a layer made without them.");
            double count = 0;
            Tensor? mean = null, m2 = null;   // float64, the statistics' broadcast shape
            try
            {
                foreach (var batch in batches)
                {
                    if (batch.Rank == 0) throw new ArgumentException($"{Name}: Adapt needs data with at least one axis, got a scalar.");
                    EnsureBuilt(batch.Shape);
                    CheckShape(batch.Shape);
                    if (batch.Count == 0) continue;
                    var reduce = Enumerable.Range(0, batch.Rank).Where(d => Array.IndexOf(_keep, d) < 0).ToArray();
                    double n = reduce.Aggregate(1.0, (p, d) => p * batch.Shape[d]);
                    using var x = NF.Cast(batch, DType.Float64);
                    var batchMean = NF.ReduceMean(x, reduce, keepDims: true);
                    using var centered = x - batchMean;
                    using var squares = NF.Square(centered);
                    using var batchVariance = NF.ReduceMean(squares, reduce, keepDims: true);
                    if (mean is null)
                    {
                        (mean, m2, count) = (batchMean, batchVariance * n, n);
                        continue;
                    }
                    // Chan et al.'s pairwise update: the combined mean and sum of squared deviations.
                    double total = count + n;
                    using (batchMean)
                    using (var delta = batchMean - mean)
                    {
                        var newMean = mean + delta * (n / total);
                        var newM2 = m2! + batchVariance * n + NF.Square(delta) * (count * n / total);
                        mean.Dispose();
                        m2!.Dispose();
                        (mean, m2, count) = (newMean, newM2, total);
                    }
                }
                if (mean is null)
                    throw new ArgumentException($"{Name}: Adapt got no data (an empty tensor or dataset); it needs at least one example.");
                using var variance = m2! / count;
                using var mean32 = NF.Cast(NF.Reshape(mean, Mean!.Shape.ToArray()), Mean.DType);
                using var variance32 = NF.Cast(NF.Reshape(variance, Variance!.Shape.ToArray()), Variance.DType);
                Mean.Assign(mean32);
                Variance!.Assign(variance32);
                using var seen = NF.Constant((long)count);
                Count!.Assign(seen);
            }
            finally
            {
                mean?.Dispose();
                m2?.Dispose();
            }
        }

        // Statistics of kept axes need those axes at the same places; one mean and variance for
        // everything (axis=None) broadcast to any shape, as Keras', so a layer adapted on a 1-D column
        // normalizes the (batch, 1) inputs of a model (the regression tutorial's horsepower_normalizer).
        private void CheckShape(Shape shape)
        {
            if (_keep.Length == 0) return;
            bool fits = shape.Rank == _broadcast.Length;
            for (int i = 0; fits && i < _keep.Length; i++) fits = shape[_keep[i]] == _broadcast[_keep[i]];
            if (!fits)
                throw new ArgumentException(
                    $"{Name}: was built for inputs of shape {BroadcastText()} (None: any size), got {shape}.");
        }

        private string BroadcastText() =>
            "(" + string.Join(", ", _broadcast.Select((d, i) => Array.IndexOf(_keep, i) >= 0 ? d.ToString() : "None")) + (_broadcast.Length == 1 ? ",)" : ")");

        /// <summary>
        /// What Forward computes with, for the ONNX export: the statistics' broadcast shape, the mean
        /// and the divisor max(sqrt(variance), epsilon), in double.
        /// </summary>
        internal (int[] Shape, double[] Mean, double[] Std) InferenceStatistics() =>
            (_broadcast, (Mean ?? _constantMean!).ToDoubleArray(),
             (Variance ?? _constantVariance!).ToDoubleArray().Select(v => Math.Max(Math.Sqrt(v), Epsilon)).ToArray());

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override Tensor Forward(Tensor x)
        {
            CheckShape(x.Shape);
            var dtype = (Mean ?? _constantMean!).DType;
            var input = x.DType == dtype ? x : NF.Cast(x, dtype);
            int[] statistics = _keep.Length == 0 ? [] : _broadcast;   // a scalar keeps the input's shape, whatever its rank
            var mean = NF.Reshape(Mean ?? _constantMean!, statistics);
            var std = NF.Maximum(NF.Sqrt(NF.Reshape(Variance ?? _constantVariance!, statistics)), NF.Constant((float)Epsilon));
            return Invert ? mean + input * std : (input - mean) / std;
        }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["axis"] = new JsonArray(Axis.Select(a => (JsonNode)a).ToArray());
            c["invert"] = Invert;
            c["mean"] = _givenMean is null ? null : new JsonArray(_givenMean.Select(v => (JsonNode)v).ToArray());
            c["variance"] = _givenVariance is null ? null : new JsonArray(_givenVariance.Select(v => (JsonNode)v).ToArray());
            return c;
        }
    }
}
