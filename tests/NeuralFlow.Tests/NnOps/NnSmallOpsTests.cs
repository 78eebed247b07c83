using static NeuralFlow.Tests.KerasLayers.ReferenceValues;
using static NeuralFlow.Tests.NnOps.NnOpsReferenceValues;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.NnOps;

/// <summary>
/// The small tf.nn / torch.nn.functional / keras.ops.nn ops on every engine: DepthToSpace and
/// SpaceToDepth (TensorFlow's docstring and channel order, via torch's pixel_shuffle reordered),
/// Unfold and Fold (torch), Cdist (torch, every p), MultiHot (Keras' docstring and rule), Polar
/// (torch), Logdet (torch) and SaturateCast (NumPy clip-then-cast); values from
/// nn_ops_references.py, float64 finite-difference gradients, second order, and bad inputs.
/// </summary>
public abstract class NnSmallOpsTests(string backend) : BackendTest(backend)
{
    private static Tensor D(int[] shape, int seed) => NF.Constant(Vals(shape, seed), shape);

    [SkippableFact]
    public void DepthToSpace_and_SpaceToDepth_match_tensorflow()
    {
        RequireBackend();
        // tf.nn.depth_to_space's docstring: [1, 1, 1, 4] of 1..4 becomes [[[[1], [2]], [[3], [4]]]].
        using var tiny = NF.DepthToSpace(NF.Constant(new[] { 1, 2, 3, 4 }, [1, 1, 1, 4]), 2);
        Assert.Equal(new Shape(1, 2, 2, 1), tiny.Shape);
        Assert.Equal(new[] { 1, 2, 3, 4 }, tiny.ToArray<int>());
        // ... [1, 2, 2, 4] of 1..16 becomes [1, 4, 4, 1] read 1 2 5 6 / 3 4 7 8 / 9 10 13 14 / 11 12 15 16.
        using var docs = NF.DepthToSpace(NF.Reshape(NF.Range(1, 17), [1, 2, 2, 4]), 2);
        Assert.Equal(new[] { 1, 2, 5, 6, 3, 4, 7, 8, 9, 10, 13, 14, 11, 12, 15, 16 }, docs.ToArray<int>());
        using var nchw = NF.DepthToSpace(D([2, 8, 2, 3], 31), 2, "NCHW");
        Assert.Equal(new Shape(2, 2, 4, 6), nchw.Shape);
        AssertClose(DepthToSpaceNchw, nchw.ToArray<double>(), 0, 0, "depth_to_space NCHW");
        using var nhwc = NF.DepthToSpace(D([2, 2, 3, 8], 32), 2);
        Assert.Equal(new Shape(2, 4, 6, 2), nhwc.Shape);
        AssertClose(DepthToSpaceNhwc, nhwc.ToArray<double>(), 0, 0, "depth_to_space NHWC");
        using var s2d = NF.SpaceToDepth(D([2, 3, 4, 6], 33), 2, "NCHW");
        Assert.Equal(new Shape(2, 12, 2, 3), s2d.Shape);
        AssertClose(SpaceToDepthNchw, s2d.ToArray<double>(), 0, 0, "space_to_depth NCHW");
        // Each undoes the other, in both layouts, and on bool.
        using var x = D([2, 4, 6, 4], 34);
        Assert.Equal(x.ToArray<double>(), NF.DepthToSpace(NF.SpaceToDepth(x, 2), 2).ToArray<double>());
        Assert.Equal(x.ToArray<double>(), NF.DepthToSpace(NF.SpaceToDepth(x, 2, "NCHW"), 2, "NCHW").ToArray<double>());
        using var flags = NF.Greater(D([1, 2, 2, 9], 35), 0);
        Assert.Equal(flags.ToArray<bool>(), NF.SpaceToDepth(NF.DepthToSpace(flags, 3), 3).ToArray<bool>());
        Assert.Equal(new Shape(0, 4, 6, 1), NF.DepthToSpace(NF.Zeros(new Shape(0, 2, 3, 4)), 2).Shape);
    }

    [SkippableFact]
    public void Unfold_and_Fold_match_torch()
    {
        RequireBackend();
        using var img = D([2, 3, 5, 6], 41);
        using var u1 = NF.Unfold(img, (2, 3), dilation: (1, 2), padding: (1, 0), stride: (2, 1));
        Assert.Equal(new Shape(2, 18, 6), u1.Shape);
        AssertClose(UnfoldK23D12P10S21, u1.ToArray<double>(), 0, 0, "unfold (2, 3)");
        using var u2 = NF.Unfold(img, 3, padding: 1);
        Assert.Equal(new Shape(2, 27, 30), u2.Shape);
        AssertClose(UnfoldK3P1, u2.ToArray<double>(), 0, 0, "unfold 3");
        using var folded = NF.Fold(D([2, 12, 15], 42), (5, 6), (2, 2), padding: (1, 0), stride: (2, 1));
        Assert.Equal(new Shape(2, 3, 5, 6), folded.Shape);
        AssertClose(FoldOut56K2S21P10, folded.ToArray<double>(), 1e-15, 1e-15, "fold");
        using var f32 = NF.Unfold(F32([1, 2, 3, 3], 43), 2);
        Assert.Equal(DType.Float32, f32.DType);
        Assert.Equal(new Shape(1, 8, 4), f32.Shape);
    }

    [SkippableFact]
    public void Cdist_matches_torch_for_every_p()
    {
        RequireBackend();
        using var a = D([2, 3, 4], 51);
        using var b = D([1, 5, 4], 52);
        foreach (var (p, expected) in new[] { (0.0, CdistP0), (1.0, CdistP1), (2.0, CdistP2), (3.0, CdistP3), (double.PositiveInfinity, CdistPInf), (0.5, CdistP05) })
        {
            using var d = NF.Cdist(a, b, p);
            Assert.Equal(new Shape(2, 3, 5), d.Shape);
            AssertClose(expected, d.ToArray<double>(), 1e-12, 1e-14, $"p = {p}");
        }
        // A point's distance to itself is 0 (and below, so is its gradient).
        using var self = NF.Cdist(a, a);
        foreach (var i in Enumerable.Range(0, 3)) Assert.Equal(0.0, self.ToArray<double>()[i * 3 + i]);
        Assert.Equal(new Shape(2, 3, 5), NF.Cdist(NF.Zeros(new Shape(2, 3, 0), DType.Float64), NF.Zeros(new Shape(5, 0), DType.Float64)).Shape);
    }

    [SkippableFact]
    public void MultiHot_follows_keras()
    {
        RequireBackend();
        // keras.ops.multi_hot's docstring: [0, 4] with 5 classes is [1, 0, 0, 0, 1] float32.
        using var docs = NF.MultiHot(NF.Constant(new[] { 0, 4 }), 5);
        Assert.Equal(DType.Float32, docs.DType);
        Assert.Equal(new[] { 1f, 0, 0, 0, 1 }, docs.ToArray<float>());
        using var labels = NF.Constant(new[,] { { 0, 2, 2 }, { 4, 1, 7 } });
        using var rows = NF.MultiHot(labels, 5, dtype: DType.Float64);
        Assert.Equal(new Shape(2, 5), rows.Shape);
        Assert.Equal(MultiHot0224175, rows.ToArray<double>());
        using var first = NF.MultiHot(labels, 5, axis: 0, dtype: DType.Float64);
        Assert.Equal(new Shape(5, 3), first.Shape);
        Assert.Equal(MultiHotAxis0, first.ToArray<double>());
        Assert.Equal(new[] { 1, 0, 1 }, NF.MultiHot(NF.Constant(new[] { 2.7f, 0.2f }), 3, dtype: DType.Int32).ToArray<int>());
        Assert.Equal(new float[6], NF.MultiHot(NF.Zeros(new Shape(2, 0), DType.Int32), 3).ToArray<float>());
    }

    [SkippableFact]
    public void Polar_logdet_and_saturate_cast_match_the_references()
    {
        RequireBackend();
        var (re, im) = NF.Polar(D([2, 3], 61), D([3], 62));
        AssertClose(PolarReal, re.ToArray<double>(), 1e-15, 1e-15, "polar real");
        AssertClose(PolarImag, im.ToArray<double>(), 1e-15, 1e-15, "polar imag");
        var (tr, ti) = NF.Polar(NF.Constant(new[] { 1.0, 2.0 }), NF.Constant(new[] { 0.5, -2.0 }));
        AssertClose(TorchPolarReal, tr.ToArray<double>(), 1e-15, 1e-15, "torch.polar real");
        AssertClose(TorchPolarImag, ti.ToArray<double>(), 1e-15, 1e-15, "torch.polar imag");

        // torch.logdet: positive, negative (NaN) and zero (-inf) determinants.
        using var m = NF.Constant(new[] { 2.0, 1, 1, 3, 0, 1, 1, 0, 1, 2, 2, 4 }, [3, 2, 2]);
        AssertClose(Logdet, NF.Logdet(m).ToArray<double>(), 1e-15, 1e-15, "logdet");

        // NumPy's clip then cast (nn_ops_references.py "saturate").
        using var wide = NF.Constant(new long[] { 300, -5, 100, 255, 256 });
        using var bytes = NF.SaturateCast(wide, DType.UInt8);
        Assert.Equal(DType.UInt8, bytes.DType);
        Assert.Equal(new byte[] { 255, 0, 100, 255, 255 }, bytes.ToArray<byte>());
        using var big = NF.SaturateCast(NF.Constant(new[] { 1e300, double.NegativeInfinity, 1.5, double.PositiveInfinity, double.NaN }), DType.Float32);
        var f = big.ToArray<float>();
        Assert.Equal(new[] { float.MaxValue, float.MinValue, 1.5f, float.MaxValue }, f[..4]);
        Assert.True(float.IsNaN(f[4]));
        Assert.Equal(new[] { 2147483520, int.MinValue, 7, -7 }, NF.SaturateCast(NF.Constant(new[] { 3e9f, -3e9f, 7.9f, -7.9f }), DType.Int32).ToArray<int>());
        Assert.Equal(new[] { int.MaxValue, int.MinValue, 5 }, NF.SaturateCast(NF.Constant(new[] { long.MaxValue, long.MinValue, 5L }), DType.Int32).ToArray<int>());
        // Keras clips to bool's [0, 1] first: -2 becomes 0, false (a plain cast would give true).
        Assert.Equal(new[] { true, false, false, true }, NF.SaturateCast(NF.Constant(new[] { 0.5, 0, -2, 7 }), DType.Bool).ToArray<bool>());
        Assert.Equal(new[] { 3, 255 }, NF.SaturateCast(NF.Constant(new byte[] { 3, 255 }), DType.Int32).ToArray<int>());
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => NF.DepthToSpace(t[0], 2, "NCHW"), GradientTests.In([1, 8, 2, 2], 1));
        GradientTests.Check(t => NF.DepthToSpace(t[0], 2), GradientTests.In([1, 2, 2, 8], 11));
        GradientTests.Check(t => NF.SpaceToDepth(t[0], 2), GradientTests.In([1, 4, 2, 3], 2));
        GradientTests.Check(t => NF.Unfold(t[0], (2, 2), dilation: (1, 2), padding: (1, 1), stride: (1, 2)), GradientTests.In([1, 2, 3, 4], 3));
        GradientTests.Check(t => NF.Fold(t[0], (3, 4), 2, padding: 1, stride: 2), GradientTests.In([1, 8, 6], 4));
        foreach (double p in new[] { 1.0, 2.0, 3.0, double.PositiveInfinity })
            GradientTests.Check(t => NF.Cdist(t[0], t[1], p), GradientTests.In([2, 3, 3], 5), GradientTests.In([4, 3], 6));
        GradientTests.Check(t => NF.Polar(t[0], t[1]).Real * 2 + NF.Polar(t[0], t[1]).Imag, GradientTests.In([3], 7), GradientTests.In([2, 3], 8));
        GradientTests.Check(t => NF.Logdet(NF.MatMul(t[0], t[0], transposeB: true) + NF.Eye(3, dtype: DType.Float64)), GradientTests.In([2, 3, 3], 9));
        GradientTests.Check(t => NF.SaturateCast(t[0], DType.Float64), GradientTests.In([4], 10));
    }

    [SkippableFact]
    public void Cdist_has_a_zero_gradient_at_coinciding_points_and_second_derivatives_work()
    {
        RequireBackend();
        using var x = D([3, 2], 71);
        using var tape = new GradientTape();
        tape.Watch(x);
        var g = tape.Gradient(NF.ReduceSum(NF.Cdist(x, NF.StopGradient(x))), x).ToArray<double>();
        Assert.All(g, v => Assert.True(double.IsFinite(v), $"gradient {v}"));
        SecondOrderCheck.AssertMatchesFiniteDifferences(t => NF.Reshape(NF.Unfold(NF.Square(t), 2), [1, 1, 2, 2]), [1, 1, 2, 2]);
        SecondOrderCheck.AssertMatchesFiniteDifferences(t => NF.DepthToSpace(NF.Sin(t), 2), [1, 1, 1, 4]);
    }

    [SkippableFact]
    public void Bad_inputs_raise_clear_exceptions()
    {
        RequireBackend();
        Assert.Contains("rank 4", Assert.Throws<ArgumentException>(() => NF.DepthToSpace(NF.Zeros(new Shape(2, 2, 4)), 2)).Message);
        Assert.Contains("divisible by blockSize² = 4", Assert.Throws<ArgumentException>(() => NF.DepthToSpace(NF.Zeros(new Shape(1, 2, 2, 6)), 2)).Message);
        Assert.Contains("divisible by blockSize 2", Assert.Throws<ArgumentException>(() => NF.SpaceToDepth(NF.Zeros(new Shape(1, 3, 2, 1)), 2)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.SpaceToDepth(NF.Zeros(new Shape(1, 2, 2, 1)), 1));
        Assert.Contains("\"NHWC\" or \"NCHW\"", Assert.Throws<ArgumentException>(() => NF.DepthToSpace(NF.Zeros(new Shape(1, 1, 1, 4)), 2, "channels_first")).Message);
        Assert.Contains("[N, C, H, W]", Assert.Throws<ArgumentException>(() => NF.Unfold(NF.Zeros(new Shape(3, 4, 4)), 2)).Message);
        Assert.Contains("float32 or float64", Assert.Throws<ArgumentException>(() => NF.Unfold(NF.Zeros(new Shape(1, 1, 3, 3), DType.Int32), 2)).Message);
        Assert.Contains("spans", Assert.Throws<ArgumentException>(() => NF.Unfold(NF.Zeros(new Shape(1, 1, 3, 3)), 4)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Unfold(NF.Zeros(new Shape(1, 1, 3, 3)), 2, stride: 0));
        Assert.Contains("window positions", Assert.Throws<ArgumentException>(() => NF.Fold(NF.Zeros(new Shape(1, 4, 5)), (3, 3), 2)).Message);
        Assert.Contains("divisible by kh * kw", Assert.Throws<ArgumentException>(() => NF.Fold(NF.Zeros(new Shape(1, 5, 4)), (3, 3), 2)).Message);
        Assert.Contains("same number of features", Assert.Throws<ArgumentException>(() => NF.Cdist(NF.Zeros(new Shape(2, 3)), NF.Zeros(new Shape(2, 4)))).Message);
        Assert.Contains("one dtype", Assert.Throws<ArgumentException>(() => NF.Cdist(NF.Zeros(new Shape(2, 3)), NF.Zeros(new Shape(2, 3), DType.Float64))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Cdist(NF.Zeros(new Shape(2, 3)), NF.Zeros(new Shape(2, 3)), -1));
        Assert.Throws<ArgumentException>(() => NF.Cdist(NF.Zeros(new Shape(2, 2, 3)), NF.Zeros(new Shape(3, 2, 3))));
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => NF.MultiHot(NF.Constant(1), 3)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.MultiHot(NF.Constant(new[] { 1 }), 0));
        Assert.Contains("one dtype", Assert.Throws<ArgumentException>(() => NF.Polar(NF.Zeros(new Shape(2)), NF.Zeros(new Shape(2), DType.Float64))).Message);
        Assert.Throws<ArgumentException>(() => NF.Polar(NF.Zeros(new Shape(2)), NF.Zeros(new Shape(3))));
        Assert.Throws<ArgumentException>(() => NF.Logdet(NF.Zeros(new Shape(2, 3))));
    }
}

public sealed class ManagedNnSmallOpsTests() : NnSmallOpsTests("managed");

public sealed class NativeCpuNnSmallOpsTests() : NnSmallOpsTests("cpu");

public sealed class CudaNnSmallOpsTests() : NnSmallOpsTests("cuda");
