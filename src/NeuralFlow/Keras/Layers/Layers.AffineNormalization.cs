using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// What LayerNormalization and GroupNormalization share: Keras' epsilon, center/scale switches,
    /// beta/gamma initializers and regularizers, the gamma and beta weights, their config entries, and
    /// the input dtype rule (integer inputs become the weights' float type).
    /// </summary>
    public abstract class AffineNormalization : Layer
    {
        /// <summary>True: a mask passes through unchanged (Keras' supports_masking).</summary>
        public override bool SupportsMasking => true;

        private protected AffineNormalization(string layer, double epsilon, bool center, bool scale, Initializer? betaInitializer, Initializer? gammaInitializer,
                                              string? name, Regularizers.Regularizer? betaRegularizer, Regularizers.Regularizer? gammaRegularizer)
            : base(name)
        {
            Epsilon = epsilon >= 0 && double.IsFinite(epsilon) ? epsilon
                : throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"{layer}: epsilon must be finite and >= 0.");
            Center = center;
            Scale = scale;
            BetaInitializer = betaInitializer ?? Initializer.Zeros;
            GammaInitializer = gammaInitializer ?? Initializer.Get("ones");
            (BetaRegularizer, GammaRegularizer) = (betaRegularizer, gammaRegularizer);
        }

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

        /// <summary>A projection of beta after each optimizer step (Keras' beta_constraint), set in an initializer.</summary>
        public Constraints.Constraint? BetaConstraint { get; set { field = value; SyncConstraints(); } }

        /// <summary>A projection of gamma after each optimizer step (Keras' gamma_constraint).</summary>
        public Constraints.Constraint? GammaConstraint { get; set { field = value; SyncConstraints(); } }

        private protected override IEnumerable<ConstraintSlot> ConstraintSlots =>
        [
            new("beta_constraint", Beta, BetaConstraint, c => BetaConstraint = c),
            new("gamma_constraint", Gamma, GammaConstraint, c => GammaConstraint = c),
        ];

        /// <summary>The scale (null when <see cref="Scale"/> is false).</summary>
        public Variable? Gamma { get; private set; }

        /// <summary>The offset (null when <see cref="Center"/> is false).</summary>
        public Variable? Beta { get; private set; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            WriteAxisConfig(c);
            c["epsilon"] = Epsilon;
            c["center"] = Center;
            c["scale"] = Scale;
            c["beta_initializer"] = BetaInitializer.ToConfig();
            c["gamma_initializer"] = GammaInitializer.ToConfig();
            return c;
        }

        /// <summary>Writes the subclass's own entries (axis, groups) in Keras' order, before epsilon.</summary>
        private protected abstract void WriteAxisConfig(JsonObject config);

        /// <summary>Creates gamma and beta of <paramref name="shape"/> as <see cref="Scale"/>/<see cref="Center"/> ask.</summary>
        private protected void AddGammaBeta(int[] shape)
        {
            if (Scale) Gamma = AddWeight("gamma", shape, GammaInitializer);
            if (Center) Beta = AddWeight("beta", shape, BetaInitializer);
        }

        /// <summary>As Keras: integer inputs become the weights' float type (the layer's without weights).</summary>
        private protected Tensor InComputeType(Tensor x)
        {
            var dtype = (Gamma ?? Beta)?.DType ?? (x.DType.IsFloating() ? x.DType : VariableDType);
            return x.DType == dtype ? x : NF.Cast(x, dtype);
        }
    }
}
