namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// <c>Prefetch(Dataset.Autotune)</c>'s choice of where the upstream runs (tf.data's AUTOTUNE
/// idea: measure, then pick): on the background thread, or on the consumer's thread when the
/// consumer asks for the next element ("inline"). It times both ways on the running pass and
/// keeps the one that delivers elements faster.
/// </summary>
/// <remarks>
/// <para>Why not always a background thread: the native engine runs each kernel on every core
/// (one pool of workers). When the producer's work per element is a few cheap kernels (a gather
/// and a cast, as after map-and-batch fusion), a producer thread has no idle core to use: it
/// takes cores from the consumer's kernels, which then run on fewer threads (the pool's
/// contention policy goes serial), and the hand-off costs more than the production. Measured on
/// the 2-core dev box with the workshop's section-6 pipeline: Fit 0.104 s an epoch with the
/// background thread, 0.081 s producing inline, 0.072 s fed from tensors. A producer that is slow
/// (a Map doing real work per element, or reading files) overlaps on the background thread, and
/// there the background wins the comparison.</para>
/// <para>The schedule: the current way for <see cref="Window"/> elements, then the other way for
/// a window; the faster of the two (by the median wall time between deliveries, which a moment
/// of another process's load does not sway) is held for a stretch that doubles while the same
/// way keeps winning, up to <see cref="MaxHold"/> (about two epochs of the workshop's pipeline,
/// so that a choice the machine's load made wrong is soon tried again). The first elements after
/// each switch are not counted (the queue refills or drains). A trial costs little even where it
/// loses: inline, a producer much slower than the consumer only adds the consumer's short time
/// to each of a window's elements. A pass starts with the way its dataset's previous pass ended with.</para>
/// </remarks>
internal sealed class PrefetchTuner
{
    internal const int Window = 16, Settle = 2, FirstHold = 128, MaxHold = 512;

    private enum Phase { Measure, Trial, Hold }

    private Phase _phase = Phase.Measure;
    private int _left;               // elements left in this phase (counted ones, after Settle)
    private int _settle = Settle;    // elements not counted after a switch
    private int _hold;
    private readonly long[] _periods = new long[Window];
    private int _counted;
    private long _measuredPeriod;

    public PrefetchTuner(bool inline, int hold)
    {
        Inline = inline;
        _hold = hold;
        _left = Window;
    }

    /// <summary>Where the upstream should run for the next element.</summary>
    public bool Inline { get; private set; }

    /// <summary>The length of the stretch a winner is held for (carried to the dataset's next pass).</summary>
    public int Hold => _hold;

    /// <summary>An element was delivered <paramref name="periodTicks"/> (Stopwatch) after the previous one.</summary>
    public void Delivered(long periodTicks)
    {
        if (_settle > 0)
        {
            _settle--;
            return;
        }
        if (_phase != Phase.Hold) _periods[_counted++] = periodTicks;
        if (--_left > 0) return;
        long period = 0;
        if (_counted > 0)
        {
            Array.Sort(_periods, 0, _counted);
            period = _periods[_counted / 2];
            _counted = 0;
        }
        switch (_phase)
        {
            case Phase.Measure:
                _measuredPeriod = period;
                Enter(Phase.Trial, Window, switchWay: true);
                break;
            case Phase.Trial:
                // The trial's way wins only when it is clearly faster: a tie keeps what ran before.
                bool trialWins = period < _measuredPeriod * 0.97;
                _hold = trialWins ? FirstHold : Math.Min(_hold * 2, MaxHold);
                Enter(Phase.Hold, _hold, switchWay: !trialWins);
                break;
            default:
                Enter(Phase.Measure, Window, switchWay: false);
                break;
        }
    }

    private void Enter(Phase next, int count, bool switchWay)
    {
        _phase = next;
        _left = count;
        if (switchWay)
        {
            Inline = !Inline;
            _settle = Settle;
        }
    }
}
