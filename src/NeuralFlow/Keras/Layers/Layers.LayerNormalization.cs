using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>
    /// Layer normalization (<c>tf.keras.layers.LayerNormalization</c>): each sample is normalized
    /// over <see cref="Axis"/> (default: the last axis) by its own mean and biased variance, then
    /// scaled by gamma and shifted by beta, which have the shape of those axes. The same in
    /// training and inference.
    /// </summary>
    public sealed class LayerNormalization : Layer
    {
        /// <summary>True: a mask passes through unchanged (Keras' supports_masking).</summary>
        public override bool SupportsMasking => true;

        /// <summary>Normalizes over <paramref name="axis"/> (Keras' default -1).</summary>
        public LayerNormalization(int axis = -1, double epsilon = 1e-3, bool center = true, bool scale = true,
                                  Initializer? betaInitializer = null, Initializer? gammaInitializer = null, string? name = null,
                                  Regularizers.Regularizer? betaRegularizer = null, Regularizers.Regularizer? gammaRegularizer = null)
            : this([axis], epsilon, center, scale, betaInitializer, gammaInitializer, name, betaRegularizer, gammaRegularizer) { }

        /// <summary>Normalizes over several <paramref name="axis"/> at once (Keras' list form).</summary>
        public LayerNormalization(int[] axis, double epsilon = 1e-3, bool center = true, bool scale = true,
                                  Initializer? betaInitializer = null, Initializer? gammaInitializer = null, string? name = null,
                                  Regularizers.Regularizer? betaRegularizer = null, Regularizers.Regularizer? gammaRegularizer = null)
            : base(name)
        {
            ArgumentNullException.ThrowIfNull(axis);
            Axis = axis.Length > 0 ? (int[])axis.Clone() : throw new ArgumentException("LayerNormalization: axis must name at least one axis.", nameof(axis));
            Epsilon = epsilon >= 0 && double.IsFinite(epsilon) ? epsilon
                : throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "LayerNormalization: epsilon must be finite and >= 0.");
            Center = center;
            Scale = scale;
            BetaInitializer = betaInitializer ?? Initializer.Zeros;
            GammaInitializer = gammaInitializer ?? Initializer.Get("ones");
            (BetaRegularizer, GammaRegularizer) = (betaRegularizer, gammaRegularizer);
        }

        /// <summary>The axes normalized over.</summary>
        public int[] Axis { get; }

        /// <summary>Added to the variance before its square root.</summary>
        public double Epsilon { get; }

        /// <summary>Whether the layer adds beta.</summary>
        public bool Center { get; }

        /// <summary>Whether the layer multiplies by gamma.</summary>
        public bool Scale { get; }

        /// <summary>How beta starts (zeros).</summary>
        public Initializer BetaInitializer { get; }

        /// <summary>How gamma starts (ones).</summary>
        public Initializer GammaInitializer { get; }

        /// <summary>A penalty on beta, added to <see cref="Layer.Losses"/> (Keras' beta_regularizer).</summary>
        public Regularizers.Regularizer? BetaRegularizer { get; set; }

        /// <summary>A penalty on gamma (Keras' gamma_regularizer).</summary>
        public Regularizers.Regularizer? GammaRegularizer { get; set; }

        private protected override IEnumerable<RegularizerSlot> RegularizerSlots =>
        [
            new("beta_regularizer", Beta, BetaRegularizer, r => BetaRegularizer = r),
            new("gamma_regularizer", Gamma, GammaRegularizer, r => GammaRegularizer = r),
        ];

        /// <summary>The scale, shaped as the normalized axes (null when <see cref="Scale"/> is false).</summary>
        public Variable? Gamma { get; private set; }

        /// <summary>The offset, shaped as the normalized axes (null when <see cref="Center"/> is false).</summary>
        public Variable? Beta { get; private set; }

        private int[] _axes = [];
        private int[] _dims = [];

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            // As Keras: one axis is written as a number, several as a list.
            c["axis"] = Axis.Length == 1 ? Axis[0] : new JsonArray(Axis.Select(a => (JsonNode)a).ToArray());
            c["epsilon"] = Epsilon;
            c["center"] = Center;
            c["scale"] = Scale;
            c["beta_initializer"] = BetaInitializer.ToConfig();
            c["gamma_initializer"] = GammaInitializer.ToConfig();
            return c;
        }

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            var axes = Axis.Select(a => FeatureAxis(Name, inputShape, a)).OrderBy(a => a).ToArray();
            if (axes.Distinct().Count() != axes.Length)
                throw new ArgumentException($"{Name}: axis [{string.Join(", ", Axis)}] names an axis twice.");
            _axes = axes;
            _dims = axes.Select(a => inputShape[a]).ToArray();
            if (Scale) Gamma = AddWeight("gamma", _dims, GammaInitializer);
            if (Center) Beta = AddWeight("beta", _dims, BetaInitializer);
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            if (x.Rank != BuildInputShape!.Rank || _axes.Select((a, i) => x.Shape[a] != _dims[i]).Any(b => b))
                throw new ArgumentException(
                    $"{Name}: was built for inputs of shape {BuildInputShape} (normalizing axes [{string.Join(", ", _axes)}] of sizes {Shape.Format(_dims)}), got shape {x.Shape}.", nameof(x));
            // As Keras: integer inputs become the weights' float type (float32 without weights).
            var dtype = (Gamma ?? Beta)?.DType ?? (x.DType.IsFloating() ? x.DType : DType.Float32);
            var input = x.DType == dtype ? x : NF.Cast(x, dtype);
            return NF.LayerNormalization(input, Gamma, Beta, _axes, Epsilon);
        }
    }
}
