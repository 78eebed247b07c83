using System.Text;

namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// The lines of text files, one scalar string element each, file after file in the order given
/// (<c>tf.data.TextLineDataset</c>). Each pass opens the files afresh as it reaches them and holds
/// one open at a time, so files far larger than memory stream through. Lines end at '\n'; every
/// '\r' is dropped, as TensorFlow's line reader drops it (so "\r\n" ends a line too); a last line
/// without '\n' counts when it is not empty. Bytes are read as UTF-8 (invalid bytes become U+FFFD;
/// a byte-order mark is kept, as TensorFlow keeps its bytes). With <paramref name="parallelReads"/>
/// above one, that many files are read at once on threads of their own and their lines
/// interleaved, one of each in turn (an <see cref="InterleaveNode"/> over the files: TensorFlow's
/// deterministic parallel interleave with block length 1).
/// </summary>
internal sealed class TextLineNode(string[] files, string compression, int bufferSize = TextLineDataset.DefaultBufferSize, int parallelReads = 1) : Node
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public override int Width => 1;

    public override string? PrintedClass => "TextLineDatasetV2";

    // As tf.data: how many lines the files hold is not known without reading them.
    public override long Cardinality => files.Length == 0 ? 0 : Dataset.Unknown;

    protected override TensorSpec[] ComputeSignature() => [new TensorSpec([], DType.String)];

    public override IEnumerator<Part[]> Open()
    {
        if (parallelReads > 1 && files.Length > 1)
        {
            // Each file its own sequential reader; the interleave takes one line of each in turn.
            var indices = new RangeNode(0, files.Length, 1, DType.Int64);
            var interleave = new InterleaveNode(indices, args => new TextLineNode([files[args[0].Item<long>()]], compression, bufferSize), 1,
                                                parallelReads, blockLength: 1, nameof(TextLineDataset), parallel: true, deterministic: true);
            return interleave.Open();
        }
        return Sequential();
    }

    private IEnumerator<Part[]> Sequential()
    {
        foreach (var file in files)
            foreach (var line in Lines(file))
                yield return [Part.Owned(StringCarrier.Carry(StringTensor.Wrap([line], Shape.Scalar)))];
    }

    private IEnumerable<string> Lines(string file)
    {
        // TensorFlow fails at iteration, not when the dataset is made; so does this.
        if (!File.Exists(file))
            throw new FileNotFoundException($"TextLineDataset: the file '{file}' does not exist{(Directory.Exists(file) ? " (it is a directory)" : "")}.", file);
        using var reader = new StreamReader(CompressedFile.Open(file, compression), Utf8, detectEncodingFromByteOrderMarks: false, bufferSize: bufferSize);
        var line = new StringBuilder();
        var buffer = new char[1 << 14];
        while (true)
        {
            int n = reader.Read(buffer, 0, buffer.Length);
            if (n == 0) break;
            for (int i = 0; i < n; i++)
            {
                char c = buffer[i];
                if (c == '\n')
                {
                    yield return line.ToString();
                    line.Clear();
                }
                else if (c != '\r') line.Append(c);
            }
        }
        if (line.Length > 0) yield return line.ToString();
    }
}
