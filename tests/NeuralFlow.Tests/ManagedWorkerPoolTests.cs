using NeuralFlow.Backends.Managed;

namespace NeuralFlow.Tests;

/// <summary>
/// The managed engine's worker pool (Backends/Managed/WorkerPool.cs), which replaced
/// Parallel.For: every part runs exactly once whatever the thread count and however jobs follow
/// each other, a part's exception reaches the caller after the job has finished, a job started
/// inside a part or from another thread runs on its own caller, and a job allocates nothing.
/// </summary>
[Collection("Threads")]  // changes NF.Threads
public sealed class ManagedWorkerPoolTests
{
    /// <summary>Counts each part's runs in a shared array (one slot per part).</summary>
    private struct CountParts : IPartJob
    {
        public int[] Runs;
        public int Spin;
        public readonly void Part(int part)
        {
            Interlocked.Increment(ref Runs[part]);
            if (Spin > 0) Thread.SpinWait(Spin);
        }
    }

    private static void WithThreads(int n, Action body)
    {
        int before = NF.Threads.Count;
        try
        {
            NF.Threads.Set(n);
            body();
        }
        finally { NF.Threads.Set(before); }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_part_runs_exactly_once_across_many_jobs(int threads) => WithThreads(threads, () =>
    {
        var rnd = new Random(threads);
        for (int job = 0; job < 3000; job++)
        {
            int parts = rnd.Next(1, 40);
            var runs = new int[parts];
            // Some jobs take long enough for a worker to join, some end before it wakes.
            WorkerPool.Run(new CountParts { Runs = runs, Spin = job % 3 == 0 ? 200 : 0 }, parts);
            for (int p = 0; p < parts; p++)
                Assert.True(runs[p] == 1, $"job {job}: part {p} of {parts} ran {runs[p]} times with {threads} threads");
        }
    });

    [Fact]
    public void Split_covers_the_range_once_in_pieces_by_size() => WithThreads(2, () =>
    {
        foreach (long total in new long[] { 0, 1, 7, 64, 1000, 100_003 })
            foreach (int pieces in new[] { 1, 2, 3, 8, 13 })
            {
                var seen = new int[total];
                WorkerPool.Split((b, e) =>
                {
                    Assert.Equal(ManagedBackend.SplitPoint(total, pieces, (int)Enumerable.Range(0, pieces).First(p => ManagedBackend.SplitPoint(total, pieces, p) == b && ManagedBackend.SplitPoint(total, pieces, p + 1) == e)), b);
                    for (long i = b; i < e; i++) Interlocked.Increment(ref seen[i]);
                }, total, pieces);
                Assert.All(seen, c => Assert.Equal(1, c));
            }
    });

    private struct Throwing : IPartJob
    {
        public int[] Runs;
        public readonly void Part(int part)
        {
            Interlocked.Increment(ref Runs[part]);
            Thread.SpinWait(500);
            if (part == 3) throw new InvalidOperationException("part 3 failed");
        }
    }

    [Theory]
    [InlineData(1)]  // on the caller alone
    [InlineData(2)]
    public void A_parts_exception_reaches_the_caller_after_every_part_ran(int threads) => WithThreads(threads, () =>
    {
        for (int round = 0; round < 50; round++)
        {
            var runs = new int[16];
            var e = Assert.Throws<InvalidOperationException>(() => WorkerPool.Run(new Throwing { Runs = runs }, 16));
            Assert.Equal("part 3 failed", e.Message);
            Assert.All(runs, c => Assert.Equal(1, c));  // the job finished before the caller unwound
        }
        // The pool still works.
        var again = new int[9];
        WorkerPool.Run(new CountParts { Runs = again }, 9);
        Assert.All(again, c => Assert.Equal(1, c));
    });

    private struct Nested : IPartJob
    {
        public int[][] Inner;
        public readonly void Part(int part) => WorkerPool.Run(new CountParts { Runs = Inner[part] }, Inner[part].Length);
    }

    [Fact]
    public void A_job_started_inside_a_part_runs_on_its_caller() => WithThreads(2, () =>
    {
        var inner = Enumerable.Range(0, 8).Select(i => new int[i + 1]).ToArray();
        WorkerPool.Run(new Nested { Inner = inner }, inner.Length);
        foreach (var runs in inner) Assert.All(runs, c => Assert.Equal(1, c));
    });

    [Fact]
    public void Jobs_from_several_threads_at_once_all_complete() => WithThreads(2, () =>
    {
        var failures = new List<string>();
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            for (int job = 0; job < 500; job++)
            {
                int parts = 1 + (job + t) % 17;
                var runs = new int[parts];
                WorkerPool.Run(new CountParts { Runs = runs, Spin = job % 2 == 0 ? 100 : 0 }, parts);
                if (runs.Any(c => c != 1)) lock (failures) failures.Add($"thread {t} job {job}: {string.Join(",", runs)}");
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(failures);
    });

    private struct NoRefs : IPartJob
    {
        public unsafe long* Sums;
        public readonly unsafe void Part(int part)
        {
            long s = 0;
            for (int i = 0; i < 2000; i++) s += i ^ part;
            Sums[part] = s;
        }
    }

    [Fact]
    public unsafe void A_job_allocates_nothing() => WithThreads(2, () =>
    {
        long* sums = stackalloc long[8];
        var job = new NoRefs { Sums = sums };
        for (int i = 0; i < 200; i++) WorkerPool.Run(job, 8);  // warm: threads started, boxes made, code compiled
        const int jobs = 1000;
        // Under a byte a job: an allocation per job (a closure, a task, a box) is 24 bytes or more
        // each, in every batch; the runtime may allocate once meanwhile (a lock's first contention:
        // 56 bytes seen; on a loaded machine a batch once saw more, the next none), so the
        // quietest of three batches counts.
        var batches = new long[3];
        for (int b = 0; b < batches.Length; b++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < jobs; i++) WorkerPool.Run(job, 8);
            batches[b] = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.True(batches.Min() < jobs, $"{jobs} jobs allocated {string.Join(", ", batches)} bytes in three batches");
    });
}
