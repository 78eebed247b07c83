using NeuralFlow.Tests.UserProbe24;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// TensorFlow's Core APIs matrix guide (guide/core/matrix_core.ipynb) in C#: the SVD, the rank-r approximation through
/// einsum, and SVD image compression (by rank, by compression factor and by captured energy). TensorFlow's
/// <c>s, U, V = tf.linalg.svd(A)</c> is <c>var (U, s, Vh) = NF.Svd(A, fullMatrices: false)</c> with
/// <c>V = NF.MatrixTranspose(Vh)</c> (NF returns numpy's and torch's order and Vh; TensorFlow's default is the reduced
/// factorization, NF's the full one as numpy's). A fixed 40x30 matrix in [0, 1] stands in for tf.random.uniform and a
/// synthetic 60x80 RGB image for the downloaded photograph; values from guidecore_matrix_references.py (numpy).
/// </summary>
public abstract class GuideCoreMatrixTests(string backend) : BackendTest(backend)
{
    private static Tensor MatrixA()
    {
        var a = new float[40, 30];
        for (int i = 0; i < 40; i++)
            for (int j = 0; j < 30; j++)
                a[i, j] = (float)(Math.Sin(0.37 * i * j + 0.11 * i + 0.23 * j + 0.5) * 0.5 + 0.5);
        return NF.Constant(a);
    }

    /// <summary>The stand-in photograph: [60, 80, 3] values 0..255 as imread gives them.</summary>
    private static Tensor Image()
    {
        var img = new float[60, 80, 3];
        for (int h = 0; h < 60; h++)
            for (int w = 0; w < 80; w++)
                for (int c = 0; c < 3; c++)
                {
                    double v = 127.5 + 80 * Math.Sin(0.09 * h * (c + 1) + 0.05 * w) + 40 * Math.Cos(0.21 * w - 0.13 * h * c) + 7 * Math.Sin(1.7 * h * w + c);
                    img[h, w, c] = (float)Math.Clamp(Math.Round(v), 0, 255);
                }
        return NF.Constant(img);
    }

    /// <summary>TensorFlow's svd: (s, U, V) of the reduced factorization.</summary>
    private static (Tensor S, Tensor U, Tensor V) Svd(Tensor a)
    {
        var (u, s, vh) = NF.Svd(a, fullMatrices: false);
        return (s, u, NF.MatrixTranspose(vh));
    }

    private static (Tensor Ar, Tensor ArSize) RankRApprox(Tensor s, Tensor u, Tensor v, int r)
    {
        // NF.Ellipsis is Python's `...`: any number of batch axes.
        var (sR, uR, vR) = (s[NF.Ellipsis, ..r], u[NF.Ellipsis, .., ..r], v[NF.Ellipsis, .., ..r]);
        var ar = NF.Einsum("...s,...us,...vs->...uv", sR, uR, vR);
        var arSize = NF.Size(uR) + NF.Size(sR) + NF.Size(vR);
        return (ar, arSize);
    }

    private static (Tensor Ir, float IrProp) CompressImage(Tensor image, int r)
    {
        var iSize = NF.Size(image);
        var scaled = image / 255;
        var iBatched = NF.Transpose(scaled, [2, 0, 1]);   // einops.rearrange(I, 'h w c -> c h w')
        var (s, u, v) = Svd(iBatched);
        var (ir, irSize) = RankRApprox(s, u, v, r);
        ir = NF.Transpose(ir, [1, 2, 0]);
        // int32 / int32 is true division in NF (float32), as TensorFlow's gives float64.
        return (ir, (irSize / iSize).Item<float>());
    }

    [SkippableFact]
    public void The_svd_reconstructs_the_matrix_and_rank_r_approximations_lose_the_left_out_energy()
    {
        RequireBackend();
        var a = MatrixA();
        var (s, u, v) = Svd(a);
        Assert.Equal([new Shape(30), new Shape(40, 30), new Shape(30, 30)], new[] { s.Shape, u.Shape, v.Shape });
        Assert.Equal([17.70673f, 3.2075782f, 3.1407988f, 3.1404176f], s[..4].ToArray<float>(), new Near(2e-5f));
        Assert.Equal(0.9554033f, s[^1].Item<float>(), 1e-5f);

        var sMat = NF.Diag(s);
        var vT = NF.Transpose(v);
        var aSvd = NF.MatMul(NF.MatMul(u, sMat), vT);   // U@S@V_T
        Assert.True(NF.ReduceMax(NF.Abs(a - aSvd)).Item<float>() < 1e-5f);
        aSvd = NF.Einsum("s,us,vs -> uv", s, u, v);
        Assert.True(NF.ReduceMax(NF.Abs(a - aSvd)).Item<float>() < 1e-5f);

        Assert.Equal("Original Size of A: 1200", $"Original Size of A: {NF.Size(a)}");
        var (a15, a15Size) = RankRApprox(s, u, v, 15);
        Assert.Equal("Approximation Size: 1065", $"Approximation Size: {a15Size}");
        Assert.Equal(31.860613f, NF.ReduceSum(NF.Square(a - a15)).Item<float>(), 1e-3f);
        var (a3, a3Size) = RankRApprox(s, u, v, 3);
        Assert.Equal(213, a3Size.Item<int>());
        Assert.Equal(0.7193944f, NF.ReduceMax(NF.Abs(a - a3)).Item<float>(), 1e-4f);

        // The closing cell: the squared Frobenius norm of A - A_10 is the sum of the squared singular values left out.
        var (a10, _) = RankRApprox(s, u, v, 10);
        var squaredNorm = NF.Square(NF.Norm(a - a10));
        var sSquaredSum = NF.ReduceSum(NF.Square(s[10..]));
        Assert.Equal("Squared Frobenius norm: 65.320", FormattableString.Invariant($"Squared Frobenius norm: {squaredNorm.Item<float>():F3}"));
        Assert.Equal("Sum of squared singular values left out: 65.320", FormattableString.Invariant($"Sum of squared singular values left out: {sSquaredSum.Item<float>():F3}"));
    }

    [SkippableFact]
    public void Image_compression_by_rank_by_factor_and_by_energy()
    {
        RequireBackend();
        var image = Image();
        Assert.Equal(new Shape(60, 80, 3), image.Shape);
        Assert.Equal(1772732f, NF.ReduceSum(image).Item<float>());
        Assert.Equal([168f, 173f, 174f], image[0, 0].ToArray<float>());

        var (s, _, _) = Svd(NF.Transpose(image / 255, [2, 0, 1]));
        Assert.Equal(new Shape(3, 60), s.Shape);
        Assert.Equal([34.085678f, 34.191296f, 34.888943f], s[.., 0].ToArray<float>(), new Near(1e-4f));
        Assert.Equal([0.23980027f, 0.19637688f, 0.24613747f], s[.., 9].ToArray<float>(), new Near(1e-4f));

        var (i20, i20Prop) = CompressImage(image, 20);
        Assert.Equal(new Shape(60, 80, 3), i20.Shape);
        Assert.Equal(0.5875f, i20Prop, 1e-6f);
        Assert.Equal(0.00964216f, NF.ReduceMean(NF.Abs(image / 255 - i20)).Item<float>(), 1e-5f);
        var (i10, i10Prop) = CompressImage(image, 10);
        Assert.Equal("Proportion of original size: 0.294", FormattableString.Invariant($"Proportion of original size: {i10Prop:F3}"));
        Assert.Equal(0.013385633f, NF.ReduceMean(NF.Abs(image / 255 - i10)).Item<float>(), 1e-5f);
        // show_img's clipping of the approximation to [0, 1].
        var shown = NF.ClipByValue(i10, 0f, 1f);
        Assert.True(NF.ReduceMin(shown).Item<float>() >= 0f && NF.ReduceMax(shown).Item<float>() <= 1f);

        // compress_image_with_factor: r = int(factor * m * n / (m + n + 1)) = 5 for 0.15.
        var (m, n) = (image.Shape[0], image.Shape[1]);
        int r = (int)(0.15 * m * n / (m + n + 1));
        Assert.Equal(5, r);
        var (i5, i5Prop) = CompressImage(image, r);
        Assert.Equal(0.146875f, i5Prop, 1e-6f);
        Assert.Equal(0.01521044f, NF.ReduceMean(NF.Abs(image / 255 - i5)).Item<float>(), 1e-5f);

        // viz_energy / compress_image_with_energy: the channel-averaged cumulative share of the singular values.
        var propsRgb = NF.Map(x => NF.CumSum(x) / NF.ReduceSum(x), s);
        var propsRgbMean = NF.ReduceMean(propsRgb, axis: 0);
        Assert.Equal([0.51725262f, 0.71074343f, 0.83264774f], propsRgbMean[..3].ToArray<float>(), new Near(1e-5f));
        var energyR = NF.ArgMin(NF.Abs(propsRgbMean - 0.75)) + 1;
        var actualEf = propsRgbMean[energyR];   // the guide reads the next value (its r is 1-based), kept as written
        Assert.Equal(2L, energyR.Item<long>());
        Assert.Equal(0.83264774f, actualEf.Item<float>(), 1e-5f);
        var (iEnergy, _) = CompressImage(image, (int)energyR.Item<long>());
        Assert.Equal(new Shape(60, 80, 3), iEnergy.Shape);
    }
}

/// <summary>The matrix guide on the managed backend.</summary>
public sealed class ManagedGuideCoreMatrixTests() : GuideCoreMatrixTests("managed");

/// <summary>The matrix guide on the native CPU backend.</summary>
public sealed class NativeCpuGuideCoreMatrixTests() : GuideCoreMatrixTests("cpu");

/// <summary>The matrix guide on CUDA.</summary>
public sealed class CudaGuideCoreMatrixTests() : GuideCoreMatrixTests("cuda");
