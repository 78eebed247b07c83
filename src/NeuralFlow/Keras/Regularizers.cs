using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

/// <summary>
/// Weight and activity penalties (<c>tf.keras.regularizers</c>), added to the loss that <c>Fit</c>
/// minimizes and <c>Evaluate</c> reports (<see cref="Layer.Losses"/>): set a layer's
/// <c>KernelRegularizer</c>, <c>BiasRegularizer</c> or <see cref="Layer.ActivityRegularizer"/>
/// (<c>new Layers.Dense(64, kernelRegularizer: new Regularizers.L2(1e-4))</c>, or <c>"l2"</c>).
/// Keras 3's formulas: L1 = l1 * sum(|w|), L2 = l2 * sum(w^2) (no 1/2), activity penalties not
/// divided by the batch size (TensorFlow 2's Keras divided them).
/// </summary>
public static class Regularizers
{
    /// <summary>A penalty on a tensor (<c>keras.regularizers.Regularizer</c>).</summary>
    public abstract class Regularizer
    {
        /// <summary>The penalty of <paramref name="x"/>, a scalar of its dtype.</summary>
        public abstract Tensor Call(Tensor x);

        /// <summary>The Keras class name and arguments (<c>get_config</c>), as a model file holds them.</summary>
        public abstract JsonObject GetConfig();

        /// <summary>A regularizer by Keras name ("l1", "l2", "l1_l2", "l1l2"), with Keras' default factors.</summary>
        /// <remarks>A null string stays null: Keras' None, no penalty.</remarks>
        [return: NotNullIfNotNull(nameof(name))]
        public static implicit operator Regularizer?(string? name) => name is null ? null : Get(name);
    }

    /// <summary>l1 * sum(|x|) (Keras' default l1 = 0.01).</summary>
    public sealed class L1(double l1 = 0.01) : Regularizer
    {
        /// <summary>The factor.</summary>
        public double Factor { get; } = Check(l1, nameof(l1));
        /// <inheritdoc/>
        public override Tensor Call(Tensor x) => NF.ReduceSum(NF.Abs(x)) * Factor;
        /// <inheritdoc/>
        public override JsonObject GetConfig() => Entry("L1", new JsonObject { ["l1"] = Factor });
    }

    /// <summary>l2 * sum(x^2) (Keras' default l2 = 0.01).</summary>
    public sealed class L2(double l2 = 0.01) : Regularizer
    {
        /// <summary>The factor.</summary>
        public double Factor { get; } = Check(l2, nameof(l2));
        /// <inheritdoc/>
        public override Tensor Call(Tensor x) => NF.ReduceSum(NF.Square(x)) * Factor;
        /// <inheritdoc/>
        public override JsonObject GetConfig() => Entry("L2", new JsonObject { ["l2"] = Factor });
    }

    /// <summary>l1 * sum(|x|) + l2 * sum(x^2) (Keras' defaults: both 0).</summary>
    public sealed class L1L2(double l1 = 0, double l2 = 0) : Regularizer
    {
        /// <summary>The L1 factor.</summary>
        public double L1Factor { get; } = Check(l1, nameof(l1));
        /// <summary>The L2 factor.</summary>
        public double L2Factor { get; } = Check(l2, nameof(l2));
        /// <inheritdoc/>
        public override Tensor Call(Tensor x) => NF.ReduceSum(NF.Abs(x)) * L1Factor + NF.ReduceSum(NF.Square(x)) * L2Factor;
        /// <inheritdoc/>
        public override JsonObject GetConfig() => Entry("L1L2", new JsonObject { ["l1"] = L1Factor, ["l2"] = L2Factor });
    }

    /// <summary>A regularizer by Keras name, with Keras' default factors.</summary>
    public static Regularizer Get(string name) => name.ToLowerInvariant() switch
    {
        "l1" => new L1(),
        "l2" => new L2(),
        "l1_l2" or "l1l2" => new L1L2(0.01, 0.01),   // keras.regularizers.get("l1_l2") is L1L2(l1=0.01, l2=0.01)
        _ => throw new ArgumentException($"Unknown regularizer '{name}'; use l1, l2 or l1_l2.", nameof(name)),
    };

    /// <summary>
    /// The regularizer a config entry of <see cref="Regularizer.GetConfig"/> (or a Keras name)
    /// describes (<c>keras.regularizers.deserialize</c>), as a custom layer's factory reads its own
    /// back; null for JSON null.
    /// </summary>
    public static Regularizer? FromConfig(JsonNode? node)
    {
        if (node is null) return null;
        if (node is JsonValue v)
        {
            var name = ClassEntry.Text(v, "regularizer");
            return KerasSerialization.Scoped<Func<JsonObject, Regularizer>>(name) is { } named ? named([]) : Get(name);
        }
        var e = ClassEntry.Of(node);
        if (e.ClassName is { } className && KerasSerialization.Scoped<Func<JsonObject, Regularizer>>(className) is { } custom) return custom(e.Config);
        return e.ClassName switch
        {
            "L1" => new L1(e.Number("l1", 0.01)),
            "L2" => new L2(e.Number("l2", 0.01)),
            "L1L2" => new L1L2(e.Number("l1", 0), e.Number("l2", 0)),
            var other => throw new FormatException($"unknown regularizer '{other}'"),
        };
    }

    private static JsonObject Entry(string className, JsonObject config) => ClassEntry.Write(className, config);

    private static double Check(double factor, string name) =>
        double.IsFinite(factor) && factor >= 0 ? factor
            : throw new ArgumentOutOfRangeException(name, factor, $"Regularizers: {name} must be a finite number >= 0, got {factor.ToString(CultureInfo.InvariantCulture)}.");
}
