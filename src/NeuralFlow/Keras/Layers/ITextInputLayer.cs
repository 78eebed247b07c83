using NeuralFlow.Data;

namespace NeuralFlow.Keras;

/// <summary>
/// A layer that takes text (<see cref="StringTensor"/>, tf.string) and returns numbers
/// (<see cref="Layers.TextVectorization"/>, <see cref="Layers.StringLookup"/>): first in a model, it lets the model take raw strings
/// (Keras' <c>Sequential([vectorize_layer, model])</c>, <c>Input(shape=(1,), dtype="string")</c>).
/// NeuralFlow tensors hold no strings, so the model runs such a layer on the host before each
/// step and its tensor steps start at the layer's output (<see cref="Model"/>'s text inputs).
/// </summary>
internal interface ITextInputLayer
{
    /// <summary>The layer's output for a batch of texts (a [n] vector or an [n, 1] column).</summary>
    Tensor CallText(StringTensor texts);

    /// <summary>The symbolic output's shape and dtype for text inputs of <paramref name="inputShape"/> (batch axis first).</summary>
    (int?[] Shape, DType DType) TextOutputSpec(IReadOnlyList<int?> inputShape);
}
