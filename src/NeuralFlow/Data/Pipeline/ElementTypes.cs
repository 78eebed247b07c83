namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// The dtypes of an element's components, and the check that steps joining several datasets
/// into one (Concatenate, SampleFromDatasets, ChooseFromDatasets) make: tf.data joins only
/// datasets whose components have the same types (shapes may differ).
/// </summary>
internal static class ElementTypes
{
    public static DType[] Of(Part[] element) => Array.ConvertAll(element, p => p.DType);

    /// <summary>Throws <paramref name="error"/>'s exception naming the first component whose dtypes differ.</summary>
    public static void Check(string op, DType[] first, DType[] second, Func<string, Exception> error)
    {
        for (int c = 0; c < first.Length && c < second.Length; c++)
            if (first[c] != second[c])
                throw error($"{op}: the datasets' elements have different dtypes in component {c}: {first[c]} and {second[c]}; " +
                            "tf.data joins only datasets of the same types (convert one with Map and NF.Cast).");
    }

    /// <summary>The error for a mismatch found while the pipeline runs.</summary>
    public static Exception RunError(string message) => new InvalidOperationException(message);
}
