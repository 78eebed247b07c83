using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe5;

/// <summary>
/// Edge cases a Keras user meets with the same layers and nn ops: ConvLSTM masks (masked steps repeat the last
/// output), GroupedQueryAttention with causal, sliding-window and padding masks across query/value lengths,
/// all-false attention masks, nested Pipelines with plain layers, constant and empty image batches, CTC labels
/// that cannot fit, empty decodes, and finite gradients of Cdist/Logdet/Polar at their awkward points.
/// </summary>
public abstract class NewLayersEdgeCaseTests(string backend) : BackendTest(backend)
{
    private static bool Finite(Tensor t) => NF.Cast(t, DType.Float64).ToArray<double>().All(double.IsFinite);

    [SkippableFact]
    public void ConvLstm_mask_keeps_state()
    {
        RequireBackend();
        var x = NF.Random.Uniform([2, 3, 3, 4, 1]);
        var layer = new Layers.ConvLSTM2D(2, [3], padding: "same", returnSequences: true);
        var mask = NF.Constant(new bool[,] { { true, true, false }, { true, false, false } });
        var y = layer.Call(x, mask);
        var yv = y.ToArray<float>();
        Assert.True(Finite(y));
        // Keras' RNN keeps the last unmasked step's output at masked steps.
        var yr = NF.Reshape(y, [2, 3, 24]).ToArray<float>();
        Assert.Equal(yr.Skip(24).Take(24), yr.Skip(48).Take(24));
        Assert.Equal(yr.Skip(72).Take(24), yr.Skip(96).Take(24));
    }

    [SkippableFact]
    public void Gqa_causal_with_cross_masks_and_float64()
    {
        RequireBackend();
        using var temp = new TempDirectory();
        var qi = Layers.Input([4]);
        var vi = Layers.Input([6]);
        var q = new Layers.Embedding(5, 8, maskZero: true).Call(qi);
        var v = new Layers.Embedding(5, 8, maskZero: true).Call(vi);
        var a = new Layers.GroupedQueryAttention(2, 4, 1, useGate: true, slidingWindow: 2).Call(q, v, useCausalMask: true);
        var model = new Model([qi, vi], new Layers.Dense(1).Call(new Layers.GlobalAveragePooling1D().Call(a)));
        var xq = NF.Constant(new float[,] { { 1, 2, 0, 0 }, { 3, 0, 0, 0 } });
        var xv = NF.Constant(new float[,] { { 1, 2, 3, 4, 0, 0 }, { 4, 0, 0, 0, 0, 0 } });
        var p = model.Predict(new[] { xq, xv });
        Assert.True(Finite(p));
        model.Compile(new Optimizers.Adam(0.01), Losses.Get("mse"));
        var h = model.Fit(new[] { xq, xv }, NF.Ones(new Shape(2, 1)), batchSize: 1, epochs: 1, verbose: 0);
        Assert.True(double.IsFinite(h["loss"][0]));
        var path = temp.File("gqa.keras");
        model.Save(path);
        Assert.Equal(model.Predict(new[] { xq, xv }).ToArray<float>(), Model.Load(path).Predict(new[] { xq, xv }).ToArray<float>());
        var l = new Layers.GroupedQueryAttention(4, 2, 2);
        var o = l.Call(NF.Cast(NF.Random.Uniform([1, 3, 5]), DType.Float64), NF.Cast(NF.Random.Uniform([1, 2, 5]), DType.Float64));
        Assert.Equal(new Shape(1, 3, 5), o.Shape);
    }

    [SkippableFact]
    public void Dot_product_attention_all_false_mask()
    {
        RequireBackend();
        var q = NF.Random.Uniform([1, 2, 1, 4]);
        var mask = NF.Zeros(new Shape(1, 1, 2, 2), DType.Bool);
        var o = NF.DotProductAttention(q, q, q, mask: mask);
        Assert.True(Finite(o));
        var e = NF.DotProductAttention(NF.Zeros(new Shape(0, 2, 1, 4)), NF.Zeros(new Shape(0, 2, 1, 4)), NF.Zeros(new Shape(0, 2, 1, 4)));
        Assert.Equal(new Shape(0, 2, 1, 4), e.Shape);
    }

    [SkippableFact]
    public void Pipeline_with_plain_layers_and_nesting_round_trips()
    {
        RequireBackend();
        using var temp = new TempDirectory();
        var inner = new Layers.Pipeline([new Layers.RandomFlip(), new Layers.RandomGaussianBlur(seed: 1)], name: "inner");
        var pipe = new Layers.Pipeline([new Layers.Rescaling(1.0 / 255), inner, new Layers.Equalization(valueRange: (0, 1))]);
        var model = new Sequential(Layers.Input([3, 5, 3]), pipe, new Layers.Flatten(), new Layers.Dense(2));
        var x = NF.Random.Uniform([2, 3, 5, 3], 0, 255);
        var p = model.Predict(x);
        var path = temp.File("pipe.keras");
        model.Save(path);
        Assert.Equal(p.ToArray<float>(), Model.Load(path).Predict(x).ToArray<float>());
        var (imgs, labels) = pipe.CallWithLabels(x, NF.Ones(new Shape(2, 4)), true);
        Assert.Equal(x.Shape, imgs.Shape);
        Assert.Equal(new Shape(2, 4), labels.Shape);
    }

    [SkippableFact]
    public void Image_layers_constant_images_and_empty_batches()
    {
        RequireBackend();
        var constant = NF.Fill(new Shape(2, 3, 5, 3), 7f);
        var empty = NF.Zeros(new Shape(0, 3, 5, 3));
        foreach (var l in new Layer[] { new Layers.RandomGaussianBlur(), new Layers.RandomPerspective(), new Layers.Equalization(), new Layers.RandomColorDegeneration(0.5),
                     new Layers.RandomElasticTransform(), new Layers.RandAugment(), new Layers.AugMix(), new Layers.MixUp(), new Layers.CutMix(),
                     new Layers.Pipeline([new Layers.RandomGaussianBlur(), new Layers.Equalization()]) })
        {
            var o = l.Call(constant, training: true);
            Assert.True(Finite(o), l.GetType().Name + " constant");
            Assert.Equal(new Shape(0, 3, 5, 3), l.Call(empty, training: true).Shape);
            var single = l.Call(NF.Random.Uniform([3, 5, 3], 0, 255), training: true);
            Assert.Equal(new Shape(3, 5, 3), single.Shape);
            Assert.Contains("images must be NHWC", Assert.Throws<ArgumentException>(() => l.Call(NF.Random.Uniform([1, 1, 3, 5, 3], 0, 255), training: false)).Message);
        }
    }

    [SkippableFact]
    public void Ctc_edge_cases()
    {
        RequireBackend();
        var logits = NF.Random.Uniform([2, 3, 4]);
        var y = NF.Constant(new int[,] { { 1, 1, 1 }, { 0, 0, 0 } });
        var loss = Losses.CTC.PerExample(y, logits).ToArray<float>();
        Assert.True(float.IsPositiveInfinity(loss[0]) || loss[0] > 0);
        Assert.True(float.IsFinite(loss[1]));
        var y64 = NF.Cast(y, DType.Float32);
        Assert.True(Losses.CTC.PerExample(y64, logits).Shape == new Shape(2));
        var lg64 = NF.Cast(logits, DType.Float64);
        Assert.Equal(DType.Float64, Losses.CTC.PerExample(y, lg64).DType);
        var (dec, sc) = NF.CtcDecode(logits, NF.Constant(new[] { 0, 3 }), "beam_search", beamWidth: 2);
        Assert.True(Finite(sc));
        var (dg, _) = NF.CtcDecode(NF.Zeros(new Shape(0, 3, 4)), NF.Zeros(new Shape(0), DType.Int32));
    }

    [SkippableFact]
    public void Nn_op_gradients_at_edges()
    {
        RequireBackend();
        var x = NF.Constant(new double[,] { { 1, 2 }, { 1, 2 } });
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            var d = NF.Cdist(x, x, 3);
            var g = tape.Gradient(NF.ReduceSum(d), x);
            Assert.True(Finite(g));
        }
        var mat = NF.Constant(new float[,] { { 2, 1 }, { 1, 3 } });
        using (var tape = new GradientTape())
        {
            tape.Watch(mat);
            var g = tape.Gradient(NF.Logdet(mat), mat);
            Assert.True(Finite(g));
        }
        var r = NF.Constant(new float[] { 0, 1 });
        using (var tape = new GradientTape())
        {
            tape.Watch(r);
            var (re, im) = NF.Polar(r, NF.Constant(new float[] { 0.5f, 1 }));
            Assert.True(Finite(tape.Gradient(NF.ReduceSum(re + im), r)));
        }
        Assert.Throws<ArgumentException>(() => NF.DepthToSpace(NF.Zeros(new Shape(1, 2, 2, 3)), 2));
        // keras.ops.multi_hot (one_hot underneath) ignores an out-of-range index.
        Assert.Equal(new float[] { 0, 0, 0, 0 }, NF.MultiHot(NF.Constant(new[] { 5 }), 4).ToArray<float>());
        var s = NF.SaturateCast(NF.Constant(new[] { 1e10, -1e10 }), DType.Int32);
        Assert.Equal(new[] { int.MaxValue, int.MinValue }, s.ToArray<int>());
    }
}

public sealed class ManagedNewLayersEdgeCaseTests() : NewLayersEdgeCaseTests("managed");
public sealed class NativeCpuNewLayersEdgeCaseTests() : NewLayersEdgeCaseTests("cpu");
public sealed class CudaNewLayersEdgeCaseTests() : NewLayersEdgeCaseTests("cuda");
