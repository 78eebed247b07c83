using NeuralFlow.Distributed;

namespace NeuralFlow.Keras;

// What Fit does differently under a DataParallel strategy (DataParallel.Current), kept out of
// the training loop itself: each hook is the identity when no strategy is alive.
//
// Batches: batchSize is the global batch, as under Keras' MirroredStrategy. Every rank draws the
// same shuffle (rank 0's seed) and takes its contiguous part of each global batch, so the shards
// are disjoint and together are the single-process batch. A dataset's batches are global batches
// too, split alike. Each rank's gradients are weighed by its share of the global batch before
// they are summed, so the averaged gradient is the full batch's even when the shards differ in
// size. A batch with fewer examples than ranks is trained all the same, as Keras does (its
// replicas without examples contribute empty parts): a rank whose part is empty runs the step on
// a stand-in example with gradient weight 0 and puts its metrics back (PartOrStandIn, StandInStep).
public partial class Model
{
    // This rank's part of the global batch [start, start + count): its contiguous share, or, when
    // that is empty (a batch smaller than the world), the batch's first example as a stand-in.
    // The rank still has to join the step's collectives (the gradient allreduce, an overridden
    // step's own), which only running the same step on some example gives in the same order,
    // traced or not; with weight 0 and its metrics put back, the example counts nowhere.
    // An empty global batch has no example to stand in: the part stays empty (FitLoop ends the epoch).
    private static (int Start, int Count, bool StandIn) PartOrStandIn(int start, int count)
    {
        var part = ShardOfBatch(start, count);
        return part.Count == 0 && count > 0 && DataParallel.Current is { WorldSize: > 1 } ? (start, 1, true) : (part.Start, part.Count, false);
    }

    // Fit's batches of a dataset: this rank's part of each (ShardBatches' split), or a stand-in.
    private static Func<IEnumerable<FitBatch>> FitParts(Func<IEnumerable<(Tensor[], Tensor[])>> batches)
    {
        if (DataParallel.Current is not { WorldSize: > 1 }) return () => batches().Select(b => new FitBatch(b.Item1, b.Item2));
        return () => batches().Select(b =>
        {
            var (start, count, standIn) = PartOrStandIn(0, BatchSizeOf(b.Item1));
            return new FitBatch(Rows(b.Item1, start, start + count), Rows(b.Item2, start, start + count), standIn: standIn);
        });
    }

    // Around the step on a stand-in example (PartOrStandIn): saves the metrics the step updates
    // and the model's non-trainable variables (BatchNormalization's moving mean and variance,
    // which a training step moves towards its batch), and returns what puts them back after it,
    // so that the example this rank did not own adds nothing to its running loss and metrics (the
    // ranks' sums are then the global batch's) nor to its moving statistics (which the ranks
    // share at the end of an epoch). An overridden step's logged metrics are known once it ran;
    // one that ran for the first time here was never updated by it before, so it is reset.
    private Action StandInStep(CachedStep cached)
    {
        var metrics = StepMetrics(cached);
        if (cached.CustomLogs is { } logs) metrics.AddRange(logs.LoggedMetrics);
        var saved = metrics.Select(m => m.SaveState()).ToList();
        var frozen = NonTrainableVariables;
        Tensor[] values;
        // Copies that outlive the step's TensorScope, on the variables' devices, recorded by no tape.
        using (TensorScope.Suspend())
        using (Tape.Pause())
            values = frozen.Select(v => NF.Identity(v)).ToArray();
        return () =>
        {
            for (int i = 0; i < metrics.Count; i++) metrics[i].RestoreState(saved[i]);
            foreach (var m in cached.CustomLogs?.LoggedMetrics.Except(metrics) ?? []) m.ResetState();
            for (int i = 0; i < frozen.Count; i++)
            {
                frozen[i].Assign(values[i]);
                values[i].Dispose();
            }
        };
    }

    // Every rank passes the same examples and the global batch size, and takes its part: a rank
    // with other counts would shard other batches, and one with none would leave the others
    // waiting. Checked before any local check of the data, so that every rank throws alike.
    private static void SameDataOnEveryRank(string method, int n, int batchSize)
    {
        if (DataParallel.Current is not { WorldSize: > 1 } s) return;
        var all = s.AllGather([n, batchSize]);
        if (Enumerable.Range(0, s.WorldSize).All(r => all[2 * r] == n && all[2 * r + 1] == batchSize)) return;
        throw DataParallel.OnEveryRank(new ArgumentException(
            $"{method}: the ranks passed different data or batch sizes ({string.Join("; ", Enumerable.Range(0, s.WorldSize).Select(r => $"rank {r}: {all[2 * r]} examples in batches of {all[2 * r + 1]}"))}). " +
            $"Under DataParallel every rank passes the same x, y and batchSize (the global batch), and {method} gives each rank its part of every batch.", nameof(batchSize)));
    }

    // Rank 0's shuffle seed on every rank, so all ranks shuffle alike and their parts are disjoint.
    private static ulong AgreedSeed(ulong seed) =>
        DataParallel.Current is { WorldSize: > 1 } s ? (ulong)s.Broadcast((long)seed) : seed;

    // This rank's contiguous part of the global batch [start, start + count).
    private static (int Start, int Count) ShardOfBatch(int start, int count)
    {
        if (DataParallel.Current is not { WorldSize: > 1 } s) return (start, count);
        var (from, to) = s.PartOf(count, s.Rank);
        return (start + from, to - from);
    }

    // A dataset's batches are global batches, as tf.distribute rebatches a dataset batched with
    // the global batch size: each rank takes its contiguous part of every batch, as Fit(x, y)
    // does, so 2 ranks train as one process on the same batches. Every rank reads every batch
    // (tf.data's DATA auto-shard policy), in the same order (the ranks' NF.Random agree, so do
    // unseeded shuffles). A batch with fewer examples than ranks leaves a rank an empty part, which
    // Evaluate skips and Fit stands in for (FitParts). The parts are views of the batch, which
    // lives until the next one is requested, past the step that uses them.
    private static Func<IEnumerable<(Tensor[], Tensor[])>> ShardBatches(Func<IEnumerable<(Tensor[], Tensor[])>> batches)
    {
        if (DataParallel.Current is not { WorldSize: > 1 }) return batches;
        return () => batches().Select(b =>
        {
            var (start, count) = ShardOfBatch(0, BatchSizeOf(b.Item1));
            return (Rows(b.Item1, start, start + count), Rows(b.Item2, start, start + count));
        });
    }

    // Files, plots and progress come from rank 0 only; BackupAndRestore restores on every rank
    // (so all agree on the epoch to resume at and on NF.Random) and writes on rank 0 only.
    private static List<Callbacks.Callback> CallbacksOfThisRank(List<Callbacks.Callback> hooks)
    {
        if (DataParallel.Current is not { IsChief: false }) return hooks;
        return hooks.Where(c => c is not (Callbacks.ModelCheckpoint or Callbacks.CSVLogger or Callbacks.TensorBoard))
                    .Select(c => c is Callbacks.BackupAndRestore b ? new RestoreOnly(b) : c).ToList();
    }

    private sealed class RestoreOnly(Callbacks.BackupAndRestore backup) : Callbacks.Callback
    {
        public override void OnTrainBegin()
        {
            backup.Model = Model;
            backup.OnTrainBegin();
        }

        internal override bool NeedsWeightsAtStart => true;
        internal override FitPosition? ResumePosition => backup.ResumePosition;
    }

    // Before the first step: rank 0's weights, optimizer state (a checkpoint rank 0 alone read)
    // and the epoch rank 0 resumes at, on every rank.
    private int StartTogether(int initialEpoch)
    {
        if (DataParallel.Current is not { } s) return initialEpoch;
        s.Broadcast(Variables);
        if (Optimizer is { } optimizer) s.Broadcast(optimizer, Variables);
        return (int)s.Broadcast(initialEpoch);
    }

    // The next batch, on every rank or on none: all ranks stop together when one runs out of
    // data or asked to stop (StopTraining), since a rank that leaves the loop alone would leave
    // the others waiting in the next allreduce. share is this rank's part of the global batch.
    // The same allgather tells every rank whether any rank's callbacks (rank 0's progress bar
    // when it will redraw) read the running logs after this step (wantsLogs): then every rank
    // reads them summed over the ranks (globalLogs), so the bar shows the global running loss,
    // as Keras' does, at the cost of one reduction per redraw, none between.
    private bool MoveNextTogether(IEnumerator<FitBatch> batches, bool wantsLogs, out double share, out bool globalLogs)
    {
        share = 1;
        globalLogs = false;
        bool has = batches.MoveNext();
        if (DataParallel.Current is not { WorldSize: > 1 } s) return has;
        double count = has ? batches.Current.Count : 0;
        var agreed = AgreeOnStep(s, has, count, StopTraining, wantsLogs);
        StopTraining |= agreed.Stop;
        globalLogs = agreed.ReadLogs;
        // A global batch of no examples (a dataset's empty batch) has nothing to train on or stand in with.
        if (agreed.AnyRanOut || StopTraining || agreed.Total == 0) return false;
        share = count / agreed.Total;
        return true;
    }

    // What every rank says before a step (Fit's, and Evaluate's when a callback acts on its
    // batches), in one allgather: whether it has a batch (false: its data ran out), its examples
    // for the step (0: its part is empty), whether it was asked to stop, and whether its callbacks
    // read the running logs after the step.
    private readonly record struct StepAgreement(double Total, bool AnyRanOut, bool Stop, bool ReadLogs);

    private static StepAgreement AgreeOnStep(DataParallel s, bool has, double count, bool stop, bool wantsLogs)
    {
        var all = s.AllGather([has ? 1 : 0, count, stop ? 1 : 0, wantsLogs ? 1 : 0]);
        var agreed = new StepAgreement(0, false, false, false);
        for (int r = 0; r < s.WorldSize; r++)
            agreed = new StepAgreement(agreed.Total + all[4 * r + 1], agreed.AnyRanOut || all[4 * r] == 0,
                                       agreed.Stop || all[4 * r + 2] != 0, agreed.ReadLogs || all[4 * r + 3] != 0);
        return agreed;
    }

    // The logs for the end hook of a block the data cut short (stepsPerExecution > 1), which no
    // agreement before a step covered: under a strategy (and `agreeing`: Fit, or an Evaluate whose
    // ranks agree on its steps) every rank says whether its callbacks read them, and if any does,
    // all read the global ones (`global`); otherwise this rank's, as alone.
    private Func<Dictionary<string, float>> LogsAfterShortBlock(CachedStep cached, bool[] wanted, bool agreeing, out bool global)
    {
        global = agreeing && DataParallel.Current is { WorldSize: > 1 } s && s.AnyRank(wanted.Contains(true));
        if (!global) return () => ReadStepLogs(cached);
        var logs = LogsOfAllRanks(cached);  // a collective, on every rank alike
        return () => logs;
    }

    // The step's gradients averaged over the ranks, each weighed by its share of the batch: the
    // tape reports each gradient as soon as it is final, so the allreduce of a full bucket
    // starts while the backward pass goes on (DDP's overlap). The share is read as each bucket
    // starts, so a replayed step weighs by its own batch's share.
    private static DataParallel.GradientReduction? BeginGradientReduction(GradientTape tape, IReadOnlyList<Variable> trainable, Func<double> share)
    {
        if (DataParallel.Current is not { WorldSize: > 1 } s) return null;
        var reduction = s.BeginReduction(trainable, share);
        tape.GradientReady = reduction.Ready;
        return reduction;
    }

    // A variable the loss does not reach keeps its null gradient (the optimizer skips it).
    private static Tensor?[] AveragedGradients(Tensor?[] grads, DataParallel.GradientReduction? reduction) =>
        reduction is null ? grads : reduction.Finish(grads);

    // End of an epoch: the training logs of all ranks' examples (Keras reports the global ones,
    // LogsOfAllRanks); a stop requested on any rank applied on all; and the non-trainable variables
    // (moving statistics, computed on each rank's own batches) of the first rank that trained on
    // examples of its own this epoch everywhere, so validation agrees: rank 0's unless its part of
    // every batch was empty (a global batch smaller than the world), whose statistics only its
    // stand-in steps saw, and left as they were.
    private void EndEpochTogether(CachedStep cached, Dictionary<string, float> logs, bool ownExamples)
    {
        if (DataParallel.Current is not { WorldSize: > 1 } s) return;
        foreach (var (k, v) in LogsOfAllRanks(cached)) logs[k] = v;
        StopTraining = s.AnyRank(StopTraining);
        var frozen = NonTrainableVariables;
        if (frozen.Count == 0) return;
        int root = Math.Max(0, Array.IndexOf(s.AllGather([ownExamples ? 1 : 0]), 1.0));
        s.Broadcast(frozen, root);
    }

    // The step's logs over every rank's examples, as Keras reports them under a strategy: each
    // metric's states (the standard trackers', and those an overridden step logs) summed across
    // the ranks while it is read, so an uneven split still gives one process's numbers; and the
    // tensor values an overridden step returns (a loss it computed on its part of the batch)
    // averaged over the ranks, each weighed by its rows of the last batch, so that a batch mean
    // is the global batch's (Keras 3 takes the mean over the replicas). A collective.
    private Dictionary<string, float> LogsOfAllRanks(CachedStep cached)
    {
        if (DataParallel.Current is not { WorldSize: > 1 } s) return ReadStepLogs(cached);
        var metrics = StepMetrics(cached);
        if (!cached.Custom) return s.WithStatesSummed(metrics, () => Logs(cached));
        // A rank whose part of every batch so far was empty never ran the overridden step, so it
        // does not know what the step logs: it follows the ranks that do (DataParallel.LogsOfSomeRanks.cs).
        var ran = s.AllGather([cached.CustomLogs is null ? 0 : 1]);
        int root = Array.IndexOf(ran, 1.0);
        if (root < 0) return s.WithStatesSummed(metrics, () => Logs(cached));  // no rank ran it: only the standard trackers exist
        if (ran.All(r => r == 1)) return CustomLogsOfAllRanks(s, cached, cached.CustomLogs!, metrics);
        if (cached.CustomLogs is not { } custom)
        {
            var layout = s.BroadcastValues(null, root);
            s.JoinStatesSummed(layout.Skip(1));
            s.WeightedMean(new double[(int)layout[0]], 0);
            return s.BroadcastLogs(null, root);
        }
        s.BroadcastValues(s.Rank == root ? [custom.TensorNames.Count, .. DataParallel.StateCounts([.. metrics, .. custom.LoggedMetrics])] : null, root);
        var logs = CustomLogsOfAllRanks(s, cached, custom, metrics);
        return s.BroadcastLogs(s.Rank == root ? logs : null, root);
    }

    // LogsOfAllRanks of an overridden step that every rank taking part has run (`metrics`: the
    // standard trackers and TrackedMetrics, to which its logged metrics are added).
    private static Dictionary<string, float> CustomLogsOfAllRanks(DataParallel s, CachedStep cached, StepLogs custom, List<Metrics.Metric> metrics)
    {
        metrics.AddRange(custom.LoggedMetrics);
        bool ran = cached.LastRows > 0;  // a rank whose part of the last batch was empty has no values of it
        var logs = s.WithStatesSummed(metrics, () => custom.Read(ran ? cached.LastLogTensors : null));
        var names = custom.TensorNames;
        var means = s.WeightedMean(names.Select(n => ran ? (double)logs[n] : 0).ToArray(), cached.LastRows);
        for (int i = 0; i < names.Count; i++) logs[names[i]] = (float)means[i];
        return logs;
    }

    // TrainOnBatch's batch is the global one, passed alike on every rank (Keras' train_on_batch
    // under a strategy splits it among the replicas): this rank's contiguous part (a stand-in when
    // the batch is smaller than the world, as in Fit), its share for the gradient weights, and,
    // the first time under this strategy, rank 0's weights and optimizer state everywhere (built
    // by a forward pass first), as Fit starts.
    private (Tensor[] X, Tensor[] Y, bool StandIn) PartOfOneBatch(Tensor[] xs, Tensor[] ys, Backends.IBackend backend)
    {
        _batchShare = 1;
        if (DataParallel.Current is not { WorldSize: > 1 } s) return (xs, ys, false);
        int n = xs[0].Shape[0];
        SameDataOnEveryRank(nameof(TrainOnBatch), n, n);
        if (n == 0)
            throw DataParallel.OnEveryRank(new ArgumentException("TrainOnBatch: the batch has 0 examples.", "x"));
        var (start, count, standIn) = PartOrStandIn(0, n);
        _batchShare = standIn ? 0 : (double)count / n;
        var part = (Rows(xs, start, start + count), Rows(ys, start, start + count));
        if (!ReferenceEquals(_startedUnder, s))
        {
            if (Variables.Count == 0)
                using (TensorScope.Begin()) CallOutputs(OnBackend(part.Item1, backend));
            StartTogether(0);
            _startedUnder = s;
        }
        return (part.Item1, part.Item2, standIn);
    }

    // The strategy TrainOnBatch last gave rank 0's weights to every rank under.
    private DataParallel? _startedUnder;

    // An exception leaving Fit on one rank leaves the others in their next collective: the
    // strategy is told, so that disposing it ends the job (MPI_Abort) instead of hanging. An
    // exception filter, so the exception goes on unchanged with its stack.
    private static bool LeftTheOtherRanks(Exception e)
    {
        if (e is not DistributedException) DataParallel.Current?.Abandon(e);
        return false;
    }
}
