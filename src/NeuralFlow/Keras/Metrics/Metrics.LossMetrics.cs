namespace NeuralFlow.Keras;

public partial class Metrics
{
    /// <summary>
    /// The running mean of a loss's per-example values: Keras' metric twins of its losses
    /// (<c>keras.metrics.KLDivergence</c>, <c>metrics=["mape"]</c>, ...). The formula is the loss's
    /// own <see cref="Losses.Loss.PerExampleLoss"/>, so metric and loss cannot drift apart.
    /// </summary>
    public abstract class LossMetric(Losses.Loss loss, string name) : MeanMetricWrapper(name)
    {
        /// <summary>The loss whose per-example values are averaged.</summary>
        public Losses.Loss Loss { get; } = loss;

        /// <inheritdoc/>
        protected override Tensor Matches(Tensor yTrue, Tensor yPred) => Loss.PerExampleLoss(yTrue, yPred);

        /// <inheritdoc/>
        public override Dictionary<string, object?> GetConfig()
        {
            // The loss's options (from_logits, axis, ...), without its reduction: a metric averages.
            var config = base.GetConfig();
            foreach (var (key, value) in Loss.GetConfig())
                if (key != "reduction") config[key] = value;
            return config;
        }
    }

    /// <summary>Mean binary cross-entropy (<c>tf.keras.metrics.BinaryCrossentropy</c>).</summary>
    public sealed class BinaryCrossentropy(bool fromLogits = false, double labelSmoothing = 0, string name = "binary_crossentropy")
        : LossMetric(new Losses.BinaryCrossentropy(fromLogits, labelSmoothing), name);

    /// <summary>Mean categorical cross-entropy of one-hot targets (<c>tf.keras.metrics.CategoricalCrossentropy</c>).</summary>
    public sealed class CategoricalCrossentropy(bool fromLogits = false, double labelSmoothing = 0, string name = "categorical_crossentropy")
        : LossMetric(new Losses.CategoricalCrossentropy(fromLogits, labelSmoothing), name);

    /// <summary>Mean cross-entropy of integer targets (<c>tf.keras.metrics.SparseCategoricalCrossentropy</c>).</summary>
    public sealed class SparseCategoricalCrossentropy(bool fromLogits = false, string name = "sparse_categorical_crossentropy")
        : LossMetric(new Losses.SparseCategoricalCrossentropy(fromLogits), name);

    /// <summary>Mean Kullback-Leibler divergence (<c>tf.keras.metrics.KLDivergence</c>).</summary>
    public sealed class KLDivergence(string name = "kl_divergence") : LossMetric(new Losses.KLDivergence(), name);

    /// <summary>Mean Poisson loss (<c>tf.keras.metrics.Poisson</c>).</summary>
    public sealed class Poisson(string name = "poisson") : LossMetric(new Losses.Poisson(), name);

    /// <summary>Mean absolute percentage error (<c>tf.keras.metrics.MeanAbsolutePercentageError</c>).</summary>
    public sealed class MeanAbsolutePercentageError(string name = "mean_absolute_percentage_error")
        : LossMetric(new Losses.MeanAbsolutePercentageError(), name);

    /// <summary>Mean squared logarithmic error (<c>tf.keras.metrics.MeanSquaredLogarithmicError</c>).</summary>
    public sealed class MeanSquaredLogarithmicError(string name = "mean_squared_logarithmic_error")
        : LossMetric(new Losses.MeanSquaredLogarithmicError(), name);

    /// <summary>Mean hinge loss (<c>tf.keras.metrics.Hinge</c>).</summary>
    public sealed class Hinge(string name = "hinge") : LossMetric(new Losses.Hinge(), name);

    /// <summary>Mean squared hinge loss (<c>tf.keras.metrics.SquaredHinge</c>).</summary>
    public sealed class SquaredHinge(string name = "squared_hinge") : LossMetric(new Losses.SquaredHinge(), name);

    /// <summary>Mean categorical hinge loss (<c>tf.keras.metrics.CategoricalHinge</c>).</summary>
    public sealed class CategoricalHinge(string name = "categorical_hinge") : LossMetric(new Losses.CategoricalHinge(), name);

    /// <summary>Mean log-cosh error (<c>tf.keras.metrics.LogCoshError</c>).</summary>
    public sealed class LogCoshError(string name = "logcosh") : LossMetric(new Losses.LogCosh(), name);

    /// <summary>
    /// Mean cosine similarity along <paramref name="axis"/> (<c>tf.keras.metrics.CosineSimilarity</c>):
    /// the similarity itself, where the loss is its negative (a loss is minimized).
    /// </summary>
    public sealed class CosineSimilarity(int axis = -1, string name = "cosine_similarity")
        : LossMetric(new Losses.CosineSimilarity(axis), name)
    {
        /// <inheritdoc/>
        protected override Tensor Matches(Tensor yTrue, Tensor yPred) => -base.Matches(yTrue, yPred);

        /// <summary>The similarity along <paramref name="axis"/>, one value per example (Keras' function <c>keras.metrics.cosine_similarity</c>).</summary>
        public static Tensor PerExample(Tensor yTrue, Tensor yPred, int axis = -1) => -Losses.CosineSimilarity.PerExample(yTrue, yPred, axis);
    }
}
