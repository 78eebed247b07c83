using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Data;

/// <summary>
/// An input pipeline (TensorFlow <c>tf.data.Dataset</c>): a restartable sequence of elements,
/// each a <see cref="Tensor"/> or a tuple of tensors, built from tensors with
/// <see cref="FromTensorSlices(Tensor, Tensor)"/> and transformed with <c>Map</c>, <c>Filter</c>,
/// <c>Shuffle</c>, <c>Batch</c>, <c>Prefetch</c>, ... (see <see cref="Dataset{T}"/>). This
/// non-generic base holds the factories and lets code such as <c>Model.Fit</c> take any dataset.
/// </summary>
/// <remarks>
/// <para><b>Who disposes what.</b> Everything the pipeline makes on the way (row views, the
/// inputs of a <c>Map</c> function and every tensor it creates but does not return, elements
/// dropped by <c>Filter</c>, <c>Skip</c> or an abandoned <c>Shuffle</c> buffer, the single
/// elements stacked into a batch, batches still queued by <c>Prefetch</c> when a loop ends)
/// is disposed by the pipeline as soon as nothing downstream needs it.</para>
/// <para>The element a <c>foreach</c> receives belongs to the consumer, as in TensorFlow and
/// PyTorch: it stays valid for as long as the consumer holds it (storing batches in a list is
/// safe). Dispose it (<c>using</c>) to free it at once, or leave it to the GC, which frees it in
/// bounded memory because tensors report their native size. Loops that never keep an element
/// and want it freed at once without writing <c>Dispose</c> use
/// <see cref="Dataset{T}.AutoDispose"/>; there, <see cref="TensorOwnership.Keep"/> keeps one.</para>
/// <para>A <c>Map</c> function must not stash tensors it creates anywhere else: what it does
/// not return is disposed when it returns.</para>
/// </remarks>
public abstract class Dataset
{
    /// <summary>Lets <c>Prefetch</c> choose and adapt its buffer size (<c>tf.data.AUTOTUNE</c>).</summary>
    public const int Autotune = -1;

    /// <summary><see cref="Cardinality"/> of a dataset that never ends (<c>tf.data.INFINITE_CARDINALITY</c>).</summary>
    public const long Infinite = -1;

    /// <summary><see cref="Cardinality"/> when the count cannot be known without running it, e.g. after <c>Filter</c>.</summary>
    public const long Unknown = -2;

    private protected Dataset(Node node) => Node = node;

    internal Node Node { get; }

    /// <summary>Elements in one pass, <see cref="Infinite"/> or <see cref="Unknown"/> (<c>cardinality()</c>).</summary>
    public long Cardinality => Node.Cardinality;

    /// <summary>Tensors per element (2 for <c>(features, labels)</c>).</summary>
    public int ComponentCount => Node.Width;

    /// <summary>The rows of <paramref name="x"/> (slices along its first axis), one element each.</summary>
    public static Dataset<Tensor> FromTensorSlices(Tensor x) => new(new SliceNode([x]));

    /// <summary>
    /// Pairs of rows of <paramref name="x"/> and <paramref name="y"/>, which must have the same
    /// first dimension: <c>(x[i], y[i])</c> for each i. The dataset reads the tensors lazily;
    /// keep them alive (undisposed) while it is in use.
    /// </summary>
    public static Dataset<(Tensor, Tensor)> FromTensorSlices(Tensor x, Tensor y) => new(new SliceNode([x, y]));

    /// <summary>Triples of rows <c>(x[i], y[i], z[i])</c>.</summary>
    public static Dataset<(Tensor, Tensor, Tensor)> FromTensorSlices(Tensor x, Tensor y, Tensor z) => new(new SliceNode([x, y, z]));

    /// <summary>Pairs of rows from a tuple, as in TensorFlow's <c>from_tensor_slices((x, y))</c>.</summary>
    public static Dataset<(Tensor, Tensor)> FromTensorSlices((Tensor X, Tensor Y) tensors) => FromTensorSlices(tensors.X, tensors.Y);

    /// <summary>Triples of rows from a tuple.</summary>
    public static Dataset<(Tensor, Tensor, Tensor)> FromTensorSlices((Tensor X, Tensor Y, Tensor Z) tensors) =>
        FromTensorSlices(tensors.X, tensors.Y, tensors.Z);

    /// <summary>
    /// The numbers 0, 1, ..., <paramref name="stop"/> - 1 as int64 scalars (<c>tf.data.Dataset.range(stop)</c>).
    /// </summary>
    public static Dataset<Tensor> Range(long stop) => Range(0, stop);

    /// <summary>
    /// The numbers <paramref name="start"/>, start + <paramref name="step"/>, ... that come before
    /// <paramref name="stop"/>, as scalars of <paramref name="dtype"/> (int64 by default, as
    /// <c>tf.data.Dataset.range(start, stop, step)</c>; Python's range rules, so a negative step counts down).
    /// </summary>
    public static Dataset<Tensor> Range(long start, long stop, long step = 1, DType dtype = DType.Int64) =>
        new(new RangeNode(start, stop, step, dtype));

    /// <summary>
    /// The elements of a C# iterator (<c>tf.data.Dataset.from_generator</c>): <paramref name="generator"/>
    /// is called at the start of every pass, so write it as a method or lambda with <c>yield return</c>
    /// (e.g. <c>Dataset.FromGenerator(() => ReadSequences(path))</c>). Each element is a
    /// <see cref="Tensor"/> or a tuple of tensors; elements may differ in shape (batch them with
    /// <see cref="Dataset{T}.PaddedBatch"/>). The pipeline does not dispose the tensors the generator
    /// yields, only its own handles on them, so yielding a tensor that is kept elsewhere is safe.
    /// The cardinality is <see cref="Unknown"/>.
    /// </summary>
    public static Dataset<T> FromGenerator<T>(Func<IEnumerable<T>> generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var structure = Structure<T>.Instance;
        return new(new GeneratorNode(() => (generator() ?? throw new InvalidOperationException("FromGenerator: the generator function returned null instead of a sequence."))
            .Select(structure.Flatten), structure.Width));
    }

    /// <summary>One element: the whole tensor (<c>tf.data.Dataset.from_tensors</c>; compare <see cref="FromTensorSlices(Tensor)"/>).</summary>
    public static Dataset<Tensor> FromTensors(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return new(new GeneratorNode(() => [[x]], 1, cardinality: 1));
    }

    /// <summary>One element: the pair of whole tensors (<c>tf.data.Dataset.from_tensors((x, y))</c>).</summary>
    public static Dataset<(Tensor, Tensor)> FromTensors(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return new(new GeneratorNode(() => [[x, y]], 2, cardinality: 1));
    }

    /// <summary>
    /// The map-and-batch fusion of this dataset's last <c>Batch</c> (looking through
    /// <c>Prefetch</c> and order-only steps after it), or null when it has none; decided on the
    /// first pass. See <see cref="Data.MapBatchFusion"/>.
    /// </summary>
    public MapBatchFusion? MapBatchFusion
    {
        get
        {
            for (var node = Node; ; )
            {
                switch (node)
                {
                    case BatchNode batch: return batch.Fusion;
                    case PrefetchNode prefetch: node = prefetch.Upstream; break;
                    case IOrderOnly step: node = step.Upstream; break;
                    default: return null;
                }
            }
        }
    }

    /// <summary>Elements of both datasets side by side, ending with the shorter (<c>tf.data.Dataset.zip</c>).</summary>
    public static Dataset<(TA, TB)> Zip<TA, TB>(Dataset<TA> a, Dataset<TB> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new(new ZipNode([a.Node, b.Node]));
    }

    /// <summary>Elements of three datasets side by side, ending with the shortest.</summary>
    public static Dataset<(TA, TB, TC)> Zip<TA, TB, TC>(Dataset<TA> a, Dataset<TB> b, Dataset<TC> c)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        return new(new ZipNode([a.Node, b.Node, c.Node]));
    }

    /// <summary>
    /// One pass as flat tensor arrays (features first), for consumers such as <c>Model.Fit</c>
    /// that do not know the element type. With <paramref name="disposeEach"/> each array's
    /// tensors are disposed when the next one is requested and at the end.
    /// </summary>
    internal IEnumerable<Tensor[]> EnumerateTensors(bool disposeEach)
    {
        using var pass = new PassEnumerator(Node, disposeEach);
        while (pass.MoveNext()) yield return pass.Current;
    }
}
