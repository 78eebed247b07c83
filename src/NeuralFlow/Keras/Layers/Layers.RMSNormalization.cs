using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>
    /// Root-mean-square normalization (<c>keras.layers.RMSNormalization</c>, Keras 3.9):
    /// <c>x * rsqrt(mean(x², axis) + epsilon) * scale</c>, without LayerNormalization's centering;
    /// one learned scale (starting at ones) per index of the normalized axes.
    /// </summary>
    public sealed class RMSNormalization : Layer
    {
        private int[] _axes = [];        // the normalized axes, non-negative
        private int[] _broadcast = [];   // the scale's shape against an input

        /// <summary>Normalizes along <paramref name="axis"/> (default the last).</summary>
        public RMSNormalization(int axis = -1, double epsilon = 1e-6, string? name = null) : this([axis], epsilon, name) { }

        /// <summary>Normalizes over the axes together, with one scale per index of all of them.</summary>
        public RMSNormalization(int[] axis, double epsilon = 1e-6, string? name = null) : base(name)
        {
            ArgumentNullException.ThrowIfNull(axis);
            if (axis.Length == 0 || axis.Distinct().Count() != axis.Length)
                throw new ArgumentException($"RMSNormalization: axis must name distinct axes, got [{string.Join(", ", axis)}].", nameof(axis));
            if (!(epsilon >= 0))
                throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "RMSNormalization: epsilon must be >= 0.");
            Axis = axis.ToArray();
            Epsilon = epsilon;
        }

        /// <summary>The normalized axes (as given; negative count from the end).</summary>
        public IReadOnlyList<int> Axis { get; }

        /// <summary>Added to the mean square before the square root.</summary>
        public double Epsilon { get; }

        /// <summary>The normalized axes of the built input, non-negative and ascending.</summary>
        internal IReadOnlyList<int> NormalizedAxes => _axes;

        /// <summary>The learned scale, shaped as the normalized axes (in ascending order), once built.</summary>
        public Variable? Scale { get; private set; }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            // Ascending, so the scale's values lie in the input's order along the axes.
            _axes = Axis.Select(a => FeatureAxis(Name, inputShape, a)).Order().ToArray();
            if (_axes.Distinct().Count() != _axes.Length)
                throw new ArgumentException($"{Name}: axis [{string.Join(", ", Axis)}] names one axis of the input {inputShape} twice.");
            _broadcast = Enumerable.Range(0, inputShape.Rank).Select(d => _axes.Contains(d) ? inputShape[d] : 1).ToArray();
            Scale = AddWeight("scale", _axes.Select(d => inputShape[d]).ToArray(), Initializer.Get("ones"));
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            if (x.Rank != _broadcast.Length || _axes.Any(d => x.Shape[d] != _broadcast[d]))
                throw new ArgumentException($"{Name}: was built for inputs of shape {BuildInputShape} (sizes on axes [{string.Join(", ", _axes)}] fixed), got {x.Shape}.", nameof(x));
            var input = x.DType == Scale!.DType ? x : NF.Cast(x, Scale.DType);
            var inverseRms = NF.Rsqrt(NF.ReduceMean(NF.Square(input), _axes, keepDims: true) + Epsilon);
            return input * inverseRms * NF.Reshape(Scale, _broadcast);
        }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["axis"] = Axis.Count == 1 ? Axis[0] : PoolingArgs.Json(Axis.ToArray());
            c["epsilon"] = Epsilon;
            return c;
        }
    }
}
