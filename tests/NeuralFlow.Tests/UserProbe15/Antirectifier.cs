using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using NeuralFlow.Keras.Saving;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's Antirectifier (examples/keras_recipes/antirectifier.py) as a C# user writes it: the
/// input centred on its feature mean, its positive and negative parts concatenated, then mixed back
/// to the input's width by a [2d, d] kernel made in <c>Build</c>; the initializer is an argument
/// that <c>GetConfig</c> keeps, as the example's <c>keras.initializers.serialize</c>.
/// </summary>
internal sealed class Antirectifier : Layer
{
    private readonly Initializer _initializer;
    private Variable? _kernel;

    public Antirectifier(Initializer? initializer = null, string? name = null) : base(name) =>
        _initializer = initializer ?? Initializer.Get("he_normal");

    public Variable Kernel => _kernel ?? throw new InvalidOperationException("Antirectifier is not built yet.");

    protected override void Build(Shape inputShape)
    {
        int outputDim = inputShape[-1];
        _kernel = AddWeight("kernel", [outputDim * 2, outputDim], _initializer);
    }

    protected override Tensor Forward(Tensor inputs)
    {
        inputs -= NF.ReduceMean(inputs, axis: -1, keepDims: true);
        var pos = NF.Relu(inputs);
        var neg = NF.Relu(-inputs);
        var concatenated = NF.Concat([pos, neg], axis: -1);
        return NF.MatMul(concatenated, Kernel);
    }

    public override JsonObject GetConfig()
    {
        var config = base.GetConfig();
        config["initializer"] = _initializer.ToConfig();
        return config;
    }

    public static void Register() => KerasSerialization.Register("Antirectifier",
        c => new Antirectifier(Initializer.FromConfig(c["initializer"]), (string?)c["name"]));
}
