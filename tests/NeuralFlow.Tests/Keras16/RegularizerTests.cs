using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Keras16;

/// <summary>
/// Regularizers (issue 16): Keras 3's formulas (keras/src/regularizers/regularizers.py:
/// l1 * sum(|x|), l2 * sum(x^2)), layer.Losses, the penalties in Fit's and Evaluate's loss, and
/// their round trip through a model file.
/// </summary>
public abstract class RegularizerTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void The_penalties_are_kerases()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 1.0, -2.0, 3.0 });
        Assert.Equal(0.1 * 6, new Regularizers.L1(0.1).Call(x).Item<double>(), 12);
        Assert.Equal(0.5 * 14, new Regularizers.L2(0.5).Call(x).Item<double>(), 12);
        Assert.Equal(0.1 * 6 + 0.5 * 14, new Regularizers.L1L2(0.1, 0.5).Call(x).Item<double>(), 12);
        Assert.Equal(0.01 * 14, ((Regularizers.Regularizer)"l2").Call(x).Item<double>(), 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Regularizers.L2(-1));
    }

    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(5);
        var x = NF.Random.Normal([8, 3]);
        return (x, NF.ReduceSum(x, 1, keepDims: true));
    }

    [SkippableFact]
    public void Evaluate_adds_the_weight_and_activity_penalties_to_the_loss()
    {
        RequireBackend();
        var (x, y) = Data();
        var dense = new Keras.Layers.Dense(1, kernelInitializer: "ones", biasInitializer: "ones", name: "reg_dense",
                                           kernelRegularizer: new Regularizers.L2(0.5), biasRegularizer: new Regularizers.L1(0.25),
                                           activityRegularizer: new Regularizers.L1(0.01));
        var model = new Sequential(dense);
        model.Compile(new Optimizers.SGD(0.1f), new Losses.MeanSquaredError());
        var plain = new Losses.MeanSquaredError().Call(y, model.Predict(x)).Item<float>();
        double activity = 0.01 * NF.ReduceSum(NF.Abs(model.Predict(x))).Item<float>();
        double expected = plain + 0.5 * 3 + 0.25 * 1 + activity;
        Assert.Equal(expected, model.Evaluate(x, y, batchSize: 8).Loss, 3);
        Assert.Equal(2, model.Losses.Count);   // kernel and bias: Evaluate's activity penalties were freed with its batches
        using var output = model.Call(x);
        Assert.Equal(3, model.Losses.Count);   // and the last call's activity penalty
        Assert.Equal(activity, model.Losses[2].Item<float>(), 4);
    }

    [SkippableFact]
    public void Fit_minimizes_the_penalty_too()
    {
        RequireBackend();
        var (x, y) = Data();
        var free = new Sequential(new Keras.Layers.Dense(1, kernelInitializer: "ones", name: "free_dense"));
        var penalized = new Sequential(new Keras.Layers.Dense(1, kernelInitializer: "ones", name: "l2_dense", kernelRegularizer: new Regularizers.L2(1.0)));
        free.Compile(new Optimizers.SGD(0.05f), new Losses.MeanSquaredError());
        penalized.Compile(new Optimizers.SGD(0.05f), new Losses.MeanSquaredError());
        free.Fit(x, y, batchSize: 8, epochs: 20, verbose: 0, shuffle: false);
        penalized.Fit(x, y, batchSize: 8, epochs: 20, verbose: 0, shuffle: false);
        // y = sum(x) is fit exactly by a kernel of ones; the L2 penalty pulls the kernel toward 0.
        double Norm(Sequential m) => NF.ReduceSum(NF.Square(m.Variables[0])).Item<float>();
        Assert.True(Norm(penalized) < Norm(free) - 0.5, $"the penalized kernel's squared norm {Norm(penalized)} should fall well below {Norm(free)}");
    }

    [SkippableFact]
    public void Regularizers_round_trip_through_a_model_file()
    {
        RequireBackend();
        var (x, y) = Data();
        var model = new Sequential(
            new Keras.Layers.Reshape([3, 1, 1]),
            new Keras.Layers.Conv2D(2, 1, name: "reg_conv") { KernelRegularizer = new Regularizers.L1L2(0.1, 0.2) },
            new Keras.Layers.Flatten(),
            new Keras.Layers.Dense(1, name: "reg_out", kernelRegularizer: "l2"));
        model.Compile(new Optimizers.SGD(0.01f), new Losses.MeanSquaredError());
        model.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0);
        string path = Temp.File("reg.nfmodel");
        model.Save(path);
        var loaded = (Sequential)Model.Load(path);
        var conv = Assert.IsType<Keras.Layers.Conv2D>(loaded.Layers[1]);
        var l1l2 = Assert.IsType<Regularizers.L1L2>(conv.KernelRegularizer);
        Assert.Equal((0.1, 0.2), (l1l2.L1Factor, l1l2.L2Factor));
        Assert.Equal(0.01, Assert.IsType<Regularizers.L2>(((Keras.Layers.Dense)loaded.Layers[3]).KernelRegularizer).Factor);
        Assert.Equal(model.Evaluate(x, y).Loss, loaded.Evaluate(x, y).Loss);
    }
}

public sealed class ManagedRegularizerTests() : RegularizerTests("managed");
public sealed class NativeCpuRegularizerTests() : RegularizerTests("cpu");
public sealed class CudaRegularizerTests() : RegularizerTests("cuda");
