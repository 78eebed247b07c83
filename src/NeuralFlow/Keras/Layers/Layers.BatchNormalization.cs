using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Batch normalization (<c>tf.keras.layers.BatchNormalization</c>): in training mode (Fit, or
    /// <c>Call(x, training: true)</c>) it normalizes with the batch's mean and biased variance over
    /// every axis but <paramref name="axis"/> and moves the moving statistics towards them
    /// (moving = moving * momentum + batch * (1 - momentum), Keras' rule, with the biased batch
    /// variance as Keras uses it); otherwise, and whenever the layer is frozen (<c>Trainable = false</c>), (Evaluate, Predict, <c>Call(x)</c>) it normalizes with
    /// the moving statistics. gamma and beta are trained; moving_mean and moving_variance are
    /// non-trainable weights, saved with the model.
    /// </summary>
    public sealed class BatchNormalization(int axis = -1, double momentum = 0.99, double epsilon = 1e-3, bool center = true, bool scale = true,
                                           Initializer? betaInitializer = null, Initializer? gammaInitializer = null,
                                           Initializer? movingMeanInitializer = null, Initializer? movingVarianceInitializer = null,
                                           string? name = null,
                                           Regularizers.Regularizer? betaRegularizer = null, Regularizers.Regularizer? gammaRegularizer = null) : Layer(name)
    {
        /// <summary>True: a mask passes through unchanged (Keras' supports_masking).</summary>
        public override bool SupportsMasking => true;

        /// <summary>The feature axis (Keras' default -1: channels last).</summary>
        public int Axis { get; } = axis;

        /// <summary>Weight of the old value in the moving averages.</summary>
        public double Momentum { get; } = momentum is >= 0 and <= 1 ? momentum
            : throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "BatchNormalization: momentum must be in [0, 1].");

        /// <summary>Added to the variance before its square root.</summary>
        public double Epsilon { get; } = epsilon >= 0 && double.IsFinite(epsilon) ? epsilon
            : throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "BatchNormalization: epsilon must be finite and >= 0.");

        /// <summary>Whether the layer adds beta.</summary>
        public bool Center { get; } = center;

        /// <summary>Whether the layer multiplies by gamma.</summary>
        public bool Scale { get; } = scale;

        /// <summary>How beta starts (zeros).</summary>
        public Initializer BetaInitializer { get; } = betaInitializer ?? Initializer.Zeros;

        /// <summary>How gamma starts (ones).</summary>
        public Initializer GammaInitializer { get; } = gammaInitializer ?? Initializer.Get("ones");

        /// <summary>How the moving mean starts (zeros).</summary>
        public Initializer MovingMeanInitializer { get; } = movingMeanInitializer ?? Initializer.Zeros;

        /// <summary>How the moving variance starts (ones).</summary>
        public Initializer MovingVarianceInitializer { get; } = movingVarianceInitializer ?? Initializer.Get("ones");

        /// <summary>A penalty on beta, added to <see cref="Layer.Losses"/> (Keras' beta_regularizer).</summary>
        public Regularizers.Regularizer? BetaRegularizer { get; set; } = betaRegularizer;

        /// <summary>A penalty on gamma (Keras' gamma_regularizer).</summary>
        public Regularizers.Regularizer? GammaRegularizer { get; set; } = gammaRegularizer;

        private protected override IEnumerable<RegularizerSlot> RegularizerSlots =>
        [
            new("beta_regularizer", Beta, BetaRegularizer, r => BetaRegularizer = r),
            new("gamma_regularizer", Gamma, GammaRegularizer, r => GammaRegularizer = r),
        ];

        /// <summary>A projection of beta after each optimizer step (Keras' beta_constraint), set in an initializer.</summary>
        public Constraints.Constraint? BetaConstraint { get; set { field = value; SyncConstraints(); } }

        /// <summary>A projection of gamma after each optimizer step (Keras' gamma_constraint), e.g. <c>new Constraints.NonNeg()</c>.</summary>
        public Constraints.Constraint? GammaConstraint { get; set { field = value; SyncConstraints(); } }

        private protected override IEnumerable<ConstraintSlot> ConstraintSlots =>
        [
            new("beta_constraint", Beta, BetaConstraint, c => BetaConstraint = c),
            new("gamma_constraint", Gamma, GammaConstraint, c => GammaConstraint = c),
        ];

        /// <summary>The [features] scale, once built (null when <see cref="Scale"/> is false).</summary>
        public Variable? Gamma { get; private set; }

        /// <summary>The [features] offset, once built (null when <see cref="Center"/> is false).</summary>
        public Variable? Beta { get; private set; }

        /// <summary>The [features] moving mean (non-trainable), once built.</summary>
        public Variable? MovingMean { get; private set; }

        /// <summary>The [features] moving variance (non-trainable), once built.</summary>
        public Variable? MovingVariance { get; private set; }

        private int _rank, _axis;

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["axis"] = Axis;
            c["momentum"] = Momentum;
            c["epsilon"] = Epsilon;
            c["center"] = Center;
            c["scale"] = Scale;
            c["beta_initializer"] = BetaInitializer.ToConfig();
            c["gamma_initializer"] = GammaInitializer.ToConfig();
            c["moving_mean_initializer"] = MovingMeanInitializer.ToConfig();
            c["moving_variance_initializer"] = MovingVarianceInitializer.ToConfig();
            return c;
        }

        /// <inheritdoc/>
        private protected override int?[]? ShapeRule(int?[] inputShape) => inputShape;

        /// <inheritdoc/>
        protected override void Build(Shape inputShape)
        {
            _axis = FeatureAxis(Name, inputShape, Axis);
            _rank = inputShape.Rank;
            Shape shape = [inputShape[_axis]];
            // Keras' weight order: gamma, beta, moving_mean, moving_variance.
            if (Scale) Gamma = AddWeight("gamma", shape, GammaInitializer);
            if (Center) Beta = AddWeight("beta", shape, BetaInitializer);
            MovingMean = AddWeight("moving_mean", shape, MovingMeanInitializer, trainable: false);
            MovingVariance = AddWeight("moving_variance", shape, MovingVarianceInitializer, trainable: false);
        }

        /// <summary>True: it takes the float16 input (Keras autocasts it) and normalizes it in float32, as Keras' BatchNormalization upcasts.</summary>
        private protected override bool ComputesWithMixedWeights => true;

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            int features = MovingMean!.Shape[0];
            if (x.Rank != _rank || x.Shape[_axis] != features)
                throw new ArgumentException(
                    $"{Name}: was built for inputs of rank {_rank} with {features} features on axis {Axis}, got shape {x.Shape}.", nameof(x));
            var input = x.DType == MovingMean.DType ? x : NF.Cast(x, MovingMean.DType);
            // A frozen layer normalizes as at inference even while training (Keras: `training and
            // self.trainable`), so fine-tuning above a frozen base leaves its statistics as trained.
            if (!IsTraining || !Trainable)
                return NF.BatchNormalization(input, MovingMean, MovingVariance!, Gamma, Beta, _axis, Epsilon);
            var (y, mean, variance) = NF.BatchNormalizationTraining(input, Gamma, Beta, _axis, Epsilon);
            // Plain assignments: the batch statistics are values (not on any tape) and the moving
            // statistics are non-trainable, so nothing here is differentiated.
            using (mean)
            using (variance)
            {
                MovingMean.Assign(MovingMean * Momentum + mean * (1 - Momentum));
                MovingVariance!.Assign(MovingVariance * Momentum + variance * (1 - Momentum));
            }
            return y;
        }
    }

    /// <summary>The non-negative feature axis of <paramref name="shape"/>, or an error naming the layer.</summary>
    internal static int FeatureAxis(string layer, Shape shape, int axis)
    {
        int a = axis < 0 ? axis + shape.Rank : axis;
        if (a < 0 || a >= shape.Rank)
            throw new ArgumentOutOfRangeException(nameof(axis), axis,
                $"{layer}: axis {axis} is out of range for inputs of shape {shape} (rank {shape.Rank}); valid axes are {-shape.Rank}..{shape.Rank - 1}.");
        return a;
    }
}
