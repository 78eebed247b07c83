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

    /// <summary>Each component's shape, dtype and backend, when known without running the pipeline (rows of tensors); else null.</summary>
    public virtual ElementSpec[]? Spec => null;
}

/// <summary>One component of every element of a node: what <see cref="Node.Spec"/> knows before a pass.</summary>
internal readonly record struct ElementSpec(Shape Shape, DType DType, NeuralFlow.Backends.IBackend Backend);

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

    public override ElementSpec[] Spec =>
        Array.ConvertAll(_sources, t => new ElementSpec(Shape.Create(t.Shape.Dims[1..]), t.DType, t.Backend));

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
