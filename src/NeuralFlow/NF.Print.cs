namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Prints <paramref name="values"/> separated by spaces, then a new line, to standard error (<c>tf.print</c>, whose
    /// default stream is standard error), as TensorFlow prints them: a tensor NumPy-like without commas
    /// (<c>[1 2 3]</c>, <c>[[1 2]\n [3 4]]</c>), an axis longer than six as its first and last three entries
    /// (<c>[0 1 2 ... 7 8 9]</c>), floats as TensorFlow writes them (<c>[1.5 2 0.333333343]</c>); a string (or a scalar
    /// <c>StringTensor</c>) bare; C# lists, dictionaries and tuples of tensors and numbers as Python prints such
    /// structures (<c>{2: [0 2 4 ... 14 16 18]}</c>). Unlike <c>Console.WriteLine</c>, which an <c>NF.Function</c>
    /// runs only while tracing, it prints at every call: a compiled step replays it with that call's values. See
    /// <see cref="Print(IReadOnlyList{object}, string, string, int, object)"/> for sep, end, summarize and the stream.
    /// </summary>
    public static void Print(params object?[] values) => Print(Console.Error, values);

    /// <summary>Prints <paramref name="values"/> as <see cref="Print(object[])"/> does, to <paramref name="output"/> (tf.print's <c>output_stream</c>).</summary>
    public static void Print(TextWriter output, params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(output);
        Print(values, outputStream: output);
    }

    /// <summary>
    /// <c>tf.print(*values, sep=..., end=..., summarize=..., output_stream=...)</c>: as <see cref="Print(object[])"/>,
    /// the values joined by <paramref name="sep"/> and followed by <paramref name="end"/>.
    /// </summary>
    /// <param name="values">What to print, in order.</param>
    /// <param name="sep">Between values (" ").</param>
    /// <param name="end">After the last ("\n").</param>
    /// <param name="summarize">Entries shown at each end of a longer axis (an axis longer than twice this is elided); -1 shows all.</param>
    /// <param name="outputStream">A <see cref="TextWriter"/>, or "file://path" (appended to, as TensorFlow does); null: standard error.</param>
    /// <exception cref="ArgumentException">summarize below -1, or an output stream that is neither a writer nor "file://path".</exception>
    public static void Print(IReadOnlyList<object?> values, string sep = " ", string end = "\n", int summarize = 3, object? outputStream = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(sep);
        ArgumentNullException.ThrowIfNull(end);
        if (summarize < -1)
            throw new ArgumentOutOfRangeException(nameof(summarize), summarize, "Print: summarize is the number of entries shown at each end of an axis, or -1 for all of them.");
        Action<string> write = outputStream switch
        {
            null => text => Console.Error.Write(text),
            TextWriter writer => writer.Write,
            string path when path.StartsWith("file://", StringComparison.Ordinal) && path.Length > "file://".Length =>
                text => File.AppendAllText(path["file://".Length..], text),
            _ => throw new ArgumentException($"Print: outputStream must be a TextWriter or a \"file://path\" string, got {(outputStream is string s ? $"\"{s}\"" : outputStream.GetType().Name)}.", nameof(outputStream)),
        };
        // The values are read by one host call, which a compiled step replays: it prints at every call, as tf.print.
        var items = values.ToArray();
        var tensors = PrintFormat.Tensors(items, summarize);
        FunctionTrace.RunOnHostAs(tensors, tensors.ConvertAll(PrintFormat.ReadAs), null, bytes =>
        {
            write(PrintFormat.Text(items, sep, end, summarize, tensors, bytes));
            return null;
        }, "Print");
    }
}
