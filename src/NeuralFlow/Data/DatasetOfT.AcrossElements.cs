using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Data;

// tf.data's combinators that look across elements rather than at one at a time: flat_map,
// interleave, window, rebatch, scan and reduce, with tf.data's orders and edge cases.
public partial class Dataset<T>
{
    /// <summary>
    /// Each element becomes a dataset through <paramref name="fn"/>, and their elements follow one
    /// another (<c>flat_map</c>): <c>ds.FlatMap(x =&gt; Dataset.FromTensorSlices(x))</c> unbatches.
    /// </summary>
    public Dataset<TResult> FlatMap<TResult>(Func<T, Dataset<TResult>> fn) => InterleaveOf(fn, 1, int.MaxValue, nameof(FlatMap), deterministic: true);

    /// <summary>
    /// <c>interleave</c>: each element becomes a dataset through <paramref name="fn"/>;
    /// <paramref name="cycleLength"/> of them are read at once, <paramref name="blockLength"/>
    /// elements from each in turn, in tf.data's deterministic order (a finished dataset's slot
    /// takes the next element's dataset). <see cref="Dataset.Autotune"/> (TensorFlow's default)
    /// reads as many as there are processors. With <paramref name="numParallelCalls"/> above 1 or
    /// <see cref="Dataset.Autotune"/> (<c>num_parallel_calls</c>), the open datasets are read at
    /// once, each ahead on a thread of its own (the tf.data performance guide's parallel reading of
    /// files); the order stays the deterministic one unless <paramref name="deterministic"/> is
    /// false (or left null under <see cref="DatasetOptions.Deterministic"/> false): then, as in
    /// tf.data, a source whose next element is not ready yet gives its turn to one that has an
    /// element ready, so a slow source does not hold up the others (every element still comes once).
    /// </summary>
    public Dataset<TResult> Interleave<TResult>(Func<T, Dataset<TResult>> fn, int cycleLength = Autotune, int blockLength = 1,
        int numParallelCalls = 1, bool? deterministic = null)
    {
        if (numParallelCalls < 1 && numParallelCalls != Autotune)
            throw new ArgumentOutOfRangeException(nameof(numParallelCalls), numParallelCalls, "Interleave: numParallelCalls must be at least 1, or Dataset.Autotune.");
        return InterleaveOf(fn, cycleLength == Autotune ? Environment.ProcessorCount : cycleLength, blockLength, nameof(Interleave), numParallelCalls != 1, deterministic);
    }

    private Dataset<TResult> InterleaveOf<TResult>(Func<T, Dataset<TResult>> fn, int cycleLength, int blockLength, string op, bool parallel = false, bool? deterministic = null)
    {
        ArgumentNullException.ThrowIfNull(fn);
        var input = Elements;
        var output = Structure<TResult>.New();
        if (!output.HasDictionary)
            return new Dataset<TResult>(
                new InterleaveNode(Node, args => fn(input.Build(args))?.Node!, output.Width, cycleLength, blockLength, op, parallel, deterministic), output, _disposeEach);
        // Dictionaries' keys are not known before the first element: each dataset's elements pass through this
        // dataset's structure (an identity Map), which learns the keys from the first one, as a Map's output does,
        // and refuses a later dataset whose keys differ.
        Node Through(Tensor[] args) =>
            fn(input.Build(args)) is { } inner ? new MapNode(inner.Node, Structure.Lift(inner.Elements, output, (TResult x) => x), output, 1) : null!;
        return new Dataset<TResult>(new InterleaveNode(Node, Through, output, cycleLength, blockLength, op, parallel, deterministic), output, _disposeEach);
    }

    // The outputs of FlatMap, Interleave and Scan are sized before their first element is made,
    // which a dictionary's keys are not.
    private static Structure<TResult> KnownWidth<TResult>(Structure<TResult> output, string op) =>
        output.HasDictionary
            ? throw new NotSupportedException($"{op}: elements that are dictionaries are not supported as its output yet; return tensors or tuples of tensors, and Map them into a dictionary afterwards.")
            : output;

    /// <summary>
    /// Sliding windows (<c>window(size, shift, stride, drop_remainder)</c>), each delivered
    /// stacked as <c>.flat_map(lambda w: w.batch(size))</c> gives them in TensorFlow: window k
    /// holds elements k * shift, k * shift + stride, ..., up to <paramref name="size"/> of them.
    /// <paramref name="shift"/> defaults to <paramref name="size"/> (windows that do not overlap);
    /// the last windows are shorter unless <paramref name="dropRemainder"/>.
    /// </summary>
    public Dataset<T> Window(int size, int? shift = null, int stride = 1, bool dropRemainder = false) =>
        With(new WindowNode(Node, size, shift ?? size, stride, dropRemainder));

    /// <summary>
    /// <c>rebatch</c>: the batches of this dataset regrouped into batches of
    /// <paramref name="batchSize"/> rows (the last smaller unless <paramref name="dropRemainder"/>).
    /// </summary>
    public Dataset<T> Rebatch(int batchSize, bool dropRemainder = false) => Rebatch([batchSize], dropRemainder);

    /// <summary><c>rebatch(batch_size=[...])</c>: the rows regrouped into batches whose sizes cycle through <paramref name="batchSizes"/>.</summary>
    public Dataset<T> Rebatch(int[] batchSizes, bool dropRemainder = false) => With(new RebatchNode(Node, batchSizes, dropRemainder));

    /// <summary>
    /// <c>scan</c>: carries a state through the elements; <paramref name="fn"/> maps (state,
    /// element) to (new state, output), and the outputs form the new dataset. Each pass starts
    /// from <paramref name="initialState"/>, which stays the caller's; the state keeps its
    /// structure, dtypes and shapes.
    /// </summary>
    public Dataset<TResult> Scan<TState, TResult>(TState initialState, Func<TState, T, (TState State, TResult Output)> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        var state = Structure<TState>.New();
        state.Bind(initialState);   // a dictionary state's keys are the initial state's
        var input = Elements;
        var output = KnownWidth(Structure<TResult>.New(), nameof(Scan));
        var initial = state.Flatten(initialState);
        return new Dataset<TResult>(new ScanNode(Node, initial, (s, args) =>
        {
            var (next, result) = fn(state.Build(s), input.Build(args));
            return (state.Flatten(next), output.Flatten(result));
        }, output.Width), output, _disposeEach);
    }

    /// <summary>
    /// <c>reduce</c>: folds every element into a state, starting from
    /// <paramref name="initialState"/>, and returns the final state (the initial one for an
    /// empty dataset). Elements and intermediate states the function does not keep are freed.
    /// </summary>
    public TState Reduce<TState>(TState initialState, Func<TState, T, TState> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        if (Cardinality == Infinite) throw new InvalidOperationException("Reduce: the dataset is infinite (a Repeat() without a count?), so the reduction would never end.");
        var structure = Structure<TState>.New();
        structure.Bind(initialState);
        var input = Elements;
        var initial = new HashSet<Tensor>(structure.Flatten(initialState), ReferenceEqualityComparer.Instance);
        var state = initialState;
        using var pass = new PassEnumerator(Node, disposeEach: false);
        while (pass.MoveNext())
        {
            var element = pass.Current;
            var next = fn(state, input.Build(element));
            var kept = new HashSet<Tensor>(structure.Flatten(next), ReferenceEqualityComparer.Instance);
            foreach (var t in element)
                if (!kept.Contains(t)) t.Dispose();
            foreach (var t in structure.Flatten(state))
                if (!kept.Contains(t) && !initial.Contains(t)) t.Dispose();
            state = next;
        }
        return state;
    }
}
