using NeuralFlow.IO.TFRecord;

namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// The records of TFRecord files, one scalar string element each (its bytes kept exactly: <see cref="ByteStrings"/>),
/// file after file, each opened when a pass reaches it (<c>tf.data.TFRecordDataset</c>); with
/// <paramref name="parallelReads"/> above one, files read at once and their records interleaved one at a time,
/// as <see cref="TextLineNode"/> interleaves lines.
/// </summary>
internal sealed class TFRecordNode(string[] files, string compression, int bufferSize, int parallelReads) : Node
{
    public override int Width => 1;

    public override string? PrintedClass => "TFRecordDatasetV2";

    public override long Cardinality => files.Length == 0 ? 0 : Dataset.Unknown;

    protected override TensorSpec[] ComputeSignature() => [new TensorSpec([], DType.String)];

    public override IEnumerator<Part[]> Open()
    {
        if (parallelReads > 1 && files.Length > 1)
        {
            var indices = new RangeNode(0, files.Length, 1, DType.Int64);
            var interleave = new InterleaveNode(indices, args => new TFRecordNode([files[args[0].Item<long>()]], compression, bufferSize, 1), 1,
                                                parallelReads, blockLength: 1, nameof(TFRecordDataset), parallel: true, deterministic: true);
            return interleave.Open();
        }
        return Sequential();
    }

    private IEnumerator<Part[]> Sequential()
    {
        foreach (var file in files)
        {
            if (!File.Exists(file))
                throw new FileNotFoundException($"TFRecordDataset: the file '{file}' does not exist{(Directory.Exists(file) ? " (it is a directory)" : "")}.", file);
            using var stream = new BufferedStream(CompressedFile.Open(file, compression), bufferSize);
            foreach (var record in TFRecordFraming.Read(stream, file))
                yield return [Part.Owned(StringCarrier.Carry(StringTensor.Wrap([ByteStrings.Decode(record)], Shape.Scalar)))];
        }
    }
}
