using System.Runtime.CompilerServices;
using NeuralFlow.Backends.Native;

namespace NeuralFlow.Tests;

/// <summary>
/// Blocks of small tensors nobody disposed (issue 17's eager overhead, as users write loops):
/// on the native CPU engine the finalizer hands each block to <see cref="RecycledBlocks"/>
/// instead of the native cache's mutex, and the next allocation of that size on any thread takes
/// it. Before, an undisposed add of two 1-element tensors cost 2.2-3.1 us (the finalizer thread
/// and the loop contending on the native cache's mutex) against 0.16 us disposed. The results
/// must stay right, blocks must never be handed out twice, and the bytes kept stay bounded.
/// </summary>
public abstract class RecycledBlocksTests(string backend) : BackendTest(backend)
{
    private bool Recycles => BackendName == "cpu";

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Garbage(int count, int elements)
    {
        var a = NF.Ones([elements]);
        for (int i = 0; i < count; i++) _ = a + a;
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    // Garbage of the tests before (up to the cap) would hide what this test's garbage adds.
    private static void CollectAndEmpty()
    {
        Collect();
        NativeCpuBackend.EmptyRecycledBlocks();
    }

    [SkippableFact]
    public void Blocks_of_undisposed_small_tensors_serve_later_ops_with_the_right_values()
    {
        RequireBackend();
        CollectAndEmpty();
        long before = RecycledBlocks.HeldBytes;
        Garbage(500, 3);
        Collect();
        long held = RecycledBlocks.HeldBytes;
        if (Recycles) Assert.True(held > before, $"kept {before} -> {held} bytes");
        var x = NF.Constant(new[] { 1f, 2f, 3f });
        for (int i = 0; i < 200; i++)
        {
            var y = x * (float)i;
            Assert.Equal(new[] { i, 2f * i, 3f * i }, y.ToArray<float>());
        }
        if (Recycles) Assert.True(RecycledBlocks.HeldBytes < held, $"the ops took no kept block ({held} -> {RecycledBlocks.HeldBytes} bytes)");
    }

    [SkippableFact]
    public void The_bytes_kept_stay_bounded_and_big_blocks_are_not_kept()
    {
        RequireBackend();
        // Only the native CPU engine keeps blocks; elsewhere the count stays 0 and the test could not fail.
        Skip.IfNot(Recycles, "only the native CPU engine recycles blocks");
        Garbage(100_000, 1);
        Collect();
        Assert.InRange(RecycledBlocks.HeldBytes, 0, RecycledBlocks.MaxHeldBytes);
        long held = RecycledBlocks.HeldBytes;
        Garbage(200, RecycledBlocks.MaxBytes / 4 + 1);  // one float past the largest kept block
        Collect();
        Assert.True(RecycledBlocks.HeldBytes <= held, $"a block over {RecycledBlocks.MaxBytes} bytes was kept ({held} -> {RecycledBlocks.HeldBytes})");
    }

    // Two threads computing undisposed results while collections finalize each other's garbage:
    // a block handed to two live tensors at once would show as a wrong value.
    [SkippableFact]
    public void Threads_allocating_while_blocks_are_recycled_never_share_a_block()
    {
        RequireBackend();
        var backend = NF.Backend;
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var threads = Enumerable.Range(0, 2).Select(t => new Thread(() =>
        {
            using var scope = NF.UseBackend(backend);
            var live = new List<(Tensor Value, float Expected)>();
            for (int i = 0; i < 3000; i++)
            {
                float v = t * 100_000 + i;
                var r = NF.Constant(new[] { v, v }) + 1f;
                if (i % 7 == 0) live.Add((r, v + 1));
                if (i % 500 == 0) Collect();
                if (live.Count > 40)
                {
                    foreach (var (value, expected) in live)
                        if (value.ToArray<float>() is var got && (got[0] != expected || got[1] != expected))
                            failures.Add($"thread {t}: {got[0]},{got[1]} instead of {expected}");
                    live.Clear();
                }
            }
        })).ToList();
        threads.ForEach(th => th.Start());
        threads.ForEach(th => th.Join());
        Assert.Empty(failures);
    }
}

/// <summary>Recycled blocks, on the managed backend (its blocks are not recycled; results checked).</summary>
public sealed class ManagedRecycledBlocksTests() : RecycledBlocksTests("managed");

/// <summary>Recycled blocks, on the native CPU backend.</summary>
public sealed class NativeCpuRecycledBlocksTests() : RecycledBlocksTests("cpu");

/// <summary>Recycled blocks, on the CUDA backend (not recycled; results checked).</summary>
public sealed class CudaRecycledBlocksTests() : RecycledBlocksTests("cuda");
