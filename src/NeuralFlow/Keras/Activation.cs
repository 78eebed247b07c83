namespace NeuralFlow.Keras;

/// <summary>
/// An activation function, given by Keras name ("relu", "sigmoid", "softmax", "tanh",
/// "linear") or as any <c>Func&lt;Tensor, Tensor&gt;</c>; both convert implicitly.
/// </summary>
public sealed class ActivationFunction
{
    private readonly Func<Tensor, Tensor> _apply;

    /// <summary>An activation from a function.</summary>
    public ActivationFunction(string name, Func<Tensor, Tensor> apply)
    {
        Name = name;
        _apply = apply;
    }

    /// <summary>The Keras name, or "custom".</summary>
    public string Name { get; }

    /// <summary>Applies the function.</summary>
    [MethodImpl(Hot)]
    public Tensor Apply(Tensor x) => _apply(x);

    /// <summary>Looks up an activation by its Keras name.</summary>
    public static implicit operator ActivationFunction(string name) => Get(name);

    /// <summary>Wraps a function.</summary>
    public static implicit operator ActivationFunction(Func<Tensor, Tensor> f) => new("custom", f);

    /// <summary>Looks up an activation by its Keras name.</summary>
    public static ActivationFunction Get(string name) => name.ToLowerInvariant() switch
    {
        "relu" => new(name, NF.Relu),
        "sigmoid" => new(name, NF.Sigmoid),
        "softmax" => new(name, x => NF.KerasSoftmax(x)),
        "tanh" => new(name, NF.Tanh),
        "linear" or "" => new("linear", x => x),
        "exponential" => new(name, NF.Exp),
        _ => throw new ArgumentException($"Unknown activation '{name}'; use relu, sigmoid, softmax, tanh, linear or exponential, or pass a Func<Tensor, Tensor>.", nameof(name)),
    };
}
