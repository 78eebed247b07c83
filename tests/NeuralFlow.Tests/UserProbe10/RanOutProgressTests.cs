using System.Text;
using System.Text.RegularExpressions;
using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe10;

/// <summary>
/// A dataset without Repeat() that runs out before stepsPerEpoch: Fit printed its "ran out of
/// data" warning to the console right after the bar it was drawing in place (no newline), so on a
/// terminal the warning ran on after a half-drawn bar and the bar was drawn again below it, with an
/// ETA. Keras warns (warnings.warn, whatever verbose says) and closes the epoch's bar; now the
/// warning goes where the library's warnings go (NF.WarningLog), on its own line, the half-drawn
/// bar erased first, and one closing line follows, without an ETA.
/// </summary>
public abstract class RanOutProgressTests(string backend) : BackendTest(backend)
{
    // What a terminal shows: "\r" returns to the line's start and what follows overwrites it.
    private static string[] Screen(string raw)
    {
        var lines = new List<string>();
        foreach (var written in raw.Replace("\r\n", "\n").Split('\n'))
        {
            var line = new StringBuilder();
            int column = 0;
            foreach (char c in written)
            {
                if (c == '\r') { column = 0; continue; }
                if (column < line.Length) line[column] = c; else line.Append(c);
                column++;
            }
            lines.Add(line.ToString().TrimEnd());
        }
        return lines.Where(l => l.Length > 0).ToArray();
    }

    [SkippableTheory]
    [InlineData(1, true)]
    [InlineData(1, false)]
    [InlineData(2, false)]
    public void The_warning_has_its_own_line_and_the_bar_closes_once(int verbose, bool live)
    {
        RequireBackend();
        var m = EvaluateCallbackTests.MakeModel(false);
        var (x, y) = EvaluateCallbackTests.MakeData();
        var output = new StringWriter();
        var previous = NF.WarningLog;
        NF.WarningLog = output; // the terminal: progress and warnings interleave on one screen
        try
        {
            // 3 batches, 5 asked for: the data runs out in epoch 1, which ends training.
            var h = m.Fit(Dataset.FromTensorSlices(x, y).Batch(4), epochs: 2, stepsPerEpoch: 5, verbose: verbose,
                          callbacks: [new Callbacks.ProgbarLogger(output) { Live = live }]);
            Assert.Single(h["loss"]);
        }
        finally
        {
            NF.WarningLog = previous;
        }
        var screen = Screen(output.ToString());
        Assert.Equal(3, screen.Length);
        Assert.Equal("Epoch 1/2", screen[0]);
        Assert.StartsWith("Fit: your input ran out of data; interrupting training.", screen[1]);
        Assert.Matches(verbose == 1
            ? @"^3/5 \[=+\.+\] - \d+s \d+(us|ms|s)/step - loss: \d+\.\d{4} - mae: \d+\.\d{4}$"
            : @"^3/5 - \d+s - loss: \d+\.\d{4} - mae: \d+\.\d{4} - \d+(us|ms|s)/epoch - \d+(us|ms|s)/step$", screen[2]);
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedRanOutProgressTests() : RanOutProgressTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuRanOutProgressTests() : RanOutProgressTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaRanOutProgressTests() : RanOutProgressTests("cuda");
