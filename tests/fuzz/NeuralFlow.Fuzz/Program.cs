using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using NeuralFlow.Fuzz;

// The fuzz harness for NeuralFlow's parsers of untrusted bytes (tests/fuzz/README.md): an
// in-process, seeded, time-bounded mutational fuzzer. Every corpus file is replayed first, then
// mutants of the corpus run until the time is up. Each input must parse or raise a clear
// InvalidDataException/FormatException naming it (an image decoder: naming its format); a crash (any other exception), a hang or an
// allocation out of proportion to the input is a failure, saved under --failures.
//
//   dotnet run -c Release --project tests/fuzz/NeuralFlow.Fuzz -- [--seconds 60] [--seed 1]
//       [--target idx|idx-stream|idx-source|safetensors|nfmodel|keras|png|jpeg|gif|bmp|wav|npy|npz|h5model|h5weights|text] [--corpus DIR] [--failures DIR] [--hang-seconds 10]
//   ... -- --make-seeds [--target T] (rewrites corpus/<corpus>/seed-*, of T's corpus only with --target)
//   ... -- --replay FILE...        (runs files only, printing each outcome)

var options = Options.Parse(args);
// The corpus root: one folder per kind of input (corpus/idx, corpus/safetensors).
var corpusRoot = options.Corpus ?? Path.Combine(RepoRoot(), "tests", "fuzz", "corpus");
if (options.MakeSeeds)
{
    Seeds.TestsRoot = Path.Combine(corpusRoot, "..", "..", "NeuralFlow.Tests");
    foreach (var kind in Seeds.Kinds.Where(k => options.Target is null || Targets.All.Any(t => t.Name == options.Target && t.Corpus == k)))
    {
        var dir = Path.Combine(corpusRoot, kind);
        Directory.CreateDirectory(dir);
        var seeds = Seeds.For(kind).ToList();
        foreach (var (name, bytes) in seeds) File.WriteAllBytes(Path.Combine(dir, name), bytes);
        Console.WriteLine($"wrote {seeds.Count} seeds to {dir}");
    }
    return 0;
}

var targets = Targets.All.Where(t => options.Target is null || t.Name == options.Target).ToArray();
if (targets.Length == 0) { Console.Error.WriteLine($"no target named {options.Target}; targets: {string.Join(", ", Targets.All.Select(t => t.Name))}"); return 2; }
var runner = new Runner(options.HangSeconds);
int failedTargets = 0;
for (int t = 0; t < targets.Length; t++)
{
    var target = targets[t];
    var corpusDir = Path.Combine(corpusRoot, target.Corpus);
    var files = options.Replay.Count > 0 ? options.Replay : Directory.GetFiles(corpusDir).Order(StringComparer.Ordinal).ToList();
    var corpus = files.Select(f => (Name: Path.GetFileName(f), Bytes: File.ReadAllBytes(f))).ToList();
    if (corpus.Count == 0) { Console.Error.WriteLine($"the corpus {corpusDir} is empty"); return 2; }
    var failures = new List<string>();
    var pool = corpus.Select(c => c.Bytes).ToList();
    var seen = new HashSet<string>();
    var clock = Stopwatch.StartNew();
    long runs = 0;
    void Check(byte[] input, string origin)
    {
        runs++;
        var (outcome, problem) = runner.Run(target, input);
        if (options.Replay.Count > 0) Console.WriteLine($"  {origin}: {problem ?? outcome}");
        if (problem is not null)
        {
            var saved = Save(options.Failures, target.Name, input);
            failures.Add($"{problem} [{origin}; saved as {saved}]");
            Console.WriteLine($"fuzz {target.Name}: FAILURE {problem}\n  input ({input.Length} bytes, from {origin}) saved as {saved}" +
                (input.Length <= 96 ? $"\n  base64: {Convert.ToBase64String(input)}" : ""));
            if (runner.Stuck)
            {
                Console.WriteLine($"fuzz {target.Name}: stopped, the worker is stuck in that input\nfuzz: 0 targets passed, {targets.Length} failed");
                Environment.Exit(1);
            }
        }
        // New kinds of outcome (a new error message, a new rank parsed) join the pool: a cheap
        // stand-in for coverage feedback that steers mutants towards other branches.
        else if (seen.Add(Regex.Replace(outcome, "[0-9A-F]{2,}|[0-9,]+", "#")) && pool.Count < 4096) pool.Add(input);
    }

    foreach (var (name, bytes) in corpus) Check(bytes, name);
    if (options.Replay.Count == 0)
    {
        var budget = TimeSpan.FromSeconds(options.Seconds / targets.Length);
        var random = new Random(options.Seed + t);
        var mutator = new Mutator(options.Seed * 7919 + t);
        while (clock.Elapsed < budget && failures.Count < 20)
        {
            var parent = pool[random.Next(pool.Count)];
            Check(mutator.Mutate(parent, pool[random.Next(pool.Count)]), "a mutant");
        }
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"fuzz {target.Name}: {runs:N0} inputs ({corpus.Count} corpus files, seed {options.Seed}) in {clock.Elapsed.TotalSeconds:0.0} s, {seen.Count} kinds of outcome, {failures.Count} failures"));
    if (failures.Count > 0) failedTargets++;
}
Console.WriteLine($"fuzz: {targets.Length - failedTargets} targets passed, {failedTargets} failed");
return failedTargets == 0 ? 0 : 1;

static string Save(string dir, string target, byte[] input)
{
    Directory.CreateDirectory(dir);
    var path = Path.Combine(dir, $"crash-{target}-{Convert.ToHexStringLower(SHA256.HashData(input))[..12]}");
    File.WriteAllBytes(path, input);
    return path;
}

static string RepoRoot()
{
    foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "NeuralFlow.sln"))) return dir.FullName;
    throw new DirectoryNotFoundException("No NeuralFlow.sln above the current folder; pass --corpus DIR.");
}

internal sealed record Options(double Seconds, int Seed, string? Target, string? Corpus, string Failures, double HangSeconds, bool MakeSeeds, List<string> Replay)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(60, 1, null, null, Path.Combine("artifacts", "fuzz"), 10, false, []);
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--seconds" => o with { Seconds = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--seed" => o with { Seed = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--target" => o with { Target = Next() },
                "--corpus" => o with { Corpus = Next() },
                "--failures" => o with { Failures = Next() },
                "--hang-seconds" => o with { HangSeconds = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--make-seeds" => o with { MakeSeeds = true },
                "--replay" => o with { Replay = args[(i + 1)..].ToList() },
                _ => throw new ArgumentException($"unknown argument {args[i]} (see the top of tests/fuzz/NeuralFlow.Fuzz/Program.cs)"),
            };
            if (args[i] == "--replay") break;
        }
        return o;
    }
}
