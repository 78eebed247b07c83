using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

/// <summary>
/// How a weight starts (<c>keras.initializers</c>). Strings convert, by Keras 3's names (with
/// their default arguments): "zeros", "ones", "constant" (0), "random_normal", "random_uniform"
/// (or "uniform"), "truncated_normal", "glorot_uniform" (Keras' default for kernels),
/// "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal", "orthogonal"
/// (Keras' default for recurrent kernels), "identity", "variance_scaling"; the factories
/// (<see cref="Constant(double)"/>, <see cref="RandomNormal"/>, <see cref="VarianceScaling(double, string, string)"/>, ...) take
/// Keras' arguments, which a model file keeps. Keras' per-initializer seeds are not taken: the
/// values come from NF.Random.
/// </summary>
public sealed partial class Initializer
{
    private readonly Func<Shape, int, int, Tensor> _create;

    /// <summary>An initializer from a function of (shape, fanIn, fanOut).</summary>
    public Initializer(string name, Func<Shape, int, int, Tensor> create) : this(name, create, null) { }

    private Initializer(string name, Func<Shape, int, int, Tensor> create, JsonObject? arguments)
    {
        Name = name;
        _create = create;
        Arguments = arguments;
    }

    /// <summary>The Keras name.</summary>
    public string Name { get; }

    /// <summary>Keras' config of a factory-made initializer (its arguments), or null for one named with its defaults.</summary>
    private JsonObject? Arguments { get; }

    /// <summary>A new float32 tensor of <paramref name="shape"/>.</summary>
    public Tensor Create(Shape shape, int fanIn, int fanOut) => _create(shape, fanIn, fanOut);

    /// <summary>Looks up an initializer by its Keras name; null stays null (the layer's default, as Keras' None).</summary>
    [return: NotNullIfNotNull(nameof(name))]
    public static implicit operator Initializer?(string? name) => name is null ? null : Get(name);

    /// <summary>Looks up an initializer by its Keras name (snake_case, or Keras' class name such as "GlorotUniform").</summary>
    public static Initializer Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = ClassNames.TryGetValue(name, out var snake) ? snake : name.ToLowerInvariant();
        return key switch
        {
            "glorot_uniform" => GlorotUniform,
            "glorot_normal" => VarianceScaling(1, "fan_avg", "truncated_normal", key),
            "he_uniform" => VarianceScaling(2, "fan_in", "uniform", key),
            "he_normal" => VarianceScaling(2, "fan_in", "truncated_normal", key),
            "lecun_uniform" => VarianceScaling(1, "fan_in", "uniform", key),
            "lecun_normal" => VarianceScaling(1, "fan_in", "truncated_normal", key),
            "variance_scaling" => VarianceScaling(1, "fan_in", "truncated_normal", key),
            "random_normal" => new(key, (s, _, _) => NF.Random.Normal(s, 0, 0.05)),
            "truncated_normal" => new(key, (s, _, _) => NF.Random.TruncatedNormal(s, 0, 0.05)),
            // "uniform" is Keras' older name of the same RandomUniform(-0.05, 0.05), Embedding's default.
            "random_uniform" or "uniform" => new(key, (s, _, _) => NF.Random.Uniform(s, -0.05, 0.05)),
            "orthogonal" => Orthogonal,
            "identity" => Identity(1, key),
            "zeros" => Zeros,
            "ones" => new(key, (s, _, _) => NF.Ones(s)),
            "constant" => Constant(0, key),
            _ => throw new ArgumentException(
                $"Unknown initializer '{name}'; use zeros, ones, constant, random_normal, random_uniform, truncated_normal, glorot_uniform, glorot_normal, " +
                "he_uniform, he_normal, lecun_uniform, lecun_normal, orthogonal, identity or variance_scaling.", nameof(name)),
        };
    }

    /// <summary>Every value <paramref name="value"/> (<c>keras.initializers.Constant</c>).</summary>
    public static Initializer Constant(double value) => Constant(value, null);

    private static Initializer Constant(double value, string? name) =>
        double.IsFinite(value)
            ? new("constant", (s, _, _) => NF.Fill(s, value, DType.Float32), name is null ? new() { ["value"] = value } : null)
            : throw new ArgumentOutOfRangeException(nameof(value), value, "Initializer.Constant: value must be finite.");

    /// <summary>Normal values of <paramref name="mean"/> and <paramref name="stddev"/> (<c>keras.initializers.RandomNormal</c>, defaults 0, 0.05).</summary>
    public static Initializer RandomNormal(double mean = 0, double stddev = 0.05) =>
        new("random_normal", (s, _, _) => NF.Random.Normal(s, mean, Spread(stddev, nameof(stddev))), new() { ["mean"] = mean, ["stddev"] = stddev });

    /// <summary>Normal values more than two standard deviations from the mean drawn again (<c>keras.initializers.TruncatedNormal</c>).</summary>
    public static Initializer TruncatedNormal(double mean = 0, double stddev = 0.05) =>
        new("truncated_normal", (s, _, _) => NF.Random.TruncatedNormal(s, mean, Spread(stddev, nameof(stddev))), new() { ["mean"] = mean, ["stddev"] = stddev });

    /// <summary>Uniform values in [minval, maxval) (<c>keras.initializers.RandomUniform</c>, defaults -0.05, 0.05).</summary>
    public static Initializer RandomUniform(double minval = -0.05, double maxval = 0.05) =>
        maxval > minval && double.IsFinite(minval) && double.IsFinite(maxval)
            ? new("random_uniform", (s, _, _) => NF.Random.Uniform(s, minval, maxval), new() { ["minval"] = minval, ["maxval"] = maxval })
            : throw new ArgumentException($"Initializer.RandomUniform: maxval ({maxval}) must be finite and greater than minval ({minval}).", nameof(maxval));

    private static double Spread(double stddev, string name) => stddev >= 0 && double.IsFinite(stddev) ? stddev
        : throw new ArgumentOutOfRangeException(name, stddev, "Initializer: stddev must be finite and >= 0.");

    /// <summary>
    /// Keras' <c>VarianceScaling</c>: values of variance <paramref name="scale"/> / n, n the fan in,
    /// the fan out or their mean (<paramref name="mode"/> "fan_in", "fan_out", "fan_avg"), drawn
    /// "truncated_normal" (cut at two standard deviations, its stddev divided by 0.8796 so the
    /// variance stays scale / n), "untruncated_normal" or "uniform" (in ±sqrt(3 scale / n)).
    /// Glorot, He and LeCun are its special cases.
    /// </summary>
    public static Initializer VarianceScaling(double scale = 1, string mode = "fan_in", string distribution = "truncated_normal") =>
        VarianceScaling(scale, mode, distribution, null);

    private static Initializer VarianceScaling(double scale, string mode, string distribution, string? name)
    {
        if (!(scale > 0) || !double.IsFinite(scale))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "Initializer.VarianceScaling: scale must be positive and finite.");
        mode = mode?.ToLowerInvariant() switch
        {
            "fan_in" or "fan_out" or "fan_avg" => mode.ToLowerInvariant(),
            _ => throw new ArgumentException($"Initializer.VarianceScaling: mode must be fan_in, fan_out or fan_avg, got '{mode}'.", nameof(mode)),
        };
        distribution = distribution?.ToLowerInvariant() switch
        {
            "truncated_normal" or "normal" => "truncated_normal",   // Keras 3 reads "normal" as truncated_normal
            "untruncated_normal" or "uniform" => distribution.ToLowerInvariant(),
            _ => throw new ArgumentException($"Initializer.VarianceScaling: distribution must be truncated_normal, untruncated_normal or uniform, got '{distribution}'.", nameof(distribution)),
        };
        string dist = distribution;
        return new(name ?? "variance_scaling", (s, fanIn, fanOut) =>
        {
            double n = Math.Max(1.0, mode switch { "fan_in" => fanIn, "fan_out" => fanOut, _ => (fanIn + fanOut) / 2.0 });
            double variance = scale / n;
            return dist switch
            {
                "truncated_normal" => NF.Random.TruncatedNormal(s, 0, Math.Sqrt(variance) / TruncatedStddev),
                "untruncated_normal" => NF.Random.Normal(s, 0, Math.Sqrt(variance)),
                _ => NF.Random.Uniform(s, -Math.Sqrt(3 * variance), Math.Sqrt(3 * variance)),
            };
        }, name is null ? new() { ["scale"] = scale, ["mode"] = mode, ["distribution"] = distribution } : null);
    }

    /// <summary><paramref name="gain"/> times the identity matrix (<c>keras.initializers.Identity</c>); 2-D weights only, as Keras'.</summary>
    public static Initializer Identity(double gain = 1) => Identity(gain, null);

    private static Initializer Identity(double gain, string? name) => new("identity", (s, _, _) =>
    {
        if (s.Rank != 2)
            throw new ArgumentException($"The identity initializer needs a 2-D weight, got shape {s}.", "shape");
        var values = new float[s.Count];
        for (int i = 0; i < Math.Min(s[0], s[1]); i++) values[i * s[1] + i] = (float)gain;
        return NF.Constant(values, s);
    }, name is null ? new() { ["gain"] = gain } : null);

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
