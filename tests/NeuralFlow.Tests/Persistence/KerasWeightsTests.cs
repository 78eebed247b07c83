using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Keras' get_weights/set_weights and save_weights/load_weights (issue 14) on every backend:
/// a trained model's weights reload into a fresh model of the same architecture (whose layers
/// got other names) with bit-identical predictions, and every mismatch names the weight.
/// </summary>
public abstract class KerasWeightsTests(string backend) : BackendFileTest(backend)
{
    private string _dir => Temp.Path;


    private static Sequential NewModel(int hidden = 16) =>
        new(new Layers.Dense(hidden, activation: "relu"), new Layers.Dense(3, activation: "softmax"));

    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(11);
        return (NF.Random.Normal([64, 5]), NF.Random.Uniform([64], 0, 3, DType.Int32));
    }

    [SkippableFact]
    public void Trained_weights_reload_into_a_fresh_model_with_identical_predictions()
    {
        RequireBackend();
        var (x, y) = Data();
        var trained = NewModel();
        trained.Compile(new Optimizers.Adam(learningRate: 0.01f), "sparse_categorical_crossentropy");
        trained.Fit(x, y, batchSize: 16, epochs: 3, verbose: 0);
        string path = Path.Combine(_dir, "model.weights.safetensors");
        trained.SaveWeights(path);

        var fresh = NewModel();                                    // its layers are dense_N with other N
        fresh.Call(x[0..1]);
        Assert.NotEqual(trained.Variables[0].Name, fresh.Variables[0].Name);
        fresh.LoadWeights(path);
        Assert.Equal(trained.Predict(x).ToArray<float>(), fresh.Predict(x).ToArray<float>());

        // By name too: the same model reloads its own file after further training.
        var before = trained.Predict(x).ToArray<float>();
        trained.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0);
        trained.LoadWeights(path);
        Assert.Equal(before, trained.Predict(x).ToArray<float>());
    }

    [SkippableFact]
    public void GetWeights_are_copies_and_SetWeights_round_trips()
    {
        RequireBackend();
        var (x, _) = Data();
        var a = NewModel();
        a.Call(x);
        var weights = a.GetWeights();
        Assert.Equal(a.Variables.Select(v => v.Shape), weights.Select(w => w.Shape));
        var firstBefore = weights[0].ToArray<float>();
        a.Variables[0].AssignAdd(NF.OnesLike(a.Variables[0]));    // training moves the weights ...
        Assert.Equal(firstBefore, weights[0].ToArray<float>());    // ... not the copies

        var b = NewModel();
        b.Call(x);
        b.SetWeights(weights);
        a.SetWeights(weights);
        Assert.Equal(a.Predict(x).ToArray<float>(), b.Predict(x).ToArray<float>());
        // float64 values are converted, as Keras casts numpy arrays.
        b.SetWeights(weights.Select(w => NF.Cast(w, DType.Float64)).ToList());
        Assert.Equal(a.Predict(x).ToArray<float>(), b.Predict(x).ToArray<float>());
    }

    [SkippableFact]
    public void Mismatches_name_the_weight_and_change_nothing()
    {
        RequireBackend();
        var (x, _) = Data();
        var model = NewModel();
        model.Call(x);
        var before = model.GetWeights().Select(w => w.ToArray<float>()).ToList();
        var weights = model.GetWeights().ToList();

        var count = Assert.Throws<ArgumentException>(() => model.SetWeights(weights.Take(3).ToList()));
        Assert.Contains("4 weights", count.Message);
        weights[2] = NF.Zeros([5, 3]);
        var shape = Assert.Throws<ArgumentException>(() => model.SetWeights(weights));
        Assert.Contains(model.Variables[2].Name!, shape.Message);
        Assert.Contains("(16, 3)", shape.Message);
        weights[2] = NF.Zeros([16, 3], DType.Int32);
        Assert.Contains("int32", Assert.Throws<ArgumentException>(() => model.SetWeights(weights)).Message);
        Assert.Equal(before, model.GetWeights().Select(w => w.ToArray<float>()).ToList());

        string path = Path.Combine(_dir, "wider.safetensors");
        var wider = NewModel(hidden: 32);
        wider.Call(x);
        wider.SaveWeights(path);
        var load = Assert.Throws<ArgumentException>(() => model.LoadWeights(path));
        Assert.Contains("(5, 16)", load.Message);
        Assert.Equal(before, model.GetWeights().Select(w => w.ToArray<float>()).ToList());

        string other = Path.Combine(_dir, "other.safetensors");
        NF.Safetensors.Save(new Dictionary<string, Tensor> { ["something/else"] = NF.Zeros([2]) }, other);
        var missing = Assert.Throws<InvalidDataException>(() => model.LoadWeights(other));
        Assert.Contains(model.Variables[0].Name!, missing.Message);
        Assert.Contains("something/else", missing.Message);

        var unbuilt = Assert.Throws<InvalidOperationException>(() => NewModel().LoadWeights(path));
        Assert.Contains("no weights yet", unbuilt.Message);
    }
}

public sealed class ManagedKerasWeightsTests() : KerasWeightsTests("managed");
public sealed class NativeCpuKerasWeightsTests() : KerasWeightsTests("cpu");
public sealed class CudaKerasWeightsTests() : KerasWeightsTests("cuda");

/// <summary>Weights saved on one backend load on another, with identical predictions.</summary>
public sealed class CrossBackendWeightsTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private TempDirectory Temp => _temp;
    private string _dir => _temp.Path;

    public void Dispose() => _temp.Dispose();

    [SkippableFact]
    public void Saved_on_the_native_engine_loaded_on_the_managed_one()
    {
        Skip.If(Backends.BackendRegistry.NativeCpu is null, "native CPU backend not built");
        string path = Path.Combine(_dir, "w.safetensors");
        float[] want;
        Tensor x;
        using (NF.UseBackend("cpu"))
        {
            NF.Random.SetSeed(5);
            x = NF.Random.Normal([8, 4]);
            var model = new Sequential(new Layers.Dense(6, activation: "tanh"), new Layers.Dense(2));
            model.Call(x);
            model.SaveWeights(path);
            want = model.Predict(x).ToArray<float>();
        }
        using (NF.UseBackend("managed"))
        {
            var xm = NF.Constant(x.ToArray<float>(), x.Shape);
            var model = new Sequential(new Layers.Dense(6, activation: "tanh"), new Layers.Dense(2));
            model.Call(xm);
            model.LoadWeights(path);
            var got = model.Predict(xm).ToArray<float>();
            // Two engines: the same weights, the same math to rounding (their GEMMs sum in other orders).
            // Within 1e-5, not "equal to 5 decimal places": rounding both sides put 0.395605057 and 0.395604998
            // (6e-8 apart) on either side of a rounding boundary in a CI run.
            for (int i = 0; i < want.Length; i++) Assert.Equal(want[i], got[i], 1e-5);
        }
    }
}
