using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using NeuralFlow.Backends;
using NeuralFlow.Native;

namespace NeuralFlow.Tests;

/// <summary>The bindings mirror the C header one to one, and the built library exports exactly that.</summary>
public class BindingsTests
{
    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NeuralFlow.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    private static SortedSet<string> BoundNames() =>
        new(typeof(NativeMethods).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.GetCustomAttribute<LibraryImportAttribute>() is not null)
            .Select(m => m.GetCustomAttribute<LibraryImportAttribute>()!.EntryPoint ?? m.Name));

    private static SortedSet<string> HeaderNames()
    {
        var header = File.ReadAllText(Path.Combine(RepoRoot(), "native", "include", "neuralflow.h"));
        return new(Regex.Matches(header, @"NF_API\s+[\w\s\*]+?\b(nf_\w+)\s*\(").Select(m => m.Groups[1].Value));
    }

    [Fact]
    public void Bindings_mirror_the_header()
    {
        var header = HeaderNames();
        Assert.NotEmpty(header);
        Assert.Equal(header, BoundNames());
    }

    [Fact]
    public void Optimizer_params_binding_has_the_C_layout()
    {
        // Offsets of nf_optimizer_params (static_asserts in native/tests/test_optimizer.cpp).
        Assert.Equal(64, Marshal.SizeOf<NfOptimizerParams>());
        Assert.Equal(48, (int)Marshal.OffsetOf<NfOptimizerParams>(nameof(NfOptimizerParams.Nesterov)));
        Assert.Equal(56, (int)Marshal.OffsetOf<NfOptimizerParams>(nameof(NfOptimizerParams.Step)));
    }

    [SkippableFact]
    public void Library_exports_exactly_the_bound_symbols()
    {
        Skip.If(BackendRegistry.NativeCpu is null && Environment.GetEnvironmentVariable("NEURALFLOW_REQUIRE_NATIVE") != "1",
            $"native library not built: {BackendRegistry.NativeFailure}");
        Assert.NotNull(BackendRegistry.NativeCpu);
        Skip.IfNot(OperatingSystem.IsLinux(), "symbol listing uses nm (Linux)");
        var lib = NativeLibraryLoader.LoadedFrom!;
        var psi = new ProcessStartInfo("nm", ["-D", "--defined-only", lib]) { RedirectStandardOutput = true };
        using var nm = Process.Start(psi)!;
        var output = nm.StandardOutput.ReadToEnd();
        nm.WaitForExit();
        Assert.Equal(0, nm.ExitCode);
        var exported = new SortedSet<string>(output.Split('\n')
            .Select(l => l.Trim().Split(' ').Last())
            .Where(s => s.StartsWith("nf_", StringComparison.Ordinal)));
        Assert.Equal(BoundNames(), exported);
    }

    [SkippableFact]
    public void Native_errors_arrive_as_exceptions_with_the_library_message()
    {
        Skip.If(BackendRegistry.NativeCpu is null, $"native library not built: {BackendRegistry.NativeFailure}");
        var e = Assert.Throws<ArgumentException>(() => NativeErrors.ThrowIfFailed(NativeMethods.nf_threads_set(0)));
        Assert.Contains("nf_threads_set", e.Message);
        unsafe
        {
            var layout = new NfLayout { Rank = 9 };
            var status = NativeMethods.nf_copy(0, 0, &layout, 0, &layout);
            Assert.Equal(NfStatus.InvalidArgument, status);
            Assert.NotEmpty(NativeErrors.LastError());
        }
    }
}
