using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe6;

/// <summary>
/// What a loaded model must keep: the metric names Fit logs ("accuracy", "mae", "AUC" as Keras
/// names them), a frozen nested model (its weights stay non-trainable and unchanged by Fit), the
/// parameter counts of a CNN with BatchNormalization by Keras' formula, and BatchNormalization's
/// channels_first statistics by their definition.
/// </summary>
public abstract class SaveRoundTripProbeTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void A_loaded_model_logs_the_metrics_under_the_names_it_had()
    {
        RequireBackend();
        NF.Random.SetSeed(8);
        var x = NF.Random.Normal([16, 3]);
        var y = NF.Cast(NF.Greater(NF.Slice(x, [0, 0], [16, 1]), 0f), DType.Float32);
        var model = new Sequential(new Layers.Dense(4, activation: "relu"), new Layers.Dense(1, activation: "sigmoid"));
        model.Compile(new Optimizers.Adam(0.01), "binary_crossentropy", ["accuracy", "mae", "AUC"]);
        var before = model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        string path = Temp.File("metrics.keras");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(model.Evaluate(x, y).Values, loaded.Evaluate(x, y).Values);
        var after = loaded.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        Assert.Equal(["loss", "accuracy", "mae", "AUC"], before.Keys);   // Keras 3 names a metric given as a string by that string
        Assert.Equal(before.Keys, after.Keys);
    }

    [SkippableFact]
    public void A_frozen_nested_model_stays_frozen_through_save_load_and_fit()
    {
        RequireBackend();
        NF.Random.SetSeed(9);
        var backbone = new Sequential([new Layers.Dense(6, activation: "relu"), new Layers.BatchNormalization()], name: "backbone");
        var input = Layers.Input([4]);
        var model = new Model(input, new Layers.Dense(2, name: "head").Call(backbone.Call(input)));
        backbone.Trainable = false;
        // backbone: 4*6+6 = 30 and 4*6 = 24 (all non-trainable once frozen); head 6*2+2 = 14.
        string summary = model.SummaryText();
        Assert.Contains("Total params: 68", summary);
        Assert.Contains("Trainable params: 14", summary);
        Assert.Contains("Non-trainable params: 54", summary);
        model.Compile(new Optimizers.SGD(0.1), "mse");
        var x = NF.Random.Normal([10, 4]);
        var y = NF.Random.Normal([10, 2]);
        model.Fit(x, y, batchSize: 5, epochs: 1, verbose: 0);
        // Trained, Keras' summary counts the optimizer's variables too: SGD's iteration and rate.
        string trained = model.SummaryText();
        Assert.Contains("Total params: 70 (284.00 B)", trained);
        Assert.Contains("Optimizer params: 2 (12.00 B)", trained);
        string path = Temp.File("frozen.keras");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(trained.Replace(model.Name, ""), loaded.SummaryText().Replace(loaded.Name, ""));
        var frozen = loaded.SubLayers.OfType<Sequential>().Single();
        var kept = frozen.Variables.Select(v => v.ToArray<float>()).ToArray();
        loaded.Fit(x, y, batchSize: 5, epochs: 2, verbose: 0);
        Assert.False(frozen.Trainable);
        for (int i = 0; i < kept.Length; i++) Assert.Equal(kept[i], frozen.Variables[i].ToArray<float>());
    }

    [SkippableFact]
    public void A_cnn_with_batch_norm_counts_parameters_as_keras()
    {
        RequireBackend();
        var model = new Sequential(Layers.Input([7, 5, 2]), new Layers.Conv2D(8, 3, padding: "same"), new Layers.BatchNormalization(),
            new Layers.MaxPooling2D(), new Layers.Dropout(0.2), new Layers.GlobalAveragePooling2D(), new Layers.Dense(3));
        // Conv 3*3*2*8+8 = 152, BatchNormalization 4*8 = 32 (moving mean and variance, 16, not trained), Dense 8*3+3 = 27.
        string summary = model.SummaryText();
        Assert.Contains("Total params: 211", summary);
        Assert.Contains("Trainable params: 195", summary);
        Assert.Contains("Non-trainable params: 16", summary);
        Assert.Contains("(None, 3, 2, 8)", summary);   // 7x5 pooled by 2, valid: floor
    }

    [SkippableFact]
    public void Batch_norm_over_channels_first_normalizes_and_updates_each_channel()
    {
        RequireBackend();
        var values = Enumerable.Range(0, 48).Select(i => (float)Math.Sin(0.7 * i) * (1 + i % 3)).ToArray();
        var x = NF.Constant(values, [4, 3, 2, 2]);
        var bn = new Layers.BatchNormalization(axis: 1, momentum: 0.9);
        var y = bn.Call(x, training: true).ToArray<float>();
        var movingMean = bn.Variables.Single(v => v.Name!.EndsWith("moving_mean")).ToArray<float>();
        var movingVar = bn.Variables.Single(v => v.Name!.EndsWith("moving_variance")).ToArray<float>();
        for (int c = 0; c < 3; c++)
        {
            var idx = (from n in Enumerable.Range(0, 4) from h in Enumerable.Range(0, 2) from w in Enumerable.Range(0, 2)
                       select ((n * 3 + c) * 2 + h) * 2 + w).ToArray();
            double mean = idx.Average(i => (double)values[i]);
            double variance = idx.Average(i => (values[i] - mean) * (values[i] - mean));   // biased, as Keras
            foreach (int i in idx) Assert.Equal((values[i] - mean) / Math.Sqrt(variance + 1e-3), y[i], 4);
            Assert.Equal(0.1 * mean, movingMean[c], 5);
            Assert.Equal(0.9 + 0.1 * variance, movingVar[c], 5);
        }
    }
}

public sealed class ManagedSaveRoundTripProbeTests() : SaveRoundTripProbeTests("managed");

public sealed class NativeCpuSaveRoundTripProbeTests() : SaveRoundTripProbeTests("cpu");

public sealed class CudaSaveRoundTripProbeTests() : SaveRoundTripProbeTests("cuda");
