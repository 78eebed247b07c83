using NeuralFlow.Data;

namespace NeuralFlow.Keras;

/// <summary>
/// A layer that takes text (<see cref="StringTensor"/>, tf.string) and returns numbers
/// (<see cref="Layers.TextVectorization"/>, <see cref="Layers.StringLookup"/>, <see cref="Layers.Hashing"/>):
/// first in a model, it lets the model take raw strings (Keras' <c>Sequential([vectorize_layer, model])</c>,
/// <c>Input(shape=(1,), dtype="string")</c>). NeuralFlow tensors hold no strings, so the model runs such a
/// layer on the host before each step and its tensor steps start at the layer's output (<see cref="Model"/>'s text inputs).
/// </summary>
internal interface ITextInputLayer
{
    /// <summary>The layer's output for a batch of texts (a [n] vector or an [n, 1] column).</summary>
    Tensor CallText(StringTensor texts);

    /// <summary>The symbolic output's shape and dtype for text inputs of <paramref name="inputShape"/> (batch axis first).</summary>
    (int?[] Shape, DType DType) TextOutputSpec(IReadOnlyList<int?> inputShape);

    /// <summary>
    /// Whether the layer takes numbers as well as text (Hashing hashes an integer's decimal string), so
    /// that being first in a model does not make the model one of text: a Sequential that starts with
    /// it takes text only after a string Input, or once it has been given text.
    /// </summary>
    bool TakesNumbers => false;

    /// <summary>
    /// The output spec of a layer that maps each string on its own (StringLookup, Hashing): the layer
    /// run on one example of the input's shape (unknown lengths 1) filled with <paramref name="probe"/>,
    /// with the input's batch axis, so the rules of its encodings stay in one place (its own call).
    /// </summary>
    internal static (int?[] Shape, DType DType) ProbedSpec(Func<StringTensor, Tensor> call, IReadOnlyList<int?> inputShape, string probe)
    {
        var probeShape = Shape.Create([1, .. inputShape.Skip(1).Select(d => d ?? 1)]);
        var values = new string[probeShape.Count];
        Array.Fill(values, probe);
        using var paused = Tape.Pause();
        using var output = call(StringTensor.Wrap(values, probeShape));
        var shape = output.Shape.ToArray().Select(d => (int?)d).ToArray();
        if (shape.Length > 0) shape[0] = inputShape.Count > 0 ? inputShape[0] : null;
        return (shape, output.DType);
    }
}
