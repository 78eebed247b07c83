using NeuralFlow.Keras;
using static NeuralFlow.Tests.Float16.Float16Testing;

namespace NeuralFlow.Tests.Float16;

/// <summary>
/// A Keras model with float16 variables (Keras' <c>dtype="float16"</c>, here VariableDType): it
/// runs on float16 inputs, and its weights round-trip bit for bit through SaveWeights/LoadWeights
/// (safetensors F16) and through model.Save / Model.Load (.keras), on every engine.
/// </summary>
public abstract class Float16KerasTests(string backend) : BackendFileTest(backend)
{
    private static Sequential NewModel() =>
        new(new Layers.Dense(6, activation: "relu") { VariableDType = DType.Float16 },
            new Layers.Dense(2) { VariableDType = DType.Float16 });

    [SkippableFact]
    public void A_float16_model_runs_and_its_weights_round_trip()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        using var x = NF.Cast(NF.Random.Normal([4, 3]), DType.Float16);
        var model = NewModel();
        using var y = model.Call(x);
        Assert.Equal(DType.Float16, y.DType);
        Assert.Equal(new Shape(4, 2), y.Shape);
        Assert.All(model.Variables, v => Assert.Equal(DType.Float16, v.DType));

        string weights = Temp.File("half.weights.safetensors");
        model.SaveWeights(weights);
        var fresh = NewModel();
        fresh.Call(x).Dispose();
        fresh.LoadWeights(weights);
        Assert.Equal(model.Variables.Select(Bits), fresh.Variables.Select(Bits));
        using var y2 = fresh.Call(x);
        Assert.Equal(Bits(y), Bits(y2));

        string path = Temp.File("half.keras");
        model.Save(path);
        var loaded = (Sequential)Model.Load(path);
        Assert.All(loaded.Variables, v => Assert.Equal(DType.Float16, v.DType));
        Assert.Equal(model.Variables.Select(Bits), loaded.Variables.Select(Bits));
        using var y3 = loaded.Call(x);
        Assert.Equal(Bits(y), Bits(y3));
    }
}

public sealed class ManagedFloat16KerasTests() : Float16KerasTests("managed");

public sealed class NativeCpuFloat16KerasTests() : Float16KerasTests("cpu");

public sealed class CudaFloat16KerasTests() : Float16KerasTests("cuda");
