using System.Reflection;
using System.Reflection.PortableExecutable;

namespace NeuralFlow.Tests;

/// <summary>
/// ReadyToRun.targets: an assembly built for ReadyToRun (it then says so in its
/// <c>NeuralFlow.ReadyToRun</c> metadata) is a ReadyToRun image for this machine that still
/// carries its IL and its embedded PDB (SourceLink, line numbers), and its hot path is not marked
/// AggressiveOptimization (crossgen2 would leave such methods to the JIT); a plain IL build is
/// plain IL with the mark. The rest of the suite runs on whichever the build made.
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

    [Fact]
    public void The_hot_path_mark_is_left_out_exactly_when_the_library_is_ReadyToRun()
    {
        var hot = typeof(ReplayPlan).GetMethod(nameof(ReplayPlan.Replay))!.MethodImplementationFlags;
        bool marked = (hot & MethodImplAttributes.AggressiveOptimization) != 0;
        Assert.Equal(Target(typeof(NF).Assembly) is null, marked);
    }
}
