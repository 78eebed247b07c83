using System.Text.Json.Nodes;

namespace NeuralFlow.Keras.Saving;

/// <summary>
/// The compile_config of a Keras 3 <c>.keras</c> archive (keras/src/trainers/trainer.py: the
/// arguments of <c>compile</c>, each through serialization_lib.serialize_keras_object) as
/// NeuralFlow's optimizer, losses and metrics. A string stays the name it was compiled with
/// (<c>"adam"</c>, <c>"sparse_categorical_crossentropy"</c>, <c>"accuracy"</c>); an object is
/// <c>{"module", "class_name", "config"}</c>; a Python function is
/// <c>{"class_name": "function", "config": name}</c>; a loss or metrics given per output is a
/// list in output order or a dictionary by output name.
/// </summary>
internal static class Keras3CompileConfig
{
    /// <summary>
    /// The compile_config Keras 3 writes for what <c>Compile</c> was given, from NeuralFlow's own
    /// (<see cref="CompileConfig.Serialize"/>, Keras' argument names): the optimizer, each loss and
    /// each metric object in Keras 3's envelope (<c>module</c>, Keras' class name, <c>registered_name</c>),
    /// the model's steps_per_execution, and compile's other arguments at their defaults.
    /// </summary>
    public static JsonObject Serialize(JsonObject nf, IReadOnlyList<Losses.Loss?> losses)
    {
        var optimizer = OptimizerObject((JsonObject)nf["optimizer"]!);
        JsonNode? Loss(Losses.Loss? loss, JsonNode? entry) => loss switch
        {
            null => null,
            // A function of your own as Keras serializes a Python function: by its name.
            Keras.Losses.LossFunctionWrapper => new JsonObject { ["module"] = "builtins", ["class_name"] = "function", ["config"] = loss.Name, ["registered_name"] = "function" },
            // A class of your own under its module and class name, as Keras writes a custom class.
            _ when loss.GetType().DeclaringType != typeof(Keras.Losses) => new JsonObject
            {
                ["module"] = loss.GetType().Namespace, ["class_name"] = loss.GetType().Name,
                ["config"] = LossConfig(loss, entry?["config"] as JsonObject), ["registered_name"] = loss.GetType().Name,
            },
            _ => new JsonObject
            {
                ["module"] = "keras.losses", ["class_name"] = loss.GetType().Name,
                ["config"] = LossConfig(loss, entry?["config"] as JsonObject), ["registered_name"] = null,
            },
        };
        return new JsonObject
        {
            ["optimizer"] = optimizer,
            ["loss"] = losses.Count == 1 ? Loss(losses[0], nf["loss"]) : new JsonArray(losses.Select((l, i) => Loss(l, nf["loss"]![i])).ToArray()),
            ["loss_weights"] = nf["loss_weights"]?.DeepClone(),
            ["metrics"] = MetricObjects(nf["metrics"]),
            ["weighted_metrics"] = MetricObjects(nf["weighted_metrics"]),
            ["run_eagerly"] = CompileConfig.RunEagerly(nf),
            ["steps_per_execution"] = CompileConfig.StepsPerExecution(nf),
            // Keras writes the value compile resolved; NeuralFlow's own files from before it say nothing: "auto", on unless eager.
            ["jit_compile"] = CompileConfig.JitCompile(nf) ?? Model.AutoJitCompile(CompileConfig.RunEagerly(nf)),
        };
    }

    // An optimizer in Keras 3's envelope, under its name (Optimizer.Name; a config written before optimizers were named:
    // the class in lower case, "adamw", SGD's "SGD"), a LossScaleOptimizer around its own inner optimizer's object.
    private static JsonObject OptimizerObject(JsonObject nf)
    {
        var optimizer = Envelope("keras.optimizers", nf);
        var optimizerConfig = (JsonObject)optimizer["config"]!;
        string className = optimizer["class_name"]!.GetValue<string>();
        if (className == "LossScaleOptimizer")
        {
            optimizerConfig["inner_optimizer"] = OptimizerObject((JsonObject)nf["config"]!["inner_optimizer"]!);
            return optimizer;
        }
        optimizerConfig["name"] ??= className == "SGD" ? className : className.ToLowerInvariant();
        if (optimizerConfig["learning_rate"] is JsonObject schedule) optimizerConfig["learning_rate"] = Envelope("keras.optimizers.schedules", schedule);
        return optimizer;
    }

    // Keras' loss config starts with the loss's name ("sparse_categorical_crossentropy").
    private static JsonObject LossConfig(Losses.Loss loss, JsonObject? nf)
    {
        var config = new JsonObject { ["name"] = loss.Name };
        foreach (var (key, value) in nf ?? []) config[key] = value?.DeepClone();
        return config;
    }

    /// <summary>A serialized object <c>{"class_name", "config"}</c> in Keras 3's envelope (its module, no registered name).</summary>
    internal static JsonObject Envelope(string module, JsonObject o) => new()
    {
        ["module"] = module,
        ["class_name"] = o["class_name"]!.DeepClone(),
        ["config"] = o["config"]?.DeepClone() ?? new JsonObject(),
        ["registered_name"] = null,
    };

    private static JsonNode? MetricObjects(JsonNode? node) => node switch
    {
        JsonArray list => new JsonArray(list.Select(MetricObjects).ToArray()),
        JsonObject o => Envelope("keras.metrics", o),
        _ => node?.DeepClone(),
    };

    public static Optimizers.Optimizer Optimizer(JsonNode? node, string file)
    {
        switch (node)
        {
            case null:
                return Optimizers.Get("rmsprop");   // compile's default
            case JsonValue name:
                return Optimizers.Get(name.GetValue<string>());
            case JsonObject o when o["class_name"]?.GetValue<string>() == "LossScaleOptimizer":
                var scaling = o["config"] as JsonObject ?? throw new InvalidDataException($"'{file}': the LossScaleOptimizer in its compile_config has no config.");
                var inner = Optimizer(scaling["inner_optimizer"], file);
                try { return CompileConfig.LossScale(scaling, inner); }
                catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or NotSupportedException)
                {
                    throw new InvalidDataException($"'{file}': the LossScaleOptimizer of its compile_config does not rebuild here: {e.Message}", e);
                }
            case JsonObject o:
                var config = o["config"] as JsonObject ?? throw new InvalidDataException($"'{file}': the optimizer in its compile_config has no config.");
                try { return CompileConfig.Optimizer(o); }
                catch (Exception e) when (e is FormatException or NullReferenceException or InvalidOperationException or ArgumentException)
                {
                    throw new InvalidDataException($"'{file}': the optimizer '{o["class_name"]}' of its compile_config does not rebuild here: {e.Message}", e);
                }
            default:
                throw new InvalidDataException($"'{file}': the optimizer of its compile_config is {node.ToJsonString()}.");
        }
    }

    public static Losses.Loss?[] Losses(JsonNode? node, IReadOnlyList<string> outputs, string file) => node switch
    {
        JsonArray list => list.Select(l => l is null ? null : Loss(l, file)).ToArray(),
        JsonObject named when !IsObject(named) => outputs.Select(o => named[o] is { } l ? Loss(l, file) : null).ToArray(),
        _ => [Loss(node!, file)],
    };

    public static float[]? LossWeights(JsonNode? node, IReadOnlyList<string> outputs, string file) => node switch
    {
        null => null,
        JsonArray list => list.Select(w => w?.GetValue<float>() ?? 1f).ToArray(),
        JsonObject named => outputs.Select(o => named[o]?.GetValue<float>() ?? 1f).ToArray(),
        JsonValue one => [one.GetValue<float>()],
        _ => throw new InvalidDataException($"'{file}': loss_weights {node.ToJsonString()} is neither a list nor a dictionary."),
    };

    /// <summary>Metrics as Compile takes them: names and metric objects, or one list per output.</summary>
    public static List<object>? Metrics(JsonNode? node, IReadOnlyList<string> outputs, string file) => node switch
    {
        null => null,
        JsonArray list => list.Select(m => Metric(m, file)).ToList(),
        JsonObject named when !IsObject(named) => outputs.Select(o => (object)(named[o] switch
        {
            null => new List<object>(),
            JsonArray l => l.Select(m => Metric(m, file)).ToList(),
            var one => new List<object> { Metric(one, file) },
        })).ToList(),
        _ => [Metric(node, file)],
    };

    private static object Metric(JsonNode? node, string file) => node switch
    {
        null => throw new InvalidDataException($"'{file}': its compile_config lists a null metric."),
        JsonArray list => list.Select(m => Metric(m, file)).ToList(),
        JsonValue name => name.GetValue<string>(),
        JsonObject o when Function(o) is { } name => name,
        JsonObject o => Guard(file, "metric", o, () => Keras.Metrics.FromConfig(o["class_name"]!.GetValue<string>(), o["config"] as JsonObject ?? [])),
        _ => throw new InvalidDataException($"'{file}': a metric of its compile_config is {node.ToJsonString()}."),
    };

    private static Losses.Loss Loss(JsonNode node, string file) => node switch
    {
        JsonValue name => Guard(file, "loss", node, () => Keras.Losses.Get(name.GetValue<string>())),
        JsonObject o when Function(o) is { } name => Guard(file, "loss", node, () => Keras.Losses.Get(name)),
        JsonObject o => Guard(file, "loss", node, () => Keras.Losses.FromConfig(o["class_name"]!.GetValue<string>(), o["config"] as JsonObject ?? [])),
        _ => throw new InvalidDataException($"'{file}': the loss of its compile_config is {node.ToJsonString()}."),
    };

    // A Python function Keras serialized by name: {"class_name": "function", "config": "mean_squared_error"}.
    private static string? Function(JsonObject o) =>
        o["class_name"]?.GetValue<string>() == "function" && o["config"] is JsonValue name ? name.GetValue<string>() : null;

    // A serialized object, as opposed to a dictionary by output name.
    private static bool IsObject(JsonObject o) => o["class_name"] is JsonValue && o.ContainsKey("config");

    private static T Guard<T>(string file, string what, JsonNode node, Func<T> make)
    {
        try { return make(); }
        catch (Exception e) when (e is ArgumentException or FormatException or NullReferenceException or InvalidOperationException or NotSupportedException)
        {
            throw new InvalidDataException($"'{file}': the {what} {node.ToJsonString()} of its compile_config does not rebuild here: {e.Message}", e);
        }
    }
}
