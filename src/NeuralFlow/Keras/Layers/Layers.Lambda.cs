using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
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
    public sealed class Lambda : Layer
    {
        private readonly Func<Tensor, Tensor>? _function;
        private readonly Func<IReadOnlyList<Tensor>, Tensor>? _listFunction;

        /// <summary>A Lambda of one input.</summary>
        /// <param name="function">The computation: one tensor in, one out.</param>
        /// <param name="name">The layer's name ("lambda", "lambda_1", ... when null).</param>
        // Preferred where a C# lambda would fit both forms (x => x[0]): one tensor, as before the list form existed.
        [System.Runtime.CompilerServices.OverloadResolutionPriority(1)]
        public Lambda(Func<Tensor, Tensor> function, string? name = null) : base(name) =>
            _function = function ?? throw new ArgumentNullException(nameof(function));

        /// <summary>
        /// A Lambda of several inputs, called on a list as Keras' <c>Lambda(fn)([a, b])</c> (a
        /// Siamese network's distance of two embeddings):
        /// <c>new Layers.Lambda((IReadOnlyList&lt;Tensor&gt; v) =&gt; NF.Sqrt(NF.ReduceSum(NF.Square(v[0] - v[1]), 1, keepDims: true)))</c>.
        /// </summary>
        /// <param name="function">The computation: the list of inputs in, one tensor out.</param>
        /// <param name="name">The layer's name ("lambda", "lambda_1", ... when null).</param>
        public Lambda(Func<IReadOnlyList<Tensor>, Tensor> function, string? name = null) : base(name) =>
            _listFunction = function ?? throw new ArgumentNullException(nameof(function));

        /// <summary>The function of one input the layer applies (a list Lambda's applied to a list of one).</summary>
        public Func<Tensor, Tensor> Function => _function ?? (x => _listFunction!([x]));

        /// <summary>The function of a list of inputs the layer applies; null for a Lambda of one input.</summary>
        public Func<IReadOnlyList<Tensor>, Tensor>? ListFunction => _listFunction;

        /// <summary>Always throws <see cref="NotSupportedException"/> naming the layer: see <see cref="Lambda"/>.</summary>
        public override JsonObject GetConfig() => throw new NotSupportedException(
            $"{Name}: a Lambda layer applies a C# function, which a model file cannot hold (Keras 3 likewise refuses to load a lambda "
            + "in safe mode); save the weights with SaveWeights, or write the computation as a Layer subclass registered with KerasSerialization.Register.");

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x) =>
            Function(x) ?? throw new InvalidOperationException($"{Name}: the Lambda's function returned null for an input of shape {x.Shape}; it must return a tensor.");

        /// <summary>A list Lambda's function of the inputs; a one-input Lambda takes a list of one.</summary>
        public override Tensor Call(IReadOnlyList<Tensor> inputs)
        {
            if (_listFunction is null) return base.Call(inputs);
            ArgumentNullException.ThrowIfNull(inputs);
            using var call = EnterCall();
            var y = _listFunction(inputs)
                ?? throw new InvalidOperationException($"{Name}: the Lambda's function returned null for inputs of shapes {string.Join(", ", inputs.Select(t => t.Shape.ToString()))}; it must return a tensor.");
            OutputShape = y.Shape;
            return y;
        }
    }
}
