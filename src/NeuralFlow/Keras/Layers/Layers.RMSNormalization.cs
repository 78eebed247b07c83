using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Root-mean-square normalization (<c>keras.layers.RMSNormalization</c>, Keras 3.9):
    /// <c>x * rsqrt(mean(x², axis) + epsilon) * scale</c>, without LayerNormalization's centering;
    /// one learned scale (starting at ones) per index of the normalized axes.
    /// </summary>
    public sealed class RMSNormalization : Layer
    {
        private int[] _axes = [];        // the normalized axes of the built input, non-negative

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
            _axes = Resolve(inputShape);
            Scale = AddWeight("scale", _axes.Select(d => inputShape[d]).ToArray(), Initializer.Get("ones"));
        }

        // The axes as given, against this input (ascending, so the scale's values lie in the input's
        // order along them). As Keras keeps axis=-1 relative, a layer built on (5, 20, 30, 10)
        // normalizes a (1, 10) input too (the rms_normalization.py docstring does just that).
        private int[] Resolve(Shape shape)
        {
            var axes = Axis.Select(a => FeatureAxis(Name, shape, a)).Order().ToArray();
            if (axes.Distinct().Count() != axes.Length)
                throw new ArgumentException($"{Name}: axis [{string.Join(", ", Axis)}] names one axis of the input {shape} twice.");
            return axes;
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            var axes = Resolve(x.Shape);
            if (!axes.Select(d => x.Shape[d]).SequenceEqual(Scale!.Shape.ToArray()))
                throw new ArgumentException(
                    $"{Name}: was built for inputs of shape {BuildInputShape} (a scale of shape {Scale.Shape}), but axes [{string.Join(", ", Axis)}] of the input {x.Shape} have sizes {Shape.Format(axes.Select(d => x.Shape[d]).ToArray())}.", nameof(x));
            var broadcast = Enumerable.Range(0, x.Rank).Select(d => axes.Contains(d) ? x.Shape[d] : 1).ToArray();
            var input = x.DType == Scale.DType ? x : NF.Cast(x, Scale.DType);
            var inverseRms = NF.Rsqrt(NF.ReduceMean(NF.Square(input), axes, keepDims: true) + Epsilon);
            return input * inverseRms * NF.Reshape(Scale, broadcast);
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
