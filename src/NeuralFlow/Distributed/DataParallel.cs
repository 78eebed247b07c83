using System.Runtime.InteropServices;
using NeuralFlow.Native;

namespace NeuralFlow.Distributed;

/// <summary>
/// Data-parallel training over MPI (Keras' <c>tf.distribute.MultiWorkerMirroredStrategy</c>,
/// PyTorch's <c>DistributedDataParallel</c>): one process per rank, each holding the whole model,
/// each training on its shard of every batch; gradients are averaged across ranks before every
/// optimizer step, so the weights stay bit-identical on all ranks.
/// <code>
/// using var strategy = new DataParallel();   // launched as: mpirun -np 4 dotnet run ...
/// model.Fit(x, y, batchSize: 256, epochs: 5); // shards, broadcasts, averages, logs on rank 0
/// </code>
/// While it is alive (until <see cref="Dispose"/>), <c>Model.Fit</c> under it shards each
/// epoch's data by rank, broadcasts rank 0's weights at the start, averages gradients with
/// bucketed allreduces and runs logging, checkpoint and progress-bar callbacks on rank 0 only.
/// A custom loop gets the same from <see cref="Broadcast(IEnumerable{Variable}, int)"/> once and
/// <see cref="AllReduceGradients(IReadOnlyList{Tensor}, bool)"/> each step.
/// </summary>
/// <remarks>
/// The collectives are those of libneuralflow_dist (native/include/neuralflow_dist.h), loaded only
/// here, so a program that never creates a strategy never needs MPI. MPI is initialised once per
/// process (by the first strategy) and finalized by <see cref="Dispose"/> or at process exit; a
/// process holds one strategy at a time. A rank that throws on its own (in Fit, Evaluate,
/// Predict, or an exception nobody catches) tells the others, whose collectives then fail at
/// once with a <see cref="DistributedException"/> "rank R failed: ..." (DataParallel.Failures.cs);
/// every collective waits at most <see cref="Timeout"/> for a rank that hangs or dies silently,
/// and disposing a strategy after such a failure ends the whole job (MPI_Abort) rather than
/// waiting for the lost rank in MPI_Finalize.
/// </remarks>
public sealed partial class DataParallel : IDisposable
{
    private static readonly object Gate = new();
    private static DataParallel? _current;
    private static bool _finalized;
    private static bool _exitHooked;
    private static bool _failed;
    private bool _disposed;

    /// <summary>The strategy alive in this process, if any (what <c>Model.Fit</c> trains under).</summary>
    public static DataParallel? Current => _current;

    /// <summary>This process's rank, 0 to <see cref="WorldSize"/> - 1; rank 0 logs and checkpoints.</summary>
    public int Rank { get; }

    /// <summary>Number of processes (ranks) in the job: <c>mpirun -np</c>.</summary>
    public int WorldSize { get; }

    /// <summary>True on rank 0, the one that logs and writes checkpoints (Keras' "chief").</summary>
    public bool IsChief => Rank == 0;

    /// <summary>The longest any collective waits for the other ranks before failing.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>
    /// Gradients are reduced in buckets of about this many bytes (PyTorch DDP's
    /// <c>bucket_cap_mb</c>, 25 MiB): large enough that each allreduce is bandwidth-bound, small
    /// enough that the next bucket is packed while the previous one travels.
    /// </summary>
    public long BucketBytes { get; }

    /// <summary>The MPI library underneath ("Open MPI v4.1.4, ..."), for logs.</summary>
    public string MpiLibrary { get; }

    /// <summary>
    /// Joins the job: initialises MPI (once per process) and reads this process's rank and the
    /// world size. Run the program under <c>mpirun -np N</c>; started on its own it is a job of
    /// one rank, where every collective is a copy.
    /// </summary>
    /// <param name="timeout">
    /// How long a collective waits for the other ranks before failing with the rank that did not
    /// arrive; default 5 minutes, or <c>NEURALFLOW_DIST_TIMEOUT</c> (seconds) when set. Give
    /// room for the slowest step and for rank 0's checkpoint writes.
    /// </param>
    /// <param name="bucketSizeMb">Gradient bucket size in MiB (<see cref="BucketBytes"/>), as DDP's bucket_cap_mb.</param>
    /// <exception cref="DistributedException">
    /// The MPI engine cannot be loaded (not built because MPI was missing, or MPI not installed
    /// here), MPI was already finalized in this process, or another strategy is alive.
    /// </exception>
    public DataParallel(TimeSpan? timeout = null, double bucketSizeMb = 25)
    {
        if (!(bucketSizeMb > 0) || double.IsInfinity(bucketSizeMb))
            throw new ArgumentOutOfRangeException(nameof(bucketSizeMb), bucketSizeMb, "DataParallel: bucketSizeMb must be a finite number greater than 0.");
        Timeout = timeout ?? TimeoutFromEnvironment();
        if (Timeout < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(timeout), Timeout, "DataParallel: timeout must not be negative (TimeSpan.Zero waits forever).");
        BucketBytes = Math.Max(1, (long)(bucketSizeMb * 1024 * 1024));
        lock (Gate)
        {
            if (_current is not null)
                throw new DistributedException($"DataParallel: a strategy (rank {_current.Rank} of {_current.WorldSize}) is already alive in this process; use that one, or dispose it first.");
            if (_finalized)
                throw new DistributedException("DataParallel: MPI was finalized in this process (a strategy was disposed) and MPI cannot be initialised twice; create one DataParallel per process and keep it for the whole run.");
            if (!NativeLibraryLoader.TryLoadDist(out var why))
                throw new DistributedException(
                    $"DataParallel needs NeuralFlow's MPI engine ({NativeLibraryLoader.DistFileName}), which cannot be loaded: {why}. " +
                    "It is built when CMake finds MPI: install Open MPI (Debian/Ubuntu: apt-get install libopenmpi-dev openmpi-bin; Windows: MS-MPI), " +
                    "rebuild (dotnet build), and launch with mpirun -np N dotnet ... Set NEURALFLOW_DIST_PATH to use a library elsewhere.");
            int rank, size;
            unsafe { Check(NativeDistMethods.nf_dist_init(&rank, &size)); }
            Rank = rank;
            WorldSize = size;
            MpiLibrary = Marshal.PtrToStringUTF8(NativeDistMethods.nf_dist_build_info()) ?? "MPI";
            if (!_exitHooked)
            {
                // A program that never disposes its strategy still finalizes MPI, so mpirun does
                // not report the rank as lost.
                AppDomain.CurrentDomain.ProcessExit += (_, _) => Shutdown();
                // A rank that dies of an exception would leave the others waiting in their next
                // collective until the timeout: end the whole job at once instead, after printing
                // the exception (MPI_Abort does not return, so the runtime would not print it).
                AppDomain.CurrentDomain.UnhandledException += (_, e) =>
                {
                    Console.Error.WriteLine($"[NeuralFlow rank {Current?.Rank}] unhandled exception, ending the job: {e.ExceptionObject}");
                    Console.Error.Flush();
                    // The others learn why (in their next collective) before the job ends. This runs
                    // on the thread that threw; a thread of this rank waiting in a collective sends
                    // the note for it and leaves its wait (nf_dist_announce_failure: one thread
                    // inside MPI at a time), and lingering and aborting wait for it to leave.
                    if (e.ExceptionObject is Exception thrown) Announce(thrown);
                    _failed = true;
                    Shutdown();
                };
                _exitHooked = true;
            }
            _current = this;
        }
        AgreeOnRandom();
    }

    // Every rank's global generator continues from rank 0's (as if each had called
    // NF.Random.SetSeed with one seed): a Dataset.Shuffle without a seed of its own draws its seed
    // from it, and Fit splits each of a dataset's batches among the ranks, which gives disjoint
    // shards only when every rank shuffles alike (as PyTorch's DistributedSampler shares its
    // seed). Each rank's examples differ, so dropout masks drawn alike are still independent
    // across the global batch.
    private void AgreeOnRandom()
    {
        if (WorldSize == 1) return;
        var (seed, offset) = NF.Random.State;
        Span<long> state = [(long)seed, offset];
        Broadcast(MemoryMarshal.AsBytes(state));
        NF.Random.State = ((ulong)state[0], state[1]);
    }

    private static TimeSpan TimeoutFromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable("NEURALFLOW_DIST_TIMEOUT");
        if (string.IsNullOrEmpty(text)) return TimeSpan.FromMinutes(5);
        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) || seconds < 0)
            throw new DistributedException($"NEURALFLOW_DIST_TIMEOUT='{text}' is not a number of seconds (0 waits forever).");
        return TimeSpan.FromSeconds(seconds);
    }

    internal double TimeoutSeconds => Timeout.TotalSeconds;

    /// <summary>
    /// Turns a failed native call into an exception. A bad argument is found before anything is
    /// sent, so it is the usual ArgumentException or NotSupportedException and the strategy goes
    /// on; an MPI failure or a timeout is a <see cref="DistributedException"/> after which the
    /// ranks are out of step. Its message goes to standard error at once, tagged with the rank:
    /// under mpirun that is where a user looks, and a process that dies of the exception may not
    /// get to print it.
    /// </summary>
    internal void Check(NfStatus status)
    {
        if (status == NfStatus.Ok) return;
        var message = NativeDistMethods.LastError();
        if (status != NfStatus.Internal) throw NativeErrors.ToException(status, message);
        _failed = true;
        Console.Error.WriteLine($"[NeuralFlow rank {NativeDistMethods.nf_dist_rank()}] {message}");
        Console.Error.Flush();
        throw new DistributedException(message);
    }

    /// <summary>Waits until every rank has called it (<c>MPI_Barrier</c>), at most <see cref="Timeout"/>.</summary>
    public void Barrier()
    {
        NotReplayable("Barrier");
        ThrowIfUnusable();
        Check(NativeDistMethods.nf_dist_barrier(TimeoutSeconds));
    }

    /// <summary>Sums (or, with <paramref name="mean"/>, averages) <paramref name="values"/> over all ranks, in place.</summary>
    public unsafe void AllReduce(Span<double> values, bool mean = false)
    {
        NotReplayable("AllReduce");
        ThrowIfUnusable();
        fixed (double* p = values)
            Check(NativeDistMethods.nf_dist_allreduce(p, values.Length, (int)DType.Float64, mean ? NativeDistMethods.Mean : NativeDistMethods.Sum, TimeoutSeconds));
    }

    /// <summary>Sums (or averages) <paramref name="values"/> over all ranks, in place.</summary>
    public unsafe void AllReduce(Span<float> values, bool mean = false)
    {
        NotReplayable("AllReduce");
        ThrowIfUnusable();
        fixed (float* p = values)
            Check(NativeDistMethods.nf_dist_allreduce(p, values.Length, (int)DType.Float32, mean ? NativeDistMethods.Mean : NativeDistMethods.Sum, TimeoutSeconds));
    }

    /// <summary>Every rank's <paramref name="values"/>, concatenated in rank order (<c>MPI_Allgather</c>).</summary>
    public double[] AllGather(ReadOnlySpan<double> values)
    {
        NotReplayable("AllGather");
        return Gather(values);
    }

    // AllGather for the library's own checks, which record themselves in a trace (CheckSameTensors).
    private unsafe double[] Gather(ReadOnlySpan<double> values)
    {
        ThrowIfUnusable();
        var all = new double[values.Length * WorldSize];
        fixed (double* s = values)
        fixed (double* r = all)
            Check(NativeDistMethods.nf_dist_allgather(s, values.Length, (int)DType.Float64, r, TimeoutSeconds));
        return all;
    }

    /// <summary>Rank <paramref name="root"/>'s bytes on every rank, in place (<c>MPI_Bcast</c>).</summary>
    public unsafe void Broadcast(Span<byte> bytes, int root = 0)
    {
        NotReplayable("Broadcast");
        ThrowIfUnusable();
        CheckRoot(root);
        fixed (byte* p = bytes)
            Check(NativeDistMethods.nf_dist_broadcast(p, bytes.Length, root, TimeoutSeconds));
    }

    /// <summary>Rank <paramref name="root"/>'s <paramref name="value"/> on every rank.</summary>
    public long Broadcast(long value, int root = 0)
    {
        Span<long> one = [value];
        Broadcast(MemoryMarshal.AsBytes(one), root);
        return one[0];
    }

    private void CheckRoot(int root)
    {
        if (root < 0 || root >= WorldSize)
            throw new ArgumentOutOfRangeException(nameof(root), root, $"DataParallel: root must be a rank, 0 to {WorldSize - 1}.");
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failed)
            throw new DistributedException("DataParallel: an earlier collective failed (a rank is lost), so the ranks are out of step; end the job.");
    }

    /// <summary>
    /// Leaves the job: finalizes MPI (after which no strategy can be created in this process).
    /// After a failed collective it ends every rank instead (MPI_Abort), since MPI_Finalize would
    /// wait for the lost one.
    /// </summary>
    public void Dispose()
    {
        lock (Gate)
        {
            if (_disposed) return;
            _disposed = true;
            if (_current == this) _current = null;
        }
        FreePinned();
        Shutdown();
    }

    private static void Shutdown()
    {
        lock (Gate)
        {
            if (_finalized || !NativeLibraryLoader.TryLoadDist(out _)) return;
            _finalized = true;
            if (!_failed && NativeDistMethods.nf_dist_finalize() != NfStatus.Ok)
            {
                // A rank announced its failure: MPI_Finalize would wait for it forever.
                Console.Error.WriteLine($"[NeuralFlow rank {NativeDistMethods.nf_dist_rank()}] {NativeDistMethods.LastError()}");
                Console.Error.Flush();
                _failed = true;
            }
            if (_failed) EndTheJob();
        }
    }
}
