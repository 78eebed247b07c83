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

    /// <summary>Rows <paramref name="indices"/> of a carrier as one gather of its ids, over the same table.</summary>
    public static Tensor Gather(Tensor carrier, int[] indices)
    {
        var table = TableOf(carrier)!;
        using var _ = NF.UseBackend(carrier.Backend);
        using var index = NF.Constant(indices);
        return Attach(NF.Gather(carrier, index), table);
    }

    /// <summary>Carriers of one shape stacked along a new first axis: one carrier over a new table of their strings.</summary>
    public static Tensor Stack(Tensor[] carriers)
    {
        var rows = Array.ConvertAll(carriers, Read);
        int width = rows.Length == 0 ? 0 : rows[0].Count;
        var values = new string[rows.Length * width];
        for (int r = 0; r < rows.Length; r++)
            for (int i = 0; i < width; i++) values[r * width + i] = rows[r].Values[i];
        return Carry(StringTensor.Wrap(values, rows.Length == 0 ? new Shape(0) : Shape.Create([rows.Length, .. rows[0].Shape.ToArray()])));
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
