using NeuralFlow.Backends;
using NeuralFlow.Backends.Managed;
using NeuralFlow.Native;

namespace NeuralFlow.Tests;

/// <summary>NF.Threads: one thread count for both CPU engines, checked, and results that hold at any count.</summary>
[Collection("Threads")]
public class ThreadsTests
{
    [Fact]
    public void DefaultIsWhatTheProcessMayUse()
    {
        // Environment.ProcessorCount honours the affinity mask and a cgroup CPU quota.
        if (Environment.GetEnvironmentVariable("NEURALFLOW_NUM_THREADS") is { Length: > 0 }) return;
        int before = NF.Threads.Count;
        try
        {
            Assert.True(before >= 1);
            if (BackendRegistry.NativeCpu != null) Assert.Equal(NF.Threads.Count, NativeMethods.nf_threads_get());
        }
        finally { NF.Threads.Set(before); }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(5000)]
    public void SetRejectsCountsOutOfRange(int count)
    {
        int before = NF.Threads.Count;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => NF.Threads.Set(count));
        Assert.Contains($"count = {count}", e.Message);
        Assert.Equal(before, NF.Threads.Count);
    }

    [Fact]
    public void SetReachesBothEnginesAndResultsHold()
    {
        int before = NF.Threads.Count;
        try
        {
            var x = NF.Random.Uniform([300, 200]);
            var w = NF.Random.Uniform([200, 70]);
            float[] want = NF.MatMul(x, w).ToArray<float>();
            float wantSum = NF.ReduceSum(x).Item<float>();
            foreach (int n in new[] { 1, 3, 2 })
            {
                NF.Threads.Set(n);
                Assert.Equal(n, NF.Threads.Count);
                Assert.Equal(n, ManagedBackend.Workers);
                if (BackendRegistry.NativeCpu != null) Assert.Equal(n, NativeMethods.nf_threads_get());
                float[] got = NF.MatMul(x, w).ToArray<float>();
                for (int i = 0; i < want.Length; i++) Assert.Equal(want[i], got[i], 1e-4f);
                Assert.Equal(wantSum, NF.ReduceSum(x).Item<float>(), 1e-2f);
            }
        }
        finally { NF.Threads.Set(before); }
    }
}
