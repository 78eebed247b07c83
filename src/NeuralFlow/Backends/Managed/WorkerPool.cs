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
/// <item>Idle workers poll for the next job for a while (500 us on a quiet machine: a step's
/// parallel kernels come 20-100 us apart) before they sleep; once another process competes for
/// the cores (a worker sees itself descheduled while polling, or a caller waits long for a part a
/// worker holds) they poll only 30 us and jobs run on the caller alone, until the signs decay.</item>
/// <item>No allocation per job: the job struct is copied into a box kept per thread and job type.</item>
/// </list>
/// Parts are fixed by the caller from sizes alone, so which thread ran a part never changes a
/// result. One job runs at a time; a job started while another runs (another thread's kernel, or a
/// kernel called from inside a part) runs its parts on its own caller.
/// </summary>
internal static class WorkerPool
{
    private static readonly long QuietSpin = Stopwatch.Frequency / 2000;          // 500 us
    private static readonly long ContendedSpin = Stopwatch.Frequency * 30 / 1_000_000;
    private static readonly long PreemptedGap = Stopwatch.Frequency * 60 / 1_000_000;
    private static readonly long JoinSpin = Stopwatch.Frequency * 20 / 1_000_000;
    private static readonly long StalledJoin = Stopwatch.Frequency / 4000;         // 250 us

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
        if (helpers <= 0 || _inPart || Contention.Active(Stopwatch.GetTimestamp()) || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
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
            long start = Stopwatch.GetTimestamp();
            int mine = RunParts(tag, box, parts);
            WaitDone(parts, start, mine);
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
    // it); returns how many it ran.
    private static int RunParts(long tag, Runner runner, int parts)
    {
        _inPart = true;
        int ran = 0;
        try
        {
            for (;; ran++)
            {
                long c = Volatile.Read(ref _claim);
                if ((c & ~0xFFFFFFFFL) != tag || (int)c >= parts) return ran;
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
    // descheduled by another process) gets the CPU to finish them. A wait longer than a few of
    // the caller's own parts (they are cut to equal sizes) means a worker lost its core mid-part:
    // a sign of contention. (The native pool's fixed 250 us missed the stalls that matter here: on
    // a 2-core machine with other load, the workshop GEMM took 170-220 us on two threads against
    // 130 us on one, every stall under 250 us.)
    private static void WaitDone(int parts, long jobStart, int callerParts)
    {
        if (Volatile.Read(ref _done) >= parts) return;
        long start = Stopwatch.GetTimestamp();
        long stalledAfter = Math.Min(StalledJoin, Math.Max(JoinSpin, 3 * (start - jobStart) / Math.Max(1, callerParts)));
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
            if (!stalled && now - start > stalledAfter)
            {
                stalled = true;
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

    /// <summary>
    /// Whether our threads recently had to share a core (the native pool's Contention): each sign
    /// adds one to a score that halves every 50 ms; the pool counts as contended from 2.5. A quiet
    /// machine shows a stray sign now and then; another process wanting a core shows them every few
    /// milliseconds.
    /// </summary>
    private static class Contention
    {
        private static readonly object Lock = new();
        private static readonly double HalfLife = Stopwatch.Frequency * 0.05;
        private static double _score;
        private static long _at;

        public static void Note(long now)
        {
            lock (Lock)
            {
                _score = Decayed(now) + 1.0;
                _at = now;
            }
        }

        public static bool Active(long now)
        {
            if (Volatile.Read(ref _score) == 0) return false;
            lock (Lock) return Decayed(now) >= 2.5;
        }

        private static double Decayed(long now)
        {
            if (_score == 0 || now <= _at) return _score;
            double halves = (now - _at) / HalfLife;
            return halves > 30 ? 0 : _score * Math.Pow(2, -halves);
        }
    }
}
