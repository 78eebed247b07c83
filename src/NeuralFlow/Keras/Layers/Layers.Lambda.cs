using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public static partial class Layers
{
    /// <summary>
    /// A layer that applies a C# function of tensors (<c>keras.layers.Lambda</c>):
    /// <c>new Layers.Lambda(x => NF.Square(x) / 2)</c>. It has no weights; its output shape, in the
    /// functional API and in a Sequential that starts from an input, comes from running the function
    /// once on zeros (as for every layer), and gradients flow through the ops it calls.
    /// A model that holds one cannot be saved with <see cref="Model.Save"/>: a file cannot hold a C#
    /// function (Keras 3 likewise refuses to load a lambda in safe mode), so Save throws
    /// <see cref="NotSupportedException"/> naming the layer and writes nothing; save the weights
    /// with <see cref="Model.SaveWeights"/>, or write the computation as a layer class registered
    /// with <see cref="KerasSerialization.Register{TLayer}"/>.
    /// </summary>
    /// <param name="function">The computation: one tensor in, one out.</param>
    /// <param name="name">The layer's name ("lambda", "lambda_1", ... when null).</param>
    public sealed class Lambda(Func<Tensor, Tensor> function, string? name = null) : Layer(name)
    {
        private readonly Func<Tensor, Tensor> _function = function ?? throw new ArgumentNullException(nameof(function));

        /// <summary>The function the layer applies.</summary>
        public Func<Tensor, Tensor> Function => _function;

        /// <summary>Always throws <see cref="NotSupportedException"/> naming the layer: see <see cref="Lambda"/>.</summary>
        public override JsonObject GetConfig() => throw new NotSupportedException(
            $"{Name}: a Lambda layer applies a C# function, which a model file cannot hold (Keras 3 likewise refuses to load a lambda "
            + "in safe mode); save the weights with SaveWeights, or write the computation as a Layer subclass registered with KerasSerialization.Register.");

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x) =>
            _function(x) ?? throw new InvalidOperationException($"{Name}: the Lambda's function returned null for an input of shape {x.Shape}; it must return a tensor.");
    }
}
