using NeuralFlow.Backends;

namespace NeuralFlow.Distributed;

// Gradient averaging as PyTorch DDP does it: gradients are packed into buckets of about
// BucketBytes in reverse parameter order (the order the backward pass produces them: the last
// layer's first), every rank building the same buckets from the same list, and each bucket is
// one non-blocking allreduce, started in bucket order on every rank. Under Fit, the tape reports
// each gradient as soon as it is final (GradientTape.GradientReady), so a bucket's allreduce
// starts while the backward pass goes on; AllReduceGradients, given finished gradients, starts
// them one after another (packing bucket k+1 overlaps the transfer of bucket k). A bucket's
// gradients are packed into one buffer on their device by the engine's copy kernels and reduced
// there (DataParallel.BucketAllReduce.cs): in host memory for the CPU engines, on a GPU by its
// transport (DataParallel.Gpu.cs). Inside an NF.Function the copies are recorded as kernels and
// the allreduce's start, tests and wait as collective calls, so a distributed step replays.
public sealed partial class DataParallel
{
    /// <summary>
    /// The average over all ranks of each gradient (or, with <paramref name="mean"/> false, the
    /// sum), in the same order; null entries stay null (they must be null on every rank: the same
    /// variables get no gradient everywhere). Call it between <c>tape.Gradient</c> and
    /// <c>optimizer.ApplyGradients</c> in a custom loop. The mean goes with a loss averaged over
    /// this rank's examples (PyTorch DDP); the sum with a loss averaged over the global batch
    /// (<see cref="ComputeAverageLoss"/>, as tf.distribute's optimizers sum the replicas' gradients).
    /// </summary>
    public IReadOnlyList<Tensor?> AllReduceGradients(IReadOnlyList<Tensor?> gradients, bool mean = true)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        ThrowIfUnusable();
        // A custom loop's gradients come from each rank's own code: differently shaped lists would
        // build different buckets and fail inside MPI (MPI_ERR_TRUNCATE) or hang. One small allgather
        // per call names the mismatch on every rank. (Fit's own steps reduce one model's
        // gradients, checked when its weights were broadcast.)
        CheckSameTensors(gradients, "AllReduceGradients", nameof(gradients), "gradients",
                         "compute the gradients of the same variables on every rank (null where a variable gets none)",
                         gradients.Select((g, i) => g is null ? $"{i}: null" : $"{i}: {g.DType.Name()} {g.Shape}"));
        double weight = mean ? 1.0 / WorldSize : 1.0;
        return AllReduceGradients(gradients, () => weight);
    }

    /// <summary>
    /// The sum over ranks of weight * gradient: <c>Fit</c> weighs each rank by its share of the
    /// global batch, so that shards of unequal size still give the full batch's gradient.
    /// <paramref name="weight"/> is read at each run, a replay's included.
    /// </summary>
    internal Tensor?[] AllReduceGradients(IReadOnlyList<Tensor?> gradients, Func<double> weight)
    {
        var reduction = BeginReduction(gradients, weight);
        for (int i = 0; i < gradients.Count; i++)
            if (gradients[i] is { } g) reduction.Ready(i, g);
        return reduction.Finish(gradients);
    }

    /// <summary>
    /// A reduction of the gradients of <paramref name="like"/> (the variables, or the gradients
    /// themselves: the buckets depend on shapes and dtypes only), fed gradient by gradient.
    /// <paramref name="weight"/> (this rank's factor) is read when each bucket starts, in every
    /// run: the value of that step, not the trace's.
    /// </summary>
    internal GradientReduction BeginReduction(IReadOnlyList<Tensor?> like, Func<double> weight)
    {
        ThrowIfUnusable();
        return new GradientReduction(this, Buckets(like), like.Count, weight);
    }

    internal sealed class Bucket(DType dtype)
    {
        public DType DType { get; } = dtype;
        public List<int> Indices { get; } = [];
        public long Count { get; set; }
        public int Waiting { get; set; }   // members not reported yet
    }

    // The same buckets on every rank: a function of the shapes and dtypes only, walked from the
    // last entry to the first; a bucket holds one dtype and closes at BucketBytes.
    private List<Bucket> Buckets(IReadOnlyList<Tensor?> like)
    {
        var buckets = new List<Bucket>();
        Bucket? open = null;
        long bytes = 0;
        for (int i = like.Count - 1; i >= 0; i--)
        {
            if (like[i] is not { } g) continue;
            if (g.DType is not (DType.Float32 or DType.Float64))
                throw new ArgumentException($"AllReduceGradients: gradient {i} is {g.DType.Name()} (shape {g.Shape}); gradients are float32 or float64.", "gradients");
            long size = g.Count * g.DType.SizeInBytes();
            if (open is null || open.DType != g.DType || bytes + size > BucketBytes && open.Indices.Count > 0)
            {
                open = new Bucket(g.DType);
                buckets.Add(open);
                bytes = 0;
            }
            open.Indices.Add(i);
            open.Count += g.Count;
            open.Waiting++;
            bytes += size;
        }
        foreach (var b in buckets)
            if (b.Count > int.MaxValue)
                throw new ArgumentException($"AllReduceGradients: a single gradient of {b.Count} elements is more than one allreduce moves (2^31 - 1).", "gradients");
        return buckets;
    }

    /// <summary>One step's gradients on their way through the buckets' allreduces.</summary>
    internal sealed class GradientReduction(DataParallel owner, List<Bucket> buckets, int count, Func<double> weight)
    {
        private readonly Tensor?[] _gradients = new Tensor?[count];
        private readonly int[] _bucketOf = BucketOf(buckets, count);
        private readonly Tensor?[] _packed = new Tensor?[buckets.Count];
        private readonly BucketAllReduce?[] _transfers = new BucketAllReduce?[buckets.Count];
        private int _started;

        private static int[] BucketOf(List<Bucket> buckets, int count)
        {
            var of = new int[count];
            Array.Fill(of, -1);
            for (int b = 0; b < buckets.Count; b++)
                foreach (int i in buckets[b].Indices) of[i] = b;
            return of;
        }

        /// <summary>Gradient <paramref name="index"/> is final: its bucket goes out once it is full and every earlier bucket went.</summary>
        public void Ready(int index, Tensor gradient)
        {
            int b = _bucketOf[index];
            if (b < 0 || _gradients[index] is not null) return;
            _gradients[index] = gradient;
            buckets[b].Waiting--;
            while (_started < buckets.Count && buckets[_started].Waiting == 0) Start(_started++);
            if (_started == 0) return;
            // Test the oldest allreduce in flight each time the backward pass reports a gradient
            // (Open MPI advances a non-blocking one only inside MPI calls); a replay tests at the same points.
            var (transfers, started) = (_transfers, _started);
            FunctionTrace.RunCollective(null, _ => BucketAllReduce.ProgressOldest(transfers, started), "AllReduceTest");
        }

        /// <summary>
        /// Starts what is left (a member never reported is taken from <paramref name="final"/>,
        /// or has no gradient), waits for every bucket and returns the averaged gradients: views
        /// of the bucket's reduced buffer.
        /// </summary>
        public Tensor?[] Finish(IReadOnlyList<Tensor?> final)
        {
            for (int i = 0; i < _gradients.Length; i++)
                if (_gradients[i] is null && _bucketOf[i] >= 0 && final[i] is { } g) _gradients[i] = g;
            while (_started < buckets.Count) Start(_started++);
            var result = new Tensor?[_gradients.Length];
            for (int b = 0; b < buckets.Count; b++)
            {
                if (_packed[b] is not { } packed) continue;  // no gradient in it (on every rank alike)
                FunctionTrace.RunCollective(packed, _transfers[b]!.Wait, "AllReduceWait");
                long offset = 0;
                foreach (int i in buckets[b].Indices)
                {
                    if (_gradients[i] is not { } g) continue;
                    result[i] = packed.View(new Layout(g.Shape, Layout.RowMajorStrides(g.Shape.Dims), offset));
                    offset += g.Count;
                }
                packed.Dispose();  // the views hold the buffer
                _packed[b] = null;
            }
            return result;
        }

        // Packs the bucket's gradients into one buffer on their device (kernels, so that a trace
        // records them) and starts its allreduce.
        private void Start(int b)
        {
            var bucket = buckets[b];
            Tensor? packed = null;
            IBackend? backend = null;
            long offset = 0;
            foreach (int i in bucket.Indices)
            {
                if (_gradients[i] is not { } g) continue;  // no gradient: on every rank alike
                var on = FunctionTrace.Unwrap(g.Backend);
                if (backend is null)
                {
                    backend = on;
                    packed = Tensor.Empty(new Shape(checked((int)bucket.Count)), bucket.DType, on);
                }
                else if (!ReferenceEquals(on, backend) && !(on.IsHostMemory && backend.IsHostMemory))
                    throw new ArgumentException($"AllReduceGradients: gradient {i} is on {on.Name}, others of its bucket on {backend.Name}; a rank's gradients live on one device.", "gradients");
                Engine.Copy(g, g.Layout, packed!, new Layout(g.Shape, Layout.RowMajorStrides(g.Shape.Dims), offset));
                offset += g.Count;
            }
            if (packed is null) return;
            _packed[b] = packed;
            var transfer = _transfers[b] = new BucketAllReduce(owner, b, bucket.DType, offset, backend!, weight);
            FunctionTrace.RunCollective(packed, transfer.Start, "AllReduceStart");
        }
    }
}
