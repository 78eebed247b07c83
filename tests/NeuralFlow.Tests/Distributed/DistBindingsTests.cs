using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using NeuralFlow.Native;
using NeuralFlow.Tests.Samples;

namespace NeuralFlow.Tests.Distributed;

/// <summary>The MPI engine's bindings mirror neuralflow_dist.h, and the built library exports exactly that.</summary>
public sealed class DistBindingsTests
{
    private static SortedSet<string> HeaderNames() =>
        new(Regex.Matches(File.ReadAllText(Path.Combine(Repo.Root, "native", "include", "neuralflow_dist.h")), @"NF_API\s+[\w\s\*]+?\b(nf_dist_\w+)\s*\(")
            .Select(m => m.Groups[1].Value));

    private static SortedSet<string> Bound() =>
        new(typeof(NativeDistMethods).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.GetCustomAttribute<LibraryImportAttribute>() is not null).Select(m => m.Name));

    [Fact]
    public void Bindings_mirror_the_dist_header()
    {
        var header = HeaderNames();
        Assert.Contains("nf_dist_iallreduce", header);
        Assert.Equal(header, Bound());
    }

    [Fact]
    public void The_op_constants_match_the_header_enum()
    {
        var header = File.ReadAllText(Path.Combine(Repo.Root, "native", "include", "neuralflow_dist.h"));
        Assert.Matches($@"NF_DIST_SUM = {NativeDistMethods.Sum},", header);
        Assert.Matches($@"NF_DIST_MEAN = {NativeDistMethods.Mean}\b", header);
        Assert.Matches($@"#define NF_DIST_ABI_VERSION {NativeLibraryLoader.ExpectedDistAbiVersion}\b", header);
    }

    [SkippableFact]
    public void The_built_engine_exports_exactly_the_header()
    {
        var lib = Path.Combine(AppContext.BaseDirectory, NativeLibraryLoader.DistFileName);
        Skip.If(!File.Exists(lib), $"{lib} was not built (no MPI when the solution was built)");
        var psi = new ProcessStartInfo("nm", ["-D", "--defined-only", lib]) { RedirectStandardOutput = true };
        using var nm = Process.Start(psi)!;
        var output = nm.StandardOutput.ReadToEnd();
        nm.WaitForExit();
        var exports = new SortedSet<string>(output.Split('\n').Select(l => l.Trim().Split(' ').Last()).Where(s => s.StartsWith("nf_", StringComparison.Ordinal)));
        Assert.Equal(HeaderNames(), exports);
    }
}
