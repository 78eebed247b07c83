// NeuralFlow build orchestration: dotnet tool restore && dotnet cake [--target=Test]
// Targets: Clean, Native, Build, Test (Default), Bench.
using System.Text.RegularExpressions;

var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var nativeDir = "build/native";
var benchFilter = Argument("filter", "*");

int passed = 0, failed = 0, skipped = 0;

// Runs a command, echoes its output, and returns the lines (for counting test results).
List<string> Run(string tool, string arguments, IDictionary<string, string> env = null, bool allowFailure = false)
{
    Information($"> {tool} {arguments}");
    var settings = new ProcessSettings { Arguments = arguments, RedirectStandardOutput = true, RedirectStandardError = false };
    if (env != null) settings.EnvironmentVariables = env;
    var exit = StartProcess(tool, settings, out var output);
    var lines = output.ToList();
    foreach (var line in lines) Console.WriteLine(line);
    if (exit != 0 && !allowFailure) throw new Exception($"{tool} exited with {exit}");
    return lines;
}

Task("Clean").Does(() =>
{
    CleanDirectory(nativeDir);
    DotNetClean("NeuralFlow.sln", new DotNetCleanSettings { Configuration = configuration });
});

Task("Native").Does(() =>
{
    Run("cmake", $"-S . -B {nativeDir} -DCMAKE_BUILD_TYPE={configuration} -DNEURALFLOW_BUILD_TESTS=ON");
    Run("cmake", $"--build {nativeDir} -j 2");
});

Task("Build").IsDependentOn("Native").Does(() =>
{
    DotNetBuild("NeuralFlow.sln", new DotNetBuildSettings { Configuration = configuration });
});

Task("Test").IsDependentOn("Build").Does(() =>
{
    // Native kernels (GoogleTest through CTest).
    var ctest = Run("ctest", $"--test-dir {nativeDir} --output-on-failure", allowFailure: true);
    var c = ctest.Select(l => Regex.Match(l, @"(\d+)% tests passed, (\d+) tests failed out of (\d+)")).FirstOrDefault(m => m.Success);
    if (c == null) { failed += 1; Error("ctest printed no summary"); }
    else
    {
        int total = int.Parse(c.Groups[3].Value), bad = int.Parse(c.Groups[2].Value);
        passed += total - bad; failed += bad;
    }

    // The C# suites: once with the default backend (native where built), once forced to the
    // managed fallback. NEURALFLOW_REQUIRE_NATIVE turns a missing native library into failures.
    var runs = new (string Name, Dictionary<string, string> Env)[]
    {
        ("default backend", new Dictionary<string, string> { ["NEURALFLOW_REQUIRE_NATIVE"] = EnvironmentVariable("NEURALFLOW_REQUIRE_NATIVE") ?? "0" }),
        ("NEURALFLOW_BACKEND=managed", new Dictionary<string, string> { ["NEURALFLOW_BACKEND"] = "managed" }),
    };
    foreach (var (name, env) in runs)
    {
        Information($"== dotnet test ({name})");
        var lines = Run("dotnet", $"test NeuralFlow.sln -c {configuration} --no-build", env, allowFailure: true);
        var summaries = lines.Select(l => Regex.Match(l, @"Failed:\s+(\d+),\s+Passed:\s+(\d+),\s+Skipped:\s+(\d+)")).Where(m => m.Success).ToList();
        if (summaries.Count == 0) { failed += 1; Error($"dotnet test ({name}) printed no summary"); }
        foreach (var m in summaries)
        {
            failed += int.Parse(m.Groups[1].Value);
            passed += int.Parse(m.Groups[2].Value);
            skipped += int.Parse(m.Groups[3].Value);
        }
    }
    Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
    if (failed > 0) throw new Exception($"{failed} test(s) failed");
});

Task("Bench").IsDependentOn("Build").Does(() =>
{
    Run("dotnet", $"run -c Release --project benchmarks/NeuralFlow.Benchmarks --no-build -- --filter {benchFilter}");
});

Task("Default").IsDependentOn("Test");

RunTarget(target);
