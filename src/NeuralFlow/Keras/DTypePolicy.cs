using System.Diagnostics.CodeAnalysis;

namespace NeuralFlow.Keras;

/// <summary>
/// A layer's dtype policy (Keras' <c>keras.DTypePolicy</c>): the float type its weights are kept in
/// (<see cref="VariableDType"/>) and the one it computes in (<see cref="ComputeDType"/>).
/// "float32", "float64" and "float16" keep and compute in that type; "mixed_float16" keeps float32
/// weights and computes in float16 (Keras' mixed precision: floating inputs are cast to float16 at the
/// layer's call and the weights are read as float16 there, while gradients and optimizer steps update
/// the float32 weights). A name converts implicitly, so a layer takes <c>Dtype = "mixed_float16"</c>
/// as Keras' <c>dtype="mixed_float16"</c>.
/// </summary>
public sealed class DTypePolicy : IEquatable<DTypePolicy>
{
    /// <summary>The policy named <paramref name="name"/>: "float32", "float64", "float16" or "mixed_float16".</summary>
    /// <exception cref="NotSupportedException">"bfloat16" or "mixed_bfloat16": NeuralFlow has no bfloat16 type.</exception>
    /// <exception cref="ArgumentException">Any other name.</exception>
    public DTypePolicy(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        (ComputeDType, VariableDType) = name switch
        {
            "float32" => (DType.Float32, DType.Float32),
            "float64" => (DType.Float64, DType.Float64),
            "float16" => (DType.Float16, DType.Float16),
            "mixed_float16" => (DType.Float16, DType.Float32),
            "bfloat16" or "mixed_bfloat16" => throw new NotSupportedException(
                $"DTypePolicy: \"{name}\" needs bfloat16, which NeuralFlow has no dtype for; use \"mixed_float16\" (float16 compute, float32 weights) or \"float32\"."),
            _ => throw new ArgumentException(
                $"DTypePolicy: \"{name}\" is not a dtype policy; use \"float32\", \"float64\", \"float16\" or \"mixed_float16\" (Keras' names).", nameof(name)),
        };
        Name = name;
    }

    /// <summary>The plain policy of <paramref name="dtype"/> (its name is the dtype's): weights and computation in it.</summary>
    public static DTypePolicy Of(DType dtype) => dtype.IsFloating()
        ? new DTypePolicy(dtype.Name())
        : throw new ArgumentException($"DTypePolicy: a layer's dtype must be float16, float32 or float64, got {dtype.Name()}.", nameof(dtype));

    /// <summary>The policy's name, as Keras writes it in a layer's config.</summary>
    public string Name { get; }

    /// <summary>The type the layer computes in and gives its outputs in (Keras' <c>compute_dtype</c>).</summary>
    public DType ComputeDType { get; }

    /// <summary>The type the layer keeps its weights in (Keras' <c>variable_dtype</c>).</summary>
    public DType VariableDType { get; }

    /// <summary>Whether computation and weights differ (a "mixed_" policy).</summary>
    public bool IsMixed => ComputeDType != VariableDType;

    /// <summary>The policy named <paramref name="name"/> (see the constructor); null stays null.</summary>
    [return: NotNullIfNotNull(nameof(name))]
    public static implicit operator DTypePolicy?(string? name) => name is null ? null : new DTypePolicy(name);

    /// <inheritdoc/>
    public bool Equals(DTypePolicy? other) => other is not null && other.Name == Name;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as DTypePolicy);

    /// <inheritdoc/>
    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);

    /// <summary>Keras' rendering: <c>&lt;DTypePolicy "mixed_float16"&gt;</c>.</summary>
    public override string ToString() => $"<DTypePolicy \"{Name}\">";
}
