using System.Reflection;
using System.Runtime.InteropServices;

namespace NeuralFlow.Native;

/// <summary>
/// Finds the native engines: the CPU engine (libneuralflow) where <c>NEURALFLOW_NATIVE_PATH</c>
/// points (a file or a folder), next to this assembly, or in <c>runtimes/&lt;rid&gt;/native</c>
/// below it (the NuGet layout), then the system's default search; the CUDA engine
/// (libneuralflow_cuda, loaded only when asked for) in <c>NEURALFLOW_CUDA_PATH</c>, the folder of
/// <c>NEURALFLOW_NATIVE_PATH</c>, and the same places; the MPI engine (libneuralflow_dist, loaded
/// only by NeuralFlow.Distributed) the same way from <c>NEURALFLOW_DIST_PATH</c>. The TryLoad methods say why a library
/// cannot be had (absent, not loadable, another ABI version); a library of the right ABI version
/// that lacks an export of <see cref="NativeKernelTable"/> is a broken build, and its first
/// TryLoad throws <see cref="EntryPointNotFoundException"/> naming the export and the file.
/// </summary>
public static class NativeLibraryLoader
{
    private static readonly object Gate = new();
    private static bool _resolverSet;
    private static readonly Library Cpu = new(NativeMethods.LibraryName, NativeMethods.Prefix, "NEURALFLOW_NATIVE_PATH");
    private static readonly Library Cuda = new(NativeCudaMethods.LibraryName, NativeCudaMethods.Prefix, "NEURALFLOW_CUDA_PATH");
    private static readonly Library Dist = new(NativeDistMethods.LibraryName, NativeDistMethods.Prefix, "NEURALFLOW_DIST_PATH");

    /// <summary>File name of the CPU engine on this OS.</summary>
    public static string FileName => Cpu.FileName;

    /// <summary>File name of the CUDA engine on this OS.</summary>
    public static string CudaFileName => Cuda.FileName;

    /// <summary>File name of the MPI engine on this OS.</summary>
    public static string DistFileName => Dist.FileName;

    /// <summary>Where the MPI engine was loaded from, once loaded.</summary>
    public static string? DistLoadedFrom => Dist.LoadedFrom;

    /// <summary>Where the CPU engine was loaded from, once loaded.</summary>
    public static string? LoadedFrom => Cpu.LoadedFrom;

    /// <summary>Where the CUDA engine was loaded from, once loaded.</summary>
    public static string? CudaLoadedFrom => Cuda.LoadedFrom;

    /// <summary>NF_ABI_VERSION that these bindings mirror.</summary>
    public const int ExpectedAbiVersion = 10;

    /// <summary>NF_CUDA_ABI_VERSION that these bindings mirror.</summary>
    public const int ExpectedCudaAbiVersion = 8;

    /// <summary>NF_DIST_ABI_VERSION that these bindings mirror.</summary>
    public const int ExpectedDistAbiVersion = 2;

    /// <summary>The CPU engine's kernels (<c>nf_*</c>); throws unless <see cref="TryLoad"/> succeeded.</summary>
    public static ref readonly NativeKernelTable Kernels => ref Loaded(Cpu).Kernels;

    /// <summary>The CUDA engine's kernels (<c>nf_cuda_*</c>); throws unless <see cref="TryLoadCuda"/> succeeded.</summary>
    public static ref readonly NativeKernelTable CudaKernels => ref Loaded(Cuda).Kernels;

    /// <summary>Loads the CPU engine once; false with a reason when it cannot be had.</summary>
    public static bool TryLoad(out string? failure) => Load(Cpu, ExpectedAbiVersion, out failure);

    /// <summary>Loads the CUDA engine once; false with a reason when it cannot be had (not built, no cuBLAS).</summary>
    public static bool TryLoadCuda(out string? failure) => Load(Cuda, ExpectedCudaAbiVersion, out failure);

    /// <summary>
    /// Loads the MPI engine once; false with a reason when it cannot be had (not built because
    /// MPI was missing at build time, or MPI's own libraries are not installed here).
    /// </summary>
    public static bool TryLoadDist(out string? failure) => Load(Dist, ExpectedDistAbiVersion, out failure);

    private static Library Loaded(Library lib) =>
        lib.Handle != 0 ? lib : throw new InvalidOperationException($"{lib.FileName} is not loaded: {lib.Failure ?? "not attempted yet"}");

    private static bool Load(Library lib, int expected, out string? failure)
    {
        lock (Gate)
        {
            if (!_resolverSet)
            {
                NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);
                _resolverSet = true;
            }
            if (!lib.Attempted)
            {
                lib.Attempted = true;
                lib.Handle = LoadFirst(lib, out lib.Failure);
                if (lib.Handle != 0)
                {
                    int abi = AbiVersion(lib);
                    if (abi != expected)
                    {
                        lib.Failure = $"{lib.LoadedFrom} has ABI version {abi}, these bindings need {expected}";
                        lib.Handle = 0;
                    }
                    else if (lib != Dist) // the MPI engine has no kernels, only NativeDistMethods
                    {
                        try
                        {
                            lib.Kernels = NativeKernelTable.FromLibrary(lib.Handle, lib.Prefix, lib.LoadedFrom);
                        }
                        catch (EntryPointNotFoundException e)
                        {
                            // Thrown once, here; later calls report it as the reason.
                            lib.Failure = e.Message;
                            lib.Handle = 0;
                            throw;
                        }
                    }
                }
            }
            failure = lib.Failure;
            return lib.Handle != 0;
        }
    }

    // Read before the table: a library of another ABI version may lack some of its exports, and
    // then the version mismatch is the message worth giving.
    private static unsafe int AbiVersion(Library lib) =>
        NativeLibrary.TryGetExport(lib.Handle, lib.Prefix + nameof(NativeKernelTable.abi_version), out nint f)
            ? ((delegate* unmanaged<int>)f)()
            : -1;

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == Cpu.Name ? Cpu.Handle : name == Cuda.Name ? Cuda.Handle : name == Dist.Name ? Dist.Handle : 0;

    /// <summary>The places searched for the CPU engine, in order.</summary>
    public static IEnumerable<string> Candidates() => Candidates(Cpu);

    private static IEnumerable<string> Candidates(Library lib)
    {
        var own = Environment.GetEnvironmentVariable(lib.PathVariable);
        if (!string.IsNullOrEmpty(own))
            yield return Directory.Exists(own) ? Path.Combine(own, lib.FileName) : own;
        if (lib != Cpu)
        {
            // The CUDA and MPI engines are built and shipped beside the CPU one.
            var native = Environment.GetEnvironmentVariable(Cpu.PathVariable);
            if (!string.IsNullOrEmpty(native))
                yield return Path.Combine(Directory.Exists(native) ? native : Path.GetDirectoryName(native) ?? ".", lib.FileName);
        }
        var dir = Path.GetDirectoryName(typeof(NativeLibraryLoader).Assembly.Location);
        if (string.IsNullOrEmpty(dir)) dir = AppContext.BaseDirectory;
        yield return Path.Combine(dir, lib.FileName);
        yield return Path.Combine(dir, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", lib.FileName);
        yield return Path.Combine(dir, "runtimes", PortableRid(), "native", lib.FileName);
    }

    private static string PortableRid()
    {
        string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        return $"{os}-{arch}";
    }

    private static nint LoadFirst(Library lib, out string? failure)
    {
        var tried = new List<string>();
        bool explicitPath = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(lib.PathVariable));
        foreach (var candidate in Candidates(lib))
        {
            if (!File.Exists(candidate)) { tried.Add($"{candidate} (absent)"); continue; }
            try
            {
                lib.LoadedFrom = candidate;
                failure = null;
                return NativeLibrary.Load(candidate);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                // Present but not loadable: for the CUDA engine usually a missing cuBLAS.
                tried.Add($"{candidate} (could not be loaded: {e.Message})");
                lib.LoadedFrom = null;
            }
            if (explicitPath) break;
        }
        if (!explicitPath && NativeLibrary.TryLoad(lib.Name, typeof(NativeLibraryLoader).Assembly, null, out var sys))
        {
            lib.LoadedFrom = lib.Name;
            failure = null;
            return sys;
        }
        failure = $"{lib.FileName} not found; tried {string.Join(", ", tried)}";
        return 0;
    }

    private sealed class Library(string name, string prefix, string pathVariable)
    {
        public string Name { get; } = name;
        public string Prefix { get; } = prefix;
        public string PathVariable { get; } = pathVariable;
        public string FileName { get; } =
            OperatingSystem.IsWindows() ? $"{name}.dll" : OperatingSystem.IsMacOS() ? $"lib{name}.dylib" : $"lib{name}.so";
        public bool Attempted;
        public nint Handle;
        public string? Failure;
        public string? LoadedFrom;
        public NativeKernelTable Kernels;
    }
}
