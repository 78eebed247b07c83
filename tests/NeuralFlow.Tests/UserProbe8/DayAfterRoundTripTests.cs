using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe8;

/// <summary>
/// Round trips a reader meets next: a Sequential made without an Input (built by Fit) and one never
/// built (saved, or refused clearly, then usable once loaded); a functional model whose outputs
/// include its own input and a merge of it with itself; a grouped channels_first convolution with
/// strided pooling, equal after loading and equal to the channels_last layer on the transposed image.
/// </summary>
public abstract class DayAfterRoundTripTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void A_sequential_built_by_fit_without_input_round_trips()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        var x = NF.Random.Normal([8, 4]); var y = NF.Random.Normal([8, 1]);
        var m = new Sequential(new Layers.Dense(3, activation: "relu"), new Layers.Dropout(0.5), new Layers.Dense(1));
        m.Compile("adam", "mse");
        m.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0);
        string p = Temp.File("r1.keras"); m.Save(p);
        var l = Model.Load(p);
        Assert.Equal(m.Predict(x).ToArray<float>(), l.Predict(x).ToArray<float>());
    }

    [SkippableFact]
    public void An_unbuilt_sequential_is_refused_naming_the_layer_and_the_remedy()
    {
        RequireBackend();
        var m = new Sequential(new Layers.Dense(3), new Layers.Dense(1));
        string p = Temp.File("r2.keras");
        // Refused, naming the layer and the remedy (Keras 3 would save the config alone and build on load:
        // not supported here). The probe's first version accepted either outcome, so it could not fail.
        var e = Assert.Throws<InvalidOperationException>(() => m.Save(p));
        Assert.Contains("has no weights yet", e.Message);
        Assert.Contains("before saving", e.Message);
        Assert.False(File.Exists(p));
    }

    [SkippableFact]
    public void Outputs_that_are_the_input_or_merge_it_with_itself_round_trip()
    {
        RequireBackend();
        var a = Layers.Input([4], name: "a");
        var d = new Layers.Dense(4, name: "d").Call(a);
        var s = new Layers.Add(name: "s").Call([a, a]);
        var m = new Model(a, [a, d, s]);
        NF.Random.SetSeed(2);
        var x = NF.Random.Normal([3, 4]);
        var o = m.PredictOutputs(x);
        string p = Temp.File("r3.keras"); m.Save(p);
        var l = Model.Load(p);
        var o2 = l.PredictOutputs(x);
        Assert.Equal(3, o2.Count);
        for (int i = 0; i < 3; i++) Assert.Equal(o[i].ToArray<float>(), o2[i].ToArray<float>());
        Assert.Equal(x.ToArray<float>(), o2[0].ToArray<float>());
    }

    [SkippableFact]
    public void A_grouped_channels_first_cnn_round_trips_and_matches_channels_last()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        var x = NF.Random.Normal([2, 4, 5, 7]);
        var m = new Sequential(Layers.Input(new[] { 4, 5, 7 }), new Layers.Conv2D(6, [2, 3], groups: 2, padding: "same", dataFormat: "channels_first"),
            new Layers.MaxPooling2D([2, 3], strides: [1, 2], padding: "valid", dataFormat: "channels_first"), new Layers.Flatten(), new Layers.Dense(2));
        var y0 = m.Predict(x);
        string p = Temp.File("r4.keras"); m.Save(p);
        var l = Model.Load(p);
        Assert.Equal(y0.ToArray<float>(), l.Predict(x).ToArray<float>());
        var xl = NF.Transpose(x, [0, 2, 3, 1]);
        var ml = new Sequential(Layers.Input(new[] { 5, 7, 4 }), new Layers.Conv2D(6, [2, 3], groups: 2, padding: "same"));
        ml.Predict(xl);
        ml.Layers[0].Variables[0].Assign(m.Layers[0].Variables[0]);
        ml.Layers[0].Variables[1].Assign(m.Layers[0].Variables[1]);
        var cf = new Sequential(Layers.Input(new[] { 4, 5, 7 }), m.Layers[0]).Predict(x);
        var want = NF.Transpose(ml.Predict(xl), [0, 3, 1, 2]).ToArray<float>();
        var got = cf.ToArray<float>();
        for (int i = 0; i < got.Length; i++) Assert.Equal(want[i], got[i], 4);
    }
}

/// <summary>The round trips on the managed backend.</summary>
public sealed class ManagedDayAfterRoundTripTests() : DayAfterRoundTripTests("managed");

/// <summary>The round trips on the native CPU backend.</summary>
public sealed class NativeCpuDayAfterRoundTripTests() : DayAfterRoundTripTests("cpu");

/// <summary>The round trips on CUDA.</summary>
public sealed class CudaDayAfterRoundTripTests() : DayAfterRoundTripTests("cuda");
