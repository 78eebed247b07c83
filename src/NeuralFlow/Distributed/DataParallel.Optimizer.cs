using System.Runtime.InteropServices;
using NeuralFlow.Keras;

namespace NeuralFlow.Distributed;

// Broadcasting an optimizer's state: when only rank 0 read a checkpoint (or trained alone for a
// while), the other ranks' Adam moments, step counts and moving averages differ from rank 0's,
// and identical averaged gradients would still give different updates. Rank 0's state goes to
// every rank: its iteration count, then which variables have slots and averages, then their values.
public sealed partial class DataParallel
{
    /// <summary>
    /// Gives every rank rank <paramref name="root"/>'s state of <paramref name="optimizer"/> for
    /// <paramref name="variables"/> (the same variables, in the same order, on every rank): the
    /// iteration count, each variable's slots (Adam's moments, ...) and, with <c>useEma</c>, its
    /// moving average. Slots rank <paramref name="root"/> has and this rank lacks are created,
    /// ones it lacks are dropped. <c>Model.Fit</c> does it at the start of training, with the
    /// weights; a custom loop calls it after restoring a checkpoint on rank 0 only.
    /// </summary>
    /// <exception cref="ArgumentException">The ranks passed different numbers of variables (thrown on every rank).</exception>
    public void Broadcast(Optimizers.Optimizer optimizer, IReadOnlyList<Variable> variables, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(variables);
        ThrowIfUnusable();
        CheckRoot(root);
        NotReplayable("Broadcast");
        // Every rank learns every rank's count, so a mismatch fails on all of them at once.
        var counts = AllGather([variables.Count]);
        if (counts.Any(c => c != variables.Count))
            throw OnEveryRank(new ArgumentException($"Broadcast(optimizer): the ranks passed different numbers of variables ({string.Join(", ", counts)} by rank); pass the same variables in the same order on every rank.", nameof(variables)));
        // [iterations, then per variable: 1 = has slots, 2 = has a moving average, 4 = has a gradient accumulator]
        var header = new long[1 + variables.Count];
        header[0] = optimizer.RawIterations;
        for (int i = 0; i < variables.Count; i++)
            header[1 + i] = (optimizer.SlotsOf(variables[i]) is { Length: > 0 } ? 1 : 0) | (optimizer.AverageOf(variables[i]) is not null ? 2 : 0)
                            | (optimizer.AccumulatorOf(variables[i]) is not null ? 4 : 0);
        Broadcast(MemoryMarshal.AsBytes(header.AsSpan()), root);
        var state = new List<Variable>();
        for (int i = 0; i < variables.Count; i++)
        {
            var v = variables[i];
            if (Rank != root)
                optimizer.ShapeStateLike(v, slots: (header[1 + i] & 1) != 0, average: (header[1 + i] & 2) != 0, accumulator: (header[1 + i] & 4) != 0);
            if (optimizer.SlotsOf(v) is { } slots) state.AddRange(slots);
            if (optimizer.AverageOf(v) is { } average) state.Add(average);
            if (optimizer.AccumulatorOf(v) is { } accumulator) state.Add(accumulator);
        }
        Broadcast(state, root);
        optimizer.SetIterations(header[0]);
    }
}
