using System.Runtime.CompilerServices;

namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// The rows of several files, read into one table file after file, delivered each pass with the
/// files in a new random order (make_csv_dataset's <c>list_files(shuffle=shuffle, seed)</c>, i.e.
/// <c>Dataset.from_tensor_slices(filenames).shuffle(len(filenames), seed)</c> before the interleave):
/// each file's rows stay together and in order, or interleave <c>cycleLength</c> files at
/// a time as <c>num_parallel_reads</c> does. Each pass's order comes from the seed and the pass
/// number, as <see cref="ShuffleNode"/>'s do, so a seeded pipeline repeats its sequence of orders.
/// </summary>
internal sealed class ShuffledFilesNode : OrderOnlyNode
{
    private readonly int[] _rowsPerFile;
    private readonly int _cycleLength;
    private readonly int _seed;
    private readonly StrongBox<int> _pass = new(-1);

    public ShuffledFilesNode(Node upstream, int[] rowsPerFile, int cycleLength, int? seed) : base(upstream)
    {
        (_rowsPerFile, _cycleLength) = (rowsPerFile, cycleLength);
        // Without a seed, one from the global generator, as Shuffle takes one (see ShuffleNode).
        _seed = seed ?? (int)NF.Random.NextSeed();
    }

    private ShuffledFilesNode(Node upstream, ShuffledFilesNode settings) : base(upstream) =>
        (_rowsPerFile, _cycleLength, _seed, _pass) = (settings._rowsPerFile, settings._cycleLength, settings._seed, settings._pass);

    public override Node Over(Node upstream) => new ShuffledFilesNode(upstream, this);
    public override long Cardinality => Upstream.Cardinality;

    // Not an iterator: the pass is counted (and its order drawn) when the pass is opened.
    protected override IEnumerator<T> Order<T>(Func<IEnumerator<T>> open, Action<T> drop)
    {
        int pass = Interlocked.Increment(ref _pass.Value);
        // Another stream than a row Shuffle given the same seed draws (the pass numbers count down from -1 here).
        var files = Enumerable.Range(0, _rowsPerFile.Length).ToArray();
        new System.Random(ShuffleNode.Mix(_seed, -1 - pass)).Shuffle(files);
        return Run(open, drop, CsvTable.Interleaved(_rowsPerFile, _cycleLength, files));
    }

    // The rows are views until used (rows of the table's tensors), so holding a pass's worth costs no copy.
    private static IEnumerator<T> Run<T>(Func<IEnumerator<T>> open, Action<T> drop, int[] order)
    {
        var items = new List<T>(order.Length);
        int given = 0;
        try
        {
            using (var source = open())
                while (source.MoveNext()) items.Add(source.Current);
            if (items.Count != order.Length)
                throw new InvalidOperationException($"Internal: the CSV table holds {items.Count} rows, its files {order.Length}.");
            while (given < order.Length)
            {
                var item = items[order[given++]];
                yield return item;
            }
        }
        finally
        {
            // Rows a pass left early never handed out.
            if (items.Count == order.Length)
                for (int k = given; k < order.Length; k++) drop(items[order[k]]);
            else foreach (var item in items) drop(item);
        }
    }
}
