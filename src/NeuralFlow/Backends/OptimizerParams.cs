namespace NeuralFlow.Backends;

/// <summary>The fused optimizer updates of <see cref="IBackend.OptimizerUpdate(OptimizerKind, DType, nint, nint, nint, nint, nint, long, in OptimizerParams)"/>; values match <c>nf_optimizer</c>.</summary>
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
    /// <summary>Nadam (Keras 3); slot0 = m, slot1 = v.</summary>
    Nadam = 4,
    /// <summary>Adamax (Keras 3); slot0 = m, slot1 = u (weighted infinity norm).</summary>
    Adamax = 5,
    /// <summary>Adadelta (Keras 3); slot0 = accumulated g^2, slot1 = accumulated update^2.</summary>
    Adadelta = 6,
    // ---- keras2 session
    /// <summary>Ftrl (Keras 3); slot0 = accumulator, slot1 = linear; its hyperparameters are LrPower, L1, L2, L2Shrinkage, Beta.</summary>
    Ftrl = 7,
}

/// <summary>
/// The one C# statement of which slots a fused step reads and writes (the native engines'
/// twin is <c>optimizer_slots</c> in native/src/common/optimizer_step.h): the managed engine
/// checks calls with it and the Keras optimizers create their slots with it.
/// </summary>
public static class OptimizerSlots
{
    /// <summary>Whether slot0, slot1 and slot2 are used by <paramref name="kind"/> with <paramref name="p"/>.</summary>
    public static (bool Slot0, bool Slot1, bool Slot2) Needed(OptimizerKind kind, in OptimizerParams p)
    {
        bool momentum = kind == OptimizerKind.Sgd ? p.Momentum != 0 : kind == OptimizerKind.RMSprop && p.Momentum > 0;
        bool two = kind is OptimizerKind.Adam or OptimizerKind.Nadam or OptimizerKind.Adamax or OptimizerKind.Adadelta or OptimizerKind.Ftrl;
        bool third = (kind == OptimizerKind.Adam && p.Amsgrad) || (kind == OptimizerKind.RMSprop && p.Centered);
        return (kind != OptimizerKind.Sgd || momentum, two || (kind == OptimizerKind.RMSprop && momentum), third);
    }

    /// <summary>How many slots, slot0 first (a used slot2 implies the two before it exist, even if unused).</summary>
    public static int Count(OptimizerKind kind, in OptimizerParams p) => Needed(kind, p) switch
    {
        (_, _, true) => 3,
        (_, true, _) => 2,
        (true, _, _) => 1,
        _ => 0,
    };
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
/// <param name="WeightDecay">Nonzero: w = w - (w*WeightDecay)*LearningRate before the update (Keras 3).</param>
/// <param name="GradMul">With <paramref name="GradDiv"/> nonzero, g = (g*GradMul)/GradDiv first (clipnorm, global_clipnorm).</param>
/// <param name="GradDiv">0: no scaling.</param>
/// <param name="ClipValue">Positive: g is clipped to [-ClipValue, ClipValue] after the scaling.</param>
/// <param name="Amsgrad">Adam: keep the maximum of v in slot2 and divide by its root.</param>
/// <param name="Centered">RMSprop: keep the mean gradient in slot2 (Keras 3's centered formula).</param>
/// <param name="LrPower">Ftrl: learning_rate_power (at most 0; -0.5 is a square root).</param>
/// <param name="L1">Ftrl: l1_regularization_strength.</param>
/// <param name="L2">Ftrl: l2_regularization_strength.</param>
/// <param name="L2Shrinkage">Ftrl: l2_shrinkage_regularization_strength.</param>
/// <param name="Beta">Ftrl: the paper's beta.</param>
public readonly record struct OptimizerParams(
    double LearningRate,
    double Momentum = 0,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Epsilon = 1e-7,
    double Rho = 0.9,
    bool Nesterov = false,
    long Step = 1,
    double WeightDecay = 0,
    double GradMul = 0,
    double GradDiv = 0,
    double ClipValue = 0,
    bool Amsgrad = false,
    bool Centered = false,
    double LrPower = 0,
    double L1 = 0,
    double L2 = 0,
    double L2Shrinkage = 0,
    double Beta = 0)
{
    /// <summary>Whether any option of <c>nf_optimizer_options</c> is set (else the plain <c>nf_optimizer_update</c> applies).</summary>
    public bool HasOptions => WeightDecay != 0 || GradDiv != 0 || ClipValue > 0 || Amsgrad || Centered ||
                              LrPower != 0 || L1 != 0 || L2 != 0 || L2Shrinkage != 0 || Beta != 0;
}
