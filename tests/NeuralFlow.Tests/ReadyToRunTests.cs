using System.Reflection;
using System.Reflection.PortableExecutable;

namespace NeuralFlow.Tests;

/// <summary>
/// ReadyToRun.targets: an assembly built for ReadyToRun (it then says so in its
/// <c>NeuralFlow.ReadyToRun</c> metadata) is a ReadyToRun image for this machine that still
/// carries its IL and its embedded PDB (SourceLink, line numbers), and its hot path is not marked
/// AggressiveOptimization (crossgen2 would leave such methods to the JIT); a plain IL build is
/// plain IL with the mark. The managed engine's kernels keep their mark in both builds. The rest
/// of the suite runs on whichever the build made.
/// </summary>
public sealed class ReadyToRunTests
{
    public static TheoryData<string> Assemblies => new() { "NeuralFlow", "NeuralFlow.Native" };

    private static Assembly Load(string name) => name == "NeuralFlow" ? typeof(NF).Assembly : typeof(NeuralFlow.Native.NativeMethods).Assembly;

    // "linux-x64" and so on, or null for a plain IL build.
    private static string? Target(Assembly assembly) =>
        assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "NeuralFlow.ReadyToRun")?.Value;

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void An_assembly_built_for_ReadyToRun_is_an_image_with_its_IL_and_embedded_pdb(string name)
    {
        var assembly = Load(name);
        using var pe = new PEReader(File.OpenRead(assembly.Location));
        var cor = pe.PEHeaders.CorHeader!;
        // The ReadyToRun header is the managed native header; its IL and metadata stay.
        bool readyToRun = cor.ManagedNativeHeaderDirectory.Size > 0;
        Assert.True(pe.HasMetadata);
        Assert.Equal(Target(assembly) is not null, readyToRun);
        if (readyToRun)
        {
            string expected = (OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsMacOS() ? "osx" : "linux") + "-" +
                              System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
            Assert.Equal(expected, Target(assembly));
        }
        Assert.Contains(pe.ReadDebugDirectory(), e => e.Type == DebugDirectoryEntryType.EmbeddedPortablePdb);
    }

    // Methods of the managed engine's training path that crossgen2 cannot serve (generic over
    // the engine's op structs or Vector512, or asking Vector256/512.IsHardwareAccelerated):
    // without the mark an image build starts them as tier-0 code (Jit.ManagedKernel).
    public static TheoryData<Type, string> ManagedKernels => new()
    {
        { typeof(NeuralFlow.Backends.Managed.StridedPlan), "ForRuns" },
        { typeof(NeuralFlow.Backends.Managed.StridedPlan), "Execute" },
        { typeof(NeuralFlow.Backends.Managed.ManagedBackend), "RunBinary" },
        { typeof(NeuralFlow.Backends.Managed.ManagedBackend), "RunUnary" },
        { typeof(NeuralFlow.Backends.Managed.ManagedBackend), "RunReduce" },
        { typeof(NeuralFlow.Backends.Managed.ManagedBackend), "SoftmaxRows" },
        { typeof(NeuralFlow.Backends.Managed.ManagedBackend), "LogSoftmaxRow" },
        { typeof(NeuralFlow.Backends.Managed.VectorLoops), "Map" },
        { typeof(NeuralFlow.Backends.Managed.ManagedBackend), "GemmOne" },
        { typeof(NeuralFlow.Backends.Managed.Widening), "Sum" },
        { typeof(NeuralFlow.Backends.Managed.Gemm<,,>), "Run" },
        { typeof(NeuralFlow.Backends.Managed.Gemm<,,>), "PackPanel" },
        { typeof(NeuralFlow.Backends.Managed.GemmTile<,,>), "RunRows" },
        { typeof(NeuralFlow.Backends.Managed.GemmTile<,,>), "Tile" },
    };

    [Theory]
    [MemberData(nameof(ManagedKernels))]
    public void The_managed_kernels_compile_optimized_at_first_call_in_every_build(Type type, string method)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        var methods = type.GetMethods(all).Where(m => m.Name == method).ToList();
        Assert.NotEmpty(methods);
        Assert.All(methods, m => Assert.True((m.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0,
            $"{type.Name}.{m.Name} lacks [MethodImpl(ManagedKernel)]"));
    }

    [Fact]
    public void The_hot_path_mark_is_left_out_exactly_when_the_library_is_ReadyToRun()
    {
        var hot = typeof(ReplayPlan).GetMethod(nameof(ReplayPlan.Replay))!.MethodImplementationFlags;
        bool marked = (hot & MethodImplAttributes.AggressiveOptimization) != 0;
        Assert.Equal(Target(typeof(NF).Assembly) is null, marked);
    }
}
