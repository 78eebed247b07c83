using NeuralFlow.Data;

namespace NeuralFlow.Keras;

/// <summary>
/// What the adaptable preprocessing layers (Normalization, Discretization, IntegerLookup; TextVectorization and StringLookup for text) accept
/// from a dataset in <c>Adapt(dataset, steps)</c>, as Keras' <c>adapt</c>: a dataset of features
/// only, read whole or for <c>steps</c> batches (an infinite one needs steps).
/// </summary>
internal static class AdaptData
{
    /// <summary>The feature batches to adapt to, each disposed once the next is read; errors name <paramref name="layer"/>.</summary>
    internal static IEnumerable<Tensor> Batches(string layer, Dataset dataset, int? steps)
    {
        Check(layer, dataset, steps);
        dataset.RefuseStrings($"{layer}.Adapt");
        var batches = dataset.EnumerateTensors(disposeEach: true).Select(e => e[0]);
        return steps is { } s ? batches.Take(s) : batches;
    }

    /// <summary>
    /// The text batches to adapt to (TextVectorization, StringLookup: Keras' <c>adapt(dataset)</c>
    /// over batches of strings), the pipeline's own handles freed as each is read.
    /// </summary>
    internal static IEnumerable<StringTensor> StringBatches(string layer, Dataset<StringTensor> dataset, int? steps)
    {
        Check(layer, dataset, steps);
        IEnumerable<StringTensor> batches = dataset.AutoDispose();
        return steps is { } s ? batches.Take(s) : batches;
    }

    private static void Check(string layer, Dataset dataset, int? steps)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.ComponentCount != 1)
            throw new ArgumentException($"{layer}: Adapt takes a dataset of features only, but its elements hold {dataset.ComponentCount} tensors; map it first, e.g. ds.Map((x, y) => x).", nameof(dataset));
        if (steps is < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"{layer}: steps must be at least 1.");
        if (steps is null && dataset.Cardinality == Dataset.Infinite)
            throw new ArgumentException($"{layer}: the dataset is infinite; give Adapt the number of batches to read (steps).", nameof(steps));
    }
}
