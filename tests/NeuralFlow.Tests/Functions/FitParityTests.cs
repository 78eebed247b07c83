using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Fit, Evaluate and Predict replay traced steps by default, and <c>Compile(runEagerly: true)</c>
/// gives the same history, weights, evaluation and predictions bit for bit, for models beyond
/// FitTracingTests' convolution: an Embedding, a functional model with merge layers, normalization
/// with PReLU and a binary head, transposed and depthwise convolutions, each with the metrics its
/// loss suggests (accuracies, top-k, precision, recall, AUC, regression errors). Every step must
/// replay: a layer or metric that reads the device on the host would make Fit run eagerly.
/// </summary>
public abstract class FitParityTests(string backend) : BackendTest(backend)
{
    private const int Examples = 40;

    public static TheoryData<string> Cases => new() { "embedding", "merge", "norm", "conv" };

    private static Model Make(string kind) => kind switch
    {
        "embedding" => new Sequential(new Layers.Embedding(10, 4), new Layers.Flatten(), new Layers.Dense(3)),
        "merge" => Merged(),
        "norm" => new Sequential(new Layers.Dense(6), new Layers.LayerNormalization(), new Layers.PReLU(), new Layers.Dropout(0.2), new Layers.Dense(1, activation: "sigmoid")),
        _ => new Sequential(new Layers.Conv2DTranspose(2, 3, strides: 2), new Layers.DepthwiseConv2D(3), new Layers.AveragePooling2D(),
                            new Layers.GlobalAveragePooling2D(), new Layers.Dense(3)),
    };

    private static Model Merged()
    {
        var input = Layers.Input([5]);
        var a = new Layers.Dense(4, activation: "relu").Call(input);
        var b = new Layers.Dense(4).Call(input);
        var merged = new Layers.Concatenate().Call([new Layers.Add().Call([a, b]), new Layers.Multiply().Call([a, b])]);
        return new Model(input, new Layers.Dense(3, activation: "softmax").Call(merged));
    }

    private static (Losses.Loss Loss, object[] Metrics) Compiled(string kind) => kind switch
    {
        "embedding" => (new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy", "sparse_top_k_categorical_accuracy"]),
        "merge" => (new Losses.CategoricalCrossentropy(), ["accuracy", "top_k_categorical_accuracy"]),
        "norm" => (new Losses.BinaryCrossentropy(), ["accuracy", "precision", "recall", "auc"]),
        _ => (new Losses.MeanSquaredError(), ["mae", "root_mean_squared_error"]),
    };

    private static (Tensor X, Tensor Y) Data(string kind)
    {
        NF.Random.SetSeed(31);
        var labels = NF.Random.Uniform([Examples], minval: 0, maxval: 3, dtype: DType.Int32);
        return kind switch
        {
            "embedding" => (NF.Random.Uniform([Examples, 6], minval: 0, maxval: 10, dtype: DType.Int32), labels),
            "merge" => (NF.Random.Normal([Examples, 5]), NF.OneHot(labels, 3)),
            "norm" => (NF.Random.Normal([Examples, 5]), NF.Cast(NF.Greater(NF.Random.Uniform([Examples, 1]), 0.5f), DType.Float32)),
            _ => (NF.Random.Normal([Examples, 4, 4, 1]), NF.Random.Normal([Examples, 3])),
        };
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Fit_evaluate_and_predict_replay_and_match_run_eagerly(string kind)
    {
        RequireBackend();
        var (x, y) = Data(kind);
        var runs = new[] { true, false }.Select(eager =>
        {
            NF.Random.SetSeed(32);
            var model = Make(kind);
            var (loss, metrics) = Compiled(kind);
            model.Compile(new Optimizers.Adam(0.01), loss, metrics, runEagerly: eager);
            NF.Random.SetSeed(33);
            // 32 training examples in batches of 12: a last batch of 8, a second signature.
            var history = model.Fit(x, y, batchSize: 12, epochs: 3, verbose: 0, validationSplit: 0.2);
            var fit = model.TrainFunction;
            var evaluation = model.Evaluate(x, y, batchSize: 16);
            var predictions = model.Predict(x, batchSize: 16).ToArray<float>();
            if (!eager)
                foreach (var f in new[] { fit, model.TestFunction, model.PredictFunction })
                {
                    Assert.True(f is { ReplayCount: > 0 }, $"{kind}: {f?.Name} never replayed ({f?.EagerReason})");
                    Assert.Null(f!.EagerReason);
                }
            return (Trained: Trained(model, history), Evaluation: evaluation.Values.ToArray(), Predictions: predictions);
        }).ToArray();
        AssertSame(kind, runs[0].Trained, runs[1].Trained);
        Assert.Equal(runs[0].Evaluation, runs[1].Evaluation);
        Assert.True(runs[0].Predictions.AsSpan().SequenceEqual(runs[1].Predictions), $"{kind}: predictions differ");
    }

    // A Fit's history (every entry, every epoch) and the model's variables after it.
    private static (string[] History, float[][] Weights) Trained(Model model, History history) =>
        (history.Keys.Order().Select(k => k + "=" + string.Join(",", history[k])).ToArray(), model.Variables.Select(v => v.ToArray<float>()).ToArray());

    private static void AssertSame(string what, (string[] History, float[][] Weights) eager, (string[] History, float[][] Weights) replayed)
    {
        Assert.Equal(eager.History, replayed.History);
        Assert.Equal(eager.Weights.Length, replayed.Weights.Length);
        for (int i = 0; i < eager.Weights.Length; i++)
            Assert.True(eager.Weights[i].AsSpan().SequenceEqual(replayed.Weights[i]), $"{what}: variable {i} differs");
    }

    [SkippableFact]
    public void Sample_weights_class_weights_and_weight_penalties_replay_as_run_eagerly()
    {
        RequireBackend();
        var (x, y) = Data("embedding");
        NF.Random.SetSeed(34);
        var sampleWeight = NF.Random.Uniform([Examples], minval: 0.5, maxval: 2);
        var classWeight = new Dictionary<int, double> { [0] = 2.0, [2] = 0.5 };
        var runs = new[] { true, false }.Select(eager =>
        {
            NF.Random.SetSeed(32);
            var model = new Sequential(new Layers.Embedding(10, 4), new Layers.Flatten(),
                                       new Layers.Dense(5, activation: "relu", kernelRegularizer: new Regularizers.L2(0.05)), new Layers.Dense(3));
            model.Compile(new Optimizers.RMSprop(0.01), new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"], runEagerly: eager);
            NF.Random.SetSeed(33);
            var history = model.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0, sampleWeight: sampleWeight, classWeight: classWeight);
            if (!eager) Assert.True(model.TrainFunction!.ReplayCount > 0 && model.TrainFunction.EagerReason is null, model.TrainFunction.EagerReason);
            return Trained(model, history);
        }).ToArray();
        AssertSame("weighted", runs[0], runs[1]);
    }

    [SkippableFact]
    public void Weights_set_or_loaded_between_calls_are_used_by_the_next_replayed_predict_and_fit()
    {
        RequireBackend();
        var (x, y) = Data("merge");
        NF.Random.SetSeed(32);
        var model = Make("merge");
        model.Compile(new Optimizers.SGD(0.1), new Losses.CategoricalCrossentropy());
        var initial = model.GetWeights().Select(w => w.ToArray<float>()).ToArray();
        var first = model.Predict(x, batchSize: 20).ToArray<float>();
        model.Fit(x, y, batchSize: 20, epochs: 2, verbose: 0, shuffle: false);
        Assert.False(first.AsSpan().SequenceEqual(model.Predict(x, batchSize: 20).ToArray<float>()));
        var predict = model.PredictFunction;
        // SetWeights back to the start: the replayed Predict gives the first predictions again.
        model.SetWeights(model.GetWeights().Select((w, i) => NF.Reshape(NF.Constant(initial[i]), w.Shape)).ToArray());
        Assert.True(first.AsSpan().SequenceEqual(model.Predict(x, batchSize: 20).ToArray<float>()));
        Assert.Same(predict, model.PredictFunction);
        Assert.True(predict!.LastCallReplayed);
        // Saved and loaded weights too, and a replayed Fit trains from them as a fresh eager one does.
        var path = Path.Combine(Path.GetTempPath(), $"nf-fitparity-{Guid.NewGuid():N}.safetensors");
        try
        {
            model.SaveWeights(path);
            model.Fit(x, y, batchSize: 20, epochs: 1, verbose: 0, shuffle: false);
            model.LoadWeights(path);
            Assert.True(first.AsSpan().SequenceEqual(model.Predict(x, batchSize: 20).ToArray<float>()));
        }
        finally
        {
            File.Delete(path);
        }
        model.Fit(x, y, batchSize: 20, epochs: 1, verbose: 0, shuffle: false);
        Assert.True(model.TrainFunction!.LastCallReplayed);
        NF.Random.SetSeed(32);
        var twin = Make("merge");
        twin.Compile(new Optimizers.SGD(0.1), new Losses.CategoricalCrossentropy(), runEagerly: true);
        twin.Fit(x, y, batchSize: 20, epochs: 1, verbose: 0, shuffle: false);
        for (int i = 0; i < twin.Variables.Count; i++)
            Assert.True(twin.Variables[i].ToArray<float>().AsSpan().SequenceEqual(model.Variables[i].ToArray<float>()), $"variable {i} differs");
    }
}

public sealed class ManagedFitParityTests() : FitParityTests("managed");

public sealed class NativeCpuFitParityTests() : FitParityTests("cpu");

public sealed class CudaFitParityTests() : FitParityTests("cuda");
