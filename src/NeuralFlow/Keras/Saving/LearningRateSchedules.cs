using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

/// <summary>
/// Learning-rate schedules in a model file, as Keras' <c>serialize_keras_object</c> writes them:
/// {"class_name": ..., "config": {...}} with Keras' argument names. A custom schedule has no
/// name and is an error naming it.
/// </summary>
internal static class LearningRateSchedules
{
    public static JsonObject Serialize(LearningRateSchedule schedule)
    {
        var (name, config) = schedule switch
        {
            ExponentialDecay d => ("ExponentialDecay", new JsonObject
            {
                ["initial_learning_rate"] = d.InitialLearningRate, ["decay_steps"] = d.DecaySteps,
                ["decay_rate"] = d.DecayRate, ["staircase"] = d.Staircase,
            }),
            PiecewiseConstantDecay p => ("PiecewiseConstantDecay", new JsonObject
            {
                ["boundaries"] = new JsonArray(p.Boundaries.Select(b => (JsonNode)b).ToArray()),
                ["values"] = new JsonArray(p.Values.Select(v => (JsonNode)v).ToArray()),
            }),
            InverseTimeDecay i => ("InverseTimeDecay", new JsonObject
            {
                ["initial_learning_rate"] = i.InitialLearningRate, ["decay_steps"] = i.DecaySteps,
                ["decay_rate"] = i.DecayRate, ["staircase"] = i.Staircase,
            }),
            PolynomialDecay p => ("PolynomialDecay", new JsonObject
            {
                ["initial_learning_rate"] = p.InitialLearningRate, ["decay_steps"] = p.DecaySteps,
                ["end_learning_rate"] = p.EndLearningRate, ["power"] = p.Power, ["cycle"] = p.Cycle,
            }),
            CosineDecay c => ("CosineDecay", new JsonObject
            {
                ["initial_learning_rate"] = c.InitialLearningRate, ["decay_steps"] = c.DecaySteps, ["alpha"] = c.Alpha,
                ["warmup_target"] = c.WarmupTarget, ["warmup_steps"] = c.WarmupSteps,
            }),
            CosineDecayRestarts r => ("CosineDecayRestarts", new JsonObject
            {
                ["initial_learning_rate"] = r.InitialLearningRate, ["first_decay_steps"] = r.FirstDecaySteps,
                ["t_mul"] = r.TMul, ["m_mul"] = r.MMul, ["alpha"] = r.Alpha,
            }),
            _ => throw new NotSupportedException($"Save: the learning rate schedule {schedule} has no name a model file can hold; save the weights alone with SaveWeights."),
        };
        return new JsonObject { ["class_name"] = name, ["config"] = config };
    }

    public static LearningRateSchedule Deserialize(JsonObject o)
    {
        var c = o["config"]!.AsObject();
        double D(string key) => c[key]!.GetValue<double>();
        long L(string key) => c[key]!.GetValue<long>();
        bool B(string key) => c[key]!.GetValue<bool>();
        return o["class_name"]!.GetValue<string>() switch
        {
            "ExponentialDecay" => new ExponentialDecay(D("initial_learning_rate"), L("decay_steps"), D("decay_rate"), B("staircase")),
            "PiecewiseConstantDecay" => new PiecewiseConstantDecay(
                c["boundaries"]!.AsArray().Select(b => b!.GetValue<long>()).ToArray(), c["values"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray()),
            "InverseTimeDecay" => new InverseTimeDecay(D("initial_learning_rate"), L("decay_steps"), D("decay_rate"), B("staircase")),
            "PolynomialDecay" => new PolynomialDecay(D("initial_learning_rate"), L("decay_steps"), D("end_learning_rate"), D("power"), B("cycle")),
            "CosineDecay" => new CosineDecay(D("initial_learning_rate"), L("decay_steps"), D("alpha"), c["warmup_target"]?.GetValue<double>(), L("warmup_steps")),
            "CosineDecayRestarts" => new CosineDecayRestarts(D("initial_learning_rate"), L("first_decay_steps"), D("t_mul"), D("m_mul"), D("alpha")),
            var other => throw new FormatException($"unknown schedule '{other}'"),
        };
    }
}
