namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// The packed copies a host call reads (FunctionTrace.RunOnHostAs) are freed when the call returns: NF.Print of a view
/// (a transposed matrix) kept its packed copy alive until the garbage collector found it, as many bytes again as the
/// tensor per print, where the special functions' host calls and SummaryWriter.Scalar disposed theirs.
/// </summary>
public abstract class HostCallCopiesTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Printing_a_view_frees_its_packed_copy_at_once()
    {
        RequireBackend();
        var x = NF.Reshape(NF.Cast(NF.Range(512 * 512), DType.Float32), [512, 512]);
        var view = NF.Transpose(x);   // not packed: the print reads a packed copy (1 MiB)
        var text = new StringWriter();
        NF.Print([view], outputStream: text);   // once, so lazily made state exists before the count
        long before = NF.Backend.GetMemoryStats().LiveBytes;
        for (int i = 0; i < 4; i++) NF.Print([view], outputStream: text);
        long grown = NF.Backend.GetMemoryStats().LiveBytes - before;
        Assert.True(grown < 512 * 512 * 4, $"four prints of a 1 MiB view left {grown} bytes live (their packed copies)");
        Assert.StartsWith("[[0 512 1024 ... ", text.ToString());
    }
}

/// <summary>Host call copies, on the managed backend.</summary>
public sealed class ManagedHostCallCopiesTests() : HostCallCopiesTests("managed");

/// <summary>Host call copies, on the native CPU backend.</summary>
public sealed class NativeCpuHostCallCopiesTests() : HostCallCopiesTests("cpu");

/// <summary>Host call copies, on the CUDA backend.</summary>
public sealed class CudaHostCallCopiesTests() : HostCallCopiesTests("cuda");
