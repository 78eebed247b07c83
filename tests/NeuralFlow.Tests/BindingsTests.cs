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

    private static SortedSet<string> BoundNames(Type bindings = null!) =>
        new((bindings ?? typeof(NativeMethods)).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.GetCustomAttribute<LibraryImportAttribute>() is not null)
            .Select(m => m.GetCustomAttribute<LibraryImportAttribute>()!.EntryPoint ?? m.Name));

    private static SortedSet<string> HeaderNames(string file = "neuralflow.h")
    {
        var header = File.ReadAllText(Path.Combine(RepoRoot(), "native", "include", file));
        return new(Regex.Matches(header, @"NF_API\s+[\w\s\*]+?\b(nf_\w+)\s*\(").Select(m => m.Groups[1].Value));
    }

    private static SortedSet<string> Exports(string library)
    {
        var psi = new ProcessStartInfo("nm", ["-D", "--defined-only", library]) { RedirectStandardOutput = true };
        using var nm = Process.Start(psi)!;
        var output = nm.StandardOutput.ReadToEnd();
        nm.WaitForExit();
        Assert.Equal(0, nm.ExitCode);
        return new(output.Split('\n').Select(l => l.Trim().Split(' ').Last()).Where(s => s.StartsWith("nf_", StringComparison.Ordinal)));
    }

    [Fact]
    public void Bindings_mirror_the_header()
    {
        var header = HeaderNames();
        Assert.NotEmpty(header);
        Assert.Equal(header, BoundNames());
    }

    [Fact]
    public void Cuda_bindings_mirror_the_cuda_header()
    {
        var header = HeaderNames("neuralflow_cuda.h");
        Assert.Contains("nf_cuda_matmul", header);
        Assert.Equal(header, BoundNames(typeof(NativeCudaMethods)));
        // Every CPU kernel has its CUDA twin with the same parameters.
        var cuda = typeof(NativeCudaMethods).GetMethods().ToDictionary(m => m.Name);
        foreach (var m in typeof(NativeMethods).GetMethods().Where(m => m.Name.StartsWith("nf_", StringComparison.Ordinal)))
        {
            var kernels = new[] { "binary", "unary", "reduce", "softmax", "matmul", "cast", "copy", "gather", "one_hot", "fill", "range",
                                  "random_uniform", "random_normal", "optimizer_update", "softmax_cross_entropy" };
            if (!kernels.Contains(m.Name["nf_".Length..])) continue;
            var twin = cuda["nf_cuda_" + m.Name["nf_".Length..]];
            Assert.Equal(m.GetParameters().Select(p => p.ParameterType), twin.GetParameters().Select(p => p.ParameterType));
        }
    }

    [Fact]
    public void Cuda_device_props_binding_has_the_C_layout()
    {
        Assert.Equal(256 + 8 + 4 * 4, Marshal.SizeOf<NfCudaDeviceProps>());
        Assert.Equal(256, (int)Marshal.OffsetOf<NfCudaDeviceProps>(nameof(NfCudaDeviceProps.TotalBytes)));
    }

    [SkippableFact]
    public void Cuda_library_exports_exactly_the_bound_symbols()
    {
        // CI builds the CUDA engine on every run (NEURALFLOW_REQUIRE_CUDA_BUILD=1), GPU or not.
        bool loaded = NativeLibraryLoader.TryLoadCuda(out var failure);
        Skip.If(!loaded && Environment.GetEnvironmentVariable("NEURALFLOW_REQUIRE_CUDA_BUILD") != "1",
            $"CUDA engine not built or not loadable: {failure}");
        Assert.True(loaded, failure);
        Skip.IfNot(OperatingSystem.IsLinux(), "symbol listing uses nm (Linux)");
        Assert.Equal(BoundNames(typeof(NativeCudaMethods)), Exports(NativeLibraryLoader.CudaLoadedFrom!));
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
        Assert.Equal(BoundNames(), Exports(NativeLibraryLoader.LoadedFrom!));
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
