using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

/// <summary>
/// What <c>Compile</c> was given, as JSON for a model file: the optimizer (its type, learning
/// rate or schedule, hyperparameters), the loss and the metrics by their Keras names; a loss or
/// metric of your own by its class name (a function by its name), as Keras saves one, for
/// customObjects to give back at load. Custom optimizers and schedules are an error naming them.
/// </summary>
internal static class CompileConfig
{
    /// <summary>
    /// The config of one loss per output: "loss" one object for a model of one output (as
    /// before), else a list with "loss_weights" beside it (Keras' compile arguments); null in the
    /// list for an output a loss dictionary left out.
    /// </summary>
    public static JsonObject Serialize(Optimizers.Optimizer optimizer, IReadOnlyList<Losses.Loss?> losses, IReadOnlyList<float> weights,
        IReadOnlyList<IReadOnlyList<Metrics.PredictionMetric>> metrics, IReadOnlyList<IReadOnlyList<Metrics.PredictionMetric>> weightedMetrics, int stepsPerExecution = 1,
        bool runEagerly = false, bool jitCompile = true)
    {
        JsonObject? LossEntry(Losses.Loss? loss) => loss is null ? null : new() { ["name"] = LossName(loss), ["config"] = Json(loss.GetConfig()) };
        var c = new JsonObject
        {
            ["optimizer"] = Optimizer(optimizer),
            ["loss"] = losses.Count == 1 ? LossEntry(losses[0]) : new JsonArray(losses.Select(l => (JsonNode?)LossEntry(l)).ToArray()),
            // One output: its metrics' configs; several: one such list per output (Keras' list of lists).
            ["metrics"] = losses.Count == 1 ? Metrics(metrics[0]) : new JsonArray(metrics.Select(m => (JsonNode)Metrics(m)).ToArray()),
        };
        // Keras' weighted_metrics, in the same form, only when some output has them (older readers skip it).
        if (weightedMetrics.Any(m => m.Count > 0))
            c["weighted_metrics"] = losses.Count == 1 ? Metrics(weightedMetrics[0]) : new JsonArray(weightedMetrics.Select(m => (JsonNode)Metrics(m)).ToArray());
        if (losses.Count > 1) c["loss_weights"] = new JsonArray(weights.Select(w => (JsonNode)w).ToArray());
        c["steps_per_execution"] = stepsPerExecution;
        c["run_eagerly"] = runEagerly;
        c["jit_compile"] = jitCompile;
        return c;
    }

    /// <summary>Keras' run_eagerly of a compile config (NeuralFlow's or Keras 3's); false when absent, as in files before it.</summary>
    public static bool RunEagerly(JsonObject compile) =>
        compile["run_eagerly"] is JsonValue v && v.TryGetValue(out bool eager) && eager;

    /// <summary>
    /// Keras' jit_compile of a compile config (NeuralFlow's or Keras 3's): true, false, or null for
    /// "auto" or absent (files before it), which Compile resolves as Keras does.
    /// </summary>
    public static bool? JitCompile(JsonObject compile) =>
        compile["jit_compile"] is JsonValue v && v.TryGetValue(out bool jit) ? jit : null;

    /// <summary>Keras' steps_per_execution of a compile config (NeuralFlow's or Keras 3's, the same key); 1 when absent, as in files before it.</summary>
    public static int StepsPerExecution(JsonObject compile) =>
        compile["steps_per_execution"] is JsonValue v && v.TryGetValue(out int steps) ? steps : 1;

    public static (Optimizers.Optimizer Optimizer, Losses.Loss?[] Losses, float[]? Weights, List<object> Metrics, List<object>? WeightedMetrics) Deserialize(JsonObject c, string file)
    {
        try
        {
            var losses = c["loss"] is JsonArray list ? list.Select(l => l is null ? null : Loss(l.AsObject())).ToArray() : [Loss(c["loss"]!.AsObject())];
            var weights = c["loss_weights"] is JsonArray w ? w.Select(v => v!.GetValue<float>()).ToArray() : null;
            // A metric is a name (older files, and Compile's strings) or a class with its config.
            // A metric is a name (older files, and Compile's strings) or a class with its config; a
            // list is one output's metrics.
            object Spec(JsonNode? m) => m switch
            {
                JsonObject o => Keras.Metrics.FromConfig(o["class_name"]!.GetValue<string>(), o["config"]!.AsObject()),
                JsonArray a => a.Select(Spec).ToList(),
                _ => m!.GetValue<string>(),
            };
            var metrics = c["metrics"]!.AsArray().Select(Spec).ToList();
            var weighted = c["weighted_metrics"] is JsonArray wm ? wm.Select(Spec).ToList() : null;
            return (Optimizer(c["optimizer"]!.AsObject()), losses, weights, metrics, weighted);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or NullReferenceException)
        {
            throw new InvalidDataException($"{file}: the compile config does not rebuild: {e.Message}", e);
        }
    }

    internal static JsonObject Optimizer(Optimizers.Optimizer o)
    {
        // Keras 3's LossScaleOptimizer.get_config: the inner optimizer serialized whole, and the scaling's two arguments.
        if (o is Optimizers.LossScaleOptimizer scaling)
            return new JsonObject
            {
                ["class_name"] = "LossScaleOptimizer",
                ["config"] = new JsonObject
                {
                    ["name"] = scaling.Name,
                    ["inner_optimizer"] = Optimizer(scaling.InnerOptimizer),
                    ["initial_scale"] = scaling.InitialScale,
                    ["dynamic_growth_steps"] = scaling.DynamicGrowthSteps,
                },
            };
        var c = new JsonObject { ["learning_rate"] = LearningRate(o.LearningRate) };
        string name;
        switch (o)
        {
            case Optimizers.SGD sgd: name = "SGD"; c["momentum"] = sgd.Momentum; c["nesterov"] = sgd.Nesterov; break;
            case Optimizers.Adam adam:
                name = adam is Optimizers.AdamW ? "AdamW" : "Adam";
                c["beta_1"] = adam.Beta1; c["beta_2"] = adam.Beta2; c["epsilon"] = adam.Epsilon; c["amsgrad"] = adam.Amsgrad;
                break;
            case Optimizers.RMSprop rms:
                name = "RMSprop"; c["rho"] = rms.Rho; c["momentum"] = rms.Momentum; c["epsilon"] = rms.Epsilon; c["centered"] = rms.Centered;
                break;
            case Optimizers.Adagrad ada: name = "Adagrad"; c["initial_accumulator_value"] = ada.InitialAccumulatorValue; c["epsilon"] = ada.Epsilon; break;
            case Optimizers.Nadam n: name = "Nadam"; c["beta_1"] = n.Beta1; c["beta_2"] = n.Beta2; c["epsilon"] = n.Epsilon; break;
            case Optimizers.Adamax x: name = "Adamax"; c["beta_1"] = x.Beta1; c["beta_2"] = x.Beta2; c["epsilon"] = x.Epsilon; break;
            case Optimizers.Adadelta d: name = "Adadelta"; c["rho"] = d.Rho; c["epsilon"] = d.Epsilon; break;
            case Optimizers.Ftrl f:
                name = "Ftrl"; c["learning_rate_power"] = f.LearningRatePower; c["initial_accumulator_value"] = f.InitialAccumulatorValue;
                c["l1_regularization_strength"] = f.L1RegularizationStrength; c["l2_regularization_strength"] = f.L2RegularizationStrength;
                c["l2_shrinkage_regularization_strength"] = f.L2ShrinkageRegularizationStrength; c["beta"] = f.Beta;
                break;
            case Optimizers.Lion l: name = "Lion"; c["beta_1"] = l.Beta1; c["beta_2"] = l.Beta2; break;
            case Optimizers.Lamb lamb: name = "Lamb"; c["beta_1"] = lamb.Beta1; c["beta_2"] = lamb.Beta2; c["epsilon"] = lamb.Epsilon; break;
            case Optimizers.Muon mu:
                name = "Muon"; c["adam_beta_1"] = mu.AdamBeta1; c["adam_beta_2"] = mu.AdamBeta2; c["epsilon"] = mu.Epsilon;
                c["exclude_layers"] = new JsonArray(mu.ExcludeLayers.Select(l => (JsonNode)l).ToArray()); c["exclude_embeddings"] = mu.ExcludeEmbeddings;
                c["muon_a"] = mu.MuonA; c["muon_b"] = mu.MuonB; c["muon_c"] = mu.MuonC; c["adam_lr_ratio"] = mu.AdamLrRatio;
                c["momentum"] = mu.Momentum; c["ns_steps"] = mu.NsSteps; c["nesterov"] = mu.Nesterov;
                c["adam_weight_decay"] = mu.AdamWeightDecay; c["rms_rate"] = mu.RmsRate;
                break;
            case Optimizers.ScheduleFreeAdamW sf:
                name = "ScheduleFreeAdamW"; c["beta_1"] = sf.Beta1; c["beta_2"] = sf.Beta2; c["epsilon"] = sf.Epsilon; c["warmup_steps"] = sf.WarmupSteps;
                break;
            case Optimizers.Adafactor a:
                name = "Adafactor"; c["beta_2_decay"] = a.Beta2Decay; c["epsilon_1"] = a.Epsilon1; c["epsilon_2"] = a.Epsilon2;
                c["clip_threshold"] = a.ClipThreshold; c["relative_step"] = a.RelativeStep;
                break;
            default:
                throw new NotSupportedException($"Save: the optimizer is a {o.GetType().Name}, which a model file cannot name; save the weights alone with SaveWeights.");
        }
        c["name"] = o.Name;   // Keras' get_config; from_config gives it back as given
        foreach (var (key, value) in o.BaseConfig()) c[key] = value;  // Keras' base config; null when off
        c["use_ema"] = o.UseEma;
        c["ema_momentum"] = o.EmaMomentum;
        c["ema_overwrite_frequency"] = o.EmaOverwriteFrequency;
        c["gradient_accumulation_steps"] = o.GradientAccumulationSteps;
        return new JsonObject { ["class_name"] = name, ["config"] = c };
    }

    internal static Optimizers.Optimizer Optimizer(JsonObject o)
    {
        var c = o["config"]!.AsObject();
        if (o["class_name"]?.GetValue<string>() == "LossScaleOptimizer") return LossScale(c, Optimizer(c["inner_optimizer"]!.AsObject()));
        var lr = LearningRate(c["learning_rate"]!);
        double D(string key) => c[key]!.GetValue<double>();
        // Keys added after a file was written read as their defaults (off).
        double? N(string key) => c[key]?.GetValue<double>();
        bool B(string key) => c[key]?.GetValue<bool>() ?? false;
        double? wd = N("weight_decay"), norm = N("clipnorm"), value = N("clipvalue"), global = N("global_clipnorm");
        // A file written before optimizers were named has none: the optimizer then takes a default name.
        var optimizer = Named(o["class_name"]!.GetValue<string>(), c, lr, D, B, wd, norm, value, global, c["name"]?.GetValue<string>());
        optimizer.ConfigureEma(B("use_ema"), N("ema_momentum") ?? 0.99, c["ema_overwrite_frequency"]?.GetValue<int>());
        optimizer.ConfigureAccumulation(c["gradient_accumulation_steps"]?.GetValue<int>());
        return optimizer;
    }

    /// <summary>
    /// The LossScaleOptimizer of a Keras 3 <paramref name="config"/> around <paramref name="inner"/> (its
    /// initial_scale and dynamic_growth_steps, Keras' defaults when absent). Keras 3 no longer takes
    /// <c>dynamic=False</c> (a fixed scale), nor does NeuralFlow.
    /// </summary>
    internal static Optimizers.LossScaleOptimizer LossScale(JsonObject config, Optimizers.Optimizer inner)
    {
        if (config["dynamic"] is JsonValue dynamic && !dynamic.GetValue<bool>())
            throw new NotSupportedException("a LossScaleOptimizer with dynamic=False (a fixed loss scale), which Keras 3 no longer supports either");
        return new Optimizers.LossScaleOptimizer(inner, config["initial_scale"]?.GetValue<double>() ?? 32768,
            config["dynamic_growth_steps"]?.GetValue<int>() ?? 2000, config["name"]?.GetValue<string>());
    }

    private static Optimizers.Optimizer Named(string name, JsonObject c, LearningRate lr, Func<string, double> D, Func<string, bool> B,
        double? wd, double? norm, double? value, double? global, string? optimizerName)
    {
        return name switch
        {
            "SGD" => new Optimizers.SGD(lr, D("momentum"), c["nesterov"]!.GetValue<bool>(), wd, norm, value, global, name: optimizerName),
            "Adam" => new Optimizers.Adam(lr, D("beta_1"), D("beta_2"), D("epsilon"), B("amsgrad"), wd, norm, value, global, name: optimizerName),
            "AdamW" => new Optimizers.AdamW(lr, wd ?? throw new FormatException("AdamW without a weight_decay"), D("beta_1"), D("beta_2"), D("epsilon"),
                B("amsgrad"), norm, value, global, name: optimizerName),
            "RMSprop" => new Optimizers.RMSprop(lr, D("rho"), D("momentum"), D("epsilon"), B("centered"), wd, norm, value, global, name: optimizerName),
            "Adagrad" => new Optimizers.Adagrad(lr, D("initial_accumulator_value"), D("epsilon"), wd, norm, value, global, name: optimizerName),
            "Nadam" => new Optimizers.Nadam(lr, D("beta_1"), D("beta_2"), D("epsilon"), wd, norm, value, global, name: optimizerName),
            "Adamax" => new Optimizers.Adamax(lr, D("beta_1"), D("beta_2"), D("epsilon"), wd, norm, value, global, name: optimizerName),
            "Adadelta" => new Optimizers.Adadelta(lr, D("rho"), D("epsilon"), wd, norm, value, global, name: optimizerName),
            "Ftrl" => new Optimizers.Ftrl(lr, D("learning_rate_power"), D("initial_accumulator_value"), D("l1_regularization_strength"),
                D("l2_regularization_strength"), D("l2_shrinkage_regularization_strength"), D("beta"), wd, norm, value, global, name: optimizerName),
            "Lion" => new Optimizers.Lion(lr, D("beta_1"), D("beta_2"), wd, norm, value, global, name: optimizerName),
            "Lamb" => new Optimizers.Lamb(lr, D("beta_1"), D("beta_2"), D("epsilon"), wd, norm, value, global, name: optimizerName),
            "Muon" => new Optimizers.Muon(lr, D("adam_beta_1"), D("adam_beta_2"), c["adam_weight_decay"]?.GetValue<double>(), D("epsilon"), wd,
                c["exclude_layers"]?.AsArray().Select(l => l!.GetValue<string>()).ToArray(), c["exclude_embeddings"]!.GetValue<bool>(),
                D("muon_a"), D("muon_b"), D("muon_c"), D("adam_lr_ratio"), D("momentum"), c["ns_steps"]!.GetValue<int>(), c["nesterov"]!.GetValue<bool>(),
                c["rms_rate"]?.GetValue<double>(), norm, value, global, name: optimizerName),
            "ScheduleFreeAdamW" => new Optimizers.ScheduleFreeAdamW(lr, D("beta_1"), D("beta_2"), D("epsilon"), c["warmup_steps"]!.GetValue<int>(),
                wd, norm, value, global, name: optimizerName),
            "Adafactor" => new Optimizers.Adafactor(lr, D("beta_2_decay"), D("epsilon_1"), D("epsilon_2"), D("clip_threshold"),
                c["relative_step"]?.GetValue<bool>() ?? true, wd, norm, value, global, name: optimizerName),
            var other => throw new FormatException($"unknown optimizer '{other}'"),
        };
    }

    private static JsonNode LearningRate(LearningRate lr) => lr switch
    {
        { Constant: { } rate } => rate,
        { Schedule: { } schedule } => LearningRateSchedules.Serialize(schedule),
        _ => throw new NotSupportedException($"Save: the learning rate {lr} has no name a model file can hold; save the weights alone with SaveWeights."),
    };

    private static LearningRate LearningRate(JsonNode node) =>
        node is JsonValue v ? v.GetValue<double>() : LearningRateSchedules.Deserialize(node.AsObject());

    // NeuralFlow's own losses by their Keras name; a loss of your own as Keras saves one, for
    // customObjects (or a scope) to rebuild at load: a function by its name, a class by its class name.
    private static string LossName(Losses.Loss loss) =>
        loss is Losses.LossFunctionWrapper || loss.GetType().DeclaringType == typeof(Losses) ? loss.Name : loss.GetType().Name;

    private static JsonArray Metrics(IEnumerable<Metrics.PredictionMetric> metrics) => new(metrics.Select(Metric).ToArray());

    // A metric by its class and config; a function of your own by its name (as Compile takes a
    // metric's name), which customObjects (or a scope) gives its function at load.
    private static JsonNode Metric(Metrics.PredictionMetric m) =>
        m is Keras.Metrics.MeanFunctionMetric ? JsonValue.Create(m.Name)
            : new JsonObject { ["class_name"] = m.GetType().Name, ["config"] = Json(m.GetConfig()) };

    private static JsonObject Json(Dictionary<string, object?> config)
    {
        var o = new JsonObject();
        foreach (var (key, value) in config)
            o[key] = value switch
            {
                null => null,
                bool b => b,
                int i => i,
                double d => d,
                string s => s,
                double[] a => new JsonArray(a.Select(v => (JsonNode)v).ToArray()),
                int[] a => new JsonArray(a.Select(v => (JsonNode)v).ToArray()),
                _ => throw new NotSupportedException($"Save: config entry '{key}' is a {value.GetType().Name}."),
            };
        return o;
    }

    private static Losses.Loss Loss(JsonObject o)
    {
        var name = o["name"]!.GetValue<string>();
        var config = o["config"]?.AsObject() ?? new JsonObject();
        // Files written before losses had configs hold from_logits beside the name.
        if (o["from_logits"] is { } logits && config["from_logits"] is null) config["from_logits"] = logits.GetValue<bool>();
        return Losses.FromConfig(name, config);
    }
}
