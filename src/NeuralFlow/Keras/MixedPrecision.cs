namespace NeuralFlow.Keras;

/// <summary>
/// Keras' <c>keras.mixed_precision</c>: the global dtype policy under its mixed-precision names.
/// <c>MixedPrecision.SetGlobalPolicy("mixed_float16")</c> makes the layers made afterwards compute in
/// float16 and keep float32 weights, and <c>Compile</c> then wraps the optimizer in a
/// <see cref="Optimizers.LossScaleOptimizer"/>. The setting is <see cref="Config.DTypePolicy"/>.
/// </summary>
public static class MixedPrecision
{
    /// <summary>Sets the policy new layers take (<c>keras.mixed_precision.set_global_policy</c>); null returns to <see cref="Config.FloatX"/>'s.</summary>
    public static void SetGlobalPolicy(DTypePolicy? policy) => Config.DTypePolicy = policy;

    /// <summary>The policy new layers take (<c>keras.mixed_precision.global_policy()</c>).</summary>
    public static DTypePolicy GlobalPolicy() => Config.DTypePolicy;
}
