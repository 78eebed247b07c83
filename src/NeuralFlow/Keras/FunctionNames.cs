namespace NeuralFlow.Keras;

/// <summary>The name a C# function gives the loss or metric made from it, as Keras names one by its <c>__name__</c>.</summary>
internal static class FunctionNames
{
    /// <summary>
    /// A method's own name ("CustomMse"), a local function's declared name (the compiler's
    /// "&lt;Test&gt;g__CustomMse|3_0" is "CustomMse"), and <paramref name="fallback"/> for a lambda, which has none.
    /// </summary>
    public static string Of(Delegate fn, string fallback)
    {
        var name = fn.Method.Name;
        if (!name.Contains('<')) return name;
        int start = name.IndexOf("g__", StringComparison.Ordinal);
        if (start < 0) return fallback;
        start += 3;
        int end = name.IndexOf('|', start);
        return end > start ? name[start..end] : fallback;
    }
}
