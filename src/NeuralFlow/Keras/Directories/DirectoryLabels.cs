namespace NeuralFlow.Keras;

/// <summary>
/// The <c>labels</c> argument of the dataset-from-directory utilities, as Keras spells it:
/// <c>"inferred"</c> (the default: each sub-directory a class), <c>null</c> (no labels), or
/// integer labels, one per file in the sorted walk order, given as
/// <c>DirectoryLabels.Of([0, 1, 1, ...])</c> (a C# argument cannot be a string, a list or null at once).
/// </summary>
public readonly struct DirectoryLabels
{
    private readonly string? _text;
    private readonly int[]? _ids;
    private readonly bool _none;

    private DirectoryLabels(string? text, int[]? ids, bool none) => (_text, _ids, _none) = (text, ids, none);

    /// <summary>Labels from the sub-directory names (Keras' <c>"inferred"</c>, the default).</summary>
    public static DirectoryLabels Inferred => default;

    /// <summary>No labels (Keras' <c>labels=None</c>).</summary>
    public static DirectoryLabels None => new(null, null, none: true);

    /// <summary>One integer label per file, in the sorted order of the file paths (Keras' list of labels).</summary>
    public static DirectoryLabels Of(IEnumerable<int> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return new(null, labels.ToArray(), none: false);
    }

    /// <summary>One label per file from an integer tensor of rank 1.</summary>
    public static DirectoryLabels Of(Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Rank != 1 || !labels.DType.IsInteger())
            throw new ArgumentException($"DirectoryLabels.Of: labels must be integer class ids, one per file (rank 1); got {labels.DType} of shape {labels.Shape}.", nameof(labels));
        return Of(labels.ToDoubleArray().Select(v => (int)v));
    }

    /// <summary><c>"inferred"</c>, or null for no labels; any other text is refused where it is used, with Keras' message.</summary>
    public static implicit operator DirectoryLabels(string? labels) => labels is null ? None : new(labels, null, none: false);

    /// <summary>Whether files get no labels.</summary>
    public bool IsNone => _none;

    /// <summary>The explicit labels, or null.</summary>
    internal int[]? Ids => _ids;

    /// <summary>A text other than "inferred" (an error to report), or null.</summary>
    internal string? Unknown => _text is null or "inferred" ? null : _text;

    /// <inheritdoc/>
    public override string ToString() => _none ? "None" : _ids is { } ids ? $"[{string.Join(", ", ids)}]" : _text ?? "inferred";
}
