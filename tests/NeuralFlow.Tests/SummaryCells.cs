namespace NeuralFlow.Tests;

/// <summary>
/// Reads <c>Model.SummaryText()</c>'s box table (Keras 3's rich table) back into cells, so that tests
/// assert what a row says rather than how the columns happened to wrap: each cell's wrapped lines
/// are joined with a space, which gives back the text rich broke at spaces.
/// </summary>
internal static class SummaryCells
{
    /// <summary>The body rows of the table, each as its cells (the header row excluded).</summary>
    public static List<string[]> Rows(string summary)
    {
        var rows = new List<string[]>();
        List<string>[]? current = null;
        foreach (var line in summary.Split('\n'))
        {
            if (line.StartsWith('│'))
            {
                var cells = line.Trim().Trim('│').Split('│');
                current ??= cells.Select(_ => new List<string>()).ToArray();
                for (int i = 0; i < cells.Length; i++)
                    if (cells[i].Trim() is { Length: > 0 } text) current[i].Add(text);
            }
            else if ((line.StartsWith('├') || line.StartsWith('└')) && current is not null)
            {
                rows.Add(current.Select(c => string.Join(" ", c)).ToArray());
                current = null;
            }
        }
        return rows;
    }

    /// <summary>
    /// The one row whose first cell is <paramref name="layer"/>, e.g. "conv (Conv2D)", or starts with it and its
    /// class in parentheses, e.g. "mha" for "mha (MultiHeadAttentio…" (rich cuts a word wider than its column).
    /// </summary>
    public static string[] Row(string summary, string layer)
    {
        var rows = Rows(summary).Where(r => r[0] == layer || r[0].StartsWith(layer + " (", StringComparison.Ordinal)).ToList();
        Assert.True(rows.Count == 1, $"Summary has {rows.Count} rows named '{layer}':\n{summary}");
        return rows[0];
    }
}
