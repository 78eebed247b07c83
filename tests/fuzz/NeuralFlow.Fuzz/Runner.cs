namespace NeuralFlow.Fuzz;

/// <summary>
/// Runs one input through a target on a worker thread, with a watchdog: an input that takes more
/// than the hang limit is a hang (the process then has to end, the thread cannot be stopped), and
/// one that allocates more than its target allows (1 MiB plus 4 times its size by default;
/// decompressed, for gzip; image decoders are allowed their formats' expansion) is an
/// unbounded allocation: a header's claims must be checked before they are allocated.
/// </summary>
internal sealed class Runner
{
    private readonly TimeSpan _hangLimit;
    private readonly SemaphoreSlim _start = new(0), _done = new(0);
    private Target? _target;
    private byte[] _input = [];
    private Exception? _error;
    private long _allocated;

    public Runner(double hangSeconds)
    {
        _hangLimit = TimeSpan.FromSeconds(hangSeconds);
        new Thread(Work, 16 << 20) { IsBackground = true, Name = "fuzz worker" }.Start();
    }

    /// <summary>True once an input hung: the worker is stuck in it, so no further input can run.</summary>
    public bool Stuck { get; private set; }

    /// <summary>The outcome ("ok", or the error) and, when the input broke a rule, what it broke.</summary>
    public (string Outcome, string? Problem) Run(Target target, byte[] input)
    {
        if (Stuck) throw new InvalidOperationException("the fuzz worker is stuck in an earlier input");
        _target = target;
        _input = input;
        _start.Release();
        if (!_done.Wait(_hangLimit))
        {
            Stuck = true;
            return ("hang", $"hang: no result after {_hangLimit.TotalSeconds:0} s");
        }
        string outcome = _error is null ? "ok" : $"{_error.GetType().Name}: {_error.Message}";
        if (_error is not null && !Targets.IsClearError(_error, target))
            return (outcome, $"crash: {_error.GetType().FullName}: {_error.Message}\n{_error.StackTrace}");
        long allowed = target.FixedAllocation + target.PerInputByte * input.Length;
        if (_allocated > allowed)
        {
            allowed = target.FixedAllocation + 4L * Math.Max(input.Length, Mutator.TryGunzip(input, limit: 1 << 30)?.Length ?? 0);
            if (_allocated > allowed)
                return (outcome, $"unbounded allocation: {_allocated:N0} bytes allocated for a {input.Length:N0}-byte input (allowed {allowed:N0}); outcome {outcome}");
        }
        return (outcome, null);
    }

    private void Work()
    {
        while (true)
        {
            _start.Wait();
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                _target!.Run(_input);
                _error = null;
            }
            catch (Exception e)
            {
                _error = e;
            }
            _allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            _done.Release();
        }
    }
}
