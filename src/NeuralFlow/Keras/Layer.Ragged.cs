using NeuralFlow.Data;

namespace NeuralFlow.Keras;

/// <summary>
/// A layer called on a <see cref="RaggedTensor"/> (tf.keras 2's <c>layer(ragged)</c>): see <see cref="RaggedInputs"/>
/// for what each layer gives. <see cref="Call(RaggedTensor, bool?)"/> returns the layers' dense results
/// (pooling, a recurrent layer's last output), <see cref="CallRagged"/> the ragged ones (Embedding, Dense, a returned sequence).
/// </summary>
public abstract partial class Layer
{
    /// <summary>
    /// Applies the layer to ragged rows where it gives a dense tensor: GlobalAveragePooling1D / GlobalMaxPooling1D
    /// (each row's own mean / maximum) or a recurrent layer without returnSequences (each row's output at its last step).
    /// </summary>
    /// <exception cref="InvalidOperationException">The layer keeps the rows ragged (use <see cref="CallRagged"/>).</exception>
    /// <exception cref="NotSupportedException">The layer does not take ragged input (it names how to pad).</exception>
    public Tensor Call(RaggedTensor x, bool? training = null) => CallOnRagged(x, training) switch
    {
        Tensor dense => dense,
        var _ => throw new InvalidOperationException($"{Name} ({GetType().Name}) keeps its input's rows ragged; call CallRagged for its RaggedTensor."),
    };

    /// <summary>
    /// Applies the layer to ragged rows where the result is ragged too: Embedding, Dense, Activation, Dropout on each
    /// value (the same rows), a recurrent layer with returnSequences (each row's steps).
    /// </summary>
    /// <exception cref="InvalidOperationException">The layer gives a dense tensor (use <see cref="Call(RaggedTensor, bool?)"/>).</exception>
    /// <exception cref="NotSupportedException">The layer does not take ragged input (it names how to pad).</exception>
    public RaggedTensor CallRagged(RaggedTensor x, bool? training = null) => CallOnRagged(x, training) switch
    {
        RaggedTensor ragged => ragged,
        var _ => throw new InvalidOperationException($"{Name} ({GetType().Name}) reduces the ragged rows to a dense tensor; call Call(RaggedTensor) for it."),
    };

    private object CallOnRagged(RaggedTensor x, bool? training)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var mode = training is { } phase ? TrainingMode(phase) : null;
        var padded = RaggedInputs.Pad(x, Name);
        var ys = RaggedInputs.Run(this, [padded], inputs => RunNode(inputs, CallArgs.One));
        return RaggedInputs.Result(ys[0]);
    }

    /// <summary><paramref name="run"/> with <paramref name="mask"/> as the mask of <paramref name="x"/> for the layer that reads it first (as Call(x, mask)).</summary>
    internal T WithMask<T>(Tensor x, Tensor mask, Func<T> run)
    {
        var previous = _explicitMask;
        _explicitMask = (x, mask);
        try { return run(); }
        finally { _explicitMask = previous; }
    }
}
