using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Data;

/// <summary>
/// An input pipeline (TensorFlow <c>tf.data.Dataset</c>): a restartable sequence of elements,
/// each a <see cref="Tensor"/>, a dictionary of named tensors or a tuple of these, built from tensors with
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
public abstract partial class Dataset
{
    /// <summary>Lets <c>Prefetch</c> choose and adapt its buffer size (<c>tf.data.AUTOTUNE</c>).</summary>
    public const int Autotune = -1;

    /// <summary><see cref="Cardinality"/> of a dataset that never ends (<c>tf.data.INFINITE_CARDINALITY</c>).</summary>
    public const long Infinite = -1;

    /// <summary><see cref="Cardinality"/> when the count cannot be known without running it, e.g. after <c>Filter</c>.</summary>
    public const long Unknown = -2;

    private protected Dataset(Node node, ElementStructure schema) => (Node, Schema) = (node, schema);

    internal Node Node { get; }

    /// <summary>How an element's parts (tuple items, dictionary keys) map to <see cref="Node"/>'s flat tensor lists.</summary>
    internal ElementStructure Schema { get; }

    /// <summary>
    /// The structure, dtypes and shapes of the elements (tf.data's <c>element_spec</c>), e.g.
    /// <c>TensorSpec(shape=(None, 28, 28), dtype=tf.float32, name=None)</c> after <c>Batch</c>: a
    /// dimension is null where elements may differ (the batch axis unless <c>dropRemainder</c>).
    /// Each step derives it from its input's without running the pipeline; a <c>Map</c>,
    /// <c>Scan</c> or <c>Interleave</c> function is traced once on placeholder zeros, as tf.data
    /// traces it (a function that fails on zeros, or a generator without an output signature, is
    /// read from the first element instead, which tells dtypes and ranks but no dimensions).
    /// </summary>
    public ElementSpec ElementSpec
    {
        get
        {
            var flat = Node.Signature;   // first: a trace learns the keys of a Map's dictionaries
            return Schema.Describe(flat, 0);
        }
    }

    /// <summary>
    /// What <c>print(ds)</c> shows in TensorFlow: the step that made the dataset and its
    /// <see cref="ElementSpec"/>, e.g. <c>&lt;_BatchDataset element_spec=TensorSpec(shape=(None, 3), dtype=tf.float32, name=None)&gt;</c>.
    /// A spec that cannot be derived (a Map function that fails) leaves only the step's name, as printing must not throw.
    /// </summary>
    public override string ToString()
    {
        string step = Node.GetType().Name;
        if (step.EndsWith("Node", StringComparison.Ordinal)) step = step[..^4];
        // tf.data's class names where the step here is named otherwise.
        step = step switch { "Slice" => "TensorSlice", "FileCache" => "Cache", _ => step };
        string printed = Node.PrintedClass ?? $"_{step}Dataset";
        try
        {
            return $"<{printed} element_spec={ElementSpec}>";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"<{printed}>";
        }
    }

    /// <summary>The options this dataset runs under (tf.data's <c>options()</c>): every <c>WithOptions</c> of its pipeline merged, the later winning.</summary>
    public DatasetOptions Options => PipelineOptions.Of(Node);

    /// <summary>Elements in one pass, <see cref="Infinite"/> or <see cref="Unknown"/> (<c>cardinality()</c>).</summary>
    public long Cardinality => Node.Cardinality;

    /// <summary>
    /// Tensors per element (2 for <c>(features, labels)</c>; a dictionary counts one per key, known
    /// once the first element is made when the dictionary comes from a <c>Map</c> or a generator).
    /// </summary>
    public int ComponentCount => Node.Width;

    /// <summary>The rows of <paramref name="x"/> (slices along its first axis), one element each.</summary>
    public static Dataset<Tensor> FromTensorSlices(Tensor x) => Slices(x);

    /// <summary>
    /// Pairs of rows of <paramref name="x"/> and <paramref name="y"/>, which must have the same
    /// first dimension: <c>(x[i], y[i])</c> for each i. The dataset reads the tensors lazily;
    /// keep them alive (undisposed) while it is in use.
    /// </summary>
    public static Dataset<(Tensor, Tensor)> FromTensorSlices(Tensor x, Tensor y) => Slices((x, y));

    /// <summary>Triples of rows <c>(x[i], y[i], z[i])</c>.</summary>
    public static Dataset<(Tensor, Tensor, Tensor)> FromTensorSlices(Tensor x, Tensor y, Tensor z) => Slices((x, y, z));

    /// <summary>
    /// Rows of named tensors (tf.data's <c>from_tensor_slices({"title": titles, "body": bodies})</c>):
    /// element i is a dictionary with the same keys, each holding row i of its tensor. All tensors
    /// need the same first dimension. A functional model's <c>Fit</c>, <c>Evaluate</c> and
    /// <c>Predict</c> match the keys to its inputs' names, as Keras does.
    /// </summary>
    public static Dataset<IReadOnlyDictionary<string, Tensor>> FromTensorSlices(IReadOnlyDictionary<string, Tensor> features) => Slices(features);

    /// <summary>
    /// Pairs of rows of named features and named targets: <c>(features[i], targets[i])</c>, the
    /// targets' keys matched to a model's output layer names (tf.data's
    /// <c>from_tensor_slices(({"title": ..., "body": ...}, {"priority": ..., "department": ...}))</c>).
    /// </summary>
    public static Dataset<(IReadOnlyDictionary<string, Tensor>, IReadOnlyDictionary<string, Tensor>)> FromTensorSlices(
        IReadOnlyDictionary<string, Tensor> features, IReadOnlyDictionary<string, Tensor> targets) => Slices((features, targets));

    /// <summary>Pairs of rows of named features and one label tensor: <c>(features[i], labels[i])</c>.</summary>
    public static Dataset<(IReadOnlyDictionary<string, Tensor>, Tensor)> FromTensorSlices(IReadOnlyDictionary<string, Tensor> features, Tensor labels) =>
        Slices((features, labels));

    /// <summary>
    /// Rows of named features, labels and one weight per example: <c>(features[i], labels[i],
    /// sampleWeights[i])</c>, which <c>Fit</c> and <c>Evaluate</c> read as Keras reads
    /// <c>(x, y, sample_weight)</c> elements.
    /// </summary>
    public static Dataset<(IReadOnlyDictionary<string, Tensor>, Tensor, Tensor)> FromTensorSlices(
        IReadOnlyDictionary<string, Tensor> features, Tensor labels, Tensor sampleWeights) => Slices((features, labels, sampleWeights));

    /// <summary>Rows of named features, named targets and one weight per example.</summary>
    public static Dataset<(IReadOnlyDictionary<string, Tensor>, IReadOnlyDictionary<string, Tensor>, Tensor)> FromTensorSlices(
        IReadOnlyDictionary<string, Tensor> features, IReadOnlyDictionary<string, Tensor> targets, Tensor sampleWeights) =>
        Slices((features, targets, sampleWeights));

    /// <summary>Pairs of rows of named features and named targets, from a tuple.</summary>
    public static Dataset<(IReadOnlyDictionary<string, Tensor>, IReadOnlyDictionary<string, Tensor>)> FromTensorSlices(
        (IReadOnlyDictionary<string, Tensor> Features, IReadOnlyDictionary<string, Tensor> Targets) tensors) => FromTensorSlices(tensors.Features, tensors.Targets);

    /// <summary>Pairs of rows of named features and one label tensor, from a tuple.</summary>
    public static Dataset<(IReadOnlyDictionary<string, Tensor>, Tensor)> FromTensorSlices((IReadOnlyDictionary<string, Tensor> Features, Tensor Labels) tensors) =>
        FromTensorSlices(tensors.Features, tensors.Labels);

    // Every FromTensorSlices: the element's tensors, flattened by its structure (which learns a
    // dictionary's keys from them), are the sliced sources.
    private static Dataset<T> Slices<T>(T tensors)
    {
        var structure = Structure<T>.New();
        return new(new SliceNode(structure.Flatten(tensors)), structure);
    }

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
    /// <paramref name="start"/>, start + <paramref name="step"/>, ... without end, as scalars of
    /// <paramref name="dtype"/> (<c>tf.data.Dataset.counter</c>, <c>tf.data.experimental.Counter</c>):
    /// <c>Dataset.Zip(Dataset.Counter(), lines)</c> numbers the lines. Its cardinality is <see cref="Infinite"/>.
    /// </summary>
    public static Dataset<Tensor> Counter(long start = 0, long step = 1, DType dtype = DType.Int64) =>
        new(new RangeNode(start, null, step, dtype));

    /// <summary>
    /// The elements of a C# iterator (<c>tf.data.Dataset.from_generator</c>): <paramref name="generator"/>
    /// is called at the start of every pass, so write it as a method or lambda with <c>yield return</c>
    /// (e.g. <c>Dataset.FromGenerator(() => ReadSequences(path))</c>). Each element is a
    /// <see cref="Tensor"/> or a tuple of tensors; elements may differ in shape (batch them with
    /// <see cref="Dataset{T}.PaddedBatch(int, int[][], double, bool)"/>). The pipeline does not dispose the tensors the generator
    /// yields, only its own handles on them, so yielding a tensor that is kept elsewhere is safe.
    /// The cardinality is <see cref="Unknown"/>.
    /// </summary>
    public static Dataset<T> FromGenerator<T>(Func<IEnumerable<T>> generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var structure = Structure<T>.New();
        return new(new GeneratorNode(() => (generator() ?? throw new InvalidOperationException("FromGenerator: the generator function returned null instead of a sequence."))
            .Select(structure.Flatten), structure), structure);
    }

    /// <summary>
    /// <c>from_generator(generator, output_signature=...)</c>: the elements of a C# iterator, as
    /// <see cref="FromGenerator{T}(Func{IEnumerable{T}})"/>, whose structure, dtypes and shapes
    /// <paramref name="outputSignature"/> declares (a <see cref="TensorSpec"/> per tensor, null
    /// for a dimension that varies: <c>new TupleSpec(new TensorSpec([], DType.Int32), new TensorSpec([null]))</c>).
    /// It is the dataset's <see cref="ElementSpec"/>, and each element is checked against it as it
    /// comes: a tensor of another dtype or shape ends the pass with an
    /// <see cref="InvalidOperationException"/> naming the element and both shapes.
    /// </summary>
    public static Dataset<T> FromGenerator<T>(Func<IEnumerable<T>> generator, ElementSpec outputSignature)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(outputSignature);
        var structure = Structure<T>.New();
        structure.Match(outputSignature, nameof(FromGenerator));
        return new(new GeneratorNode(() => (generator() ?? throw new InvalidOperationException("FromGenerator: the generator function returned null instead of a sequence."))
            .Select(structure.Flatten), structure, signature: [.. outputSignature.Components]), structure);
    }

    /// <summary>One element: the whole tensor (<c>tf.data.Dataset.from_tensors</c>; compare <see cref="FromTensorSlices(Tensor)"/>).</summary>
    public static Dataset<Tensor> FromTensors(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return new(new GeneratorNode(() => [[x]], Structure<Tensor>.New(), cardinality: 1, signature: [TensorSpec.FromTensor(x)], GeneratorNode.TensorDataset));
    }

    /// <summary>One element: the pair of whole tensors (<c>tf.data.Dataset.from_tensors((x, y))</c>).</summary>
    public static Dataset<(Tensor, Tensor)> FromTensors(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return new(new GeneratorNode(() => [[x, y]], Structure<(Tensor, Tensor)>.New(), cardinality: 1, signature: [TensorSpec.FromTensor(x), TensorSpec.FromTensor(y)],
            GeneratorNode.TensorDataset));
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
        return new(new ZipNode([a.Node, b.Node]), new Structure.PairStructure<TA, TB>(a.Elements, b.Elements));
    }

    /// <summary>Elements of three datasets side by side, ending with the shortest.</summary>
    public static Dataset<(TA, TB, TC)> Zip<TA, TB, TC>(Dataset<TA> a, Dataset<TB> b, Dataset<TC> c)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        return new(new ZipNode([a.Node, b.Node, c.Node]), new Structure.TripleStructure<TA, TB, TC>(a.Elements, b.Elements, c.Elements));
    }

    /// <summary>
    /// One pass as flat tensor arrays (features first), for consumers such as <c>Model.Fit</c>
    /// that do not know the element type. With <paramref name="disposeEach"/> each array's
    /// tensors are disposed when the next one is requested and at the end. A string component
    /// comes as its internal int64 carrier: a consumer that takes numbers calls
    /// <see cref="RefuseStrings"/> first for the components it reads.
    /// </summary>
    internal IEnumerable<Tensor[]> EnumerateTensors(bool disposeEach)
    {
        using var pass = new PassEnumerator(Node, disposeEach);
        while (pass.MoveNext()) yield return pass.Current;
    }
}
