using System.Diagnostics.CodeAnalysis;

namespace NeuralFlow.Keras;

/// <summary>
/// An activation function, given by Keras name ("relu", "gelu", "softmax", ..., see
/// <see cref="Names"/>) or as any <c>Func&lt;Tensor, Tensor&gt;</c>; both convert implicitly.
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

    /// <summary>Looks up an activation by its Keras name; null stays null (Keras' activation=None: linear).</summary>
    // A null string (a config value passed through) is Keras' None, which every layer reads as
    // "no activation"; looking it up threw a NullReferenceException from deep inside Get.
    [return: NotNullIfNotNull(nameof(name))]
    public static implicit operator ActivationFunction?(string? name) => name is null ? null : Get(name);

    /// <summary>Wraps a function; null stays null (no activation).</summary>
    [return: NotNullIfNotNull(nameof(f))]
    public static implicit operator ActivationFunction?(Func<Tensor, Tensor>? f) => f is null ? null : new("custom", f);

    /// <summary>The Keras names <see cref="Get"/> knows.</summary>
    public const string Names = "relu, sigmoid, softmax, tanh, linear, exponential, relu6, leaky_relu, elu, selu, gelu, " +
                                "silu (swish), softplus, softsign, hard_sigmoid, hard_silu (hard_swish), mish, celu, glu, hard_tanh, " +
                                "hard_shrink, soft_shrink, tanh_shrink, sparse_plus, squareplus, sparse_sigmoid, log_sigmoid, " +
                                "log_softmax, sparsemax";

    /// <summary>Looks up an activation by its Keras name, or a name given to <see cref="Register"/>.</summary>
    public static ActivationFunction Get(string name) => BuiltIn(name) ?? (Named(name) is { } f ? new(name, f) :
        throw new ArgumentException($"Unknown activation '{name}'; use one of {Names}, a name given to ActivationFunction.Register, or pass a Func<Tensor, Tensor> " +
                                    "(loading a model that names an activation of your own: pass it in customObjects, as Keras' custom_objects).", nameof(name)));

    // A function of your own by name: the open custom-object scopes' first (Keras' custom_objects), then the registered ones.
    private static Func<Tensor, Tensor>? Named(string name) => KerasSerialization.Scoped<Func<Tensor, Tensor>>(name) ?? Registered(name);

    // The activations of your own, by name (Keras' register_keras_serializable / custom_objects for a function).
    private static readonly Dictionary<string, Func<Tensor, Tensor>> RegisteredFunctions = new(StringComparer.Ordinal);

    private static Func<Tensor, Tensor>? Registered(string name)
    {
        lock (RegisteredFunctions) return RegisteredFunctions.GetValueOrDefault(name);
    }

    /// <summary>
    /// Names <paramref name="function"/> for model files (Keras' <c>register_keras_serializable</c> of a
    /// custom activation such as the serialization guide's <c>custom_activation</c>): a layer made with
    /// <c>activation: "name"</c> (or <c>Get("name")</c>) saves that name, and loading finds the function by it.
    /// Registering a name again replaces it; a built-in name cannot be taken.
    /// </summary>
    /// <exception cref="ArgumentException">An empty name, "custom", or the name of a built-in activation.</exception>
    public static void Register(string name, Func<Tensor, Tensor> function)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(function);
        if (name == "custom" || BuiltIn(name) is not null)
            throw new ArgumentException($"ActivationFunction.Register: '{name}' is a built-in activation's name; give yours another.", nameof(name));
        lock (RegisteredFunctions) RegisteredFunctions[name] = function;
    }

    /// <summary>
    /// True when a model file can name this activation: a built-in one, or one of your own under a
    /// name (Keras saves a custom function by its name; loading needs it registered or in customObjects)
    /// that is not registered for another function, which loading would find instead.
    /// </summary>
    internal bool IsNamed => Name != "custom" && (BuiltIn(Name) is not null || Named(Name) is not { } f || f == _apply || ReferenceEquals(f, _apply));

    private static ActivationFunction? BuiltIn(string name) => name.ToLowerInvariant() switch
    {
        "relu" => new(name, NF.Relu),
        "sigmoid" => new(name, NF.Sigmoid),
        "softmax" => new(name, x => NF.KerasSoftmax(x)),
        "tanh" => new(name, NF.Tanh),
        "linear" or "" => new("linear", x => x),
        "exponential" => new(name, NF.Exp),
        // issue 16: the rest of keras.activations, with Keras' default arguments.
        "relu6" => new(name, NF.Relu6),
        "leaky_relu" => new(name, x => NF.LeakyRelu(x)),
        "elu" => new(name, x => NF.Elu(x)),
        "selu" => new(name, NF.Selu),
        "gelu" => new(name, x => NF.Gelu(x)),
        "silu" or "swish" => new(name, NF.Silu),
        "softplus" => new(name, NF.Softplus),
        "softsign" => new(name, NF.Softsign),
        "hard_sigmoid" => new(name, NF.HardSigmoid),
        "hard_silu" or "hard_swish" => new(name, NF.HardSwish),
        "mish" => new(name, NF.Mish),
        // The rest of Keras 3's keras.activations (NF.ActivationsKeras3.cs), with Keras' defaults.
        "celu" => new(name, x => NF.Celu(x)),
        "glu" => new(name, x => NF.Glu(x)),
        "hard_tanh" => new(name, NF.HardTanh),
        "hard_shrink" => new(name, x => NF.HardShrink(x)),
        "soft_shrink" => new(name, x => NF.SoftShrink(x)),
        "tanh_shrink" => new(name, NF.TanhShrink),
        "sparse_plus" => new(name, NF.SparsePlus),
        "squareplus" => new(name, x => NF.Squareplus(x)),
        "sparse_sigmoid" => new(name, NF.SparseSigmoid),
        "log_sigmoid" => new(name, NF.LogSigmoid),
        "log_softmax" => new(name, x => NF.LogSoftmax(x)),
        "sparsemax" => new(name, x => NF.Sparsemax(x)),
        _ => null,
    };
}
