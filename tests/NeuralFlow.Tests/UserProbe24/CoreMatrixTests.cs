namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// TensorFlow's Core APIs guide "Matrix approximation with the SVD" (guide/core/matrix_core.ipynb) in C#: the SVD of a
/// matrix and its reconstruction (by matmuls and by einsum), rank-r approximations with batch axes ("..." einsum), the
/// error identity |A - A_r|_F^2 = sum of the left-out s^2, and an RGB "image" compressed per channel by the energy its
/// singular values capture (map_fn, cumsum, argmin). NeuralFlow's Svd is keras.ops' (U, S, Vh), not tf.linalg.svd's
/// (s, U, V): the guide's V is Vh's transpose. Fixed data replace the guide's random matrix and downloaded photo;
/// the numbers are PyTorch's (core_matrix_references.py).
/// </summary>
public abstract class CoreMatrixTests(string backend) : BackendTest(backend)
{
    private static Tensor Matrix() =>
        NF.Constant(Enumerable.Range(0, 1200).Select(k => (float)(0.5 + 0.5 * Math.Sin(0.71 * Math.Pow(k, 1.3) + 0.13))).ToArray(), new Shape(40, 30));

    private static Tensor Image() =>
        NF.Constant(Enumerable.Range(0, 24 * 20 * 3).Select(k => (float)(0.5 + 0.5 * Math.Sin(0.05 * k) * Math.Cos(0.013 * Math.Pow(k, 1.5)))).ToArray(), new Shape(24, 20, 3));

    // The guide's rank_r_approx: the first r singular values and vectors, any number of batch axes.
    private static (Tensor Ar, long Size) RankRApprox(Tensor s, Tensor u, Tensor v, int r)
    {
        var sR = s[.., ..r];
        var uR = u[.., .., ..r];
        var vR = v[.., .., ..r];
        var aR = NF.Einsum("...s,...us,...vs->...uv", sR, uR, vR);
        return (aR, uR.Count + sR.Count + vR.Count);
    }

    [SkippableFact]
    public void The_svd_reconstructs_a_matrix_and_its_truncations_approximate_it()
    {
        RequireBackend();
        var a = Matrix();
        var (u, s, vh) = NF.Svd(a, fullMatrices: false);
        Assert.Equal(new Shape(40, 30), u.Shape);
        Assert.Equal(new Shape(30), s.Shape);
        // core_matrix_references.py
        Assert.Equal(new[] { 18.24179f, 3.73477f, 3.68321f }, s[..3].ToArray<float>(), new Near(2e-5f));

        var sigma = NF.Diag(s);
        var v = NF.Transpose(vh);
        var aSvd = NF.MatMul(NF.MatMul(u, sigma), NF.Transpose(v));
        Assert.True(NF.ReduceMax(NF.Abs(a - aSvd)).Item<float>() < 1e-4f);
        aSvd = NF.Einsum("s,us,vs->uv", s, u, v);
        Assert.True(NF.ReduceMax(NF.Abs(a - aSvd)).Item<float>() < 1e-4f);

        // rank_r_approx on a batch of one (the guide's "..." axes); the error of each truncation.
        var (s1, u1, v1) = (NF.ExpandDims(s, 0), NF.ExpandDims(u, 0), NF.ExpandDims(v, 0));
        foreach (var (r, error, size) in new[] { (15, 4.568785f, 1065L), (3, 10.587195f, 213L), (10, 6.682787f, 710L) })
        {
            var (aR, aRSize) = RankRApprox(s1, u1, v1, r);
            Assert.Equal(size, aRSize);
            Assert.Equal(error, NF.Norm(a - aR[0]).Item<float>(), 1e-4f);
        }
        var (a10, _) = RankRApprox(s1, u1, v1, 10);
        var squaredNorm = NF.Square(NF.Norm(a - a10[0]));
        var sSquaredSum = NF.ReduceSum(NF.Square(s[10..]));
        Assert.Equal(44.659638f, sSquaredSum.Item<float>(), 2e-4f);
        Assert.Equal(sSquaredSum.Item<float>(), squaredNorm.Item<float>(), 2e-3f);
    }

    [SkippableFact]
    public void An_image_is_compressed_per_channel_by_the_energy_of_its_singular_values()
    {
        RequireBackend();
        var image = Image();
        var batched = NF.Transpose(image, [2, 0, 1]);   // h w c -> c h w
        var (u, s, vh) = NF.Svd(batched, fullMatrices: false);
        Assert.Equal(new Shape(3, 20), s.Shape);
        var props = NF.Map(x => NF.CumSum(x) / NF.ReduceSum(x), s);
        var propsMean = NF.ReduceMean(props, axis: 0);
        int r = (int)NF.ArgMin(NF.Abs(propsMean - 0.75f)).Item<long>() + 1;   // int64, as tf.argmin
        // core_matrix_references.py
        Assert.Equal(6, r);
        Assert.Equal(0.794322f, propsMean[r].Item<float>(), 1e-5f);

        var (iR, _) = RankRApprox(s, u, NF.Transpose(vh, [0, 2, 1]), r);
        iR = NF.Transpose(iR, [1, 2, 0]);   // c h w -> h w c
        Assert.Equal(image.Shape, iR.Shape);
        Assert.Equal(4.575442f, NF.Norm(image - iR).Item<float>(), 1e-4f);
        var clipped = NF.ClipByValue(iR, 0f, 1f);
        Assert.True(NF.ReduceMin(clipped).Item<float>() >= 0f && NF.ReduceMax(clipped).Item<float>() <= 1f);
    }
}

/// <summary>The SVD guide, on the managed backend.</summary>
public sealed class ManagedCoreMatrixTests() : CoreMatrixTests("managed");

/// <summary>The SVD guide, on the native CPU backend.</summary>
public sealed class NativeCpuCoreMatrixTests() : CoreMatrixTests("cpu");

/// <summary>The SVD guide, on the CUDA backend.</summary>
public sealed class CudaCoreMatrixTests() : CoreMatrixTests("cuda");
