using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe8;

/// <summary>
/// The edges of the same day: channels_first global pooling with keepdims against the mean,
/// BatchNormalization trained on batches of one image (finite losses, as Keras), saving to a
/// legacy .h5 name and loading a missing file (clear exceptions), and LoadWeights from another
/// architecture refused with the counts named, from the same one restoring every weight.
/// </summary>
public abstract class DayAfterEdgeTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Channels_first_global_average_pooling_keeps_dims_as_the_mean()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        var x = NF.Random.Normal([2, 3, 5, 4]);
        var y = new Layers.GlobalAveragePooling2D(dataFormat: "channels_first", keepdims: true).Call(x);
        Assert.Equal(new[] { 2, 3, 1, 1 }, y.Shape.ToArray());
        var want = NF.ReduceMean(x, [2, 3], keepDims: true).ToArray<float>();
        var got = y.ToArray<float>();
        for (int i = 0; i < got.Length; i++) Assert.Equal(want[i], got[i], 5);
    }

    [SkippableFact]
    public void Batch_norm_trains_on_batches_of_one_image()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        var x = NF.Random.Normal([3, 6, 5, 1]);
        var y = NF.Constant(new[] { 0, 1, 1 }, [3]);
        var m = new Sequential(Layers.Input([6, 5, 1]), new Layers.Conv2D(2, 3), new Layers.BatchNormalization(), new Layers.Flatten(), new Layers.Dense(2));
        m.Compile("adam", new Losses.SparseCategoricalCrossentropy(fromLogits: true));
        var h = m.Fit(x, y, batchSize: 1, epochs: 2, verbose: 0);
        Assert.All(h["loss"], v => Assert.True(double.IsFinite(v)));
    }

    [SkippableFact]
    public void A_legacy_h5_name_saves_and_a_missing_file_fails_naming_it()
    {
        RequireBackend();
        var m = new Sequential(Layers.Input([3]), new Layers.Dense(2));
        // A legacy .h5 name saves (as Keras 3 still does, the legacy format); a missing file fails naming it.
        string h5 = Temp.File("m.h5");
        m.Save(h5);
        Assert.True(File.Exists(h5));
        var e2 = Record.Exception(() => Model.Load(Temp.File("none.keras")));
        Assert.True(e2 is FileNotFoundException or ArgumentException, e2?.ToString());
        Assert.Contains("none.keras", e2!.Message);
    }

    [SkippableFact]
    public void Load_weights_refuses_another_architecture_and_restores_the_same()
    {
        RequireBackend();
        var m = new Sequential(Layers.Input([3]), new Layers.Dense(2), new Layers.Dense(1));
        string p = Temp.File("w.weights.h5");
        m.SaveWeights(p);
        var other = new Sequential(Layers.Input([3]), new Layers.Dense(4), new Layers.Dense(1));
        // A .weights.h5 is Keras 3's HDF5 layout: a shape that differs is a file that does not fit.
        var e = Record.Exception(() => other.LoadWeights(p));
        Assert.IsType<InvalidDataException>(e);
        Assert.StartsWith("LoadWeights: ", e!.Message);
        Assert.Contains("shape", e.Message);
        var fewer = new Sequential(Layers.Input([3]), new Layers.Dense(2));
        var e2 = Record.Exception(() => fewer.LoadWeights(p));
        Assert.IsType<InvalidDataException>(e2);
        Assert.Contains("holds 4 weights", e2!.Message);
        Assert.Contains("another architecture", e2.Message);
        var cf = new Sequential(Layers.Input([3]), new Layers.Dense(2), new Layers.Dense(1));
        cf.LoadWeights(p);
        var k = m.Variables[0].ToArray<float>();
        Assert.Equal(k, cf.Variables[0].ToArray<float>());
    }
}

/// <summary>The edges on the managed backend.</summary>
public sealed class ManagedDayAfterEdgeTests() : DayAfterEdgeTests("managed");

/// <summary>The edges on the native CPU backend.</summary>
public sealed class NativeCpuDayAfterEdgeTests() : DayAfterEdgeTests("cpu");

/// <summary>The edges on CUDA.</summary>
public sealed class CudaDayAfterEdgeTests() : DayAfterEdgeTests("cuda");
