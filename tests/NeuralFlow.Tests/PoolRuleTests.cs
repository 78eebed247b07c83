using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using NeuralFlow.Backends.Managed;

namespace NeuralFlow.Tests;

/// <summary>
/// Both CPU engines decide by one rule when a job runs on its caller alone (PoolRule.cs, the
/// native pool's rule in native/src/cpu/thread_pool.cpp): the same numbers, a stray sign of
/// contention never switches the policy, a burst of them does, and the pool then really runs
/// jobs on their caller.
/// </summary>
[Collection("Threads")]  // changes NF.Threads and the managed pool's contention score
public sealed class PoolRuleTests
{
    private static string NativeRuleSource()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NeuralFlow.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        return File.ReadAllText(Path.Combine(dir.FullName, "native", "src", "cpu", "thread_pool.cpp"));
    }

    // A constexpr of thread_pool.cpp in microseconds ("std::chrono::milliseconds(50)": 50000) or as a number.
    private static double Native(string source, string name)
    {
        var m = Regex.Match(source, $@"constexpr\s+\w+\s+{name}\s*=\s*(?:std::chrono::(?<unit>micro|milli)seconds\()?(?<v>[\d.]+)");
        Assert.True(m.Success, $"thread_pool.cpp has no constexpr {name}");
        double v = double.Parse(m.Groups["v"].Value, CultureInfo.InvariantCulture);
        return m.Groups["unit"].Value == "milli" ? v * 1000 : v;
    }

    [Fact]
    public void The_managed_pool_uses_the_native_pools_numbers()
    {
        // The rule is written down once, in native/src/cpu/thread_pool.cpp; PoolRule.cs carries its numbers.
        var src = NativeRuleSource();
        Assert.Equal(
            (Native(src, "kIdleSpinQuiet"), Native(src, "kIdleSpinContended"), Native(src, "kJoinSpin"), Native(src, "kPreemptedGap"),
                Native(src, "kStalledJoin"), Native(src, "kContentionHalfLife"), Native(src, "kContendedScore")),
            ((double)PoolRule.IdleSpinQuietUs, (double)PoolRule.IdleSpinContendedUs, (double)PoolRule.JoinSpinUs, (double)PoolRule.PreemptedGapUs,
                (double)PoolRule.StalledJoinUs, (double)PoolRule.HalfLifeUs, PoolRule.ContendedScore));
    }

    [Fact]
    public void Stray_signs_leave_the_pool_quiet_and_a_burst_makes_it_contended_until_it_decays()
    {
        var c = new PoolRule.Contention();
        long t = 1_000_000_000, half = PoolRule.Ticks(PoolRule.HalfLifeUs);
        // Two signs at once (a quiet VM's hiccup) stay under 2.5.
        c.Note(t);
        c.Note(t);
        Assert.False(c.Active(t));
        // One sign a half-life apart never adds up: 1, 1.5, 1.75, ... below 2.
        var d = new PoolRule.Contention();
        for (int i = 0; i < 20; i++) d.Note(t + i * half);
        Assert.False(d.Active(t + 19 * half));
        // A third sign at once: contended; after one half-life 1.5 (quiet again); a third of one: 2.38.
        c.Note(t);
        Assert.True(c.Active(t));
        Assert.True(c.Active(t + half / 10));
        Assert.False(c.Active(t + half / 3));
        Assert.False(c.Active(t + half));
        Assert.False(c.Active(t + 40 * half));  // long gone (the score resets to zero)
    }

    private struct RecordThreads : IPartJob
    {
        public int[] Thread;
        public readonly void Part(int part)
        {
            System.Threading.Thread.SpinWait(2000);
            Thread[part] = Environment.CurrentManagedThreadId;
        }
    }

    [Fact]
    public void A_contended_pool_runs_jobs_on_their_caller_and_counts_them()
    {
        int before = NF.Threads.Count;
        try
        {
            NF.Threads.Set(2);
            long now = Stopwatch.GetTimestamp();
            // Eight signs: contended for 80 ms, time enough for the job below even on a loaded machine.
            for (int i = 0; i < 8; i++) WorkerPool.Contention.Note(now);
            long contendedJobs = WorkerPoolStats.ContendedJobs;
            var threads = new int[16];
            WorkerPool.Run(new RecordThreads { Thread = threads }, threads.Length);
            Assert.All(threads, id => Assert.Equal(Environment.CurrentManagedThreadId, id));
            Assert.True(WorkerPoolStats.ContendedJobs > contendedJobs);  // other tests' jobs may count too
        }
        finally { NF.Threads.Set(before); }
    }
}
