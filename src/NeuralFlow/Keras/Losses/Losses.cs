using System.Diagnostics.CodeAnalysis;

namespace NeuralFlow.Keras;

/// <summary>
/// The Keras losses (<c>tf.keras.losses</c>). Each class's <c>Call(yTrue, yPred, sampleWeight)</c>
/// returns the weighted values reduced as its <see cref="Loss.Reduction"/> says (the batch mean by
/// default); its static <c>PerExample</c> is Keras' function form (one value per example).
/// <see cref="Get"/> converts Keras' names and aliases ("mse", "huber", "kl_divergence", ...).
/// An instance is a layer's list of penalties (<c>layer.Losses</c>, Keras' <c>layer.losses</c>); see
/// <see cref="ListView{T}"/> for why the list and the loss classes share the name.
/// </summary>
public partial class Losses : ListView<Tensor>
{
    internal Losses(IReadOnlyList<Tensor> penalties) : base(penalties) { }

    /// <summary>A loss function: per-example values, weighted and reduced.</summary>
    public abstract class Loss
    {
        /// <summary>A loss reducing as <paramref name="reduction"/> says ("sum_over_batch_size", "sum" or "none").</summary>
        protected Loss(string? reduction = SumOverBatchSize) => Reduction = CheckReduction(reduction, GetType().Name);

        /// <summary>The Keras name ("mean_squared_error", ...).</summary>
        public abstract string Name { get; }

        /// <summary>
        /// How <see cref="Call"/> reduces the weighted per-example values: "sum_over_batch_size"
        /// (the default: their sum over their number), "sum", or "none" (the values themselves).
        /// TF2's "auto" is accepted and means "sum_over_batch_size".
        /// </summary>
        public string Reduction { get; }

        /// <summary>One value per example.</summary>
        public abstract Tensor PerExampleLoss(Tensor yTrue, Tensor yPred);

        /// <summary>
        /// The per-example values and, for losses that ignore some targets (a sparse
        /// cross-entropy's <c>ignoreClass</c>), which ones count (1) and which do not (0).
        /// </summary>
        protected internal virtual (Tensor Values, Tensor? Valid) Evaluate(Tensor yTrue, Tensor yPred) => (PerExampleLoss(yTrue, yPred), null);

        /// <summary>
        /// The loss of a batch: the per-example values times <paramref name="sampleWeight"/> (a
        /// scalar, or one weight per example, (N,) or (N, 1); negative weights are allowed, as in
        /// Keras), reduced as <see cref="Reduction"/> says (<c>loss(y_true, y_pred, sample_weight)</c>).
        /// </summary>
        [MethodImpl(Hot)]
        public Tensor Call(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
        {
            yPred = Scored(yPred);
            var (values, valid) = Evaluate(yTrue, yPred);
            // Keras' Loss.__call__: the prediction's mask (Embedding(maskZero), Masking, a returned
            // sequence) weighs the values like ignored targets, so the mean is over real positions.
            if (Layer.MaskOf(yPred) is { } mask) valid = MaskedValid(mask, values, valid);
            return ReduceWeighted(values, sampleWeight, Reduction, Name, valid);
        }

        // The mask as 1/0 weights of the values' shape, and with the targets' own valid ones.
        private Tensor MaskedValid(Tensor mask, Tensor values, Tensor? valid)
        {
            var weights = NF.Cast(mask, values.DType);
            if (weights.Rank == values.Rank + 1 && weights.Shape[-1] == 1) weights = NF.Squeeze(weights, -1);
            if (weights.Shape != values.Shape)
                throw new ArgumentException(
                    $"{Name}: the prediction carries a mask of shape {mask.Shape}, which does not match the loss values of shape {values.Shape} " +
                    "(one value per masked position); a mask [batch, timesteps] needs predictions [batch, timesteps, ...].", "yPred");
            return valid is null ? weights : weights * LikePrediction(valid, weights);
        }

        /// <summary>
        /// The constructor arguments under Keras' names (<c>get_config</c>), which
        /// <see cref="FromConfig"/> rebuilds this loss from.
        /// </summary>
        public virtual Dictionary<string, object?> GetConfig() => new() { ["reduction"] = Reduction };

        /// <summary>Looks up a loss by name or alias; null stays null (Compile then names the missing loss).</summary>
        [return: NotNullIfNotNull(nameof(name))]
        public static implicit operator Loss?(string? name) => name is null ? null : Get(name);

        /// <summary>A C# function of (yTrue, yPred) as a loss (Keras' <c>compile(loss=function)</c>): a <see cref="LossFunctionWrapper"/>; null stays null.</summary>
        [return: NotNullIfNotNull(nameof(fn))]
        public static implicit operator Loss?(Func<Tensor, Tensor, Tensor>? fn) => fn is null ? null : new LossFunctionWrapper(fn);
    }

    /// <summary>The default reduction: the sum of the weighted values over their number.</summary>
    public const string SumOverBatchSize = "sum_over_batch_size";

    /// <summary>
    /// Looks up a loss, with its default arguments, by its Keras name or alias ("mse",
    /// "binary_crossentropy") or its class name ("CategoricalCrossentropy", "MSE"), as
    /// <c>keras.losses.get</c> and <c>model.compile(loss=...)</c> accept both.
    /// </summary>
    public static Loss Get(string name) => Scoped(name, []) ?? NameKey(name) switch
    {
        "mse" or "mean_squared_error" => new MeanSquaredError(),
        "mae" or "mean_absolute_error" => new MeanAbsoluteError(),
        "mape" or "mean_absolute_percentage_error" => new MeanAbsolutePercentageError(),
        "msle" or "mean_squared_logarithmic_error" => new MeanSquaredLogarithmicError(),
        "binary_crossentropy" or "bce" => new BinaryCrossentropy(),
        "binary_focal_crossentropy" => new BinaryFocalCrossentropy(),
        "categorical_crossentropy" => new CategoricalCrossentropy(),
        "sparse_categorical_crossentropy" => new SparseCategoricalCrossentropy(),
        "huber" or "huber_loss" => new Huber(),
        "log_cosh" or "logcosh" => new LogCosh(),
        "kl_divergence" or "kld" or "kullback_leibler_divergence" => new KLDivergence(),
        "poisson" => new Poisson(),
        "cosine_similarity" => new CosineSimilarity(),
        "hinge" => new Hinge(),
        "squared_hinge" => new SquaredHinge(),
        "categorical_hinge" => new CategoricalHinge(),
        "categorical_focal_crossentropy" => new CategoricalFocalCrossentropy(),
        "dice" => new Dice(),
        "tversky" => new Tversky(),
        "ctc" => new CTC(),
        _ => throw new ArgumentException(
            $"Unknown loss '{name}'; use one of mse, mae, mape, msle, binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy, " +
            "sparse_categorical_crossentropy, huber, log_cosh, kl_divergence, poisson, cosine_similarity, hinge, squared_hinge, categorical_hinge, " +
            "categorical_focal_crossentropy, dice, tversky, ctc (loading a model compiled with a loss of your own: pass it in customObjects, as Keras' custom_objects).", nameof(name)),
    };

    /// <summary>
    /// The lookup key of a name given to <see cref="Get"/> or <see cref="Metrics.Get"/>: a snake_case
    /// name or alias as given, lower-cased ("binary_crossentropy", "Kullback_Leibler_Divergence"); a
    /// name without underscores in Keras' to_snake_case, so class names ("CategoricalCrossentropy",
    /// "KLDivergence", "AUC", "MSE") find the same entry as their snake_case names, as Keras' get does.
    /// </summary>
    internal static string NameKey(string name) => name.Contains('_') ? name.ToLowerInvariant() : Layer.ToSnakeCase(name);

    /// <summary>Keras' epsilon: probabilities are clipped to [eps, 1 - eps] before a log.</summary>
    internal const double Epsilon = 1e-7;

    /// <summary>
    /// A prediction as losses and compiled metrics score it: a float16 one (a mixed-precision model's) in
    /// <see cref="Config.FloatX"/>, with its mask, as Keras' Loss and Metric convert y_pred to their dtype
    /// (floatx), so the logs and sums neither overflow nor lose the small terms. Others pass.
    /// </summary>
    internal static Tensor Scored(Tensor yPred)
    {
        if (yPred.DType != DType.Float16) return yPred;
        var cast = NF.Cast(yPred, Config.FloatXType);
        if (Layer.MaskOf(yPred) is { } mask) Layer.SetMask(cast, mask);
        return cast;
    }

    internal static Tensor LikePrediction(Tensor yTrue, Tensor yPred) =>
        yTrue.DType == yPred.DType ? yTrue : NF.Cast(yTrue, yPred.DType);

    internal static Tensor Clip(Tensor p) => NF.Minimum(NF.Maximum(p, Epsilon), 1 - Epsilon);

    /// <summary>yTrue cast to yPred's dtype, then both at the same rank and shape (<see cref="Targets.Align"/>).</summary>
    internal static (Tensor YTrue, Tensor YPred) Aligned(string loss, Tensor yTrue, Tensor yPred) =>
        Targets.Align(loss, LikePrediction(yTrue, yPred), yPred);

    /// <summary>The mean over the last axis, or the value itself for scalars (Keras' <c>mean(x, axis=-1)</c>).</summary>
    internal static Tensor MeanLastAxis(Tensor elementwise) => elementwise.Rank == 0 ? elementwise : NF.ReduceMean(elementwise, -1);

    /// <summary>1 where <paramref name="condition"/> holds, else 0, in <paramref name="dtype"/> (a differentiable select's weights).</summary>
    internal static Tensor Where(Tensor condition, DType dtype) => GradientHelpers.Mask(condition, dtype);

    /// <summary>
    /// log(1 + e^x) without overflow: max(x, 0) + log(1 + e^-|x|), both branches picked by x &gt;= 0
    /// so the gradient at 0 is sigmoid(0) = 0.5 (Relu and Abs would each give 0 there).
    /// </summary>
    internal static Tensor Softplus(Tensor x)
    {
        var nonNegative = Where(NF.GreaterEqual(x, 0), x.DType);
        return x * nonNegative + NF.Log(1 + NF.Exp(x * (1 - 2 * nonNegative)));
    }
}
