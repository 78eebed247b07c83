using NeuralFlow.Backends;

namespace NeuralFlow.Keras;

public static partial class Optimizers
{
    /// <summary>
    /// Gradient descent with optional (Nesterov) momentum (<c>tf.keras.optimizers.SGD</c>):
    /// velocity = momentum * velocity - lr * g; w += velocity (Nesterov: w += momentum * velocity - lr * g).
    /// </summary>
    public sealed class SGD(LearningRate? learningRate = null, double momentum = 0, bool nesterov = false,
        double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null,
        bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, int? gradientAccumulationSteps = null, string? name = null)
        : Optimizer(learningRate ?? 0.01, weightDecay, clipNorm, clipValue, globalClipNorm, useEma, emaMomentum, emaOverwriteFrequency, gradientAccumulationSteps, name)
    {
        /// <summary>Momentum factor (0 disables it).</summary>
        public double Momentum { get; } = momentum >= 0 ? momentum : throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "SGD: momentum must be at least 0.");
        /// <summary>Whether momentum is Nesterov's.</summary>
        public bool Nesterov { get; } = nesterov;

        /// <inheritdoc/>
        protected override OptimizerKind? Kind => OptimizerKind.Sgd;

        /// <inheritdoc/>
        [MethodImpl(Hot)]
        protected override OptimizerParams Parameters(double learningRate, long step) =>
            new(learningRate, Momentum: Momentum, Nesterov: Nesterov, Step: step);
    }
}
