using System.Runtime.InteropServices;
using NeuralFlow.Keras;

namespace NeuralFlow.Distributed;

// Logs that only some ranks can read. An overridden TestStep tells what it logs (its metrics,
// its tensors) only when it runs, and a rank whose part of every batch was empty (1 example
// over 2 ranks) never ran it: it knows neither the metrics to sum nor the names. It still has to
// join every reduction the others make, adding nothing (its metrics saw no example), and then
// returns what they read, as tf.distribute gives every replica the reduced result. The ranks
// that ran the step describe the reductions (BroadcastValues of a layout), the others follow it
// (JoinStatesSummed, a WeightedMean of weight 0), and one of them hands the logs to all.
public sealed partial class DataParallel
{
    /// <summary>
    /// The number of states of each of <paramref name="metrics"/>, counted once each as
    /// <see cref="WithStatesSummed"/> sums them: the layout a rank that does not know the metrics
    /// follows with <see cref="JoinStatesSummed"/>.
    /// </summary>
    internal static double[] StateCounts(IReadOnlyList<Metrics.Metric> metrics) =>
        metrics.Distinct().Select(m => (double)m.States.Count).ToArray();

    /// <summary>
    /// What a rank that does not know the metrics does while the others run
    /// <see cref="WithStatesSummed"/> on metrics of <paramref name="stateCounts"/> states
    /// (<see cref="StateCounts"/>): the same reductions, adding nothing. A collective.
    /// </summary>
    internal void JoinStatesSummed(IEnumerable<double> stateCounts)
    {
        ThrowIfUnusable();
        foreach (var count in stateCounts) Summed(null, (int)count);
    }

    /// <summary>Rank <paramref name="root"/>'s <paramref name="values"/> on every rank (the others pass null). A collective.</summary>
    internal double[] BroadcastValues(double[]? values, int root)
    {
        var all = new double[Broadcast(values?.Length ?? 0, root)];
        values?.CopyTo(all, 0);
        Broadcast(MemoryMarshal.AsBytes(all.AsSpan()), root);
        return all;
    }

    /// <summary>Rank <paramref name="root"/>'s logs on every rank (the others pass null), names and values exactly. A collective.</summary>
    internal Dictionary<string, float> BroadcastLogs(IReadOnlyDictionary<string, float>? logs, int root)
    {
        byte[] bytes = [];
        if (logs is not null)
        {
            using var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream))
            {
                writer.Write(logs.Count);
                foreach (var (name, value) in logs)
                {
                    writer.Write(name);
                    writer.Write(value);
                }
            }
            bytes = stream.ToArray();
        }
        var all = new byte[Broadcast(bytes.Length, root)];
        bytes.CopyTo(all, 0);
        Broadcast(all.AsSpan(), root);
        using var reader = new BinaryReader(new MemoryStream(all));
        int count = reader.ReadInt32();
        var received = new Dictionary<string, float>(count);
        for (int i = 0; i < count; i++) received[reader.ReadString()] = reader.ReadSingle();
        return received;
    }
}
