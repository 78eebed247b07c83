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

        /// <summary>
        /// Decides, on every rank alike (one collective), whether each block's outputs are gathered
        /// for the callbacks (<paramref name="outputsRead"/> on any rank) and whether the ranks
        /// agree on stopping after every step a batch hook ran at (<paramref name="hooksAct"/> on
        /// any rank: a hook may set StopPredicting, at a block's first step as well as its last)
        /// rather than at blocks' ends only (<see cref="StopsAfter"/>).
        /// </summary>
        public void Agree(bool outputsRead, bool hooksAct)
        {
            if (DataParallel.Current is not { WorldSize: > 1 } s) return;
            var all = s.AllGather([outputsRead ? 1 : 0, hooksAct ? 1 : 0]);
            if (Enumerable.Range(0, s.WorldSize).Any(r => all[2 * r] != 0)) _blocks = [];
            _everyHookedStep = Enumerable.Range(0, s.WorldSize).Any(r => all[2 * r + 1] != 0);
        }

        private bool _everyHookedStep;

        /// <summary>Whether each block's outputs are gathered for the callbacks.</summary>
        public bool GathersBlocks => _blocks is not null;

        /// <summary>
        /// After a step (<paramref name="hooked"/>: a batch hook ran at it; <paramref name="blockEnded"/>:
        /// it ended its block): whether the prediction stops here, the same answer on every rank.
        /// Alone, whenever StopPredicting is set, as Keras checks stop_predicting after each step.
        /// Under a strategy the ranks agree (a collective) where a hook may have set it: after every
        /// hooked step when a callback on any rank acts on the batches, else at each block's end
        /// (a flag set outside the hooks); a rank that stopped alone would leave the others waiting.
        /// </summary>
        public bool StopsAfter(bool hooked, bool blockEnded, bool stop)
        {
            if (DataParallel.Current is not { WorldSize: > 1 } s) return stop;
            return (_everyHookedStep ? hooked : blockEnded) && s.AnyRank(stop);
        }

        /// <summary>Every rank's outputs of batches first..last (this rank's <paramref name="mine"/>, concatenated over them), in order; kept for the result.</summary>
        public IReadOnlyList<Tensor> GatherBlock(IReadOnlyList<Tensor> mine, int first, int last)
        {
            var s = DataParallel.Current!;
            var block = mine.Select(o => s.GatherParts(o, _sizes.GetRange(first, last - first + 1))).ToArray();
            _blocks!.Add(block);
            return block;
        }

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
