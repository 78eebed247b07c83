using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe18;

/// <summary>
/// The quickstart for experts' subclassed MyModel: Conv2D(filters, 3, relu), Flatten, Dense(hidden, relu), Dense(10)
/// (the tutorial's sizes are 32 and 128). The layers are fields, named as the tutorial names them, so a test can write
/// weights into them in order.
/// </summary>
internal sealed class QuickstartMyModel(int filters = 32, int hidden = 128) : Model
{
    public readonly Layers.Conv2D Conv1 = new(filters, 3, activation: "relu");
    public readonly Layers.Flatten Flatten = new();
    public readonly Layers.Dense D1 = new(hidden, activation: "relu");
    public readonly Layers.Dense D2 = new(10);

    public override Tensor Call(Tensor x) => D2.Call(D1.Call(Flatten.Call(Conv1.Call(x))));
}
