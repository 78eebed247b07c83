namespace NeuralFlow.Keras;

public partial class Model
{
    // One epoch's order of the examples for Fit from tensors, uploaded once: each shuffled batch
    // gathers its rows through a view of it. Making the batch's index tensor from a C# array at
    // every step (an array, a host-to-device copy and a tensor per step, twice per step for x
    // and y) cost more than the bookkeeping of a whole epoch. One index tensor per device the
    // data lives on, made outside the step's TensorScope (it outlives the step) and freed when
    // the epoch's batches are.
    private sealed class EpochOrder : IDisposable
    {
        private readonly int[] _order;
        private readonly Dictionary<Backends.IBackend, Tensor> _indices = new(ReferenceEqualityComparer.Instance);

        public EpochOrder(int[] order) => _order = order;

        // Rows order[start .. start + count) of every tensor (a gather on each tensor's device;
        // FitLoop then moves the batch to the model's). The results belong to the caller's scope.
        public Tensor[] Batch(Tensor[] tensors, int start, int count)
        {
            var batch = new Tensor[tensors.Length];
            for (int i = 0; i < tensors.Length; i++)
            {
                // Text (a string carrier) gathers its ids over the same string table.
                batch[i] = Data.Pipeline.StringCarrier.IsText(tensors[i])
                    ? Data.Pipeline.StringCarrier.Gather(tensors[i], _order[start..(start + count)])
                    : NF.Gather(tensors[i], Rows(tensors[i].Backend, start, count));
            }
            return batch;
        }

        // The batch's row numbers on `backend` (a view of the epoch's order).
        public Tensor Rows(Backends.IBackend backend, int start, int count) => Indices(backend)[start..(start + count)];

        private Tensor Indices(Backends.IBackend backend)
        {
            if (_indices.TryGetValue(backend, out var indices)) return indices;
            using (TensorScope.Suspend())
            using (NF.UseBackend(backend)) _indices[backend] = indices = NF.Constant(_order);
            return indices;
        }

        public void Dispose()
        {
            foreach (var t in _indices.Values) t.Dispose();
            _indices.Clear();
        }
    }

    // One batch of Fit on in-memory examples: its inputs and targets (Rows null), or, shuffled,
    // all the examples with the batch's row numbers (Rows, on the examples' device), which the
    // train step gathers itself (FitLoop), so that a traced step's plan can read the rows where
    // they are instead of copying them (GatherMatMulFusion). Batched() gathers them here.
    // A class, not a struct: iterators and enumerators over a library struct are framework
    // generics that ReadyToRun cannot precompile (JIT-compiled in a process's first Fit).
    // StandIn: under DataParallel this rank's part of the global batch is empty (a batch smaller
    // than the world), and the batch is one example of the global batch that the step runs on
    // with gradient weight 0, so that this rank joins the step's collectives (PartOrStandIn).
    private sealed class FitBatch(Tensor[] x, Tensor[] y, Tensor? rows = null, bool standIn = false)
    {
        public Tensor[] X { get; } = x;
        public Tensor[] Y { get; } = y;
        public Tensor? Rows { get; } = rows;
        public bool StandIn { get; } = standIn;

        public (Tensor[] X, Tensor[] Y) Batched() =>
            Rows is { } rows ? (GatheredRows(X, rows), GatheredRows(Y, rows)) : (X, Y);

        // Examples of this rank's part of the batch (0 for a stand-in).
        public int Count => StandIn ? 0 : Rows is { } rows ? rows.Shape[0] : BatchSizeOf(X);
    }

    // Rows `rows` of every tensor (on the tensors' device), in the caller's scope.
    private static Tensor[] GatheredRows(Tensor[] tensors, Tensor rows)
    {
        var batch = new Tensor[tensors.Length];
        for (int i = 0; i < tensors.Length; i++) batch[i] = NF.Gather(tensors[i], rows);
        return batch;
    }

    // One epoch of Fit's batches of in-memory examples: consecutive rows (views) in order, or,
    // shuffling, the rows of a random order drawn when the epoch starts. The order comes from
    // NF.Random's next seed, so a run resumed from a checkpoint (which restores NF.Random's
    // position) shuffles as the original did. Shuffled batches carry their row numbers when every
    // tensor is on one device (see FitBatch), else their gathered rows.
    private static IEnumerable<FitBatch> EpochBatches(Tensor[] xs, Tensor[] ys, int n, int batchSize, int steps, bool shuffle)
    {
        if (!shuffle)
        {
            for (int step = 0; step < steps; step++)
            {
                var (start, count, standIn) = PartOrStandIn(step * batchSize, Math.Min(batchSize, n - step * batchSize));
                yield return new(Rows(xs, start, start + count), Rows(ys, start, start + count), standIn: standIn);
            }
            yield break;
        }
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        new System.Random(unchecked((int)AgreedSeed(NF.Random.NextSeed()))).Shuffle(order);
        using var epoch = new EpochOrder(order);
        var backend = xs[0].Backend;
        // Text is gathered here, for the host to run the model's text layer on each batch.
        bool oneDevice = xs.All(t => ReferenceEquals(t.Backend, backend) && !Data.Pipeline.StringCarrier.IsText(t)) && ys.All(t => ReferenceEquals(t.Backend, backend));
        for (int step = 0; step < steps; step++)
        {
            var (start, count, standIn) = PartOrStandIn(step * batchSize, Math.Min(batchSize, n - step * batchSize));
            yield return oneDevice ? new(xs, ys, epoch.Rows(backend, start, count), standIn) : new(epoch.Batch(xs, start, count), epoch.Batch(ys, start, count), standIn: standIn);
        }
    }
}
