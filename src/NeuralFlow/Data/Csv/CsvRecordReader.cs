using System.Text;

namespace NeuralFlow.Data;

/// <summary>One CSV record: its fields and the line of the file it starts on (1-based), for error messages.</summary>
internal readonly record struct CsvRecord(string[] Fields, int Line);

/// <summary>
/// Splits CSV text into records as TensorFlow's CSV readers do (RFC 4180): fields separated by
/// one delimiter character, records by \n or \r\n; with quoting on, a field that starts with a
/// double quote runs to the closing quote, may hold delimiters and line breaks, and writes a
/// quote as two. Blank lines are skipped (TF's CsvDataset and NumPy's loaders both skip them).
/// Malformed quoting is an <see cref="InvalidDataException"/> naming the file and line.
/// </summary>
internal static class CsvRecordReader
{
    internal static IEnumerable<CsvRecord> Read(TextReader text, string source, char delimiter, bool quoting)
    {
        if (delimiter is '\n' or '\r' || (quoting && delimiter == '"'))
            throw new ArgumentException($"The field delimiter cannot be {Describe(delimiter)}.", nameof(delimiter));
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1;
        while (true)
        {
            int start = line;
            fields.Clear();
            int c = text.Peek();
            if (c < 0) yield break;
            if (c is '\n' or '\r')
            {
                // A blank line is no record.
                ReadLineBreak(text, ref line);
                continue;
            }
            while (true)
            {
                field.Clear();
                c = text.Peek();
                if (quoting && c == '"')
                {
                    text.Read();
                    while (true)
                    {
                        c = text.Read();
                        if (c < 0) throw new InvalidDataException($"{source}, line {start}: a quoted field is not closed before the end of the file.");
                        if (c == '"')
                        {
                            if (text.Peek() == '"') { text.Read(); field.Append('"'); continue; }
                            break;
                        }
                        if (c == '\n') line++;
                        field.Append((char)c);
                    }
                    c = text.Peek();
                    if (c >= 0 && c != delimiter && c != '\n' && c != '\r')
                        throw new InvalidDataException($"{source}, line {line}: a quoted field must end with a quote followed by the delimiter or the end of the line, found {Describe((char)c)} after the closing quote.");
                }
                else
                {
                    while ((c = text.Peek()) >= 0 && c != delimiter && c != '\n' && c != '\r')
                    {
                        if (quoting && c == '"')
                            throw new InvalidDataException($"{source}, line {line}: a quote inside an unquoted field (RFC 4180 quotes the whole field and doubles the quotes inside it; or read with useQuoteDelim: false).");
                        field.Append((char)text.Read());
                    }
                }
                fields.Add(field.ToString());
                c = text.Read();
                if (c == delimiter) continue;
                if (c is '\r' or '\n') ConsumeLineBreak(text, c, ref line);
                break;
            }
            yield return new CsvRecord(fields.ToArray(), start);
        }
    }

    private static void ReadLineBreak(TextReader text, ref int line) => ConsumeLineBreak(text, text.Read(), ref line);

    // \r\n counts as one line break, as does a lone \n or \r.
    private static void ConsumeLineBreak(TextReader text, int c, ref int line)
    {
        if (c == '\r' && text.Peek() == '\n') text.Read();
        line++;
    }

    internal static string Describe(char c) => c switch
    {
        '\n' => "a line feed",
        '\r' => "a carriage return",
        '\t' => "a tab",
        _ => $"'{c}'",
    };
}
