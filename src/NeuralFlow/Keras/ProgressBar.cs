using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace NeuralFlow.Keras;

/// <summary>
/// Keras-style progress: "235/235 [=====...] - 1s 4ms/step - loss: 0.5 - accuracy: 0.8".
/// A live bar redrawn in place on a terminal (at most ~10 times a second); its closing line alone
/// when output is redirected; with verbose 2, tf.keras 2's one line per epoch
/// ("235/235 - 1s - loss: 0.5 - accuracy: 0.8 - 940ms/epoch - 4ms/step").
/// </summary>
internal sealed class ProgressBar(int steps, int verbose, TextWriter output, bool? live = null)
{
    private int steps = steps;
    private const int Width = 30;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _live = verbose == 1 && (live ?? (!Console.IsOutputRedirected && ReferenceEquals(output, Console.Out)));
    private long _lastDraw = -1000;
    // The length of the line drawn in place (0: none since the last clear), to blank it out.
    private int _drawn;

    /// <summary>Whether <see cref="Update"/> would draw at <paramref name="step"/> (Fit reads the logs from the device only then).</summary>
    [MethodImpl(Hot)]
    public bool WillDraw(int step) => _live && (step >= steps || _clock.ElapsedMilliseconds - _lastDraw >= 100);

    public void Update(int step, IReadOnlyDictionary<string, float> logs)
    {
        if (!WillDraw(step)) return;
        long now = _clock.ElapsedMilliseconds;
        _lastDraw = now;
        string line = Line(step, logs);
        // Blanks what is left of a longer line drawn before (a log value with fewer digits).
        output.Write("\r" + line.PadRight(_drawn));
        _drawn = line.Length;
    }

    /// <summary>Erases the line drawn in place, leaving the cursor at its start (nothing when none is drawn).</summary>
    public void Clear()
    {
        if (_drawn == 0) return;
        output.Write("\r" + new string(' ', _drawn) + "\r");
        output.Flush();
        _drawn = 0;
    }

    /// <summary>The epoch's closing line; <paramref name="stepsDone"/> is what ran (a dataset may not say its length upfront).</summary>
    public void Finish(int stepsDone, IReadOnlyDictionary<string, float> logs)
    {
        if (verbose == 0) return;
        if (steps <= 0) steps = stepsDone;
        string line = verbose == 2 ? EpochLine(stepsDone, logs) : Line(stepsDone, logs, closing: true);
        output.WriteLine(_live && _drawn > 0 ? "\r" + line.PadRight(_drawn) : line);
        _drawn = 0;
    }

    // closing: the epoch's last line, which shows the time it took, never an ETA, even when it
    // ended before its steps were done (the data ran out, or a callback stopped training).
    private string Line(int step, IReadOnlyDictionary<string, float> logs, bool closing = false)
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
        bool going = step < steps && !closing;
        sb.Append('=', Math.Max(0, filled - (going ? 1 : 0)));
        if (going) sb.Append('>');
        sb.Append('.', Width - Math.Max(filled, going ? Math.Max(filled, 1) : filled));
        sb.Append("] - ");
        double seconds = _clock.Elapsed.TotalSeconds;
        sb.Append(going ? $"ETA: {Math.Max(0, seconds / Math.Max(step, 1) * (steps - step)):0}s" : $"{seconds:0}s");
        sb.Append(Time(seconds / Math.Max(step, 1), "step"));
        return AppendLogs(sb, logs).ToString();
    }

    // tf.keras 2's verbose=2 line (Progbar.update at the epoch's end), as the TensorFlow tutorials print
    // model.evaluate(x, y, verbose=2): "313/313 - 1s - loss: 0.3359 - accuracy: 0.8821 - 583ms/epoch - 2ms/step",
    // the time per step over the steps the epoch was to have.
    private string EpochLine(int step, IReadOnlyDictionary<string, float> logs)
    {
        string count = steps.ToString(CultureInfo.InvariantCulture);
        double seconds = _clock.Elapsed.TotalSeconds;
        var sb = new StringBuilder();
        sb.Append(step.ToString(CultureInfo.InvariantCulture).PadLeft(count.Length)).Append('/').Append(count);
        sb.Append(" - ").Append(seconds.ToString("0", CultureInfo.InvariantCulture)).Append('s');
        AppendLogs(sb, logs);
        return sb.Append(" -").Append(Time(seconds, "epoch")).Append(" -").Append(Time(seconds / Math.Max(steps, 1), "step")).ToString();
    }

    // Keras' Progbar._format_time: whole seconds from 1 s (and for 0), else ms, else us.
    private static string Time(double seconds, string unit) =>
        (seconds >= 1 || seconds == 0 ? $" {seconds.ToString("0", CultureInfo.InvariantCulture)}s"
            : seconds >= 1e-3 ? $" {(seconds * 1e3).ToString("0", CultureInfo.InvariantCulture)}ms"
            : $" {(seconds * 1e6).ToString("0", CultureInfo.InvariantCulture)}us") + "/" + unit;

    // Keras' Progbar: " - key: value", 4 decimals above 1e-3 in magnitude, else 4-digit scientific.
    private static StringBuilder AppendLogs(StringBuilder sb, IReadOnlyDictionary<string, float> logs)
    {
        foreach (var (k, v) in logs) sb.Append(" - ").Append(k).Append(": ").Append(Format(v));
        return sb;
    }

    internal static string Format(float value) =>
        value.ToString(Math.Abs(value) > 1e-3 ? "0.0000" : "0.0000e+00", CultureInfo.InvariantCulture);
}
