using System.Diagnostics;
using System.Text.RegularExpressions;
using NeuralFlow.Native;
using NeuralFlow.Tests.Samples;

namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// Runs tests/NeuralFlow.DistTests.Worker under <c>mpirun -np N</c> (built with the tests, which
/// reference it) and reads its "rank R: KEY VALUE" lines. Where mpirun or the MPI engine is
/// missing the tests say so and skip, unless NEURALFLOW_REQUIRE_MPI=1 (CI) makes that a failure.
/// </summary>
internal static class MpiJob
{
    public static string Worker { get; } = Path.Combine(Repo.Root, "tests", "NeuralFlow.DistTests.Worker", "bin", Repo.Configuration, "net10.0", "NeuralFlow.DistTests.Worker.dll");

    /// <summary>Why the distributed tests cannot run here, or null when they can.</summary>
    public static string? Unavailable { get; } = FindUnavailable();

    /// <summary>Skips the calling test, saying why, where the distributed tests cannot run here.</summary>
    public static void Require() => Skip.If(Unavailable is not null, Unavailable);

    /// <summary>A number a rank printed (invariant culture, as the worker prints them).</summary>
    public static double Number(string s) => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Null when <paramref name="seen"/> has the entries of <paramref name="expected"/> ("name=value:..."
    /// or "batch=value;..." or "value,..."; words compared exactly), each number within
    /// <paramref name="tolerance"/> (relative above 1) of one process's; else what differs.
    /// </summary>
    public static string? Difference(string expected, string seen, double tolerance)
    {
        var e = expected.Split(';', ':', '=', ',', '|');
        var s = seen.Split(';', ':', '=', ',', '|');
        if (e.Length != s.Length) return $"{seen} vs one process's {expected}";
        for (int i = 0; i < e.Length; i++)
        {
            if (!double.TryParse(e[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double a))
            {
                if (e[i] != s[i]) return $"'{s[i]}' vs one process's '{e[i]}' ({seen} vs {expected})";
                continue;
            }
            if (!double.TryParse(s[i], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double b))
                return $"value {i}: '{s[i]}' vs one process's {a} ({seen} vs {expected})";
            if (!(Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Abs(a)))) return $"value {i}: {b} vs one process's {a} ({seen} vs {expected})";
        }
        return null;
    }

    /// <summary>Runs <paramref name="test"/> in a new temporary folder (the jobs' backups and checkpoints), deleted afterwards.</summary>
    public static void InTemporaryFolder(Action<string> test)
    {
        var root = Directory.CreateTempSubdirectory("neuralflow-mpi-").FullName;
        try
        {
            test(root);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// Three jobs of 2 ranks of <paramref name="scenario"/> (whose first argument is a folder): one
    /// that runs through in <paramref name="root"/>/whole, one in <paramref name="root"/>/resumed
    /// given <paramref name="crashArgs"/> too, which must fail (its chief dies, leaving a backup or
    /// checkpoint there, as <paramref name="leftBehind"/> says when given), and one that resumes
    /// from what it left and must run through. Returns the first and the last.
    /// </summary>
    public static (Result Whole, Result Resumed) CrashAndResume(string backend, string scenario, string root, string crashArgs, string? leftBehind = null)
    {
        var whole = Run(2, backend, $"{scenario} {Path.Combine(root, "whole")}");
        Assert.True(whole.ExitCode == 0, whole.Output);
        string dir = Path.Combine(root, "resumed");
        var crashed = Run(2, backend, $"{scenario} {dir} {crashArgs}");
        Assert.True(crashed.ExitCode != 0, crashed.Output);
        if (leftBehind is not null) Assert.True(File.Exists(Path.Combine(dir, leftBehind)), crashed.Output);
        var resumed = Run(2, backend, $"{scenario} {dir}");
        Assert.True(resumed.ExitCode == 0, resumed.Output);
        return (whole, resumed);
    }

    /// <summary>
    /// Every key of <paramref name="keys"/> that a rank of <paramref name="job"/> printed other than
    /// rank 0 of <paramref name="alone"/> (one process), as "rank R, KEY: what differs".
    /// </summary>
    public static List<string> Differences(Result alone, Result job, IEnumerable<string> keys, double tolerance)
    {
        var wrong = new List<string>();
        foreach (int r in job.Ranks.Keys.Order())
            foreach (var key in keys)
                if (Difference(alone.Value(0, key), job.Value(r, key), tolerance) is { } why) wrong.Add($"rank {r}, {key}: {why}");
        return wrong;
    }

    private static string? FindUnavailable()
    {
        string? why = null;
        if (!OnPath("mpirun"))
            why = "mpirun is not installed (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev)";
        else if (!File.Exists(Path.Combine(Path.GetDirectoryName(Worker)!, NativeLibraryLoader.DistFileName)))
            why = $"{NativeLibraryLoader.DistFileName} was not built next to {Worker} (CMake found no MPI when the solution was built)";
        if (why is not null && Environment.GetEnvironmentVariable("NEURALFLOW_REQUIRE_MPI") == "1")
            throw new InvalidOperationException($"NEURALFLOW_REQUIRE_MPI=1 but {why}");
        return why;
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => d.Length > 0 && File.Exists(Path.Combine(d, tool)));

    /// <summary>
    /// One job's exit code, its output (stdout then stderr), its wall time, when it ended (Unix
    /// milliseconds, the clock the ranks' *_at_ms values use) and each rank's values.
    /// </summary>
    public sealed record Result(int ExitCode, string Output, double Seconds, long EndedAtMs, Dictionary<int, Dictionary<string, string>> Ranks,
        IReadOnlyDictionary<int, string> RankOutputs)
    {
        /// <summary>
        /// What rank <paramref name="rank"/> printed (stdout then stderr), from mpirun's per-rank
        /// files: whole lines, which the shared output does not guarantee (mpirun forwards the
        /// ranks' terminals in fragments, and one rank's line can be cut by another's).
        /// </summary>
        public string RankOutput(int rank) =>
            RankOutputs.TryGetValue(rank, out var text) ? text : throw new Xunit.Sdk.XunitException($"no output file of rank {rank}:\n{Output}");

        public string Value(int rank, string key) =>
            Ranks.TryGetValue(rank, out var values) && values.TryGetValue(key, out var v) ? v : throw new Xunit.Sdk.XunitException($"rank {rank} printed no '{key}':\n{Output}");
    }

    /// <summary>
    /// Runs <c>mpirun -np <paramref name="ranks"/></c> of the worker (or <paramref name="program"/>) with <paramref name="args"/>
    /// on <paramref name="backend"/>, one thread per rank (2 ranks share this machine's cores),
    /// killed after <paramref name="timeoutSeconds"/>: a limit for a hung job only, far above what
    /// a job takes on a loaded machine (2 .NET start-ups and a Fit each, the ranks sharing the
    /// cores with whatever else runs), so that only a real hang reaches it.
    /// </summary>
    public static Result Run(int ranks, string backend, string args, int timeoutSeconds = 240, IReadOnlyDictionary<string, string>? env = null, bool mpirun = true, string? program = null)
    {
        program ??= Worker;
        Assert.True(File.Exists(program), $"{program} is missing: build the solution (or the tests, which reference it) in {Repo.Configuration}.");
        var info = new ProcessStartInfo(mpirun ? "mpirun" : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repo.Root };
        // The ranks' "rank R: KEY VALUE" lines also land in one file per rank (the worker's Say):
        // mpirun forwards their terminals in fragments, and a long line of one rank was once cut
        // in two by another rank's line on the shared output. For the same reason mpirun also
        // writes each rank's whole output to perRank/<job>/rank.<R>/std{out,err} (RankOutput);
        // the shared output still gets everything, mpirun's own messages included.
        var sayDir = Directory.CreateTempSubdirectory("nf-mpi-");
        string perRank = Path.Combine(sayDir.FullName, "mpi");
        if (mpirun)
        {
            // Root in CI containers; 2 ranks on fewer cores; shared memory without the CMA
            // single-copy path, which needs ptrace rights that sandboxes do not give.
            foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "--mca", "btl", "self,vader", "--output-filename", perRank, "-np", ranks.ToString(), "dotnet" })
                info.ArgumentList.Add(a);
            info.Environment["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none";
        }
        info.ArgumentList.Add(program);
        foreach (var a in args.Split(' ', StringSplitOptions.RemoveEmptyEntries)) info.ArgumentList.Add(a);
        info.Environment["NEURALFLOW_BACKEND"] = backend;
        info.Environment["NEURALFLOW_NUM_THREADS"] = "1";
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) info.Environment[k] = v;
        info.Environment["NEURALFLOW_DIST_TEST_OUT"] = sayDir.FullName;
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"mpirun -np {ranks} worker {args} ran over {timeoutSeconds} s:\n{stdout.Result}\n{stderr.Result}");
        }
        long endedAtMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        string output = WithoutKeypadMode(stdout.Result + stderr.Result);
        var ranksSeen = new Dictionary<int, Dictionary<string, string>>();
        // The shared output first (lines printed outside Say), then the per-rank files, which win.
        var files = sayDir.GetFiles("rank*.txt").OrderBy(f => f.Name).Select(f => File.ReadAllText(f.FullName));
        foreach (var text in files.Prepend(output))
            foreach (Match m in Regex.Matches(text, @"^rank (\d+): (\w+) (.*?)\r?$", RegexOptions.Multiline))
            {
                int r = int.Parse(m.Groups[1].Value);
                if (!ranksSeen.TryGetValue(r, out var values)) ranksSeen[r] = values = [];
                values[m.Groups[2].Value] = m.Groups[3].Value;
            }
        var rankOutputs = new Dictionary<int, string>();
        if (Directory.Exists(perRank))
            foreach (var dir in Directory.GetDirectories(perRank, "rank.*", SearchOption.AllDirectories))
                if (int.TryParse(Path.GetFileName(dir)["rank.".Length..], out int r))
                    rankOutputs[r] = WithoutKeypadMode(string.Concat(new[] { "stdout", "stderr" }.Select(f => Path.Combine(dir, f)).Where(File.Exists).Select(File.ReadAllText)));
        try { sayDir.Delete(recursive: true); } catch (IOException) { } // best effort: a killed rank may still hold a file

        return new Result(process.ExitCode, output, watch.Elapsed.TotalSeconds, endedAtMs, ranksSeen, rankOutputs);
    }

    // mpirun gives the ranks a pseudo-terminal, on which .NET's console first switches the keypad
    // mode (ESC [?1h ESC =); dropped so that lines start with what the rank printed.
    private static string WithoutKeypadMode(string text) => Regex.Replace(text, @"\e\[\?1h\e=", "");
}
