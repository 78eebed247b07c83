using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Data;

// tf.data's group_by_window and bucket_by_sequence_length: elements grouped by a key computed
// from each, so that (for sequences) a batch holds elements of similar length and pads little.
public partial class Dataset<T>
{
    /// <summary>
    /// <c>group_by_window</c>: <paramref name="keyFunc"/> gives each element an integer key;
    /// when <paramref name="windowSize"/> elements of one key have arrived, <paramref name="reduceFunc"/>
    /// receives the key and those elements as a dataset, and the elements of the dataset it
    /// returns come next. Groups still open when the input ends are reduced too, smallest key
    /// first. <c>ds.GroupByWindow(x =&gt; x % 2, (key, window) =&gt; window.Batch(5), 5)</c> over
    /// <c>Range(10)</c> gives <c>[0 2 4 6 8]</c>, then <c>[1 3 5 7 9]</c>. The key may be a
    /// <c>long</c> or a scalar integer tensor. The cardinality is <see cref="Dataset.Unknown"/>.
    /// </summary>
    public Dataset<TResult> GroupByWindow<TResult>(Func<T, Tensor> keyFunc, Func<long, Dataset<T>, Dataset<TResult>> reduceFunc, long windowSize)
    {
        if (windowSize < 1)
            throw new ArgumentOutOfRangeException(nameof(windowSize), windowSize, "GroupByWindow: windowSize must be at least 1.");
        return GroupByWindow(keyFunc, reduceFunc, _ => windowSize);
    }

    /// <summary>
    /// <c>group_by_window</c> with <c>window_size_func</c>: as the overload with a window size,
    /// but each key's window size is <paramref name="windowSizeFunc"/>(key).
    /// </summary>
    public Dataset<TResult> GroupByWindow<TResult>(Func<T, Tensor> keyFunc, Func<long, Dataset<T>, Dataset<TResult>> reduceFunc, Func<long, long> windowSizeFunc)
    {
        ArgumentNullException.ThrowIfNull(keyFunc);
        ArgumentNullException.ThrowIfNull(reduceFunc);
        ArgumentNullException.ThrowIfNull(windowSizeFunc);
        const string op = nameof(GroupByWindow);
        var output = KnownWidth(Structure<TResult>.New(), op);
        var input = Elements;
        return new Dataset<TResult>(new GroupByWindowNode(Node, args => IntegerOf(keyFunc(input.Build(args)), op, "key function"), windowSizeFunc,
            (key, window) => reduceFunc(key, With(window))?.Node!, output.Width, op), output, _disposeEach);
    }

    /// <summary>
    /// <c>bucket_by_sequence_length</c>: elements go to buckets by their length
    /// (<paramref name="elementLengthFunc"/>, e.g. <c>x =&gt; x.Shape[0]</c>): bucket 0 holds lengths
    /// below <paramref name="bucketBoundaries"/>[0], bucket i lengths in [boundaries[i - 1],
    /// boundaries[i]), the last one the rest. Each bucket is padded and batched
    /// (<see cref="PaddedBatch(int, int[][], double[], bool)"/>) with its own size from
    /// <paramref name="bucketBatchSizes"/> (one more than there are boundaries); buckets not full
    /// when the input ends are batched last, smallest bucket first. With
    /// <paramref name="padToBucketBoundary"/>, the padded axes are padded to the bucket's boundary
    /// minus 1 instead of the batch's longest element (every length must then be below the last
    /// boundary). Which axes are padded: the -1 entries of <paramref name="paddedShapes"/> (when it
    /// is null, the first axis of each component of rank 1 or more, the sequence axis, where
    /// TensorFlow would use the unknown dimensions of the element spec). With
    /// <paramref name="noPadding"/> the buckets are batched without padding (equal shapes needed).
    /// </summary>
    public Dataset<T> BucketBySequenceLength(Func<T, Tensor> elementLengthFunc, int[] bucketBoundaries, int[] bucketBatchSizes,
        int[]?[]? paddedShapes = null, double[]? paddingValues = null, bool padToBucketBoundary = false, bool noPadding = false, bool dropRemainder = false)
    {
        const string op = nameof(BucketBySequenceLength);
        ArgumentNullException.ThrowIfNull(elementLengthFunc);
        ArgumentNullException.ThrowIfNull(bucketBoundaries);
        ArgumentNullException.ThrowIfNull(bucketBatchSizes);
        if (bucketBatchSizes.Length != bucketBoundaries.Length + 1)
            throw new ArgumentException($"{op}: bucketBatchSizes has {bucketBatchSizes.Length} sizes for {bucketBoundaries.Length} boundaries; it needs one per bucket, len(bucketBoundaries) + 1 = {bucketBoundaries.Length + 1}.", nameof(bucketBatchSizes));
        for (int i = 1; i < bucketBoundaries.Length; i++)
            if (bucketBoundaries[i] <= bucketBoundaries[i - 1])
                throw new ArgumentException($"{op}: bucketBoundaries must be sorted in increasing order, got [{string.Join(", ", bucketBoundaries)}].", nameof(bucketBoundaries));
        if (padToBucketBoundary && bucketBoundaries.Length == 0)
            throw new ArgumentException($"{op}: padToBucketBoundary pads each batch to its bucket's upper boundary, so bucketBoundaries needs at least one.", nameof(bucketBoundaries));
        foreach (var size in bucketBatchSizes)
            if (size < 1)
                throw new ArgumentOutOfRangeException(nameof(bucketBatchSizes), $"{op}: every bucket batch size must be at least 1, got [{string.Join(", ", bucketBatchSizes)}].");
        var boundaries = (int[])bucketBoundaries.Clone();
        var sizes = (int[])bucketBatchSizes.Clone();
        var values = paddingValues ?? [0];
        var input = Elements;
        Func<Tensor[], long> bucketOf = args =>
        {
            long length = IntegerOf(elementLengthFunc(input.Build(args)), op, "element length function");
            // The first boundary above the length is the bucket's upper end (tf.data: min <= length < max).
            int bucket = 0;
            while (bucket < boundaries.Length && length >= boundaries[bucket]) bucket++;
            if (padToBucketBoundary && bucket == boundaries.Length)
                throw new InvalidOperationException($"{op}: an element has length {length}, but with padToBucketBoundary every length must be below the last boundary ({boundaries[^1]}).");
            return bucket;
        };
        Node Batch(long bucket, Node window)
        {
            int size = sizes[bucket];
            if (noPadding) return new BatchNode(window, size, dropRemainder);
            var shapes = padToBucketBoundary ? ToBoundary(paddedShapes, window.Width, boundaries[bucket] - 1, window) : paddedShapes;
            return new PaddedBatchNode(window, size, shapes, values, dropRemainder);
        }
        return With(new GroupByWindowNode(Node, bucketOf, bucket => sizes[bucket], Batch, Node.Width, op));
    }

    /// <summary>
    /// The padded shapes of one bucket under padToBucketBoundary: each -1 (with no shapes given,
    /// the first axis of every component that has one) becomes <paramref name="length"/>.
    /// </summary>
    private static int[]?[] ToBoundary(int[]?[]? paddedShapes, int width, int length, Node window)
    {
        if (paddedShapes is not null)
            return Array.ConvertAll(paddedShapes, s => s is null ? null : Array.ConvertAll(s, d => d == -1 ? length : d));
        // Ranks from the bucket's first element (every element of a padded batch has the same rank).
        using var first = window.Open();
        first.MoveNext();
        var shapes = new int[]?[width];
        for (int c = 0; c < width; c++)
        {
            int rank = first.Current[c].Shape.Rank;
            shapes[c] = rank == 0 ? [] : [length, .. Enumerable.Repeat(-1, rank - 1)];
        }
        Element.Dispose(first.Current);
        return shapes;
    }

    /// <summary>The value of a scalar integer that a user's function returned (a long converts to one).</summary>
    internal static long IntegerOf(Tensor value, string op, string what)
    {
        if (value is null) throw new InvalidOperationException($"{op}: the {what} returned null instead of an integer.");
        if (!value.DType.IsInteger() || value.Count != 1)
            throw new InvalidOperationException($"{op}: the {what} must return a scalar integer, got a {value.DType.ToString().ToLowerInvariant()} tensor of shape {value.Shape}.");
        return value.DType == DType.Int64 ? value.Item<long>() : value.DType == DType.Int32 ? value.Item<int>() : value.Item<byte>();
    }
}
