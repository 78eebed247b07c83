namespace NeuralFlow.Keras;

/// <summary>
/// How a weight starts (<c>tf.keras.initializers</c>). Strings convert: "glorot_uniform"
/// (Keras' default for kernels), "glorot_normal", "he_uniform", "he_normal" (both normals truncated
/// at two standard deviations, as Keras'), "random_normal", "truncated_normal", "random_uniform"
/// (or "uniform"), "orthogonal" (Keras' default for recurrent kernels), "zeros", "ones".
/// </summary>
public sealed partial class Initializer
{
    private readonly Func<Shape, int, int, Tensor> _create;

    /// <summary>An initializer from a function of (shape, fanIn, fanOut).</summary>
    public Initializer(string name, Func<Shape, int, int, Tensor> create)
    {
        Name = name;
        _create = create;
    }

    /// <summary>The Keras name.</summary>
    public string Name { get; }

    /// <summary>A new float32 tensor of <paramref name="shape"/>.</summary>
    public Tensor Create(Shape shape, int fanIn, int fanOut) => _create(shape, fanIn, fanOut);

    /// <summary>Looks up an initializer by its Keras name.</summary>
    public static implicit operator Initializer(string name) => Get(name);

    /// <summary>Looks up an initializer by its Keras name.</summary>
    public static Initializer Get(string name) => name.ToLowerInvariant() switch
    {
        "glorot_uniform" => GlorotUniform,
        // Keras' VarianceScaling "truncated_normal": a normal cut at two standard deviations, its
        // stddev divided by 0.8796 (the cut normal's own stddev) so the values keep variance scale / n.
        "glorot_normal" => new(name, (s, i, o) => NF.Random.TruncatedNormal(s, 0, Math.Sqrt(2.0 / (i + o)) / TruncatedStddev)),
        "he_uniform" => new(name, (s, i, o) => NF.Random.Uniform(s, -Math.Sqrt(6.0 / i), Math.Sqrt(6.0 / i))),
        "he_normal" => new(name, (s, i, o) => NF.Random.TruncatedNormal(s, 0, Math.Sqrt(2.0 / i) / TruncatedStddev)),
        "random_normal" => new(name, (s, i, o) => NF.Random.Normal(s, 0, 0.05)),
        "truncated_normal" => new(name, (s, i, o) => NF.Random.TruncatedNormal(s, 0, 0.05)),
        // "uniform" is Keras' older name of the same RandomUniform(-0.05, 0.05), Embedding's default.
        "random_uniform" or "uniform" => new(name, (s, i, o) => NF.Random.Uniform(s, -0.05, 0.05)),
        "orthogonal" => Orthogonal,
        "zeros" => Zeros,
        "ones" => new(name, (s, i, o) => NF.Ones(s)),
        _ => throw new ArgumentException($"Unknown initializer '{name}'; use glorot_uniform, glorot_normal, he_uniform, he_normal, random_normal, truncated_normal, random_uniform, orthogonal, zeros or ones.", nameof(name)),
    };

    // The standard deviation of a standard normal truncated to [-2, 2] (Keras' constant).
    private const double TruncatedStddev = 0.87962566103423978;

    /// <summary>Uniform in ±sqrt(6 / (fanIn + fanOut)).</summary>
    public static Initializer GlorotUniform { get; } = new("glorot_uniform", (s, i, o) =>
    {
        double limit = Math.Sqrt(6.0 / Math.Max(1, i + o));
        return NF.Random.Uniform(s, -limit, limit);
    });

    /// <summary>All zeros.</summary>
    public static Initializer Zeros { get; } = new("zeros", (s, i, o) => NF.Zeros(s));
}
