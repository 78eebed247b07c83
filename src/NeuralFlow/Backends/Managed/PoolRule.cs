using System.Diagnostics;

namespace NeuralFlow.Backends.Managed;

/// <summary>
/// When the managed pool runs a job on its caller alone, and how long its threads poll: the
/// native pool's rule, with its numbers. native/src/cpu/thread_pool.cpp documents the rule and
/// why each value; the reasons are not restated here, and PoolRuleTests reads that file and
/// fails if the two engines' numbers ever differ.
/// In short: signs that another process wants our cores (a polling worker descheduled for more
/// than <see cref="PreemptedGapUs"/>, or a caller waiting more than <see cref="StalledJoinUs"/>
/// for a part a worker holds) each add one to a score that halves every
/// <see cref="HalfLifeUs"/>; at <see cref="ContendedScore"/> or more, jobs run on their caller
/// alone and idle workers poll <see cref="IdleSpinContendedUs"/> instead of <see cref="IdleSpinQuietUs"/>.
/// </summary>
internal static class PoolRule
{
    public const long IdleSpinQuietUs = 500;
    public const long IdleSpinContendedUs = 30;
    public const long JoinSpinUs = 20;
    public const long PreemptedGapUs = 60;
    public const long StalledJoinUs = 250;
    public const long HalfLifeUs = 50_000;
    public const double ContendedScore = 2.5;

    /// <summary>Microseconds in <see cref="Stopwatch"/> ticks.</summary>
    public static long Ticks(long us) => Stopwatch.Frequency * us / 1_000_000;

    /// <summary>
    /// The contention score: one process-wide instance per engine. Signs are rare (at most one per
    /// job or idle spell), so a lock is cheap; <see cref="Active"/> skips it while the score is zero.
    /// </summary>
    internal sealed class Contention
    {
        private static readonly double HalfLife = Ticks(HalfLifeUs);
        private readonly object _lock = new();
        private double _score;
        private long _at;

        /// <summary>One sign of contention at Stopwatch time <paramref name="now"/>.</summary>
        public void Note(long now)
        {
            lock (_lock)
            {
                _score = Decayed(now) + 1.0;
                _at = now;
            }
        }

        /// <summary>Whether jobs run on their caller alone at <paramref name="now"/>.</summary>
        public bool Active(long now)
        {
            if (Volatile.Read(ref _score) == 0) return false;
            lock (_lock) return Decayed(now) >= ContendedScore;
        }

        private double Decayed(long now)
        {
            if (_score == 0 || now <= _at) return _score;
            double halves = (now - _at) / HalfLife;
            return halves > 30 ? 0 : _score * Math.Pow(2, -halves);
        }
    }
}
