using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

/// <summary>
/// Projections applied to a weight after each optimizer step (<c>keras.constraints</c>): set a
/// layer's <c>KernelConstraint</c> or <c>BiasConstraint</c>
/// (<c>new Layers.Dense(64, kernelConstraint: new Constraints.MaxNorm(3))</c>, or <c>"max_norm"</c>),
/// or <see cref="Variable.Constraint"/> on a variable of your own. As in Keras 3, the optimizer
/// replaces each variable it updated by <c>constraint(variable)</c> after the step (and after the
/// moving average of <c>useEma</c>). Keras 3's formulas, with its epsilon 1e-7.
/// </summary>
public static class Constraints
{
    // keras.config.epsilon(): keeps the norm-based constraints finite on an all-zero column.
    private const double Epsilon = 1e-7;

    /// <summary>A projection of a weight tensor (<c>keras.constraints.Constraint</c>).</summary>
    public abstract class Constraint
    {
        /// <summary>The projected weight, same shape and dtype as <paramref name="w"/>.</summary>
        public abstract Tensor Call(Tensor w);

        /// <summary>The Keras class name and arguments (<c>get_config</c>), as a model file holds them.</summary>
        public abstract JsonObject GetConfig();

        /// <summary>A constraint by Keras name ("max_norm", "non_neg", "unit_norm", "min_max_norm"), with Keras' defaults.</summary>
        /// <remarks>A null string stays null: Keras' None, no constraint.</remarks>
        [return: NotNullIfNotNull(nameof(name))]
        public static implicit operator Constraint?(string? name) => name is null ? null : Get(name);
    }

    /// <summary>
    /// Each slice along <see cref="Axis"/> (for a Dense kernel [inputs, units], axis 0: each unit's
    /// incoming weights) scaled down to L2 norm at most <see cref="MaxValue"/>
    /// (<c>keras.constraints.MaxNorm</c>): w * clip(norm, 0, max) / (epsilon + norm).
    /// </summary>
    public sealed class MaxNorm : Constraint
    {
        /// <summary>Keras' MaxNorm(max_value, axis): default 2 along axis 0.</summary>
        public MaxNorm(double maxValue = 2, int axis = 0) : this(maxValue, [axis]) { }

        /// <summary>MaxNorm over several axes (a Conv2D kernel [h, w, in, out]: axes 0, 1, 2).</summary>
        public MaxNorm(double maxValue, int[] axis)
        {
            MaxValue = NonNegative(maxValue, nameof(maxValue), nameof(MaxNorm));
            Axis = Axes(axis, nameof(MaxNorm));
        }

        /// <summary>The largest norm a slice keeps.</summary>
        public double MaxValue { get; }

        /// <summary>The axes the norm is taken over.</summary>
        public IReadOnlyList<int> Axis { get; }

        /// <inheritdoc/>
        public override Tensor Call(Tensor w) => Rescaled(w, Axis, norms => NF.Clip(norms, 0, MaxValue));

        /// <inheritdoc/>
        public override JsonObject GetConfig() => Entry("MaxNorm", new JsonObject { ["max_value"] = MaxValue, ["axis"] = AxisConfig(Axis) });
    }

    /// <summary>Negative weights set to zero (<c>keras.constraints.NonNeg</c>): w * (w &gt;= 0).</summary>
    public sealed class NonNeg : Constraint
    {
        /// <inheritdoc/>
        public override Tensor Call(Tensor w)
        {
            ArgumentNullException.ThrowIfNull(w);
            // Keras' w * cast(w >= 0): a NaN weight stays NaN (as does -inf, inf * 0), so a diverged
            // model shows rather than being zeroed quietly.
            using var zero = NF.ZerosLike(w);
            using var keep = NF.Cast(NF.GreaterEqual(w, zero), w.DType);
            return w * keep;
        }

        /// <inheritdoc/>
        public override JsonObject GetConfig() => Entry("NonNeg", new JsonObject());
    }

    /// <summary>Each slice along <see cref="Axis"/> scaled to unit L2 norm (<c>keras.constraints.UnitNorm</c>): w / (epsilon + norm).</summary>
    public sealed class UnitNorm : Constraint
    {
        /// <summary>Keras' UnitNorm(axis): default axis 0.</summary>
        public UnitNorm(int axis = 0) : this([axis]) { }

        /// <summary>UnitNorm over several axes.</summary>
        public UnitNorm(int[] axis) => Axis = Axes(axis, nameof(UnitNorm));

        /// <summary>The axes the norm is taken over.</summary>
        public IReadOnlyList<int> Axis { get; }

        /// <inheritdoc/>
        public override Tensor Call(Tensor w) => Rescaled(w, Axis, norms => NF.OnesLike(norms));

        /// <inheritdoc/>
        public override JsonObject GetConfig() => Entry("UnitNorm", new JsonObject { ["axis"] = AxisConfig(Axis) });
    }

    /// <summary>
    /// Each slice's L2 norm moved into [<see cref="MinValue"/>, <see cref="MaxValue"/>]
    /// (<c>keras.constraints.MinMaxNorm</c>), by the fraction <see cref="Rate"/> of the way:
    /// w * (rate * clip(norm, min, max) + (1 - rate) * norm) / (epsilon + norm).
    /// </summary>
    public sealed class MinMaxNorm : Constraint
    {
        /// <summary>Keras' MinMaxNorm(min_value=0, max_value=1, rate=1, axis=0).</summary>
        public MinMaxNorm(double minValue = 0, double maxValue = 1, double rate = 1, int axis = 0) : this(minValue, maxValue, rate, [axis]) { }

        /// <summary>MinMaxNorm over several axes.</summary>
        public MinMaxNorm(double minValue, double maxValue, double rate, int[] axis)
        {
            MinValue = NonNegative(minValue, nameof(minValue), nameof(MinMaxNorm));
            MaxValue = NonNegative(maxValue, nameof(maxValue), nameof(MinMaxNorm));
            if (MaxValue < MinValue)
                throw new ArgumentOutOfRangeException(nameof(maxValue), maxValue, $"MinMaxNorm: maxValue ({Format(maxValue)}) must be at least minValue ({Format(minValue)}).");
            Rate = double.IsFinite(rate) && rate is >= 0 and <= 1 ? rate
                : throw new ArgumentOutOfRangeException(nameof(rate), rate, $"MinMaxNorm: rate must be in [0, 1], got {Format(rate)}.");
            Axis = Axes(axis, nameof(MinMaxNorm));
        }

        /// <summary>The smallest norm a slice is moved to.</summary>
        public double MinValue { get; }

        /// <summary>The largest norm a slice is moved to.</summary>
        public double MaxValue { get; }

        /// <summary>How far each step moves a norm into the range: 1 all the way, 0 not at all.</summary>
        public double Rate { get; }

        /// <summary>The axes the norm is taken over.</summary>
        public IReadOnlyList<int> Axis { get; }

        /// <inheritdoc/>
        public override Tensor Call(Tensor w) =>
            Rescaled(w, Axis, norms => NF.Clip(norms, MinValue, MaxValue) * Rate + norms * (1 - Rate));

        /// <inheritdoc/>
        public override JsonObject GetConfig() => Entry("MinMaxNorm", new JsonObject
        {
            ["min_value"] = MinValue, ["max_value"] = MaxValue, ["rate"] = Rate, ["axis"] = AxisConfig(Axis),
        });
    }

    /// <summary>A constraint by Keras name (snake case or class name), with Keras' defaults.</summary>
    public static Constraint Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name switch
        {
            "max_norm" or "MaxNorm" => new MaxNorm(),
            "non_neg" or "NonNeg" => new NonNeg(),
            "unit_norm" or "UnitNorm" => new UnitNorm(),
            "min_max_norm" or "MinMaxNorm" => new MinMaxNorm(),
            _ => throw new ArgumentException($"Unknown constraint '{name}'; use max_norm, non_neg, unit_norm or min_max_norm.", nameof(name)),
        };
    }

    /// <summary>
    /// The constraint a config entry of <see cref="Constraint.GetConfig"/> (or Keras, or a Keras
    /// name) describes (<c>keras.constraints.deserialize</c>), as a custom layer's factory reads its
    /// own back; null for JSON null.
    /// </summary>
    public static Constraint? FromConfig(JsonNode? node)
    {
        if (node is null) return null;
        if (node is JsonValue v)
        {
            var name = ClassEntry.Text(v, "constraint");
            return KerasSerialization.Scoped<Func<JsonObject, Constraint>>(name) is { } named ? named([]) : Get(name);
        }
        var e = ClassEntry.Of(node);
        if (e.ClassName is { } className && KerasSerialization.Scoped<Func<JsonObject, Constraint>>(className) is { } custom) return custom(e.Config);
        int[] axis = e.Config["axis"] switch
        {
            null => [0],
            JsonArray a => a.Select(x => ClassEntry.Integer(x, "axis")).ToArray(),
            var one => [ClassEntry.Integer(one, "axis")],
        };
        return e.ClassName switch
        {
            "MaxNorm" => new MaxNorm(e.Number("max_value", 2), axis),
            "NonNeg" => new NonNeg(),
            "UnitNorm" => new UnitNorm(axis),
            "MinMaxNorm" => new MinMaxNorm(e.Number("min_value", 0), e.Number("max_value", 1), e.Number("rate", 1), axis),
            var other => throw new FormatException($"unknown constraint '{other}'"),
        };
    }

    // w * desired(norms) / (epsilon + norms), the norms taken over the axes and kept for broadcasting.
    private static Tensor Rescaled(Tensor w, IReadOnlyList<int> axis, Func<Tensor, Tensor> desired)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (!w.DType.IsFloating()) throw new ArgumentException($"Constraints: weights must be floating point, got {w.DType.Name()}.", nameof(w));
        foreach (var a in axis)
            if (a < -w.Shape.Rank || a >= w.Shape.Rank)
                throw new ArgumentException($"Constraints: axis {a} is out of range for a weight of shape {w.Shape}.", nameof(w));
        using var scope = TensorScope.Begin();
        var norms = NF.Sqrt(NF.ReduceSum(NF.Square(w), axis.ToArray(), keepDims: true));
        return scope.Keep(w * (desired(norms) / (norms + Epsilon)));
    }

    private static IReadOnlyList<int> Axes(int[] axis, string who)
    {
        ArgumentNullException.ThrowIfNull(axis);
        if (axis.Length == 0) throw new ArgumentException($"{who}: axis must name at least one axis.", nameof(axis));
        return axis.ToArray();
    }

    // Keras writes a single axis as a number, several as a list.
    private static JsonNode AxisConfig(IReadOnlyList<int> axis) =>
        axis.Count == 1 ? JsonValue.Create(axis[0]) : new JsonArray(axis.Select(a => (JsonNode)JsonValue.Create(a)).ToArray());

    private static double NonNegative(double value, string name, string who) =>
        double.IsFinite(value) && value >= 0 ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{who}: {name} must be a finite number >= 0, got {Format(value)}.");

    private static string Format(double v) => v.ToString(CultureInfo.InvariantCulture);

    private static JsonObject Entry(string className, JsonObject config) => ClassEntry.Write(className, config);
}
