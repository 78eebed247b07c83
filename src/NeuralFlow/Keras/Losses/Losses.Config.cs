using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Losses
{
    /// <summary>
    /// Rebuilds a loss from its Keras name (or class name, as Keras' <c>{"class_name": ..., "config": ...}</c>
    /// identifiers give it) and <see cref="Loss.GetConfig"/> (as a model file holds it); missing
    /// entries take Keras' defaults.
    /// </summary>
    public static Loss FromConfig(string name, JsonObject config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (Scoped(name, config) is { } custom) return custom;
        string reduction = config["reduction"]?.GetValue<string>() ?? SumOverBatchSize;
        bool logits = config["from_logits"]?.GetValue<bool>() ?? false;
        double D(string key, double fallback) => config[key]?.GetValue<double>() ?? fallback;
        return NameKey(name) switch
        {
            "mean_squared_error" => new MeanSquaredError(reduction),
            "mean_absolute_error" => new MeanAbsoluteError(reduction),
            "mean_absolute_percentage_error" => new MeanAbsolutePercentageError(reduction),
            "mean_squared_logarithmic_error" => new MeanSquaredLogarithmicError(reduction),
            "binary_crossentropy" => new BinaryCrossentropy(logits, D("label_smoothing", 0), reduction),
            "binary_focal_crossentropy" => new BinaryFocalCrossentropy(config["apply_class_balancing"]?.GetValue<bool>() ?? false,
                D("alpha", 0.25), D("gamma", 2.0), logits, D("label_smoothing", 0), reduction),
            "categorical_crossentropy" => new CategoricalCrossentropy(logits, D("label_smoothing", 0), reduction),
            "sparse_categorical_crossentropy" => new SparseCategoricalCrossentropy(logits, config["ignore_class"]?.GetValue<int>(), reduction),
            "huber_loss" or "huber" => new Huber(D("delta", 1.0), reduction),
            "log_cosh" => new LogCosh(reduction),
            "kl_divergence" => new KLDivergence(reduction),
            "poisson" => new Poisson(reduction),
            "cosine_similarity" => new CosineSimilarity(config["axis"]?.GetValue<int>() ?? -1, reduction),
            "hinge" => new Hinge(reduction),
            "squared_hinge" => new SquaredHinge(reduction),
            "categorical_hinge" => new CategoricalHinge(reduction),
            "categorical_focal_crossentropy" => config["alpha"] is JsonArray perClass
                ? new CategoricalFocalCrossentropy(perClass.Select(a => a!.GetValue<double>()).ToArray(), D("gamma", 2.0), logits,
                    D("label_smoothing", 0), config["axis"]?.GetValue<int>() ?? -1, reduction)
                : new CategoricalFocalCrossentropy(D("alpha", 0.25), D("gamma", 2.0), logits, D("label_smoothing", 0), config["axis"]?.GetValue<int>() ?? -1, reduction),
            "dice" => new Dice(reduction, Axes(config["axis"])),
            "tversky" => new Tversky(D("alpha", 0.5), D("beta", 0.5), reduction, Axes(config["axis"])),
            "ctc" => new CTC(reduction),
            _ => Get(name), // an alias ("mse") from an older file
        };
    }

    // The loss the open custom-object scopes give this name (Keras' custom_objects): a class's factory, or a function of (y_true, y_pred).
    private static Loss? Scoped(string name, JsonObject config) =>
        KerasSerialization.Scoped<Func<JsonObject, Loss>>(name) is { } factory ? factory(config)
        : KerasSerialization.Scoped<Func<Tensor, Tensor, Tensor>>(name) is { } function ? new LossFunctionWrapper(function, name, config["reduction"]?.GetValue<string>() ?? SumOverBatchSize)
        : null;

    // Keras' axis for Dice and Tversky: null (every axis), one int, or a list of them.
    private static int[]? Axes(JsonNode? axis) => axis switch
    {
        null => null,
        JsonArray list => list.Select(a => a!.GetValue<int>()).ToArray(),
        _ => [axis.GetValue<int>()],
    };
}
