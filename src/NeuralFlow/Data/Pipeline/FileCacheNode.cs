using NeuralFlow.IO;

namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// <c>cache(filename)</c>: the first complete pass writes its elements to a file, and every later
/// pass, in this run or the next, reads them from it instead of running the upstream. The file
/// appears under its name only when a pass has ended (it is written beside it and renamed, as
/// <see cref="AtomicFile"/> writes), so a pass left early, a failure or a killed process leaves no
/// partial cache for the next run to mistake for the data: that run writes it afresh. (TensorFlow
/// instead refuses to start until a killed run's lockfile is deleted by hand.)
/// </summary>
/// <remarks>
/// The file is an <see cref="ElementFile"/>. As in TensorFlow, it is trusted to hold this
/// pipeline's data: delete it when the data changes.
/// </remarks>
internal sealed class FileCacheNode(Node upstream, string path) : Node
{
    public override int Width => upstream.Width;
    public override IReadOnlyList<Node> Inputs => [upstream];
    protected override TensorSpec[] ComputeSignature() => upstream.Signature;
    public override long Cardinality => upstream.Cardinality;

    public override IEnumerator<Part[]> Open() => File.Exists(path) ? ElementFile.Read(path, Width, Bad).GetEnumerator() : Record();

    private IEnumerator<Part[]> Record()
    {
        using var file = AtomicFile.Begin(path);
        var writer = new ElementFile.Writer(file.Stream, Width);
        using (var source = upstream.Open())
            while (source.MoveNext())
            {
                var element = source.Current;
                try
                {
                    writer.Append(element);
                }
                catch
                {
                    Element.Dispose(element);
                    throw;
                }
                yield return element;
            }
        writer.Finish();
        file.Commit();
    }

    private InvalidDataException Bad(string why, Exception? inner) =>
        new($"Cache: cannot read '{path}': {why}. Delete the file to cache the dataset again, or give Cache another filename.", inner);
}
