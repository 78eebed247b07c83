namespace NeuralFlow.Keras;

/// <summary>
/// The Keras losses (<c>tf.keras.losses</c>). Each class's <c>Call(yTrue, yPred)</c> returns the
/// batch mean; its static <c>PerExample</c> is Keras' function form (one value per example).
/// Strings convert: "mse", "mae", "binary_crossentropy", "categorical_crossentropy",
/// "sparse_categorical_crossentropy".
/// </summary>
public static partial class Losses
{
    /// <summary>A loss function reduced to the mean over the batch.</summary>
    public abstract class Loss
    {
        /// <summary>The Keras name ("mean_squared_error", ...).</summary>
        public abstract string Name { get; }

        /// <summary>One value per example.</summary>
        public abstract Tensor PerExampleLoss(Tensor yTrue, Tensor yPred);

        /// <summary>The mean over the batch (Keras' default reduction).</summary>
        [MethodImpl(Hot)]
        public Tensor Call(Tensor yTrue, Tensor yPred) => NF.ReduceMean(PerExampleLoss(yTrue, yPred));

        /// <summary>Looks up a loss by name or alias.</summary>
        public static implicit operator Loss(string name) => Get(name);
    }

    /// <summary>Looks up a loss by its Keras name or alias.</summary>
    public static Loss Get(string name) => name.ToLowerInvariant() switch
    {
        "mse" or "mean_squared_error" => new MeanSquaredError(),
        "mae" or "mean_absolute_error" => new MeanAbsoluteError(),
        "binary_crossentropy" or "bce" => new BinaryCrossentropy(),
        "categorical_crossentropy" => new CategoricalCrossentropy(),
        "sparse_categorical_crossentropy" => new SparseCategoricalCrossentropy(),
        _ => throw new ArgumentException($"Unknown loss '{name}'; use mse, mae, binary_crossentropy, categorical_crossentropy or sparse_categorical_crossentropy.", nameof(name)),
    };

    /// <summary>Keras' epsilon: probabilities are clipped to [eps, 1 - eps] before a log.</summary>
    internal const double Epsilon = 1e-7;

    internal static Tensor LikePrediction(Tensor yTrue, Tensor yPred) =>
        yTrue.DType == yPred.DType ? yTrue : NF.Cast(yTrue, yPred.DType);

    internal static Tensor Clip(Tensor p) => NF.Minimum(NF.Maximum(p, Epsilon), 1 - Epsilon);

    /// <summary>yTrue cast to yPred's dtype, then both at the same rank and shape (<see cref="Targets.Align"/>).</summary>
    internal static (Tensor YTrue, Tensor YPred) Aligned(string loss, Tensor yTrue, Tensor yPred) =>
        Targets.Align(loss, LikePrediction(yTrue, yPred), yPred);
}
