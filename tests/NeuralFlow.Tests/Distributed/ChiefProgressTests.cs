using System.Text.RegularExpressions;

namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// Under DataParallel only the chief (rank 0) draws Fit's, Evaluate's and Predict's progress, as
/// Keras logs on the chief worker alone: every rank has the same global numbers, and N bars of
/// them interleaved on mpirun's shared output are noise. Before, Fit's bar was the chief's alone
/// but Evaluate and Predict drew theirs on every rank. The worker's scenario is Program.cs's
/// Progress; each rank's stdout comes whole from mpirun's per-rank files.
/// </summary>
public sealed class ChiefProgressTests
{
    [SkippableFact]
    public void Fit_Evaluate_and_Predict_draw_their_progress_bars_on_the_chief_only()
    {
        MpiJob.Require();
        var job = MpiJob.Run(2, "cpu", "progress");
        Assert.True(job.ExitCode == 0, job.Output);
        var chief = Sections(job.RankOutput(0));
        var other = Sections(job.RankOutput(1));
        foreach (var call in new[] { "fit", "evaluate", "predict" })
            foreach (int verbose in new[] { 1, 2 })
            {
                string name = $"{call} verbose {verbose}";
                // 100 examples in batches of 16: 7 steps, which the chief's closing line counts.
                Assert.True(chief.TryGetValue(name, out var drawn) && drawn.Contains("7/7"), $"rank 0 drew no bar for {name}:\n{job.RankOutput(0)}");
                Assert.True(other.TryGetValue(name, out var printed) && printed.Length == 0, $"rank 1 printed for {name}: '{printed}'\n{job.RankOutput(1)}");
            }
    }

    // What a rank printed after each "== CALL" line up to the next, without its "rank R: KEY VALUE" lines.
    private static Dictionary<string, string> Sections(string output)
    {
        var sections = new Dictionary<string, string>();
        string? name = null;
        var text = new List<string>();
        foreach (var line in Regex.Split(output, @"\r?\n"))
        {
            if (line.StartsWith("== ", StringComparison.Ordinal))
            {
                if (name is not null) sections[name] = string.Join("\n", text).Trim();
                name = line[3..].Trim();
                text.Clear();
            }
            else if (name is not null && !line.StartsWith("rank ", StringComparison.Ordinal)) text.Add(line);
        }
        return sections;
    }
}
