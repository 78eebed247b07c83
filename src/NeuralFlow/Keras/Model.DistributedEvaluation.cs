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

    /// <summary>
    /// Predict's batches under a strategy: this rank's part of each, and every rank's outputs
    /// gathered back in order: at the end, or block by block when a callback on any rank reads the
    /// outputs of each block (Keras hands on_predict_batch_end the global batch's outputs,
    /// concatenated over the replicas), in which case the result is made of those blocks.
    /// </summary>
    private sealed class PredictionShards(IEnumerable<Tensor[]> batches)
    {
        private readonly List<int> _sizes = [];
        private List<IReadOnlyList<Tensor>>? _blocks;

        /// <summary>Decides, on every rank alike (a collective), whether each block's outputs are gathered for the callbacks.</summary>
        public void GatherBlocksIf(bool outputsRead)
        {
            if (DataParallel.Current is { WorldSize: > 1 } s && s.AnyRank(outputsRead)) _blocks = [];
        }

        /// <summary>Whether each block's outputs are gathered (then the ranks also agree at each block's end on stopping).</summary>
        public bool GathersBlocks => _blocks is not null;

        /// <summary>Every rank's outputs of batches first..last (this rank's <paramref name="mine"/>, concatenated over them), in order; kept for the result.</summary>
        public IReadOnlyList<Tensor> GatherBlock(IReadOnlyList<Tensor> mine, int first, int last)
        {
            var s = DataParallel.Current!;
            var block = mine.Select(o => s.GatherParts(o, _sizes.GetRange(first, last - first + 1))).ToArray();
            _blocks!.Add(block);
            return block;
        }

        /// <summary>Whether a callback on any rank asked to stop (<paramref name="stop"/>: this rank's), at a block's end.</summary>
        public static bool AnyRankStops(bool stop) => DataParallel.Current!.AnyRank(stop);

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
                if (_blocks is { Count: > 0 } blocks)
                    return ConcatBatches(blocks);
                return outputs.Select(o => s.GatherParts(o, _sizes)).ToArray();
            }
            finally
            {
                foreach (var o in outputs.Concat(_blocks?.SelectMany(b => b) ?? [])) o.Dispose();
            }
        }
    }
}
