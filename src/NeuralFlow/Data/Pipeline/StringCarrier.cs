using System.Runtime.CompilerServices;
using NeuralFlow.Backends;

namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// How a <see cref="StringTensor"/> travels through a pipeline, whose steps move, view, gather
/// and stack flat lists of tensors: as a "carrier", an int64 tensor of the string tensor's shape
/// whose values index a string table attached to the carrier's buffer. Views of a carrier (a
/// row, a slice, a cached copy, an unbatched row) share its buffer and so its table; a gather of
/// its rows keeps the table (<see cref="Gather"/>), and a stack of separate carriers makes one new
/// table (<see cref="Stack"/>). Every other step carries it unchanged, so strings need no second
/// kind of pipeline element.
/// </summary>
/// <remarks>
/// The tables hang off the buffers weakly (a <see cref="ConditionalWeakTable{TKey, TValue}"/>),
/// so a table lives exactly as long as some carrier over it: nothing accumulates over epochs.
/// Carriers live on the managed backend (host memory; no device copy to read them back). They
/// are internal: a <see cref="Dataset{T}"/> hands out <see cref="StringTensor"/>s, and a consumer
/// of flat tensors (a model's Fit) refuses string components (<see cref="Dataset.EnumerateTensors"/>).
/// </remarks>
internal static class StringCarrier
{
    private static readonly ConditionalWeakTable<Storage, string[]> Tables = new();

    /// <summary>A new carrier of <paramref name="strings"/>: ids 0, 1, ... over the strings themselves (not copied).</summary>
    public static Tensor Carry(StringTensor strings)
    {
        ArgumentNullException.ThrowIfNull(strings, "a string component");
        var ids = new long[strings.Count];
        for (int i = 0; i < ids.Length; i++) ids[i] = i;
        var table = strings.Values is string[] array ? array : strings.ToArray();
        return Attach(Engine.FromHost<long>(ids, strings.Shape, BackendRegistry.Managed), table);
    }

    /// <summary>The string tensor <paramref name="carrier"/> holds (the carrier stays the caller's).</summary>
    public static StringTensor Read(Tensor carrier)
    {
        var table = TableOf(carrier) ?? throw new InvalidOperationException(
            $"Internal: a dataset component declared as strings is a {carrier.DType.Name()} tensor of shape {carrier.Shape}.");
        var ids = carrier.ToArray<long>();
        var values = new string[ids.Length];
        for (int i = 0; i < values.Length; i++) values[i] = table[ids[i]];
        return StringTensor.Wrap(values, carrier.Shape);
    }

    /// <summary>The dtype the pipeline sees: <see cref="DType.String"/> for a carrier, else the tensor's own.</summary>
    public static DType DTypeOf(Tensor tensor) => tensor.DType == DType.Int64 && !tensor.IsDisposed && TableOf(tensor) is not null ? DType.String : tensor.DType;

    /// <summary>Whether <paramref name="tensor"/> is a carrier of text (<see cref="DTypeOf"/> is <see cref="DType.String"/>).</summary>
    public static bool IsText(Tensor tensor) => DTypeOf(tensor) == DType.String;

    /// <summary>Rows <paramref name="indices"/> of a carrier as one gather of its ids, over the same table.</summary>
    public static Tensor Gather(Tensor carrier, int[] indices)
    {
        var table = TableOf(carrier)!;
        using var _ = NF.UseBackend(carrier.Backend);
        using var index = NF.Constant(indices);
        return Attach(NF.Gather(carrier, index), table);
    }

    /// <summary>Carriers of one shape stacked along a new first axis: one carrier over a new table of their strings.</summary>
    public static Tensor Stack(Tensor[] carriers) =>
        PadAndStack(carriers, carriers.Length == 0 ? [] : carriers[0].Shape.ToArray(), "");

    /// <summary>
    /// Carriers of one rank, each padded at the end of every axis with <paramref name="padding"/> to
    /// <paramref name="target"/> (at least its shape), stacked along a new first axis: one carrier
    /// over a new table (<c>padded_batch</c> of strings, which TensorFlow pads with b"").
    /// </summary>
    public static Tensor PadAndStack(Tensor[] carriers, int[] target, string padding)
    {
        var rows = Array.ConvertAll(carriers, Read);
        int width = 1;
        foreach (var d in target) width *= d;
        var values = new string[rows.Length * width];
        Array.Fill(values, padding);
        var index = new int[target.Length];
        for (int r = 0; r < rows.Length; r++)
        {
            var row = rows[r];
            for (int i = 0; i < row.Count; i++)
            {
                // Row-major position i of the row, as an index, then as a position in the target shape.
                for (int d = target.Length - 1, rest = i; d >= 0; d--)
                {
                    index[d] = rest % row.Shape[d];
                    rest /= row.Shape[d];
                }
                int at = 0;
                for (int d = 0; d < target.Length; d++) at = at * target[d] + index[d];
                values[r * width + at] = row.Values[i];
            }
        }
        return Carry(StringTensor.Wrap(values, Shape.Create([rows.Length, .. target])));
    }

    /// <summary>A placeholder for a trace (Signatures.Traced): empty strings of <paramref name="shape"/>.</summary>
    public static Tensor Placeholder(Shape shape)
    {
        var values = new string[shape.Count];
        Array.Fill(values, "");
        return Carry(StringTensor.Wrap(values, shape));
    }

    /// <summary>Tables some live carrier still holds (for the tests that check that epochs leave none behind).</summary>
    internal static int LiveTables => Tables.Count();

    private static Tensor Attach(Tensor ids, string[] table)
    {
        Tables.AddOrUpdate(ids.Storage, table);
        return ids;
    }

    private static string[]? TableOf(Tensor tensor) => Tables.TryGetValue(tensor.Storage, out var table) ? table : null;
}
