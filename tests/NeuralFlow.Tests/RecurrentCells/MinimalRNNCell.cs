using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// The Keras RNN guide's user cell, as a C# user writes it: weights made in Build by AddWeight
/// ("uniform" initializer), output = x @ kernel + h @ recurrent_kernel, one state.
/// </summary>
public sealed class MinimalRNNCell(int units, string? name = null) : Layers.RNNCell(name)
{
    public int Units { get; } = units;

    public override IReadOnlyList<int> StateSize => [Units];

    public Variable? Kernel { get; private set; }

    public Variable? RecurrentKernel { get; private set; }

    protected override void Build(Shape inputShape)
    {
        Kernel = AddWeight("kernel", [inputShape[-1], Units], Initializer.Get("random_uniform"));
        RecurrentKernel = AddWeight("recurrent_kernel", [Units, Units], Initializer.Get("random_uniform"));
    }

    protected override (Tensor Output, Tensor[] States) Forward(Tensor input, IReadOnlyList<Tensor> states)
    {
        var output = NF.MatMul(input, Kernel!) + NF.MatMul(states[0], RecurrentKernel!);
        return (output, [output]);
    }

    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["units"] = Units;
        return c;
    }

    /// <summary>Registers the cell for loading, as Keras' register_keras_serializable.</summary>
    public static void Register() =>
        KerasSerialization.Register("MinimalRNNCell", c => new MinimalRNNCell(c["units"]!.GetValue<int>(), c["name"]?.GetValue<string>()));
}
