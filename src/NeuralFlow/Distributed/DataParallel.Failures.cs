using NeuralFlow.Native;

namespace NeuralFlow.Distributed;

// A rank that fails on its own (its argument check, a bad batch, a callback's or a loss lambda's
// exception, a file missing on that rank only) while the others go on into the next collective.
// As Horovod's coordinator broadcasts a worker's error and torchelastic reports the failed rank's
// exception as the job's root cause, the failing rank announces its exception before it goes on
// (nf_dist_announce_failure): every rank waiting in a collective, or entering one, fails at once
// with "rank R failed: <its exception>" and ends the job when its strategy is disposed; the
// failing rank, ending first, lingers until the others did (or a grace period passed), so that
// each rank reports the cause instead of being killed by mpirun first. A rank that disposes its strategy tells the others it ran its last collective,
// so one waiting for a later collective fails at once too. The timeout stays the last resort,
// for a rank that hangs or dies without a word.
public sealed partial class DataParallel
{
    private static bool _announced;

    // The longest a failed rank waits for the others to learn of its failure before ending the
    // job itself: they learn it in their next collective, a step away in Fit.
    private static readonly TimeSpan LingerAfterFailure = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Marks the ranks as out of step after an exception left a collective loop on this rank
    /// alone (Fit, Evaluate, Predict) and tells the other ranks, whose collectives then fail with
    /// this exception's type and message; disposing the strategy ends the job instead of waiting
    /// in MPI_Finalize for ranks that wait for this one.
    /// </summary>
    internal void Abandon(Exception e)
    {
        if (_failed || WorldSize == 1 || ThrownOnEveryRank(e) || e is DistributedException) return;
        _failed = true;
        Console.Error.WriteLine($"[NeuralFlow rank {Rank}] {e.GetType().Name} ended training on this rank only; the other ranks are told, and the job ends when the strategy is disposed: {e.Message}");
        Console.Error.Flush();
        Announce(e);
    }

    // Tells every other rank that this one failed with e, once; not an exception that every rank
    // threw alike, nor a DistributedException (the consequence of another rank's failure or loss).
    private static void Announce(Exception e)
    {
        if (_announced || _finalized || ThrownOnEveryRank(e) || e is DistributedException) return;
        if (Current is not { WorldSize: > 1 }) return;
        _announced = true;
        NativeDistMethods.nf_dist_announce_failure($"{e.GetType().Name}: {e.Message}");
    }

    // MPI_Abort; after this rank's own failure, once the others had time to learn of it (one of
    // them ending the job first ends this rank too).
    private static unsafe void EndTheJob()
    {
        if (_announced)
        {
            int remaining;
            NativeDistMethods.nf_dist_linger(LingerAfterFailure.TotalSeconds, &remaining);
        }
        NativeDistMethods.nf_dist_abort(1);
    }

    private const string EveryRankKey = "NeuralFlow.DataParallel.EveryRank";

    /// <summary>
    /// Marks <paramref name="e"/> as thrown on every rank at the same point (a check whose result
    /// every rank computed from the same gathered values): the ranks are still in step, so an
    /// exception leaving Fit this way needs no end of the job.
    /// </summary>
    internal static T OnEveryRank<T>(T e) where T : Exception
    {
        e.Data[EveryRankKey] = true;
        return e;
    }

    internal static bool ThrownOnEveryRank(Exception e) => e.Data.Contains(EveryRankKey);
}
