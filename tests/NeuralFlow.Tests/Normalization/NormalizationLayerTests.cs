using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// Keras BatchNormalization and LayerNormalization on every backend: Keras defaults and weights,
/// training vs inference statistics (Fit, Evaluate, Predict, Call(x, training)), the moving
/// averages after Fit against a hand computation, a small CNN that trains, Summary's counts,
/// errors naming the layer, and Save/Load round trips.
/// </summary>
public abstract class NormalizationLayerTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Batch_normalization_has_keras_defaults_and_weights()
    {
        RequireBackend();
        var bn = new Layers.BatchNormalization();
        Assert.Equal(-1, bn.Axis);
        Assert.Equal(0.99, bn.Momentum);
        Assert.Equal(1e-3, bn.Epsilon);
        Assert.True(bn.Center && bn.Scale);
        using var x = NF.Random.Uniform([2, 3, 3, 4]);
        bn.Call(x);
        Assert.Equal(["gamma", "beta", "moving_mean", "moving_variance"], bn.Variables.Select(v => v.Name!.Split('/')[1]));
        Assert.Equal([bn.Gamma!, bn.Beta!], bn.TrainableVariables);
        Assert.Equal([bn.MovingMean!, bn.MovingVariance!], bn.NonTrainableVariables);
        Assert.Equal(new float[] { 1, 1, 1, 1 }, bn.Gamma!.ToArray<float>());
        Assert.Equal(new float[] { 0, 0, 0, 0 }, bn.MovingMean!.ToArray<float>());
        Assert.Equal(new float[] { 1, 1, 1, 1 }, bn.MovingVariance!.ToArray<float>());
        var config = bn.GetConfig();
        Assert.Equal(0.99, config["momentum"]!.GetValue<double>());
        Assert.Equal("ones", config["moving_variance_initializer"]!.GetValue<string>());

        var plain = new Layers.BatchNormalization(axis: 1, center: false, scale: false);
        plain.Call(x);
        Assert.Null(plain.Gamma);
        Assert.Null(plain.Beta);
        Assert.Equal(new Shape(3), plain.MovingMean!.Shape);
        Assert.Empty(plain.TrainableVariables);
    }

    [SkippableFact]
    public void Summary_counts_the_moving_statistics_as_non_trainable()
    {
        RequireBackend();
        // Keras: BatchNormalization of 32 channels has 128 parameters, 64 of them non-trainable.
        var model = new Sequential(new Layers.BatchNormalization());
        model.Call(NF.Zeros([1, 4, 4, 32]));
        var text = model.SummaryText();
        Assert.Contains("Total params: 128", text);
        Assert.Contains("Trainable params: 64", text);
        Assert.Contains("Non-trainable params: 64", text);
        Assert.Equal(2, model.NonTrainableVariables.Count);
    }

    [SkippableFact]
    public void Training_mode_uses_the_batch_and_updates_the_moving_statistics()
    {
        RequireBackend();
        var (v, _) = GradientTests.In([6, 3], 51);
        using var x = NF.Constant(v.Select(d => (float)d).ToArray(), [6, 3]);
        var bn = new Layers.BatchNormalization(momentum: 0.9, betaInitializer: "ones");

        // Inference (Call(x), the default): the moving statistics, which start at 0 and 1.
        var inference = bn.Call(x).ToArray<float>();
        AssertClose(v.Select(d => d / Math.Sqrt(1 + 1e-3) + 1).ToArray(), inference.Select(f => (double)f).ToArray(), 1e-6, 1e-6, "inference");
        Assert.Equal(new float[3], bn.MovingMean!.ToArray<float>());

        // Training: the batch's statistics, and moving = moving * 0.9 + batch * 0.1.
        var (want, mean, variance) = NF.BatchNormalizationTraining(x, bn.Gamma, bn.Beta, epsilon: 1e-3);
        Assert.Equal(want.ToArray<float>(), bn.Call(x, training: true).ToArray<float>());
        var m = mean.ToArray<float>();
        var s = variance.ToArray<float>();
        AssertClose(m.Select(t => 0.1 * t).ToArray(), bn.MovingMean.ToArray<float>().Select(f => (double)f).ToArray(), 1e-6, 1e-7, "moving mean");
        AssertClose(s.Select(t => 0.9 + 0.1 * t).ToArray(), bn.MovingVariance!.ToArray<float>().Select(f => (double)f).ToArray(), 1e-6, 1e-7, "moving variance");
        // Keras' rule takes the biased batch variance.
        for (int f = 0; f < 3; f++)
        {
            var column = Enumerable.Range(0, 6).Select(i => (double)(float)v[i * 3 + f]).ToArray();
            double cm = column.Average();
            Assert.Equal(column.Sum(c => (c - cm) * (c - cm)) / 6, s[f], 5);
        }

        // Back to inference: no update.
        var before = bn.MovingMean.ToArray<float>();
        bn.Call(x);
        Assert.Equal(before, bn.MovingMean.ToArray<float>());
    }

    [SkippableFact]
    public void Fit_moves_the_averages_batch_by_batch_as_keras_and_predict_uses_them()
    {
        RequireBackend();
        NF.Random.SetSeed(52);
        const int n = 40, c = 3, batch = 10, epochs = 2;
        var data = RandomValues(n * c, 53, 1, 4);
        using var x = NF.Constant(data.Select(d => (float)d).ToArray(), [n, c]);
        using var y = NF.Zeros([n, c]);
        var model = new Sequential(new Layers.BatchNormalization(name: "bn"));
        model.Compile(new Optimizers.SGD(0.01f), "mse");
        model.Fit(x, y, batchSize: batch, epochs: epochs, verbose: 0, shuffle: false);

        // By hand: the layer sees the data itself (it is first), 4 batches per epoch, in order.
        var mm = new double[c];
        var mv = Enumerable.Repeat(1.0, c).ToArray();
        for (int e = 0; e < epochs; e++)
            for (int b = 0; b < n / batch; b++)
                for (int f = 0; f < c; f++)
                {
                    var col = Enumerable.Range(b * batch, batch).Select(i => (double)(float)data[i * c + f]).ToArray();
                    double m = col.Average(), v = col.Sum(t => (t - m) * (t - m)) / batch;
                    mm[f] = mm[f] * 0.99 + m * 0.01;
                    mv[f] = mv[f] * 0.99 + v * 0.01;
                }
        var bn = (Layers.BatchNormalization)model.Layers[0];
        AssertClose(mm, bn.MovingMean!.ToArray<float>().Select(f => (double)f).ToArray(), 1e-5, 1e-6, "moving mean");
        AssertClose(mv, bn.MovingVariance!.ToArray<float>().Select(f => (double)f).ToArray(), 1e-5, 1e-6, "moving variance");

        // Predict and Evaluate normalize with the moving statistics and leave them alone.
        var gamma = bn.Gamma!.ToArray<float>();
        var beta = bn.Beta!.ToArray<float>();
        var predicted = model.Predict(x).ToArray<float>();
        var expected = new double[n * c];
        for (int i = 0; i < n; i++)
            for (int f = 0; f < c; f++)
                expected[i * c + f] = ((float)data[i * c + f] - (double)bn.MovingMean.ToArray<float>()[f]) /
                    Math.Sqrt((double)bn.MovingVariance.ToArray<float>()[f] + 1e-3) * gamma[f] + beta[f];
        AssertClose(expected, predicted.Select(f => (double)f).ToArray(), 1e-5, 1e-5, "predict");
        var meanBefore = bn.MovingMean.ToArray<float>();
        float loss = model.Evaluate(x, y, batchSize: 7)["loss"];
        Assert.Equal(meanBefore, bn.MovingMean.ToArray<float>());
        Assert.Equal(expected.Average(t => t * t), loss, 4);
    }

    [SkippableFact]
    public void A_small_cnn_with_batch_normalization_trains()
    {
        RequireBackend();
        NF.Random.SetSeed(54);
        var ((xTrain, yTrain), _) = NeuralFlow.Data.Datasets.Mnist.LoadSample();
        var x = NF.Reshape(NF.Cast(xTrain[..600], DType.Float32) / 255f, [-1, 28, 28, 1]);
        var model = new Sequential(
            new Layers.Conv2D(8, 3, useBias: false),
            new Layers.BatchNormalization(),
            new Layers.ReLU(),
            new Layers.MaxPooling2D(),
            new Layers.Flatten(),
            new Layers.Dense(10, activation: "softmax"));
        model.Compile(new Optimizers.Adam(0.003f), "sparse_categorical_crossentropy", ["accuracy"]);
        var history = model.Fit(x, yTrain[..600], batchSize: 32, epochs: 3, verbose: 0);
        var loss = history["loss"];
        Assert.True(loss[2] < loss[0] * 0.7f, $"loss {string.Join(", ", loss)}");
        var bn = (Layers.BatchNormalization)model.Layers[1];
        Assert.True(bn.MovingMean!.ToArray<float>().Any(v => v != 0), "the moving mean never moved");
        Assert.Equal(8 * 9 + 4 * 8 + 13 * 13 * 8 * 10 + 10, model.Variables.Sum(v => (int)v.Count));
        Assert.Equal(2 * 8, model.NonTrainableVariables.Sum(v => (int)v.Count));
    }

    [SkippableFact]
    public void Errors_name_the_layer()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.BatchNormalization(axis: 3, name: "bn_axis").Call(NF.Zeros([2, 3])));
        Assert.Contains("bn_axis", e.Message);
        Assert.Contains("axis 3", e.Message);
        var bn = new Layers.BatchNormalization(name: "bn_features");
        bn.Call(NF.Zeros([2, 3]));
        var a = Assert.Throws<ArgumentException>(() => bn.Call(NF.Zeros([2, 4])));
        Assert.Contains("bn_features", a.Message);
        Assert.Contains("3 features", a.Message);
        Assert.Contains("(2, 4)", a.Message);
        a = Assert.Throws<ArgumentException>(() => bn.Call(NF.Zeros([2, 1, 3])));
        Assert.Contains("rank 2", a.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.BatchNormalization(momentum: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.LayerNormalization(epsilon: -1));

        e = Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.LayerNormalization(axis: -3, name: "ln_axis").Call(NF.Zeros([2, 3])));
        Assert.Contains("ln_axis", e.Message);
        var ln = new Layers.LayerNormalization(name: "ln_features");
        ln.Call(NF.Zeros([2, 5]));
        a = Assert.Throws<ArgumentException>(() => ln.Call(NF.Zeros([2, 6])));
        Assert.Contains("ln_features", a.Message);
        Assert.Contains("(2, 6)", a.Message);
    }

    [SkippableFact]
    public void Layer_normalization_normalizes_each_sample_over_its_axes()
    {
        RequireBackend();
        NF.Random.SetSeed(55);
        using var x = NF.Random.Uniform([3, 4, 5]);
        var ln = new Layers.LayerNormalization(gammaInitializer: "random_normal", betaInitializer: "random_uniform");
        Assert.Equal(1e-3, ln.Epsilon);
        var y = ln.Call(x);
        Assert.Equal(new Shape(5), ln.Gamma!.Shape);
        Assert.Equal(NF.LayerNormalization(x, ln.Gamma, ln.Beta, [-1], 1e-3).ToArray<float>(), y.ToArray<float>());
        // Training and inference agree (no statistics kept).
        Assert.Equal(y.ToArray<float>(), ln.Call(x, training: true).ToArray<float>());

        var two = new Layers.LayerNormalization([1, 2], center: false);
        var z = two.Call(x).ToArray<float>();
        Assert.Equal(new Shape(4, 5), two.Gamma!.Shape);
        Assert.Null(two.Beta);
        for (int s = 0; s < 3; s++)
        {
            var sample = z.Skip(s * 20).Take(20).Select(f => (double)f).ToArray();
            Assert.Equal(0, sample.Average(), 5);
        }
        Assert.Equal(4 * 5, two.TrainableVariables.Sum(v => (int)v.Count));

        // Keras' config: one axis as a number, several as a list.
        Assert.Equal(-1, ln.GetConfig()["axis"]!.GetValue<int>());
        Assert.Equal("[1,2]", two.GetConfig()["axis"]!.ToJsonString());
        Assert.False(two.GetConfig()["center"]!.GetValue<bool>());
    }

    [SkippableFact]
    public void Models_with_normalization_save_and_load_the_same_bits()
    {
        RequireBackend();
        NF.Random.SetSeed(56);
        using var x = NF.Random.Uniform([8, 6, 6, 2]);
        using var y = NF.Random.Uniform([8], 0, 3, DType.Int32);
        var model = new Sequential(
            new Layers.Conv2D(4, 3, padding: "same"),
            new Layers.BatchNormalization(momentum: 0.8, epsilon: 1e-4, movingVarianceInitializer: "ones"),
            new Layers.ReLU(),
            new Layers.LayerNormalization([1, 2, 3], epsilon: 1e-5, scale: false),
            new Layers.BatchNormalization(axis: 1, center: false),
            new Layers.Flatten(),
            new Layers.Dense(3, activation: "softmax"));
        model.Compile("adam", "sparse_categorical_crossentropy");
        model.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0);
        string path = Temp.File("norm.nfmodel");
        model.Save(path);
        var loaded = Assert.IsType<Sequential>(Model.Load(path));
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
        var a = model.Variables;
        var b = loaded.Variables;
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Trainable, b[i].Trainable);
            Assert.Equal(a[i].ToArray<float>(), b[i].ToArray<float>());
        }
        Assert.Equal(4, loaded.NonTrainableVariables.Count);
        for (int l = 0; l < model.Layers.Count; l++)
            Assert.True(JsonNode.DeepEquals(model.Layers[l].GetConfig(), loaded.Layers[l].GetConfig()),
                $"layer {l}: {model.Layers[l].GetConfig()} vs {loaded.Layers[l].GetConfig()}");
        // Training resumes from the loaded moving statistics exactly as from the original's.
        loaded.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, shuffle: false);
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, shuffle: false);
        Assert.Equal(((Layers.BatchNormalization)model.Layers[1]).MovingMean!.ToArray<float>(),
                     ((Layers.BatchNormalization)loaded.Layers[1]).MovingMean!.ToArray<float>());
    }
}

public sealed class ManagedNormalizationLayerTests() : NormalizationLayerTests("managed");

public sealed class NativeCpuNormalizationLayerTests() : NormalizationLayerTests("cpu");

public sealed class CudaNormalizationLayerTests() : NormalizationLayerTests("cuda");
