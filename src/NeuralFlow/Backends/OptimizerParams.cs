namespace NeuralFlow.Backends;

/// <summary>The fused optimizer updates of <see cref="IBackend.OptimizerUpdate"/>; values match <c>nf_optimizer</c>.</summary>
public enum OptimizerKind
{
    /// <summary>Gradient descent with optional (Nesterov) momentum; slot0 = velocity (unused when momentum is 0).</summary>
    Sgd = 0,
    /// <summary>Adam; slot0 = first moment m, slot1 = second moment v.</summary>
    Adam = 1,
    /// <summary>RMSprop; slot0 = mean square, slot1 = momentum buffer (unused when momentum is 0).</summary>
    RMSprop = 2,
    /// <summary>Adagrad; slot0 = accumulator.</summary>
    Adagrad = 3,
}

/// <summary>
/// Hyperparameters of one fused optimizer step, as <c>nf_optimizer_params</c>; each kind reads
/// the ones it names. The defaults are Keras's.
/// </summary>
/// <param name="LearningRate">Learning rate of this step.</param>
/// <param name="Momentum">SGD and RMSprop momentum (0 disables it).</param>
/// <param name="Beta1">Adam's first-moment decay.</param>
/// <param name="Beta2">Adam's second-moment decay.</param>
/// <param name="Epsilon">Added to the denominator (Adam, RMSprop, Adagrad).</param>
/// <param name="Rho">RMSprop's mean-square decay.</param>
/// <param name="Nesterov">SGD: Nesterov momentum.</param>
/// <param name="Step">1 for a variable's first update (Adam's bias correction); at least 1.</param>
public readonly record struct OptimizerParams(
    double LearningRate,
    double Momentum = 0,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Epsilon = 1e-7,
    double Rho = 0.9,
    bool Nesterov = false,
    long Step = 1);
