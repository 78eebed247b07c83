using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// NF.MatMul on shapes and layouts chosen to reach every path of a tiled GEMM (the managed one:
/// edge tiles of 1-7 rows, one- and two-vector and partial-vector columns, the transposed
/// orientation with C written column-wise, A and B as transposed views, a B row stride of 1 KB
/// that is packed instead of read in place, K split into blocks), and the rule that a product's
/// bits do not depend on the thread count.
/// </summary>
public abstract class MatMulTilingTests(string backend) : BackendTest(backend)
{
    [SkippableTheory]
    [InlineData(256, 784, 50, false, false)]  // the workshop's forward
    [InlineData(784, 256, 50, true, false)]   // its weight gradient (X^T as a view)
    [InlineData(256, 10, 50, false, true)]    // its input gradient (W^T as a view)
    [InlineData(50, 256, 10, true, false)]
    [InlineData(13, 40, 33, false, false)]
    [InlineData(9, 1100, 17, false, false)]   // K in several blocks
    [InlineData(47, 64, 256, false, false)]   // B rows 1 KB apart (float32)
    [InlineData(5, 31, 7, true, true)]
    [InlineData(100, 3, 1, false, false)]
    [InlineData(1, 70, 100, false, true)]
    public void Tiled_products_match_the_reference(int m, int k, int n, bool ta, bool tb)
    {
        RequireBackend();
        var a = RandomValues(m * k, 71);
        var b = RandomValues(k * n, 72);
        var expected = MatMul(a, b, m, k, n);
        using var tA = ta ? NF.Transpose(NF.Constant(Transpose2D(a, m, k), [k, m])) : NF.Constant(a, [m, k]);
        using var tB = tb ? NF.Transpose(NF.Constant(Transpose2D(b, k, n), [n, k])) : NF.Constant(b, [k, n]);
        using var c = NF.MatMul(tA, tB);
        AssertClose(expected, c.ToDoubleArray(), 1e-10, 1e-10, "float64");
        using var fA = NF.Cast(tA, DType.Float32);
        using var fB = NF.Cast(tB, DType.Float32);
        using var cf = NF.MatMul(fA, fB);
        AssertClose(expected, cf.ToDoubleArray(), 1e-4, 1e-4 * Math.Sqrt(k), "float32");
    }

    [SkippableTheory]
    [InlineData(256, 784, 50, false)]
    [InlineData(784, 256, 50, true)]
    [InlineData(300, 200, 70, false)]
    public void Bits_do_not_depend_on_the_thread_count(int m, int k, int n, bool ta)
    {
        RequireBackend();
        // NF.Threads sizes the CPU engines' pools; a GPU's GEMM does not use them (the emulated
        // cuBLAS runs on the host and splits its sums by host threads, unlike a device).
        Skip.If(BackendName == "cuda", "NF.Threads sets CPU threads; a GPU GEMM does not depend on them");
        int before = NF.Threads.Count;
        try
        {
            NF.Random.SetSeed(5);
            using var a = ta ? NF.Transpose(NF.Random.Uniform([k, m], -1, 1)) : NF.Random.Uniform([m, k], -1, 1);
            using var b = NF.Random.Uniform([k, n], -1, 1);
            NF.Threads.Set(1);
            float[] want = NF.MatMul(a, b).ToArray<float>();
            foreach (int threads in new[] { 2, 3, 4 })
            {
                NF.Threads.Set(threads);
                Assert.Equal(want, NF.MatMul(a, b).ToArray<float>());
            }
        }
        finally { NF.Threads.Set(before); }
    }
}

public sealed class ManagedMatMulTilingTests() : MatMulTilingTests("managed");

public sealed class NativeCpuMatMulTilingTests() : MatMulTilingTests("cpu");

public sealed class CudaMatMulTilingTests() : MatMulTilingTests("cuda");
