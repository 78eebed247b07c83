namespace NeuralFlow.Backends.Managed;

/// <summary>
/// What the managed pool decided over a process, for finding out why runs of the same command
/// differ (issue 17: the workshop loop's samples/s varied 1.6x between runs): how many jobs it
/// was offered, how many of them ran on their caller alone because the pool counted as
/// contended, how often it switched between the quiet and the contended policy, and the signs
/// behind the switches (two or three interlocked increments a job, tens of jobs a step).
/// NEURALFLOW_POOL_STATS=1 prints them to stderr at exit.
/// </summary>
internal static class WorkerPoolStats
{
    public static long Jobs, ContendedJobs, Switches, StallSigns, PreemptionSigns;
    private static bool _contended;

    static WorkerPoolStats()
    {
        if (Environment.GetEnvironmentVariable("NEURALFLOW_POOL_STATS") == "1")
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Console.Error.WriteLine(Describe());
    }

    /// <summary>A job that could use the pool, and whether the pool counted as contended for it.</summary>
    public static void Job(bool contended)
    {
        Interlocked.Increment(ref Jobs);
        if (contended) Interlocked.Increment(ref ContendedJobs);
        if (contended != Volatile.Read(ref _contended))
        {
            Volatile.Write(ref _contended, contended);
            Interlocked.Increment(ref Switches);
        }
    }

    public static string Describe() =>
        $"NeuralFlow managed pool: {Interlocked.Read(ref Jobs)} jobs, {Interlocked.Read(ref ContendedJobs)} on the caller for contention, " +
        $"{Interlocked.Read(ref Switches)} policy switches, " +
        $"signs: {Interlocked.Read(ref StallSigns)} stalled joins, {Interlocked.Read(ref PreemptionSigns)} preempted workers";
}
