using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe5;

/// <summary>
/// User programs over the layers that landed together (ConvLSTM1D/2D/3D, GroupedQueryAttention, the Keras 3
/// augmentation layers and Pipeline, CTC): Sequential and functional models compiled, fit with batch size 1 under
/// NF.Function and eagerly, evaluated, predicted, summarised, saved as .keras and as weights, loaded and trained on;
/// odd image sizes (1x1, 3x5), uint8 and float64 inputs, and a Keras-OCR-style CTC model that must learn.
/// </summary>
public abstract class NewLayersTrainSaveTests(string backend) : BackendTest(backend)
{

    private static bool Finite(Tensor t) => t.ToArray<float>().All(float.IsFinite);

    private void TrainSaveReload(Func<Model> build, Tensor x, Tensor y, string loss, bool eager, string ext)
    {
        using var temp = new TempDirectory();
        NF.Random.SetSeed(5);
        var model = build();
        model.Compile(new Optimizers.Adam(0.01), Losses.Get(loss), runEagerly: eager);
        var h = model.Fit(x, y, batchSize: 1, epochs: 1, verbose: 0);
        Assert.All(h["loss"], v => Assert.True(double.IsFinite(v), $"loss {v}"));
        var ev = model.Evaluate(x, y, batchSize: 2);
        var p = model.Predict(x, batchSize: 3);
        Assert.True(Finite(p));
        var sw = new StringWriter();
        model.Summary(sw);
        string path = temp.File("m" + ext);
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(p.ToArray<float>(), loaded.Predict(x, batchSize: 3).ToArray<float>());
        var wpath = temp.File("m.weights.h5");
        model.SaveWeights(wpath);
        var fresh = build();
        fresh.Predict(x);
        fresh.LoadWeights(wpath);
        Assert.Equal(p.ToArray<float>(), fresh.Predict(x, batchSize: 3).ToArray<float>());
        loaded.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0);
        Assert.True(Finite(loaded.Predict(x)));
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void ConvLstm2D_odd_images(bool eager)
    {
        RequireBackend();
        var x = NF.Random.Uniform([3, 2, 3, 5, 2]);
        var y = NF.Random.Uniform([3, 1]);
        TrainSaveReload(() => new Sequential(Layers.Input([2, 3, 5, 2]), new Layers.ConvLSTM2D(3, [2, 3], padding: "same", returnSequences: false, dropout: 0.1, recurrentDropout: 0.1),
            new Layers.Flatten(), new Layers.Dense(1)), x, y, "mse", eager, ".keras");
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void ConvLstm1D_and_3D_one_by_one(bool eager)
    {
        RequireBackend();
        var x = NF.Random.Uniform([2, 3, 1, 1]);
        var y = NF.Random.Uniform([2, 2]);
        TrainSaveReload(() => new Sequential(Layers.Input([3, 1, 1]), new Layers.ConvLSTM1D(2, 1, padding: "same"), new Layers.Flatten()), x, y, "mse", eager, ".keras");
        var x3 = NF.Random.Uniform([2, 2, 1, 1, 1, 1]);
        TrainSaveReload(() => new Sequential(Layers.Input([2, 1, 1, 1, 1]), new Layers.ConvLSTM3D(2, [1], padding: "same"), new Layers.Flatten()), x3, y, "mse", eager, ".keras");
    }

    [SkippableFact]
    public void ConvLstm_float64_input()
    {
        RequireBackend();
        var layer = new Layers.ConvLSTM2D(2, [3], padding: "same");
        var y = layer.Call(NF.Cast(NF.Random.Uniform([1, 2, 3, 5, 1]), DType.Float64));
        Assert.Equal(DType.Float32, y.DType); Assert.True(Finite(y));
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Gqa_with_embedding_mask(bool eager)
    {
        RequireBackend();
        var x = NF.Constant(new float[,] { { 1, 2, 3, 0, 0 }, { 4, 0, 0, 0, 0 }, { 1, 1, 1, 1, 1 } });
        var y = NF.Random.Uniform([3, 2]);
        TrainSaveReload(() =>
        {
            var inp = Layers.Input([5]);
            var e = new Layers.Embedding(6, 8, maskZero: true).Call(inp);
            var a = new Layers.GroupedQueryAttention(4, 4, 2, dropout: 0.1).Call(e, e);
            var o = new Layers.Dense(2).Call(new Layers.GlobalAveragePooling1D().Call(a));
            return new Model(inp, o);
        }, x, y, "mse", eager, ".keras");
    }

    [SkippableFact]
    public void Gqa_all_masked_row_is_finite()
    {
        RequireBackend();
        var q = NF.Random.Uniform([1, 3, 8]);
        var layer = new Layers.GroupedQueryAttention(4, 2, 1);
        var mask = NF.Zeros(new Shape(1, 3, 3), DType.Bool);
        var o = layer.Call(q, q, attentionMask: mask);
        Assert.True(Finite(o));
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Pipeline_in_sequential(bool eager)
    {
        RequireBackend();
        var x = NF.Random.Uniform([3, 5, 7, 3], 0, 255);
        var y = NF.Random.Uniform([3, 1]);
        TrainSaveReload(() => new Sequential(Layers.Input([5, 7, 3]),
            new Layers.Pipeline([new Layers.RandomGaussianBlur(), new Layers.RandomPerspective(), new Layers.RandomColorDegeneration(0.5), new Layers.Equalization(), new Layers.RandomElasticTransform()]),
            new Layers.Rescaling(1.0 / 255), new Layers.Conv2D(2, 3), new Layers.Flatten(), new Layers.Dense(1)), x, y, "mse", eager, ".keras");
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void RandAugment_AugMix_in_sequential(bool eager)
    {
        RequireBackend();
        var x = NF.Random.Uniform([2, 4, 3, 3], 0, 255);
        var y = NF.Random.Uniform([2, 1]);
        TrainSaveReload(() => new Sequential(Layers.Input([4, 3, 3]), new Layers.RandAugment(), new Layers.AugMix(),
            new Layers.Flatten(), new Layers.Dense(1)), x, y, "mse", eager, ".keras");
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void MixUp_CutMix_in_sequential(bool eager)
    {
        RequireBackend();
        var x = NF.Random.Uniform([4, 3, 5, 3]);
        var y = NF.Random.Uniform([4, 1]);
        TrainSaveReload(() => new Sequential(Layers.Input([3, 5, 3]), new Layers.MixUp(), new Layers.CutMix(),
            new Layers.Flatten(), new Layers.Dense(1)), x, y, "mse", eager, ".keras");
    }

    [SkippableFact]
    public void Image_layers_uint8_and_1x1()
    {
        RequireBackend();
        var u8 = NF.Cast(NF.Random.Uniform([2, 1, 1, 3], 0, 255), DType.UInt8);
        foreach (var l in new Layer[] { new Layers.RandomGaussianBlur(), new Layers.RandomPerspective(), new Layers.Equalization(), new Layers.RandomColorDegeneration(0.5),
                     new Layers.RandomElasticTransform(), new Layers.RandAugment(), new Layers.AugMix(), new Layers.MixUp(), new Layers.CutMix() })
        {
            var o = l.Call(u8, training: true);
            Assert.Equal(u8.Shape, o.Shape);
            var f = l.Call(NF.Cast(NF.Random.Uniform([1, 3, 5, 3], 0, 255), DType.Float64), training: true);
            Assert.Equal(new Shape(1, 3, 5, 3), f.Shape);
        }
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Ctc_ocr_model_trains(bool eager)
    {
        RequireBackend();
        using var temp = new TempDirectory();
        NF.Random.SetSeed(1);
        var x = NF.Random.Uniform([4, 16, 8, 1]);
        var y = NF.Constant(new int[,] { { 1, 2, 0 }, { 3, 3, 1 }, { 2, 0, 0 }, { 4, 1, 2 } });
        var inp = Layers.Input([16, 8, 1]);
        var h = new Layers.Conv2D(4, 3, padding: "same", activation: "relu").Call(inp);
        h = new Layers.Reshape([16, 32]).Call(h);
        h = new Layers.Bidirectional(new Layers.LSTM(8, returnSequences: true)).Call(h);
        var o = new Layers.Dense(5, activation: "softmax").Call(h);
        var model = new Model(inp, o);
        model.Compile(new Optimizers.Adam(0.01), new Losses.CTC(), runEagerly: eager);
        var hist = model.Fit(x, y, batchSize: 2, epochs: 3, verbose: 0);
        Assert.All(hist["loss"], v => Assert.True(double.IsFinite(v), $"loss {v}"));
        Assert.True(hist["loss"][^1] < hist["loss"][0]);
        var ev = model.Evaluate(x, y, batchSize: 1);
        var p = model.Predict(x);
        var (dec, _) = NF.CtcDecode(p, NF.Fill(new Shape(4), 16, DType.Int32));
        var path = temp.File("ocr.keras");
        model.Save(path);
        var l = Model.Load(path);
        l.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0);
    }

    [SkippableFact]
    public void Nn_ops_edge_cases()
    {
        RequireBackend();
        var q = NF.Cast(NF.Random.Uniform([1, 2, 2, 4]), DType.Float64);
        var a = NF.DotProductAttention(q, q, q, isCausal: true);
        Assert.Equal(DType.Float64, a.DType);
        var img = NF.Random.Uniform([1, 3, 5, 2]);
        var u = NF.Unfold(NF.Transpose(img, [0, 3, 1, 2]), 2);
        Assert.Equal(new Shape(1, 8, 8), u.Shape);
        var f = NF.Fold(u, (3, 5), (2, 2));
        Assert.Equal(new Shape(1, 2, 3, 5), f.Shape);
        var d = NF.DepthToSpace(NF.Random.Uniform([1, 1, 1, 4]), 2);
        Assert.Equal(new Shape(1, 2, 2, 1), d.Shape);
        var c = NF.Cdist(NF.Random.Uniform([0, 3]), NF.Random.Uniform([2, 3]));
        Assert.Equal(new Shape(0, 2), c.Shape);
        var m = NF.MultiHot(NF.Constant(new[] { 1, 3, 3 }), 4);
        Assert.Equal(new float[] { 0, 1, 0, 1 }, m.ToArray<float>());
        var s = NF.SaturateCast(NF.Constant(new[] { 300.0, -5, double.NaN, double.PositiveInfinity }), DType.UInt8);
        Assert.Equal(new byte[] { 255, 0, 0, 255 }, s.ToArray<byte>());
        var ld = NF.Logdet(NF.Constant(new double[,] { { 2, 0 }, { 0, 3 } }));
        Assert.Equal(Math.Log(6), ld.ToArray<double>()[0], 10);
    }
}

public sealed class ManagedNewLayersTrainSaveTests() : NewLayersTrainSaveTests("managed");
public sealed class NativeCpuNewLayersTrainSaveTests() : NewLayersTrainSaveTests("cpu");
public sealed class CudaNewLayersTrainSaveTests() : NewLayersTrainSaveTests("cuda");
