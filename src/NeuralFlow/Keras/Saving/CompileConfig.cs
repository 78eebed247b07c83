using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

/// <summary>
/// What <c>Compile</c> was given, as JSON for a model file: the optimizer (its type, learning
/// rate or schedule, hyperparameters), the loss and the metrics by their Keras names. Custom
/// optimizers, losses, schedules and metrics have no names and are an error naming them.
/// </summary>
internal static class CompileConfig
{
    /// <summary>
    /// The config of one loss per output: "loss" one object for a model of one output (as
    /// before), else a list with "loss_weights" beside it (Keras' compile arguments).
    /// </summary>
    public static JsonObject Serialize(Optimizers.Optimizer optimizer, IReadOnlyList<Losses.Loss> losses, IReadOnlyList<float> weights, IEnumerable<Metrics.PredictionMetric> metrics)
    {
        JsonObject LossEntry(Losses.Loss loss) => new() { ["name"] = loss.Name, ["from_logits"] = FromLogits(loss) };
        var c = new JsonObject
        {
            ["optimizer"] = Optimizer(optimizer),
            ["loss"] = losses.Count == 1 ? LossEntry(losses[0]) : new JsonArray(losses.Select(l => (JsonNode)LossEntry(l)).ToArray()),
            ["metrics"] = new JsonArray(metrics.Select(m => (JsonNode)m.Name).ToArray()),
        };
        if (losses.Count > 1) c["loss_weights"] = new JsonArray(weights.Select(w => (JsonNode)w).ToArray());
        return c;
    }

    public static (Optimizers.Optimizer Optimizer, Losses.Loss[] Losses, float[]? Weights, List<object> Metrics) Deserialize(JsonObject c, string file)
    {
        try
        {
            var losses = c["loss"] is JsonArray list ? list.Select(l => Loss(l!.AsObject())).ToArray() : [Loss(c["loss"]!.AsObject())];
            var weights = c["loss_weights"] is JsonArray w ? w.Select(v => v!.GetValue<float>()).ToArray() : null;
            var metrics = c["metrics"]!.AsArray().Select(m => (object)m!.GetValue<string>()).ToList();
            return (Optimizer(c["optimizer"]!.AsObject()), losses, weights, metrics);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or NullReferenceException)
        {
            throw new InvalidDataException($"{file}: the compile config does not rebuild: {e.Message}", e);
        }
    }

    private static JsonObject Optimizer(Optimizers.Optimizer o)
    {
        var c = new JsonObject { ["learning_rate"] = LearningRate(o.LearningRate) };
        string name;
        switch (o)
        {
            case Optimizers.SGD sgd: name = "SGD"; c["momentum"] = sgd.Momentum; c["nesterov"] = sgd.Nesterov; break;
            case Optimizers.Adam adam: name = "Adam"; c["beta_1"] = adam.Beta1; c["beta_2"] = adam.Beta2; c["epsilon"] = adam.Epsilon; break;
            case Optimizers.RMSprop rms: name = "RMSprop"; c["rho"] = rms.Rho; c["momentum"] = rms.Momentum; c["epsilon"] = rms.Epsilon; break;
            case Optimizers.Adagrad ada: name = "Adagrad"; c["initial_accumulator_value"] = ada.InitialAccumulatorValue; c["epsilon"] = ada.Epsilon; break;
            default:
                throw new NotSupportedException($"Save: the optimizer is a {o.GetType().Name}, which a model file cannot name; save the weights alone with SaveWeights.");
        }
        return new JsonObject { ["class_name"] = name, ["config"] = c };
    }

    private static Optimizers.Optimizer Optimizer(JsonObject o)
    {
        var c = o["config"]!.AsObject();
        var lr = LearningRate(c["learning_rate"]!);
        double D(string key) => c[key]!.GetValue<double>();
        return o["class_name"]!.GetValue<string>() switch
        {
            "SGD" => new Optimizers.SGD(lr, D("momentum"), c["nesterov"]!.GetValue<bool>()),
            "Adam" => new Optimizers.Adam(lr, D("beta_1"), D("beta_2"), D("epsilon")),
            "RMSprop" => new Optimizers.RMSprop(lr, D("rho"), D("momentum"), D("epsilon")),
            "Adagrad" => new Optimizers.Adagrad(lr, D("initial_accumulator_value"), D("epsilon")),
            var other => throw new FormatException($"unknown optimizer '{other}'"),
        };
    }

    private static JsonNode LearningRate(LearningRate lr) => lr switch
    {
        { Constant: { } rate } => rate,
        { Schedule: ExponentialDecay d } => new JsonObject
        {
            ["class_name"] = "ExponentialDecay",
            ["config"] = new JsonObject
            {
                ["initial_learning_rate"] = d.InitialLearningRate, ["decay_steps"] = d.DecaySteps,
                ["decay_rate"] = d.DecayRate, ["staircase"] = d.Staircase,
            },
        },
        _ => throw new NotSupportedException($"Save: the learning rate schedule {lr} has no name a model file can hold; save the weights alone with SaveWeights."),
    };

    private static LearningRate LearningRate(JsonNode node)
    {
        if (node is JsonValue v) return v.GetValue<double>();
        var o = node.AsObject();
        if (o["class_name"]!.GetValue<string>() != "ExponentialDecay") throw new FormatException($"unknown schedule '{o["class_name"]}'");
        var c = o["config"]!.AsObject();
        return new ExponentialDecay(c["initial_learning_rate"]!.GetValue<double>(), c["decay_steps"]!.GetValue<long>(),
            c["decay_rate"]!.GetValue<double>(), c["staircase"]!.GetValue<bool>());
    }

    private static bool FromLogits(Losses.Loss loss) => loss switch
    {
        Losses.SparseCategoricalCrossentropy s => s.FromLogits,
        Losses.CategoricalCrossentropy c => c.FromLogits,
        Losses.BinaryCrossentropy b => b.FromLogits,
        Losses.MeanSquaredError or Losses.MeanAbsoluteError => false,
        _ => throw new NotSupportedException($"Save: the loss is a {loss.GetType().Name}, which a model file cannot name; save the weights alone with SaveWeights."),
    };

    private static Losses.Loss Loss(JsonObject o)
    {
        bool logits = o["from_logits"]?.GetValue<bool>() ?? false;
        return o["name"]!.GetValue<string>() switch
        {
            "sparse_categorical_crossentropy" => new Losses.SparseCategoricalCrossentropy(logits),
            "categorical_crossentropy" => new Losses.CategoricalCrossentropy(logits),
            "binary_crossentropy" => new Losses.BinaryCrossentropy(logits),
            var name => Losses.Get(name),
        };
    }
}
