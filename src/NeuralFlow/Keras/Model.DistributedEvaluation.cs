using NeuralFlow.Distributed;

namespace NeuralFlow.Keras;

// Evaluate and Predict under a DataParallel strategy, as tf.distribute's
// MultiWorkerMirroredStrategy runs them: every rank passes the same data, each evaluates or
// predicts its contiguous part of every batch (Fit's split, ShardBatches), and every rank returns
// the global result: Evaluate's metrics with their states summed over the ranks (the numbers of
// one process, up to float rounding), Predict's outputs gathered in the batches' order. A batch
// with fewer examples than ranks leaves some ranks an empty part: Evaluate skips it (it adds
// nothing to a metric), Predict runs it (an empty output of the right shape).
public partial class Model
{
    // An empty part of a batch that Evaluate skips (under a strategy only: alone, a dataset's
    // empty batch runs as it always did).
    private static bool IsEmptyPart(Tensor[] xb) =>
        DataParallel.Current is { WorldSize: > 1 } && xb.Length > 0 && xb[0].Rank > 0 && xb[0].Shape[0] == 0;

    /// <summary>Predict's batches under a strategy: this rank's part of each, and every rank's outputs gathered back in order.</summary>
    private sealed class PredictionShards(IEnumerable<Tensor[]> batches)
    {
        private readonly List<int> _sizes = [];

        public IEnumerable<Tensor[]> Parts()
        {
            if (DataParallel.Current is not { WorldSize: > 1 }) return batches;
            return batches.Select(b =>
            {
                int n = BatchSizeOf(b);
                _sizes.Add(n);
                var (start, count) = ShardOfBatch(0, n);
                return Rows(b, start, start + count);
            });
        }

        // Each output's rows of every rank, in the global batches' order (this rank's parts freed).
        public IReadOnlyList<Tensor> Gathered(IReadOnlyList<Tensor> outputs)
        {
            if (DataParallel.Current is not { WorldSize: > 1 } s) return outputs;
            try
            {
                return outputs.Select(o => s.GatherParts(o, _sizes)).ToArray();
            }
            finally
            {
                foreach (var o in outputs) o.Dispose();
            }
        }
    }
}
