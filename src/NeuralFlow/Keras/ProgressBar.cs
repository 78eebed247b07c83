using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace NeuralFlow.Keras;

/// <summary>
/// Keras-style progress: "235/235 [=====...] - 1s 4ms/step - loss: 0.5 - accuracy: 0.8".
/// A live bar redrawn in place on a terminal (at most ~10 times a second); one line per epoch
/// when output is redirected or verbose is 2.
/// </summary>
internal sealed class ProgressBar(int steps, int verbose, TextWriter output)
{
    private int steps = steps;
    private const int Width = 30;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _live = verbose == 1 && !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out);
    private long _lastDraw = -1000;

    /// <summary>Whether <see cref="Update"/> would draw at <paramref name="step"/> (Fit reads the logs from the device only then).</summary>
    [MethodImpl(Hot)]
    public bool WillDraw(int step) => _live && (step >= steps || _clock.ElapsedMilliseconds - _lastDraw >= 100);

    public void Update(int step, IReadOnlyDictionary<string, float> logs)
    {
        if (!WillDraw(step)) return;
        long now = _clock.ElapsedMilliseconds;
        _lastDraw = now;
        output.Write("\r" + Line(step, logs));
    }

    /// <summary>The epoch's closing line; <paramref name="stepsDone"/> is what ran (a dataset may not say its length upfront).</summary>
    public void Finish(int stepsDone, IReadOnlyDictionary<string, float> logs)
    {
        if (verbose == 0) return;
        if (steps <= 0) steps = stepsDone;
        output.WriteLine((_live ? "\r" : "") + Line(stepsDone, logs));
    }

    private string Line(int step, IReadOnlyDictionary<string, float> logs)
    {
        var sb = new StringBuilder();
        if (steps <= 0)
        {
            // Unknown length: count steps without a bar.
            sb.Append(step.ToString(CultureInfo.InvariantCulture)).Append("/Unknown - ");
            sb.Append($"{_clock.Elapsed.TotalSeconds:0}s");
            return AppendLogs(sb, logs).ToString();
        }
        string count = steps.ToString(CultureInfo.InvariantCulture);
        sb.Append(step.ToString(CultureInfo.InvariantCulture).PadLeft(count.Length)).Append('/').Append(count).Append(" [");
        int filled = steps == 0 ? Width : (int)((long)Width * step / steps);
        sb.Append('=', Math.Max(0, filled - (step < steps ? 1 : 0)));
        if (step < steps) sb.Append('>');
        sb.Append('.', Width - Math.Max(filled, step < steps ? Math.Max(filled, 1) : filled));
        sb.Append("] - ");
        double seconds = _clock.Elapsed.TotalSeconds;
        sb.Append(step < steps ? $"ETA: {Math.Max(0, seconds / Math.Max(step, 1) * (steps - step)):0}s" : $"{seconds:0}s");
        double perStep = seconds / Math.Max(step, 1);
        sb.Append(perStep >= 1 ? $" {perStep:0}s/step" : perStep >= 1e-3 ? $" {perStep * 1e3:0}ms/step" : $" {perStep * 1e6:0}us/step");
        return AppendLogs(sb, logs).ToString();
    }

    // Keras' Progbar: " - key: value", 4 decimals above 1e-3 in magnitude, else 4-digit scientific.
    private static StringBuilder AppendLogs(StringBuilder sb, IReadOnlyDictionary<string, float> logs)
    {
        foreach (var (k, v) in logs) sb.Append(" - ").Append(k).Append(": ").Append(Format(v));
        return sb;
    }

    internal static string Format(float value) =>
        value.ToString(Math.Abs(value) > 1e-3 ? "0.0000" : "0.0000e+00", CultureInfo.InvariantCulture);
}
