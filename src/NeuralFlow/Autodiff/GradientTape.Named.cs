namespace NeuralFlow;

public sealed partial class GradientTape
{
    /// <summary>
    /// The gradient of <paramref name="target"/> with respect to each source of a dictionary, under
    /// the source's key (TensorFlow's <c>tape.gradient(loss, {'w': w, 'b': b})</c> returns the
    /// gradients in the same structure). An entry is null where the source does not influence the
    /// target, zeros with <see cref="UnconnectedGradients.Zero"/>.
    /// </summary>
    public Dictionary<TKey, Tensor> Gradient<TKey, TSource>(Tensor target, IReadOnlyDictionary<TKey, TSource> sources,
        UnconnectedGradients unconnectedGradients = UnconnectedGradients.None)
        where TKey : notnull where TSource : Tensor
    {
        ArgumentNullException.ThrowIfNull(sources);
        // One pass over the pairs: keys and sources stay aligned even for a dictionary whose lookups are costly.
        var pairs = sources.ToArray();
        var keys = pairs.Select(p => p.Key).ToArray();
        var grads = Gradient(target, pairs.Select(p => (Tensor)p.Value).ToArray(), unconnectedGradients: unconnectedGradients);
        var result = new Dictionary<TKey, Tensor>(keys.Length);
        for (int i = 0; i < keys.Length; i++) result[keys[i]] = grads[i];
        return result;
    }
}
