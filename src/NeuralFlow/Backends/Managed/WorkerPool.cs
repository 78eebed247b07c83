using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace NeuralFlow.Backends.Managed;

/// <summary>A job cut into parts: <see cref="Part"/> runs part p of [0, parts), on any thread, in any order.</summary>
internal interface IPartJob
{
    void Part(int part);
}

/// <summary>A job over [0, total) cut by <see cref="ManagedBackend.SplitPoint"/>: Run(begin, end) per piece.</summary>
internal interface IRangeJob
{
    void Run(long begin, long end);
}

/// <summary>
/// The managed engine's threads: one process-wide pool of persistent workers that every parallel
/// kernel shares, in place of Parallel.For. Why: Parallel.For allocated a closure, a task and its
/// bookkeeping per call (about 13 KB per workshop step), cost about 10 us to start and join, and
/// its pool threads fell asleep between a step's kernels, so each GEMM paid a wake-up. This is the
/// native pool's design (native/src/cpu/thread_pool.cpp) in C#:
/// <list type="bullet">
/// <item>The caller runs parts itself and claims them one at a time along with the workers, so a
/// worker that wakes late (or not at all) only means the caller does more of the parts.</item>
/// <item>Idle workers poll for the next job for a while before they sleep (a step's parallel
/// kernels come 20-100 us apart); once another process competes for the cores (a worker sees
/// itself descheduled while polling, or a caller waits long for a part a worker holds) they poll
/// briefly and jobs run on the caller alone, until the signs decay: the native pool's rule and
/// numbers, <see cref="PoolRule"/>.</item>
/// <item>No allocation per job: the job struct is copied into a box kept per thread and job type.</item>
/// </list>
/// Parts are fixed by the caller from sizes alone, so which thread ran a part never changes a
/// result. One job runs at a time; a job started while another runs (another thread's kernel, or a
/// kernel called from inside a part) runs its parts on its own caller.
/// </summary>
internal static class WorkerPool
{
    private static readonly long QuietSpin = PoolRule.Ticks(PoolRule.IdleSpinQuietUs);
    private static readonly long ContendedSpin = PoolRule.Ticks(PoolRule.IdleSpinContendedUs);
    private static readonly long PreemptedGap = PoolRule.Ticks(PoolRule.PreemptedGapUs);
    private static readonly long JoinSpin = PoolRule.Ticks(PoolRule.JoinSpinUs);
    private static readonly long StalledJoin = PoolRule.Ticks(PoolRule.StalledJoinUs);
    internal static readonly PoolRule.Contention Contention = new();

    private static readonly object Gate = new();
    private static readonly List<Thread> Threads = [];
    private static int _busy;
    private static int _sleepers;

    // The current job: its runner, part count and helper count, published by the claim word.
    private static Runner? _runner;
    private static int _parts, _helpers, _done;
    private static Exception? _error;
    // High 32 bits: the job's tag (new per job); low 32: the next unclaimed part. Parts are
    // claimed by compare-and-swap against the tag a thread joined with, so a worker still holding
    // an earlier job's tag can never claim (or skip) a part of a later job.
    private static long _claim;

    [ThreadStatic] private static bool _inPart;

    /// <summary>Runs job.Part(p) for every p in [0, parts); returns when all have run. The first exception of any part is rethrown.</summary>
    [MethodImpl(ManagedKernel)]
    public static void Run<TJob>(in TJob job, int parts) where TJob : struct, IPartJob
    {
        if (parts <= 0) return;
        int helpers = Math.Min(parts, ManagedBackend.Workers) - 1;
        if (helpers <= 0 || _inPart || Contended() || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            Serial(job, parts);
            return;
        }
        var box = Box<TJob>.Cached ??= new Box<TJob>();
        box.Job = job;
        try
        {
            EnsureThreads(helpers);
            _runner = box;
            _parts = parts;
            _helpers = helpers;
            _done = 0;
            _error = null;
            long tag = (long)(((ulong)_claim >> 32) + 1) << 32;
            Interlocked.Exchange(ref _claim, tag);  // publishes the fields above; a full fence before reading _sleepers
            if (Volatile.Read(ref _sleepers) > 0)
                lock (Gate) Monitor.PulseAll(Gate);
            RunParts(tag, box, parts);
            WaitDone(parts);
            // Close the job: every part claimed. A worker that read this job's tag but reads _runner
            // and _parts only after the next job wrote them would otherwise find this claim word below
            // the next job's part count and run one of its parts under the old tag - twice, once the
            // next tag is published (CI: "thread 0 job 138: 1,1,2").
            Interlocked.Exchange(ref _claim, tag | int.MaxValue);
            _runner = null;
            var error = _error;
            _error = null;
            if (error != null) ExceptionDispatchInfo.Throw(error);
        }
        finally
        {
            box.Job = default;
            Volatile.Write(ref _busy, 0);
        }
    }

    private static bool Contended()
    {
        bool contended = Contention.Active(Stopwatch.GetTimestamp());
        WorkerPoolStats.Job(contended);
        return contended;
    }

    /// <summary>Runs job.Run over [0, total) in <paramref name="pieces"/> pieces split by <see cref="ManagedBackend.SplitPoint"/>.</summary>
    [MethodImpl(ManagedKernel)]
    public static void Split<TJob>(in TJob job, long total, int pieces) where TJob : struct, IRangeJob
    {
        if (pieces <= 1)
        {
            var j = job;
            j.Run(0, total);
            return;
        }
        Run(new SplitJob<TJob> { Job = job, Total = total, Pieces = pieces }, pieces);
    }

    /// <summary><see cref="Split{TJob}"/> for a delegate body (the kernels off the training step's path).</summary>
    public static void Split(Action<long, long> body, long total, int pieces) =>
        Split(new DelegateJob { Body = body }, total, pieces);

    /// <summary><see cref="Run{TJob}"/> for a delegate part (the kernels off the training step's path).</summary>
    public static void Run(Action<int> part, int parts) => Run(new DelegateParts { Body = part }, parts);

    private struct DelegateParts : IPartJob
    {
        public Action<int> Body;
        public readonly void Part(int part) => Body(part);
    }

    private struct SplitJob<TJob> : IPartJob where TJob : struct, IRangeJob
    {
        public TJob Job;
        public long Total;
        public int Pieces;

        [MethodImpl(ManagedKernel)]
        public void Part(int part)
        {
            var j = Job;
            j.Run(ManagedBackend.SplitPoint(Total, Pieces, part), ManagedBackend.SplitPoint(Total, Pieces, part + 1));
        }
    }

    private struct DelegateJob : IRangeJob
    {
        public Action<long, long> Body;
        public readonly void Run(long begin, long end) => Body(begin, end);
    }

    private static void Serial<TJob>(in TJob job, int parts) where TJob : struct, IPartJob
    {
        // As on the pool: every part runs, then the first exception is rethrown, so a job behaves
        // the same whether it ran here or in parallel.
        bool outer = _inPart;
        _inPart = true;
        Exception? error = null;
        try
        {
            var j = job;
            for (int p = 0; p < parts; p++)
            {
                try
                {
                    j.Part(p);
                }
                catch (Exception e)
                {
                    error ??= e;
                }
            }
        }
        finally
        {
            _inPart = outer;
        }
        if (error != null) ExceptionDispatchInfo.Throw(error);
    }

    // Claims and runs parts of the job tagged `tag` until none is left (or a later job replaced
    // it).
    private static void RunParts(long tag, Runner runner, int parts)
    {
        _inPart = true;
        try
        {
            for (;;)
            {
                long c = Volatile.Read(ref _claim);
                if ((c & ~0xFFFFFFFFL) != tag || (int)c >= parts) return;
                if (Interlocked.CompareExchange(ref _claim, c + 1, c) != c) continue;
                try
                {
                    runner.Part((int)c);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _error, e, null);
                }
                Interlocked.Increment(ref _done);
            }
        }
        finally
        {
            _inPart = false;
        }
    }

    // Parts still held by workers: poll briefly, then yield so that a worker sharing our core (or
    // descheduled by another process) gets the CPU to finish them. A long wait is a sign of
    // contention (PoolRule).
    private static void WaitDone(int parts)
    {
        if (Volatile.Read(ref _done) >= parts) return;
        long start = Stopwatch.GetTimestamp();
        bool stalled = false;
        for (int i = 0; Volatile.Read(ref _done) < parts; i++)
        {
            if ((i & 63) != 63)
            {
                Thread.SpinWait(1);
                continue;
            }
            long now = Stopwatch.GetTimestamp();
            if (now - start <= JoinSpin) continue;
            if (!stalled && now - start > StalledJoin)
            {
                stalled = true;
                Interlocked.Increment(ref WorkerPoolStats.StallSigns);
                Contention.Note(now);
            }
            Thread.Yield();
        }
    }

    private static void EnsureThreads(int helpers)
    {
        if (Threads.Count >= helpers) return;
        lock (Gate)
        {
            while (Threads.Count < helpers)
            {
                int index = Threads.Count;
                long seen = Volatile.Read(ref _claim) >> 32;
                var t = new Thread(() => Work(index, seen)) { IsBackground = true, Name = $"NeuralFlow managed worker {index + 1}" };
                t.Start();
                Threads.Add(t);
            }
        }
    }

    // A worker: poll for a new job, sleep when none comes, join it when it wants this worker.
    private static void Work(int index, long seen)
    {
        for (;;)
        {
            long last = Stopwatch.GetTimestamp();
            long until = last + (Contention.Active(last) ? ContendedSpin : QuietSpin);
            for (int i = 0; Volatile.Read(ref _claim) >> 32 == seen; i++)
            {
                if ((i & 63) != 63)
                {
                    Thread.SpinWait(1);
                    continue;
                }
                long now = Stopwatch.GetTimestamp();
                if (now - last > PreemptedGap)
                {
                    Interlocked.Increment(ref WorkerPoolStats.PreemptionSigns);
                    Contention.Note(now);  // descheduled while polling: someone wants this core
                    break;
                }
                if (now > until) break;
                last = now;
            }
            if (Volatile.Read(ref _claim) >> 32 == seen)
            {
                lock (Gate)
                {
                    Interlocked.Increment(ref _sleepers);  // a full fence before the re-check: no lost wake-up
                    while (Volatile.Read(ref _claim) >> 32 == seen) Monitor.Wait(Gate);
                    Interlocked.Decrement(ref _sleepers);
                }
            }
            long c = Volatile.Read(ref _claim);
            seen = c >> 32;
            // Read after the claim word that published them; a later job changes the tag, and
            // then every claim below fails before a part of it could run.
            var runner = _runner;
            int parts = _parts;
            if (runner != null && index < _helpers) RunParts(c & ~0xFFFFFFFFL, runner, parts);
        }
    }

    private abstract class Runner
    {
        public abstract void Part(int part);
    }

    private sealed class Box<TJob> : Runner where TJob : struct, IPartJob
    {
        [ThreadStatic] public static Box<TJob>? Cached;
        public TJob Job;

        [MethodImpl(ManagedKernel)]
        public override void Part(int part)
        {
            var j = Job;
            j.Part(part);
        }
    }
}
