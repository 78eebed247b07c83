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

    // The engine's own LibraryImport entry points plus the kernel table under its prefix.
    private static SortedSet<string> BoundNames(Type engineMethods, string prefix)
    {
        var own = engineMethods.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.GetCustomAttribute<LibraryImportAttribute>() is not null)
            .Select(m => m.GetCustomAttribute<LibraryImportAttribute>()!.EntryPoint ?? m.Name).ToList();
        var table = NativeKernelTable.Fields.Select(f => prefix + f.Name).ToList();
        Assert.Empty(own.Intersect(table)); // each entry point declared once
        return new(own.Concat(table));
    }

    private static SortedSet<string> CpuBound() => BoundNames(typeof(NativeMethods), NativeMethods.Prefix);

    private static SortedSet<string> CudaBound() => BoundNames(typeof(NativeCudaMethods), NativeCudaMethods.Prefix);

    private static string Header(string file) => File.ReadAllText(Path.Combine(RepoRoot(), "native", "include", file));

    private static SortedSet<string> HeaderNames(string file = "neuralflow.h") =>
        new(Regex.Matches(Header(file), @"NF_API\s+[\w\s\*]+?\b(nf_\w+)\s*\(").Select(m => m.Groups[1].Value));

    /// <summary>Each declaration of the header as "return(param, ...)" in the C# type names the table uses.</summary>
    private static Dictionary<string, string> HeaderSignatures(string file) =>
        Regex.Matches(Header(file), @"NF_API\s+(?<ret>[\w\s\*]+?)\s*\b(?<name>nf_\w+)\s*\((?<params>[^)]*)\)")
            .ToDictionary(m => m.Groups["name"].Value, m =>
            {
                var ps = m.Groups["params"].Value.Trim() == "void" ? [] :
                    m.Groups["params"].Value.Split(',').Select(p => Regex.Replace(p.Trim(), @"\s*\b\w+$", ""));
                return $"{CSharpType(m.Groups["ret"].Value)}({string.Join(", ", ps.Select(CSharpType))})";
            });

    // How the bindings spell a C type: enums are int on the wire, pointers to data are nint.
    private static string CSharpType(string c)
    {
        var t = Regex.Replace(c.Replace("const", ""), @"\s+", "");
        return t switch
        {
            "nf_status" => "NfStatus",
            "int32_t" => "Int32",
            "uint32_t" => "UInt32",
            "int64_t" => "Int64",
            "uint64_t" => "UInt64",
            "double" => "Double",
            "void*" or "char*" => "IntPtr",
            "int32_t*" => "IntPtr",  // an int32 buffer (the linalg kernels' pivots and info), passed as its address
            "void**" => "IntPtr*",
            "nf_layout*" => "NfLayout*",
            "nf_optimizer_params*" => "NfOptimizerParams*",
            "nf_optimizer_options*" => "NfOptimizerOptions*",
            "nf_window2d*" => "NfWindow2D*",
            "nf_fused_step*" => "NfFusedStep*",  // issue 17
            "nf_optimizer_tensor*" => "NfOptimizerTensor*",  // issue 17: multi-tensor optimizer step
            _ when Regex.IsMatch(t, @"^nf_\w+$") => "Int32", // an nf_ enum
            _ => "unmapped C type " + t,
        };
    }

    private static string TableSignature(FieldInfo field)
    {
        var f = field.FieldType;
        Assert.True(f.IsFunctionPointer && f.IsUnmanagedFunctionPointer, $"{field.Name} is not a delegate* unmanaged");
        return $"{f.GetFunctionPointerReturnType().Name}({string.Join(", ", f.GetFunctionPointerParameterTypes().Select(p => p.Name))})";
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
        Assert.Equal(header, CpuBound());
    }

    [Fact]
    public void Cuda_bindings_mirror_the_cuda_header()
    {
        var header = HeaderNames("neuralflow_cuda.h");
        Assert.Contains("nf_cuda_matmul", header);
        Assert.Equal(header, CudaBound());
    }

    [Theory]
    [InlineData("neuralflow.h", NativeMethods.Prefix)]
    [InlineData("neuralflow_cuda.h", NativeCudaMethods.Prefix)]
    public void Kernel_table_signatures_match_the_header(string file, string prefix)
    {
        // The one C# declaration of each kernel against both C declarations of it.
        var header = HeaderSignatures(file);
        foreach (var field in NativeKernelTable.Fields)
            Assert.Equal($"{prefix}{field.Name}: {header[prefix + field.Name]}", $"{prefix}{field.Name}: {TableSignature(field)}");
    }

    [SkippableFact]
    public unsafe void A_missing_export_fails_at_load_naming_the_export_and_the_library()
    {
        Skip.If(BackendRegistry.NativeCpu is null, $"native library not built: {BackendRegistry.NativeFailure}");
        var path = NativeLibraryLoader.LoadedFrom!;
        nint handle = NativeLibrary.Load(path);
        try
        {
            var e = Assert.Throws<EntryPointNotFoundException>(() => NativeKernelTable.FromLibrary(handle, "nf_absent_", path));
            Assert.Contains("nf_absent_matmul", e.Message);
            Assert.Contains(path, e.Message);
            var table = NativeKernelTable.FromLibrary(handle, NativeMethods.Prefix, path);
            Assert.Equal(NativeLibraryLoader.ExpectedAbiVersion, table.abi_version());
        }
        finally
        {
            NativeLibrary.Free(handle);
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
        Assert.Equal(CudaBound(), Exports(NativeLibraryLoader.CudaLoadedFrom!));
    }

    [Fact]
    public void Optimizer_params_binding_has_the_C_layout()
    {
        // Offsets of nf_optimizer_params (static_asserts in native/tests/test_optimizer.cpp).
        Assert.Equal(64, Marshal.SizeOf<NfOptimizerParams>());
        Assert.Equal(48, (int)Marshal.OffsetOf<NfOptimizerParams>(nameof(NfOptimizerParams.Nesterov)));
        Assert.Equal(56, (int)Marshal.OffsetOf<NfOptimizerParams>(nameof(NfOptimizerParams.Step)));
    }

    [Fact]
    public void Optimizer_options_binding_has_the_C_layout()
    {
        // Offsets of nf_optimizer_options (static_asserts in native/tests/test_optimizer_ex.cpp).
        Assert.Equal(80, Marshal.SizeOf<NfOptimizerOptions>());
        Assert.Equal(40, (int)Marshal.OffsetOf<NfOptimizerOptions>(nameof(NfOptimizerOptions.LrPower)));
        Assert.Equal(72, (int)Marshal.OffsetOf<NfOptimizerOptions>(nameof(NfOptimizerOptions.Beta)));
        Assert.Equal(24, (int)Marshal.OffsetOf<NfOptimizerOptions>(nameof(NfOptimizerOptions.ClipValue)));
        Assert.Equal(36, (int)Marshal.OffsetOf<NfOptimizerOptions>(nameof(NfOptimizerOptions.Centered)));
    }

    [Fact]
    public void Optimizer_tensor_binding_has_the_C_layout()
    {
        // Five pointers and a count (static_assert in native/tests/test_optimizer_multi.cpp).
        Assert.Equal(48, Marshal.SizeOf<NfOptimizerTensor>());
        Assert.Equal(32, (int)Marshal.OffsetOf<NfOptimizerTensor>(nameof(NfOptimizerTensor.Slot2)));
        Assert.Equal(40, (int)Marshal.OffsetOf<NfOptimizerTensor>(nameof(NfOptimizerTensor.Count)));
    }

    [Fact]
    public void Window2d_binding_has_the_C_layout()
    {
        // Eight int32 fields in the header's order (static_assert in native/tests/test_conv.cpp).
        Assert.Equal(32, Marshal.SizeOf<NfWindow2D>());
        Assert.Equal(24, (int)Marshal.OffsetOf<NfWindow2D>(nameof(NfWindow2D.PadTop)));
        Assert.Equal(28, (int)Marshal.OffsetOf<NfWindow2D>(nameof(NfWindow2D.PadLeft)));
    }

    [SkippableFact]
    public void Library_exports_exactly_the_bound_symbols()
    {
        Skip.If(BackendRegistry.NativeCpu is null && Environment.GetEnvironmentVariable("NEURALFLOW_REQUIRE_NATIVE") != "1",
            $"native library not built: {BackendRegistry.NativeFailure}");
        Assert.NotNull(BackendRegistry.NativeCpu);
        Skip.IfNot(OperatingSystem.IsLinux(), "symbol listing uses nm (Linux)");
        Assert.Equal(CpuBound(), Exports(NativeLibraryLoader.LoadedFrom!));
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
            var status = NativeLibraryLoader.Kernels.copy(0, 0, &layout, 0, &layout);
            Assert.Equal(NfStatus.InvalidArgument, status);
            Assert.NotEmpty(NativeErrors.LastError());
        }
    }
}
