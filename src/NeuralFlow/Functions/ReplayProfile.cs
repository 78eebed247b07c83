using System.Diagnostics;
using System.Text;

namespace NeuralFlow;

/// <summary>
/// Where a replay's time goes, call by call (issue 17: the workshop step's non-GEMM time was
/// found this way). With <c>NEURALFLOW_REPLAY_PROFILE=1</c> every plan times each of its calls
/// (one clock read between two calls, so the sum is the replay's kernel time) and, when the
/// process exits, writes the mean per call to standard error, one line per call as
/// <see cref="ReplayPlan.Describe"/> names it. Off, it costs a replay one field read.
/// </summary>
internal sealed class ReplayProfile
{
    /// <summary>True when NEURALFLOW_REPLAY_PROFILE is 1.</summary>
    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("NEURALFLOW_REPLAY_PROFILE") == "1";

    private readonly string[] _names;
    private readonly long[] _ticks;
    private long _replays;

    public ReplayProfile(string[] names)
    {
        _names = names;
        _ticks = new long[names.Length];
    }

    /// <summary>Replays recorded so far.</summary>
    public long Replays => _replays;

    /// <summary>Runs <paramref name="ops"/> on <paramref name="bases"/>, timing each.</summary>
    public void Run(FunctionTrace.Op[] ops, nint[] bases)
    {
        long t0 = Stopwatch.GetTimestamp();
        for (int k = 0; k < ops.Length; k++)
        {
            ops[k].Run(bases);
            long t1 = Stopwatch.GetTimestamp();
            _ticks[k] += t1 - t0;
            t0 = t1;
        }
        _replays++;
    }

    /// <summary>Mean microseconds per replay of each call, then their total.</summary>
    public string Report()
    {
        var text = new StringBuilder();
        double total = 0, perTick = 1e6 / Stopwatch.Frequency / Math.Max(_replays, 1);
        for (int k = 0; k < _names.Length; k++)
        {
            double us = _ticks[k] * perTick;
            total += us;
            text.AppendLine($"{us,9:F1} us  {_names[k]}");
        }
        text.AppendLine($"{total,9:F1} us  all {_names.Length} calls, mean of {_replays} replays");
        return text.ToString();
    }

    /// <summary>A profile for <paramref name="plan"/> that reports itself at process exit.</summary>
    public static ReplayProfile For(ReplayPlan plan, string name)
    {
        var profile = new ReplayProfile(plan.Describe().Split('\n'));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (profile.Replays > 0) Console.Error.Write($"NF.Function '{name}' replay profile:\n{profile.Report()}");
        };
        return profile;
    }
}
