using System.Diagnostics.CodeAnalysis;

namespace NeuralFlow.Keras;

/// <summary>
/// Keras' global settings (<c>keras.config</c>): the float type of new layers' weights and their dtype policy.
/// </summary>
public static class Config
{
    private static DType _floatX = DType.Float32;

    /// <summary>
    /// The float type ("float32", Keras' default, or "float64") that layers made from now on keep
    /// their weights in and compute in, and that <c>Layers.Input</c> gives its tensors
    /// (<c>keras.config.floatx()</c> / <c>set_floatx()</c>, <c>tf.keras.backend.set_floatx</c>). A float64
    /// model computes end to end in float64. Layers already made keep theirs; one layer can differ
    /// (<see cref="Layer.VariableDType"/>).
    /// </summary>
    public static string FloatX
    {
        get => _floatX.Name();
        set => _floatX = ParseFloat(value, nameof(FloatX));
    }

    /// <summary>Sets <see cref="FloatX"/> (Keras' <c>keras.config.set_floatx</c>).</summary>
    public static void SetFloatX(string value) => FloatX = value;

    private static DTypePolicy? _policy;

    /// <summary>
    /// The dtype policy that layers made from now on take (Keras' <c>keras.config.dtype_policy()</c> /
    /// <c>set_dtype_policy</c>, the same setting as <c>keras.mixed_precision.set_global_policy</c>):
    /// e.g. "mixed_float16" for mixed precision. Until set it is the plain policy of <see cref="FloatX"/>;
    /// setting null returns to that. Layers already made keep theirs, and one layer can differ
    /// (<see cref="Layer.Dtype"/>).
    /// </summary>
    [AllowNull]
    public static DTypePolicy DTypePolicy
    {
        get => _policy ?? DTypePolicy.Of(_floatX);
        set => _policy = value;
    }

    /// <summary>Sets <see cref="DTypePolicy"/> (Keras' <c>keras.config.set_dtype_policy</c>); a name converts.</summary>
    public static void SetDTypePolicy(DTypePolicy? policy) => DTypePolicy = policy;

    /// <summary><see cref="FloatX"/> as a <see cref="DType"/>.</summary>
    public static DType FloatXType => _floatX;

    internal static DType ParseFloat(string? value, string what) => value?.ToLowerInvariant() switch
    {
        "float32" => DType.Float32,
        "float64" => DType.Float64,
        _ => throw new ArgumentException($"{what}: \"{value}\" is not a float type layers keep weights in here; use \"float32\" (Keras' default) or \"float64\".", nameof(value)),
    };
}
