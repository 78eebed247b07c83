using System.Numerics;
using System.Numerics.Tensors;
using NeuralFlow.Native;

namespace NeuralFlow.Distributed;

// Gradient averaging as PyTorch DDP does it: gradients are packed into buckets of about
// BucketBytes in reverse parameter order (the order the backward pass produces them: the last
// layer's first), every rank building the same buckets from the same list, and each bucket is
// one non-blocking allreduce. Packing bucket k+1 overlaps the allreduce of bucket k; the tape
// has no per-gradient hook, so the allreduces start once the backward pass is done (see README,
// "Distributed training"). Tensors on a GPU are staged through the host buffers.
public sealed partial class DataParallel
{
    private readonly List<Array> _hostBuffers = [];

    /// <summary>
    /// The average over all ranks of each gradient, in the same order; null entries stay null
    /// (they must be null on every rank: the same variables get no gradient everywhere).
    /// Call it between <c>tape.Gradient</c> and <c>optimizer.ApplyGradients</c> in a custom loop.
    /// </summary>
    public IReadOnlyList<Tensor?> AllReduceGradients(IReadOnlyList<Tensor?> gradients)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        return AllReduceGradients(gradients, 1.0 / WorldSize);
    }

    /// <summary>
    /// The sum over ranks of weight * gradient: <c>Fit</c> weighs each rank by its share of the
    /// global batch, so that shards of unequal size still give the full batch's gradient.
    /// </summary>
    internal Tensor?[] AllReduceGradients(IReadOnlyList<Tensor?> gradients, double weight)
    {
        ThrowIfUnusable();
        var result = new Tensor?[gradients.Count];
        var buckets = Buckets(gradients);
        var handles = new long[buckets.Count];
        for (int b = 0; b < buckets.Count; b++)
        {
            var bucket = buckets[b];
            if (bucket.DType == DType.Float32) handles[b] = Start<float>(b, bucket, gradients, weight);
            else handles[b] = Start<double>(b, bucket, gradients, weight);
        }
        for (int b = 0; b < buckets.Count; b++)
        {
            Check(NativeDistMethods.nf_dist_wait(handles[b], TimeoutSeconds));
            if (buckets[b].DType == DType.Float32) Unpack<float>(b, buckets[b], gradients, result);
            else Unpack<double>(b, buckets[b], gradients, result);
        }
        return result;
    }

    private sealed class Bucket(DType dtype)
    {
        public DType DType { get; } = dtype;
        public List<int> Indices { get; } = [];
        public long Count { get; set; }
    }

    // The same buckets on every rank: a function of the shapes and dtypes only, walked from the
    // last gradient to the first; a bucket holds one dtype and closes at BucketBytes.
    private List<Bucket> Buckets(IReadOnlyList<Tensor?> gradients)
    {
        var buckets = new List<Bucket>();
        Bucket? open = null;
        long bytes = 0;
        for (int i = gradients.Count - 1; i >= 0; i--)
        {
            if (gradients[i] is not { } g) continue;
            if (g.DType is not (DType.Float32 or DType.Float64))
                throw new ArgumentException($"AllReduceGradients: gradient {i} is {g.DType.Name()} (shape {g.Shape}); gradients are float32 or float64.", nameof(gradients));
            long size = g.Count * g.DType.SizeInBytes();
            if (open is null || open.DType != g.DType || bytes + size > BucketBytes && open.Indices.Count > 0)
            {
                open = new Bucket(g.DType);
                buckets.Add(open);
                bytes = 0;
            }
            open.Indices.Add(i);
            open.Count += g.Count;
            bytes += size;
        }
        foreach (var b in buckets)
            if (b.Count > int.MaxValue)
                throw new ArgumentException($"AllReduceGradients: a single gradient of {b.Count} elements is more than one allreduce moves (2^31 - 1).", nameof(gradients));
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

    private unsafe long Start<T>(int b, Bucket bucket, IReadOnlyList<Tensor?> gradients, double weight) where T : unmanaged, INumber<T>
    {
        var buffer = HostBuffer<T>(b, bucket.Count);
        int offset = 0;
        foreach (int i in bucket.Indices)
        {
            var g = gradients[i]!;
            var part = buffer.AsSpan(offset, checked((int)g.Count));
            using (var packed = g.Contiguous()) Engine.Download(packed, part);
            if (weight != 1) TensorPrimitives.Multiply(part, T.CreateChecked(weight), part);
            offset += part.Length;
        }
        long handle;
        fixed (T* p = buffer)   // pinned already: the address stays valid after this block
            Check(NativeDistMethods.nf_dist_iallreduce(p, bucket.Count, (int)bucket.DType, NativeDistMethods.Sum, &handle));
        return handle;
    }

    private void Unpack<T>(int b, Bucket bucket, IReadOnlyList<Tensor?> gradients, Tensor?[] result) where T : unmanaged
    {
        var buffer = (T[])_hostBuffers[b];
        int offset = 0;
        foreach (int i in bucket.Indices)
        {
            var g = gradients[i]!;
            int n = checked((int)g.Count);
            result[i] = Engine.FromHost<T>(buffer.AsSpan(offset, n), g.Shape, g.Backend);
            offset += n;
        }
    }
}
