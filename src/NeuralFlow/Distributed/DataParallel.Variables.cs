using System.Runtime.InteropServices;
using NeuralFlow.Backends;

namespace NeuralFlow.Distributed;

// Broadcasting variables: all values packed into one host buffer, one MPI_Bcast, unpacked into
// the variables of every other rank (in place, so layers and optimizers keep their references).
public sealed partial class DataParallel
{
    /// <summary>
    /// Gives every rank rank <paramref name="root"/>'s values of <paramref name="variables"/>
    /// (the same variables, in the same order, on every rank): call it once before training so
    /// all ranks start from the same weights. <c>Model.Fit</c> does it by itself.
    /// </summary>
    public void Broadcast(IEnumerable<Variable> variables, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(variables);
        ThrowIfUnusable();
        CheckRoot(root);
        NotReplayable("Broadcast");
        var list = variables.ToList();
        CheckSameVariables(list);
        if (BroadcastOnDevice(list, root)) return;
        long total = 0;
        foreach (var v in list) total += v.Count * v.DType.SizeInBytes();
        if (total > int.MaxValue)
            throw new ArgumentException($"Broadcast: the variables hold {total} bytes, more than one broadcast moves (2^31 - 1); broadcast them in groups.", nameof(variables));
        var bytes = GC.AllocateUninitializedArray<byte>((int)total, pinned: true);
        int offset = 0;
        foreach (var v in list)
        {
            int n = checked((int)(v.Count * v.DType.SizeInBytes()));
            if (Rank == root) Read(v, bytes.AsSpan(offset, n));
            offset += n;
        }
        Broadcast(bytes.AsSpan(), root);
        if (Rank == root) return;
        offset = 0;
        foreach (var v in list)
        {
            int n = checked((int)(v.Count * v.DType.SizeInBytes()));
            using var value = Write(v.DType, v.Shape, v.Backend, bytes.AsSpan(offset, n));
            v.Assign(value);
            offset += n;
        }
    }

    // Every rank must broadcast into the same variables: otherwise the broadcast of different byte
    // counts fails inside MPI (MPI_ERR_TRUNCATE, naming nothing), or equal counts copy one rank's
    // weights into another's differently shaped ones.
    private void CheckSameVariables(List<Variable> list) =>
        CheckSameTensors(list, "Broadcast", "variables", "variables", "build the same model on every rank",
                         list.Select(v => $"{v.Name} {v.Shape}"));

    // Every rank learns every rank's count, size and shapes (a hash; a null entry counts too), so a
    // mismatch is the same ArgumentException on all of them instead of an MPI error or a hang.
    // Inside an NF.Function the check is a collective call of the plan, so that a replay gathers
    // again where the eager step did: a rank that replays stays in step with one that traces.
    private void CheckSameTensors(IReadOnlyList<Tensor?> list, string method, string parameter, string what, string advice, IEnumerable<string> described)
    {
        if (WorldSize == 1) return;
        uint hash = 2166136261;  // FNV-1a over dtypes and dims: the same in every process
        void Mix(long value)
        {
            hash ^= (uint)value;
            hash *= 16777619;
        }
        long values = 0;
        foreach (var v in list)
        {
            if (v is null)
            {
                Mix(-1);
                continue;
            }
            values += v.Count;
            Mix((long)v.DType);
            Mix(v.Rank);
            for (int d = 0; d < v.Rank; d++) Mix(v.Shape[d]);
        }
        double[] mine = [list.Count, values, hash];
        // A replay has no tensors to describe: the trace's description, written once.
        string? traced = FunctionTrace.Current is null ? null : string.Join(", ", described);
        FunctionTrace.RunCollective(null, _ => AgreeOn(mine, method, parameter, what, advice, traced ?? string.Join(", ", described)), method + "Check");
    }

    private void AgreeOn(double[] mine, string method, string parameter, string what, string advice, string described)
    {
        var all = Gather(mine);
        if (Enumerable.Range(1, WorldSize - 1).All(r => all.AsSpan(3 * r, 3).SequenceEqual(all.AsSpan(0, 3)))) return;
        var byRank = Enumerable.Range(0, WorldSize).Select(r => $"rank {r}: {all[3 * r]} {what}, {all[3 * r + 1]} values");
        throw OnEveryRank(new ArgumentException(
            $"{method}: the ranks hold different {what} ({string.Join("; ", byRank)}), so they cannot train one model; {advice}. " +
            $"Rank {Rank}'s: {described}.", parameter));
    }

    private static void Read(Tensor t, Span<byte> into)
    {
        using var packed = t.Contiguous();
        switch (t.DType)
        {
            case DType.Float32: Engine.Download(packed, MemoryMarshal.Cast<byte, float>(into)); break;
            case DType.Float64: Engine.Download(packed, MemoryMarshal.Cast<byte, double>(into)); break;
            case DType.Int32: Engine.Download(packed, MemoryMarshal.Cast<byte, int>(into)); break;
            case DType.Int64: Engine.Download(packed, MemoryMarshal.Cast<byte, long>(into)); break;
            default: Engine.Download(packed, into); break; // uint8, bool: one byte each
        }
    }

    private static Tensor Write(DType dtype, Shape shape, IBackend backend, ReadOnlySpan<byte> from) => dtype switch
    {
        DType.Float32 => Engine.FromHost(MemoryMarshal.Cast<byte, float>(from), shape, backend),
        DType.Float64 => Engine.FromHost(MemoryMarshal.Cast<byte, double>(from), shape, backend),
        DType.Int32 => Engine.FromHost(MemoryMarshal.Cast<byte, int>(from), shape, backend),
        DType.Int64 => Engine.FromHost(MemoryMarshal.Cast<byte, long>(from), shape, backend),
        DType.Bool => Engine.FromHost(MemoryMarshal.Cast<byte, bool>(from), shape, backend),
        _ => Engine.FromHost(from, shape, backend),
    };
}
