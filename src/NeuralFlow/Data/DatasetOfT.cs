using System.Collections;
using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Data;

/// <summary>
/// A dataset whose elements are <typeparamref name="T"/>: a <see cref="Tensor"/>, a dictionary of
/// named tensors (<c>IReadOnlyDictionary&lt;string, Tensor&gt;</c>, tf.data's dict elements, which
/// a functional model's <c>Fit</c> matches to its input and output names), or a tuple of 2 or 3 of
/// these (nesting allowed), which <c>foreach (var (features, label) in ds)</c> deconstructs.
/// Every method returns a new dataset and leaves this one unchanged; nothing runs until it is
/// enumerated, and every enumeration is a fresh pass. See <see cref="Dataset"/> for who
/// disposes which tensors.
/// </summary>
public partial class Dataset<T> : Dataset, IEnumerable<T>
{
    private readonly bool _disposeEach;

    internal Dataset(Node node, Structure<T>? structure = null, bool disposeEach = false) : base(node, structure ?? Structure<T>.New())
    {
        // A dictionary whose keys come from a Map's first run has no width before it.
        if (!Elements.HasDictionary && Elements.Width != node.Width)
            throw new InvalidOperationException($"Internal: element type {typeof(T).Name} needs {Elements.Width} tensors, the pipeline makes {node.Width}.");
        _disposeEach = disposeEach;
    }

    /// <summary>How an element maps to the pipeline's flat tensor lists (a dictionary's keys included).</summary>
    internal Structure<T> Elements => (Structure<T>)Schema;

    private Dataset<T> With(Node node) => new(node, Elements, _disposeEach);

    /// <summary>
    /// Applies <paramref name="fn"/> to every element (<c>map</c>). With
    /// <paramref name="parallelism"/> above 1 (<c>num_parallel_calls</c>), that many elements are
    /// processed at once on the thread pool; the output order stays the input order. The
    /// function's inputs and the tensors it creates but does not return are disposed when it
    /// returns; an exception it throws reaches the consumer with its own type and stack.
    /// <paramref name="deterministic"/> false (or left null under <see cref="DatasetOptions.Deterministic"/>
    /// false) delivers parallel results as they finish, so one slow element does not hold up the rest.
    /// </summary>
    public Dataset<TResult> Map<TResult>(Func<T, TResult> fn, int parallelism = 1, bool? deterministic = null)
    {
        ArgumentNullException.ThrowIfNull(fn);
        if (parallelism < 1 && parallelism != Autotune)
            throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, "Map: parallelism must be at least 1, or Dataset.Autotune.");
        if (parallelism == Autotune) parallelism = Environment.ProcessorCount;
        var output = Structure<TResult>.New();
        var node = new MapNode(Node, Structure.Lift(Elements, output, fn), output, parallelism, deterministic);
        return new Dataset<TResult>(node, output, _disposeEach);
    }

    /// <summary>Keeps the elements for which <paramref name="predicate"/> is true (<c>filter</c>).</summary>
    public Dataset<T> Filter(Func<T, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return With(new FilterNode(Node, Structure.Lift(Elements, predicate)));
    }

    /// <summary>
    /// Shuffles with a buffer of <paramref name="bufferSize"/> elements, as TensorFlow does:
    /// each output is drawn uniformly from the buffer and replaced by the next input, so a buffer
    /// as large as the dataset gives a full uniform shuffle and a smaller one only mixes nearby
    /// elements. With <paramref name="reshuffleEachIteration"/> every pass has a new order; a
    /// <paramref name="seed"/>, or else <see cref="NF.Random.SetSeed"/> before the call (as
    /// <c>tf.random.set_seed</c>), makes the sequence of orders the same in every run.
    /// </summary>
    public Dataset<T> Shuffle(int bufferSize, int? seed = null, bool reshuffleEachIteration = true) =>
        With(new ShuffleNode(Node, bufferSize, seed, reshuffleEachIteration));

    /// <summary>
    /// Groups <paramref name="batchSize"/> consecutive elements and stacks each component along a
    /// new first axis. The last, smaller batch is kept unless <paramref name="dropRemainder"/>.
    /// A <c>Map</c> before it whose function is made of elementwise tensor ops runs once per
    /// batch instead of once per element (tf.data's map-and-batch fusion), with the same results;
    /// <paramref name="fuseMap"/> false turns that off. <see cref="Dataset.MapBatchFusion"/> says
    /// whether it happened, and why not.
    /// </summary>
    public Dataset<T> Batch(int batchSize, bool dropRemainder = false, bool fuseMap = true) =>
        With(new BatchNode(Node, batchSize, dropRemainder, fuseMap));

    /// <summary>
    /// <c>padded_batch</c>: like <see cref="Batch"/>, but elements of different shapes are padded at
    /// the end of each axis with <paramref name="paddingValue"/> to a common shape first, so
    /// sequences of different lengths batch. <paramref name="paddedShapes"/> gives each component's
    /// shape (one per component, in element order; -1 or a null shape: the longest in the batch);
    /// without it every axis pads to the longest element of the batch, as TensorFlow does.
    /// </summary>
    public Dataset<T> PaddedBatch(int batchSize, int[]?[]? paddedShapes = null, double paddingValue = 0, bool dropRemainder = false) =>
        With(new PaddedBatchNode(Node, batchSize, paddedShapes, [paddingValue], dropRemainder));

    /// <summary>
    /// <see cref="PaddedBatch(int, int[][], double, bool)"/> with a padding value per component, in
    /// element order (tf.data's tuple of <c>padding_values</c>, e.g. 0 for token ids and -1 for
    /// per-token labels): <c>PaddedBatch(32, paddedShapes: null, paddingValues: [0, -1])</c>.
    /// </summary>
    public Dataset<T> PaddedBatch(int batchSize, int[]?[]? paddedShapes, double[] paddingValues, bool dropRemainder = false) =>
        With(new PaddedBatchNode(Node, batchSize, paddedShapes, paddingValues, dropRemainder));

    /// <summary>
    /// <see cref="PaddedBatch(int, int[][], double, bool)"/> of elements that hold text
    /// (<see cref="StringTensor"/>): string components are padded with <paramref name="paddingString"/>
    /// (tf.data's <c>padding_values=b"&lt;pad&gt;"</c>; TensorFlow's default, b"", is what the other
    /// overloads use), numeric ones with <paramref name="paddingValue"/>.
    /// </summary>
    public Dataset<T> PaddedBatch(int batchSize, int[]?[]? paddedShapes, string paddingString, double paddingValue = 0, bool dropRemainder = false) =>
        With(new PaddedBatchNode(Node, batchSize, paddedShapes, [paddingValue], dropRemainder, paddingString ?? throw new ArgumentNullException(nameof(paddingString))));

    /// <summary>
    /// Splits each element along its first axis into one element per row (<c>unbatch</c>), the
    /// inverse of <see cref="Batch"/>; every component of an element must have the same first dimension.
    /// </summary>
    public Dataset<T> Unbatch() => With(new UnbatchNode(Node));

    /// <summary>This dataset's elements, then <paramref name="other"/>'s (<c>concatenate</c>).</summary>
    public Dataset<T> Concatenate(Dataset<T> other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return With(new ConcatenateNode(Node, Relayout(other, nameof(Concatenate))));
    }

    /// <summary>
    /// <paramref name="other"/>'s pipeline laid out as this dataset's: the same unless dictionaries
    /// are involved whose keys are not known to agree yet; then each of its elements is rebuilt and
    /// flattened again by this dataset's structure, which checks the keys (and costs no tensor op).
    /// </summary>
    internal Node Relayout(Dataset<T> other, string op)
    {
        if (!Elements.HasDictionary || Elements.SameAs(other.Elements)) return other.Node;
        if (Elements.IsKnown && other.Elements.IsKnown)
            throw new ArgumentException($"{op}: the datasets' elements differ: {Elements} and {other.Elements}; all need the same keys.", nameof(other));
        var from = other.Elements;
        return new MapNode(other.Node, Structure.Lift(from, Elements, e => e), Elements, 1);
    }

    /// <summary>
    /// Each element with its position as an int64 scalar, counting from <paramref name="start"/>
    /// (<c>enumerate</c>): <c>foreach (var (i, (x, y)) in ds.Enumerate())</c>.
    /// </summary>
    public Dataset<(Tensor, T)> Enumerate(long start = 0) =>
        new(new ZipNode([new RangeNode(start, null, 1, DType.Int64), Node]), new Structure.PairStructure<Tensor, T>(Structure<Tensor>.New(), Elements), _disposeEach);

    /// <summary>
    /// Prepares up to <paramref name="bufferSize"/> elements ahead on a background thread while
    /// the consumer works. With <see cref="Dataset.Autotune"/> (<c>tf.data.AUTOTUNE</c>) the
    /// buffer grows while the consumer finds it empty, and the pipeline runs on the consumer's
    /// thread instead for as long as measuring both ways shows that to deliver faster (a cheap
    /// producer, such as a fused map-and-batch, whose thread would only take cores from the
    /// consumer's kernels); a producer slower than the consumer always keeps its thread. The
    /// elements are the same either way. Leaving the loop early stops and ends the thread.
    /// </summary>
    public Dataset<T> Prefetch(int bufferSize) => With(new PrefetchNode(Node, bufferSize));

    /// <summary>
    /// <c>with_options</c>: the same dataset, run under <paramref name="options"/> (tf.data's
    /// <c>Options</c>: <c>Deterministic</c>, <c>Threading.PrivateThreadpoolSize</c>,
    /// <c>Autotune.Enabled</c>). They apply to the whole pipeline, the steps before this call
    /// included, and to the steps added after it; options given again later win where both set a
    /// value. The options are copied: changing <paramref name="options"/> afterwards changes nothing.
    /// </summary>
    public Dataset<T> WithOptions(DatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return With(new OptionsNode(Node, options.Clone()));
    }

    /// <summary>Repeats the dataset <paramref name="count"/> times (-1: forever).</summary>
    public Dataset<T> Repeat(int count = -1) => With(new RepeatNode(Node, count));

    /// <summary>At most the first <paramref name="count"/> elements (-1: all).</summary>
    public Dataset<T> Take(long count) => With(new TakeNode(Node, count));

    /// <summary>
    /// The elements whose position modulo <paramref name="numShards"/> is <paramref name="index"/>
    /// (<c>shard</c>): disjoint parts of the data, one per worker. Shard before shuffling or
    /// batching, as tf.data advises, so that each worker reads its own examples. (Under a
    /// <see cref="Distributed.DataParallel"/> strategy <c>Model.Fit</c> needs no shard: it splits
    /// each batch of the whole dataset among the ranks by itself, as a global batch.)
    /// </summary>
    public Dataset<T> Shard(int numShards, int index)
    {
        if (numShards < 1) throw new ArgumentOutOfRangeException(nameof(numShards), numShards, "Shard: numShards must be at least 1.");
        if (index < 0 || index >= numShards)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Shard: index must be in [0, numShards) = [0, {numShards}).");
        return With(new ShardNode(Node, numShards, index));
    }

    /// <summary>All but the first <paramref name="count"/> elements (-1: none).</summary>
    public Dataset<T> Skip(long count) => With(new SkipNode(Node, count));

    /// <summary>
    /// Keeps the elements of the first complete pass in memory and replays them in later passes,
    /// so the work before <c>Cache</c> runs once. Place it before <c>Shuffle</c> so that later
    /// passes are still shuffled.
    /// </summary>
    public Dataset<T> Cache() => With(new CacheNode(Node));

    /// <summary>
    /// <c>cache(filename)</c>: the first complete pass writes the elements to
    /// <paramref name="filename"/>, and every later pass, in this run or a later one, reads them
    /// from the file instead of running the steps before <c>Cache</c> (data larger than memory,
    /// or expensive preprocessing kept across runs). The file appears only when a pass ends, so
    /// a pass left early or a killed run leaves no partial cache: the next pass writes it again.
    /// Text (<see cref="StringTensor"/> components) is kept as UTF-8, empty strings included.
    /// An empty <paramref name="filename"/> caches in memory (<see cref="Cache()"/>), as in tf.data.
    /// The file is trusted to hold this pipeline's elements; delete it when the data changes.
    /// Elements that are dictionaries need their keys known when <c>Cache</c> is called (true
    /// of <c>FromTensorSlices</c>; a <c>Map</c> that makes dictionaries can come after it).
    /// </summary>
    public Dataset<T> Cache(string filename)
    {
        ArgumentNullException.ThrowIfNull(filename);
        if (filename.Length == 0) return Cache();
        if (!Elements.IsKnown)
            throw new NotSupportedException($"Cache: the elements are {Elements}, dictionaries whose keys a Map or a generator makes, which a later run reading the file would not know; Map into dictionaries after Cache(filename) instead.");
        return With(new FileCacheNode(Node, Path.GetFullPath(filename)));
    }

    /// <summary>This dataset's elements paired with <paramref name="other"/>'s, ending with the shorter.</summary>
    public Dataset<(T, TOther)> Zip<TOther>(Dataset<TOther> other) => Zip(this, other);

    /// <summary>
    /// The same dataset, except that each element a loop receives is disposed when the loop moves
    /// to the next one (or ends): deterministic freeing for loops that do not keep elements.
    /// Keep one past that point with <see cref="TensorOwnership.Keep"/>.
    /// </summary>
    public Dataset<T> AutoDispose() => new(Node, Elements, disposeEach: true);

    /// <summary>Starts a pass over the dataset.</summary>
    public IEnumerator<T> GetEnumerator()
    {
        var structure = Elements;
        using var pass = new PassEnumerator(Node, _disposeEach);
        while (pass.MoveNext()) yield return structure.Build(pass.Current);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
