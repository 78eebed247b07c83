namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// One stage of a pipeline. <see cref="Open"/> starts a fresh pass (so enumeration is
/// restartable). Ownership: every element an enumerator yields belongs to its caller, who
/// disposes it or hands it on; an enumerator disposed early disposes whatever it still buffers.
/// </summary>
internal abstract class Node
{
    /// <summary>Tensors per element.</summary>
    public abstract int Width { get; }

    /// <summary>Elements per pass: a count, <see cref="Dataset.Infinite"/> or <see cref="Dataset.Unknown"/>.</summary>
    public abstract long Cardinality { get; }

    public abstract IEnumerator<Part[]> Open();

    /// <summary>The pipelines this step reads (for what applies to a whole pipeline, such as its options).</summary>
    public virtual IReadOnlyList<Node> Inputs => [];

    /// <summary>
    /// The class TensorFlow prints for the dataset this step makes (<c>TextLineDatasetV2</c>), where
    /// it is not the step's name as <c>_NameDataset</c> (<see cref="Dataset.ToString"/>); else null.
    /// </summary>
    public virtual string? PrintedClass => null;

    private readonly object _signatureLock = new();
    private TensorSpec[]? _signature;

    /// <summary>
    /// Each component's spec (tf.data's <c>element_spec</c>, flat): derived from the inputs' for
    /// most steps; made once, on first request, where a user function has to be traced.
    /// </summary>
    public TensorSpec[] Signature
    {
        get
        {
            lock (_signatureLock)
            {
                if (_signature is null)
                {
                    var signature = ComputeSignature();
                    if (signature.Length != Width)
                        throw new InvalidOperationException($"Internal: {GetType().Name} describes {signature.Length} components, its elements have {Width}.");
                    _signature = signature;
                }
                return _signature;
            }
        }
    }

    /// <summary>The step's rule for <see cref="Signature"/>; without one, the first element of a pass shows dtypes and ranks.</summary>
    protected virtual TensorSpec[] ComputeSignature() => Signatures.FromFirstElement(this);

    /// <summary>Each component's shape, dtype and backend, when known without running the pipeline (rows of tensors); else null.</summary>
    public virtual ConcreteSpec[]? Spec => null;

    /// <summary>
    /// When every element is a row of the same tensors (<c>FromTensorSlices</c>, then only
    /// order-only steps), those tensors, one per component; else null. <c>Batch</c> then works
    /// on row numbers (<see cref="OpenRows"/>) and gathers each batch in one op per component,
    /// instead of moving every element through the pipeline as an object of its own.
    /// </summary>
    public virtual Tensor[]? RowSources => null;

    /// <summary>One pass's row numbers, in the order of <see cref="Open"/> (the same random draws); only when <see cref="RowSources"/> is not null.</summary>
    public virtual IEnumerator<int> OpenRows() =>
        throw new InvalidOperationException($"Internal: {GetType().Name} does not deliver rows of tensors.");
}

/// <summary>One component of every element of a node: what <see cref="Node.Spec"/> knows before a pass.</summary>
internal readonly record struct ConcreteSpec(Shape Shape, DType DType, NeuralFlow.Backends.IBackend Backend);

/// <summary>
/// A step that chooses and orders elements without looking at them (Shuffle, Take, Skip, Repeat,
/// Shard): a pure per-element Map commutes with it, so the map-and-batch fusion may move a Map
/// past it (<see cref="FusedMapBatch"/>).
/// </summary>
internal interface IOrderOnly
{
    Node Upstream { get; }

    /// <summary>The same step over <paramref name="upstream"/>, sharing this one's state (a shuffle's pass count).</summary>
    Node Over(Node upstream);
}

/// <summary>
/// An order-only step written once for any kind of item (<see cref="Order{T}"/>): elements for
/// <see cref="Open"/>, row numbers for <see cref="OpenRows"/>, so both see the same order.
/// </summary>
internal abstract class OrderOnlyNode(Node upstream) : Node, IOrderOnly
{
    public Node Upstream => upstream;
    public abstract Node Over(Node source);
    public override ConcreteSpec[]? Spec => upstream.Spec;
    public override IReadOnlyList<Node> Inputs => [upstream];
    protected override TensorSpec[] ComputeSignature() => upstream.Signature;
    public override int Width => upstream.Width;
    public override Tensor[]? RowSources => upstream.RowSources;

    public override IEnumerator<Part[]> Open() => Order(upstream.Open, Element.Dispose);

    public override IEnumerator<int> OpenRows() => Order(upstream.OpenRows, static _ => { });

    /// <summary>
    /// One pass of the step over the items of <paramref name="open"/> (called once per upstream
    /// pass it needs); <paramref name="drop"/> frees an item the step leaves out.
    /// </summary>
    protected abstract IEnumerator<T> Order<T>(Func<IEnumerator<T>> open, Action<T> drop);
}

/// <summary>Rows of one or more tensors that share their first dimension (<c>FromTensorSlices</c>).</summary>
internal sealed class SliceNode : Node
{
    private readonly Tensor[] _sources;

    public SliceNode(Tensor[] sources)
    {
        if (sources.Length == 0) throw new ArgumentException("FromTensorSlices needs at least one tensor.");
        foreach (var t in sources)
        {
            ArgumentNullException.ThrowIfNull(t);
            if (t.Rank == 0)
                throw new ArgumentException($"FromTensorSlices slices along the first axis, but a tensor is a scalar (shape {t.Shape}); use a tensor of rank 1 or more.");
            if (t.Shape[0] != sources[0].Shape[0])
                throw new ArgumentException(
                    $"FromTensorSlices: all tensors need the same first dimension, got shapes {string.Join(" and ", sources.Select(s => s.Shape.ToString()))}.");
        }
        _sources = sources;
    }

    public override int Width => _sources.Length;
    public override long Cardinality => _sources[0].Shape[0];

    public override ConcreteSpec[] Spec =>
        Array.ConvertAll(_sources, t => new ConcreteSpec(Shape.Create(t.Shape.Dims[1..]), StringCarrier.DTypeOf(t), t.Backend));

    protected override TensorSpec[] ComputeSignature() =>
        Array.ConvertAll(_sources, t => new TensorSpec(TensorSpec.Known(t.Shape).Skip(1).ToArray(), StringCarrier.DTypeOf(t)));

    public override Tensor[] RowSources => _sources;

    public override IEnumerator<int> OpenRows()
    {
        int n = _sources[0].Shape[0];
        for (int i = 0; i < n; i++) yield return i;
    }

    public override IEnumerator<Part[]> Open()
    {
        int n = _sources[0].Shape[0];
        for (int i = 0; i < n; i++)
        {
            var element = new Part[_sources.Length];
            for (int c = 0; c < element.Length; c++) element[c] = Part.Row(_sources[c], i);
            yield return element;
        }
    }
}
