using System.Globalization;
using System.Text;

namespace NeuralFlow.Keras;

/// <summary>
/// Renders <see cref="Model.Summary"/>'s table as Keras 3 prints it (<c>keras/src/utils/summary_utils.py</c>
/// through rich): a heavy-headed box table 76 characters wide (Keras' 88 or 108, capped at an
/// 80-column terminal less 4, which is what <c>shutil.get_terminal_size()</c> answers off a terminal),
/// columns at Keras' relative positions shrunk as rich's <c>ratio_reduce</c> shrinks them, a line
/// between rows, the parameter counts right-aligned, and cells too long for their column wrapped at
/// spaces as rich wraps them (a word longer than its column cut with "…").
/// </summary>
internal static class SummaryTable
{
    private const int LineLength = 76;

    /// <summary>
    /// The table of <paramref name="rows"/> under <paramref name="header"/>, with Keras' column
    /// <paramref name="positions"/> (fractions of the line) and which columns are right-aligned.
    /// </summary>
    internal static string Render(string[] header, double[] positions, bool[] rightAligned, IReadOnlyList<string[]> rows)
    {
        int n = header.Length;
        // Keras' widths: int(pos * line_length) - previous; rich adds a space of padding on each side.
        var widths = new int[n];
        int current = 0;
        for (int i = 0; i < n; i++)
        {
            widths[i] = (int)(positions[i] * LineLength) - current + 2;
            current += widths[i] - 2;
        }
        // The table is LineLength wide with n + 1 border characters: rich reduces fixed-width
        // columns evenly (ratio_reduce with ratios of 1, Python's round-half-even) to fit.
        int excess = widths.Sum() - (LineLength - (n + 1));
        int ratioLeft = n;
        for (int i = 0; i < n && excess > 0; i++)
        {
            int cut = (int)Math.Round((double)excess / ratioLeft, MidpointRounding.ToEven);
            widths[i] -= cut;
            excess -= cut;
            ratioLeft--;
        }
        var sb = new StringBuilder();
        Border(sb, widths, '┏', '━', '┳', '┓');
        Row(sb, widths, header, rightAligned, '┃');
        Border(sb, widths, '┡', '━', '╇', '┩');
        for (int r = 0; r < rows.Count; r++)
        {
            Row(sb, widths, rows[r], rightAligned, '│');
            if (r < rows.Count - 1) Border(sb, widths, '├', '─', '┼', '┤');
        }
        Border(sb, widths, '└', '─', '┴', '┘');
        return sb.ToString();
    }

    /// <summary>Keras' <c>readable_memory_size</c>: "136.04 KB", "0.00 B".</summary>
    internal static string MemorySize(double bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB", "PB"];
        foreach (var unit in units)
        {
            if (bytes / 1024 < 1) return bytes.ToString("F2", CultureInfo.InvariantCulture) + " " + unit;
            bytes /= 1024;
        }
        return bytes.ToString("F2", CultureInfo.InvariantCulture) + " PB";
    }

    private static void Border(StringBuilder sb, int[] widths, char left, char fill, char join, char right)
    {
        sb.Append(left);
        for (int i = 0; i < widths.Length; i++)
        {
            if (i > 0) sb.Append(join);
            sb.Append(fill, widths[i]);
        }
        sb.Append(right).Append('\n');
    }

    private static void Row(StringBuilder sb, int[] widths, string[] cells, bool[] rightAligned, char bar)
    {
        var lines = cells.Select((c, i) => Wrap(c, widths[i] - 2)).ToArray();
        int height = lines.Max(l => l.Count);
        for (int h = 0; h < height; h++)
        {
            sb.Append(bar);
            for (int i = 0; i < widths.Length; i++)
            {
                if (i > 0) sb.Append(bar);
                string text = h < lines[i].Count ? lines[i][h] : "";
                int w = widths[i] - 2;
                sb.Append(' ').Append(rightAligned[i] ? text.PadLeft(w) : text.PadRight(w)).Append(' ');
            }
            sb.Append(bar).Append('\n');
        }
    }

    // Rich's wrap under a table column's overflow="ellipsis" (rich.table.Column's default): words kept
    // whole on a line while they fit; a word longer than the line is a line of its own, cut to the
    // width with "…" at its end (max_pooling2d[0]… in a narrow "Connected to" column).
    private static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length <= width) { line.Append(' ').Append(word); continue; }
            if (line.Length > 0) { lines.Add(line.ToString()); line.Clear(); }
            line.Append(word.Length > width ? word[..(width - 1)] + "…" : word);
        }
        lines.Add(line.ToString());
        return lines;
    }
}
