using System.Runtime.CompilerServices;
using NeuralFlow.Backends;

namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// How a <see cref="RaggedTensor"/> travels through a pipeline of flat tensor lists: as a "carrier", a
/// scalar host tensor to which the ragged tensor is attached (weakly, by its buffer, as
/// <see cref="StringCarrier"/> attaches strings). Steps that only move elements (Shuffle, Take, Prefetch,
/// Cache, Zip, ...) carry it unchanged; Batch, RaggedBatch and Unbatch know it and stack or split the
/// ragged tensor itself (<see cref="Stack"/>). The carrier is internal: a <see cref="Dataset{T}"/> of
/// RaggedTensor hands out the ragged tensors, and a consumer of flat tensors refuses it.
/// </summary>
internal static class RaggedCarrier
{
    private static readonly ConditionalWeakTable<Storage, RaggedTensor> Attached = new();

    /// <summary>A new carrier of <paramref name="ragged"/> (not copied).</summary>
    public static Tensor Carry(RaggedTensor ragged)
    {
        ArgumentNullException.ThrowIfNull(ragged, "a ragged component");
        var carrier = Engine.FromHost<long>([0L], Shape.Scalar, BackendRegistry.Managed);
        Attached.AddOrUpdate(carrier.Storage, ragged);
        return carrier;
    }

    /// <summary>The ragged tensor a carrier holds, or null when <paramref name="tensor"/> is not one.</summary>
    public static RaggedTensor? Of(Tensor tensor) =>
        tensor.DType == DType.Int64 && tensor.Rank == 0 && !tensor.IsDisposed && Attached.TryGetValue(tensor.Storage, out var ragged) ? ragged : null;

    /// <summary>The spec of one element's component: a ragged one's <c>RaggedTensorSpec</c>, else the tensor's.</summary>
    public static TensorSpec SpecOf(Part part) =>
        part.Tensor is { } t && Of(t) is { } rt ? Spec(rt) : new TensorSpec(TensorSpec.Known(part.Shape), part.DType);

    /// <summary>The exact <c>RaggedTensorSpec</c> of <paramref name="rt"/>: its row count, None on ragged axes, its inner sizes.</summary>
    public static TensorSpec Spec(RaggedTensor rt)
    {
        var dims = new List<int?> { rt.NRows };
        for (var level = rt; level is not null; level = level.RaggedValues)
        {
            dims.Add(level.UniformRowLength is { } u ? (int)u : null);
            if (level.Values is { } dense) dims.AddRange(dense.Shape.ToArray()[1..].Select(d => (int?)d));
        }
        return new TensorSpec([.. dims], rt.DType).AsRagged(rt.RaggedRank);
    }

    /// <summary>
    /// Component <paramref name="c"/> of a group of elements as one ragged batch (<c>batch</c> of ragged elements,
    /// <c>ragged_batch</c>): ragged elements stacked (one more ragged axis), dense ones joined as rows of
    /// their first axis. A group that mixes them, or rows of different dtypes or ranks, is refused by name.
    /// </summary>
    public static Tensor Batch(string op, List<Part[]> group, int c)
    {
        var tensors = new Tensor[group.Count];
        try
        {
            for (int i = 0; i < tensors.Length; i++) tensors[i] = group[i][c].Tensor is { } t ? t.View(t.Layout) : group[i][c].Take();
            var ragged = Array.ConvertAll(tensors, Of);
            int raggedCount = ragged.Count(r => r is not null);
            if (raggedCount > 0 && raggedCount < ragged.Length)
            {
                int dense = Array.FindIndex(ragged, r => r is null), some = Array.FindIndex(ragged, r => r is not null);
                throw new InvalidOperationException(
                    $"{op}: component {c} mixes ragged and dense elements (element {some} is a RaggedTensor, element {dense} a dense tensor of shape {tensors[dense].Shape}); " +
                    "every element's component must be one kind (make them all ragged with RaggedTensor.FromTensor, or all dense).");
            }
            try
            {
                return raggedCount > 0 ? Carry(RaggedTensor.Stack(ragged!, 0)) : Carry(Rows(op, tensors, c));
            }
            catch (ArgumentException e)
            {
                throw new InvalidOperationException($"{op}: cannot batch component {c}: {e.Message}", e);
            }
        }
        finally
        {
            foreach (var t in tensors) t?.Dispose();
        }
    }

    // Dense elements of one dtype and rank as the rows of a ragged tensor: their first axes may differ, the rest may not.
    private static RaggedTensor Rows(string op, Tensor[] rows, int c)
    {
        var first = rows[0];
        for (int i = 0; i < rows.Length; i++)
        {
            var row = rows[i];
            if (StringCarrier.IsText(row))
                throw new InvalidOperationException($"{op}: component {c} holds text (StringTensor); a ragged batch of strings is not supported, use PaddedBatch.");
            if (row.Rank == 0)
                throw new InvalidOperationException($"{op}: element {i}'s component {c} is a scalar; ragged rows need a first axis (use Batch for scalars).");
            if (row.DType != first.DType)
                throw new InvalidOperationException($"{op}: component {c} of element 0 is {first.DType.Name()} and of element {i} is {row.DType.Name()}; every element needs the same dtype.");
            if (row.Rank != first.Rank || !row.Shape.ToArray()[1..].SequenceEqual(first.Shape.ToArray()[1..]))
                throw new InvalidOperationException(
                    $"{op}: component {c} of element 0 has shape {first.Shape} and of element {i} {row.Shape}; ragged rows may differ only in their first axis (ragged rank 1).");
        }
        using var onValues = NF.UseBackend(first.Backend);
        var values = rows.Length == 1 ? NF.Identity(first) : NF.Concat(rows, 0);
        return RaggedTensor.FromRowLengths(values, Array.ConvertAll(rows, r => (long)r.Shape[0]));
    }

    /// <summary>Row <paramref name="i"/> of a ragged batch, for Unbatch: a dense tensor for ragged rank 1, else a carrier of the ragged row.</summary>
    public static Tensor Row(RaggedTensor rt, int i) => rt.RaggedRank == 1 ? rt[i] : Carry(rt.Row(i));
}
