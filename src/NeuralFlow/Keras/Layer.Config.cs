using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public abstract partial class Layer
{
    /// <summary>
    /// The constructor arguments that rebuild this layer (Keras' <c>get_config</c>): what
    /// <see cref="Model.Save"/> writes to <c>config.json</c>, read back by the factory registered
    /// for its type (<see cref="KerasSerialization.Register{TLayer}"/>). Layers with arguments
    /// override it and add theirs to the base's <c>name</c>.
    /// </summary>
    public virtual JsonObject GetConfig()
    {
        var c = new JsonObject { ["name"] = Name };
        if (!Trainable) c["trainable"] = false;   // Keras writes it always; true is the default here
        if (Dtype.Name != "float32") c["dtype"] = Dtype.Name;   // the policy's name; Keras writes it always, float32 is the default here
        AddRegularizerConfig(c);
        AddConstraintConfig(c);
        return c;
    }

    /// <summary>The registered name of <paramref name="activation"/>, or an error naming the layer when it is a C# function.</summary>
    protected string ConfigName(ActivationFunction activation) =>
        activation.IsNamed ? activation.Name : throw new NotSupportedException(activation.Name == "custom"
            ? $"{Name}: its activation is a C# function, which a model file cannot hold; use a named activation (relu, sigmoid, softmax, tanh, linear, exponential), register yours with ActivationFunction.Register(name, function) and pass its name, or save the weights alone with SaveWeights."
            : $"{Name}: its activation '{activation.Name}' is not a registered name for that function, so a model file naming it could not be loaded; call ActivationFunction.Register(\"{activation.Name}\", function) first, or save the weights alone with SaveWeights.");

    /// <summary>The config entries of a layer with a kernel, a bias and an activation (Dense, Conv2D), in Keras' names.</summary>
    private protected void AddKernelConfig(JsonObject c, ActivationFunction? activation, bool useBias, Initializer kernel, Initializer bias)
    {
        c["activation"] = activation is null ? "linear" : ConfigName(activation);
        c["use_bias"] = useBias;
        c["kernel_initializer"] = kernel.ToConfig();
        c["bias_initializer"] = bias.ToConfig();
    }
}
