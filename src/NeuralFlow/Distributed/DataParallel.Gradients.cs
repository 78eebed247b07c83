using System.Numerics;
using System.Numerics.Tensors;
using NeuralFlow.Native;

namespace NeuralFlow.Distributed;

// Gradient averaging as PyTorch DDP does it: gradients are packed into buckets of about
// BucketBytes in reverse parameter order (the order the backward pass produces them: the last
// layer's first), every rank building the same buckets from the same list, and each bucket is
// one non-blocking allreduce, started in bucket order on every rank. Under Fit, the tape reports
// each gradient as soon as it is final (GradientTape.GradientReady), so a bucket's allreduce
// starts while the backward pass goes on; AllReduceGradients, given finished gradients, starts
// them one after another (packing bucket k+1 overlaps the transfer of bucket k). Buckets of
// tensors on a GPU stay on the device (DataParallel.Gpu.cs).
public sealed partial class DataParallel
{
    private readonly List<Array> _hostBuffers = [];

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
        return AllReduceGradients(gradients, mean ? 1.0 / WorldSize : 1.0);
    }

    /// <summary>
    /// The sum over ranks of weight * gradient: <c>Fit</c> weighs each rank by its share of the
    /// global batch, so that shards of unequal size still give the full batch's gradient.
    /// </summary>
    internal Tensor?[] AllReduceGradients(IReadOnlyList<Tensor?> gradients, double weight)
    {
        var reduction = BeginReduction(gradients, weight);
        for (int i = 0; i < gradients.Count; i++)
            if (gradients[i] is { } g) reduction.Ready(i, g);
        return reduction.Finish(gradients);
    }

    /// <summary>
    /// A reduction of the gradients of <paramref name="like"/> (the variables, or the gradients
    /// themselves: the buckets depend on shapes and dtypes only), fed gradient by gradient.
    /// </summary>
    internal GradientReduction BeginReduction(IReadOnlyList<Tensor?> like, double weight)
    {
        ThrowIfUnusable();
        NotReplayable("AllReduceGradients");
        return new GradientReduction(this, Buckets(like), like.Count, weight);
    }

    internal sealed class Bucket(DType dtype)
    {
        public DType DType { get; } = dtype;
        public List<int> Indices { get; } = [];
        public long Count { get; set; }
        public int Waiting { get; set; }   // members not reported yet
        public long Handle { get; set; } = -1;
        public bool Done { get; set; }
        public Tensor? Packed { get; set; }   // a GPU bucket's device buffer (DataParallel.Gpu.cs)
        public nint Staged { get; set; }      // its page-locked host copy, when staged
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

    // Bucket b's host buffer, pinned (MPI reads it while .NET runs on) and reused across steps.
    private T[] HostBuffer<T>(int b, long count) where T : unmanaged
    {
        while (_hostBuffers.Count <= b) _hostBuffers.Add(Array.Empty<T>());
        if (_hostBuffers[b] is not T[] buffer || buffer.Length < count)
            _hostBuffers[b] = buffer = GC.AllocateUninitializedArray<T>((int)count, pinned: true);
        return buffer;
    }

    /// <summary>One step's gradients on their way through the buckets' allreduces.</summary>
    internal sealed partial class GradientReduction(DataParallel owner, List<Bucket> buckets, int count, double weight)
    {
        private readonly Tensor?[] _gradients = new Tensor?[count];
        private readonly int[] _bucketOf = BucketOf(buckets, count);
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
            Progress();
        }

        // Open MPI advances a non-blocking allreduce only inside MPI calls: test the oldest one in
        // flight each time the backward pass reports a gradient.
        private unsafe void Progress()
        {
            for (int b = 0; b < _started; b++)
            {
                var bucket = buckets[b];
                if (bucket.Handle < 0 || bucket.Done) continue;
                int done;
                owner.Check(NativeDistMethods.nf_dist_test(bucket.Handle, &done));
                bucket.Done = done != 0;
                return;
            }
        }

        /// <summary>
        /// Starts what is left (a member never reported is taken from <paramref name="final"/>,
        /// or has no gradient), waits for every bucket and returns the averaged gradients.
        /// </summary>
        public Tensor?[] Finish(IReadOnlyList<Tensor?> final)
        {
            for (int i = 0; i < _gradients.Length; i++)
                if (_gradients[i] is null && _bucketOf[i] >= 0 && final[i] is { } g) _gradients[i] = g;
            while (_started < buckets.Count) Start(_started++);
            var result = new Tensor?[_gradients.Length];
            for (int b = 0; b < buckets.Count; b++)
            {
                if (buckets[b].Handle >= 0 && !buckets[b].Done) owner.Check(NativeDistMethods.nf_dist_wait(buckets[b].Handle, owner.TimeoutSeconds));
                if (buckets[b].Packed is not null) UnpackOnDevice(b, result);
                else if (buckets[b].Handle < 0) continue;
                else if (buckets[b].DType == DType.Float32) Unpack<float>(b, result);
                else Unpack<double>(b, result);
            }
            return result;
        }

        private void Start(int b)
        {
            // A GPU's gradients stay on it (packed there); host backends' go through a pinned managed array.
            if (buckets[b].Indices.Select(i => _gradients[i]).FirstOrDefault(g => g is not null) is { Backend: Backends.Cuda.CudaBackend cuda })
                StartOnDevice(b, cuda);
            else if (buckets[b].DType == DType.Float32) Start<float>(b);
            else Start<double>(b);
        }

        private unsafe void Start<T>(int b) where T : unmanaged, INumber<T>
        {
            var bucket = buckets[b];
            var buffer = owner.HostBuffer<T>(b, bucket.Count);
            int offset = 0;
            foreach (int i in bucket.Indices)
            {
                if (_gradients[i] is not { } g) continue;  // no gradient: on every rank alike
                var part = buffer.AsSpan(offset, checked((int)g.Count));
                using (var packed = g.Contiguous()) Engine.Download(packed, part);
                if (weight != 1) TensorPrimitives.Multiply(part, T.CreateChecked(weight), part);
                offset += part.Length;
            }
            if (offset == 0) return;
            long handle;
            fixed (T* p = buffer)   // pinned already: the address stays valid after this block
                owner.Check(NativeDistMethods.nf_dist_iallreduce(p, offset, (int)bucket.DType, NativeDistMethods.Sum, &handle));
            bucket.Handle = handle;
        }

        private void Unpack<T>(int b, Tensor?[] result) where T : unmanaged
        {
            var buffer = (T[])owner._hostBuffers[b];
            int offset = 0;
            foreach (int i in buckets[b].Indices)
            {
                if (_gradients[i] is not { } g) continue;
                int n = checked((int)g.Count);
                result[i] = Engine.FromHost<T>(buffer.AsSpan(offset, n), g.Shape, g.Backend);
                offset += n;
            }
        }
    }
}
