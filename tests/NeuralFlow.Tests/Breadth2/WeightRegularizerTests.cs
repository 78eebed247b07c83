using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Breadth2;

/// <summary>
/// Every layer whose weights Keras 3 gives regularizers takes them as constructor arguments, adds
/// their penalties to <see cref="Layer.Losses"/> (and so to Fit's and Evaluate's loss), and keeps
/// them through a model file: before, loading kept them for Dense and the convolutions only, and
/// Embedding, the recurrent layers and the normalizations had none. Expected penalties by hand
/// from Keras 3's formulas (keras/src/regularizers/regularizers.py: l1 * sum(|w|), l2 * sum(w^2)),
/// on the layer's weights as read back.
/// </summary>
public abstract class WeightRegularizerTests(string backend) : BackendFileTest(backend)
{
    private static Regularizers.L2 L2(double f) => new(f);
    private static Regularizers.L1 L1(double f) => new(f);

    // A layer, an input it takes, and each regularized weight with its regularizer's Keras key.
    private sealed record Case(Func<Layer> Make, Func<Tensor> Input, int[] InputShape, DType InputType,
                               Func<Layer, (string Key, Variable Weight, Regularizers.Regularizer Reg)[]> Regularized);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["Conv1D"] = new(() => new Keras.Layers.Conv1D(2, 2, biasInitializer: "ones", kernelRegularizer: L2(0.01), biasRegularizer: L1(0.1)),
            () => NF.Random.Normal([2, 4, 3]), [4, 3], DType.Float32,
            l => [("kernel_regularizer", ((Keras.Layers.Conv1D)l).Kernel!, L2(0.01)), ("bias_regularizer", ((Keras.Layers.Conv1D)l).Bias!, L1(0.1))]),
        ["Conv2DTranspose"] = new(() => new Keras.Layers.Conv2DTranspose(2, 2, biasInitializer: "ones", kernelRegularizer: L1(0.03), biasRegularizer: L2(0.2)),
            () => NF.Random.Normal([1, 3, 3, 2]), [3, 3, 2], DType.Float32,
            l => [("kernel_regularizer", ((Keras.Layers.Conv2DTranspose)l).Kernel!, L1(0.03)), ("bias_regularizer", ((Keras.Layers.Conv2DTranspose)l).Bias!, L2(0.2))]),
        ["DepthwiseConv2D"] = new(() => new Keras.Layers.DepthwiseConv2D(2, depthMultiplier: 2, biasInitializer: "ones", depthwiseRegularizer: L2(0.05), biasRegularizer: L1(0.1)),
            () => NF.Random.Normal([1, 3, 3, 2]), [3, 3, 2], DType.Float32,
            l => [("depthwise_regularizer", ((Keras.Layers.DepthwiseConv2D)l).Kernel!, L2(0.05)), ("bias_regularizer", ((Keras.Layers.DepthwiseConv2D)l).Bias!, L1(0.1))]),
        ["Embedding"] = new(() => new Keras.Layers.Embedding(5, 3, embeddingsRegularizer: L2(0.4)),
            () => NF.Constant(new[] { 1, 4, 0, 2 }, [2, 2]), [2], DType.Int32,
            l => [("embeddings_regularizer", ((Keras.Layers.Embedding)l).Embeddings!, L2(0.4))]),
        ["SimpleRNN"] = new(() => new Keras.Layers.SimpleRNN(3, biasInitializer: "ones", kernelRegularizer: L2(0.01), recurrentRegularizer: L1(0.02), biasRegularizer: L2(0.5)),
            () => NF.Random.Normal([2, 3, 4]), [3, 4], DType.Float32, Recurrent),
        ["LSTM"] = new(() => new Keras.Layers.LSTM(3, biasInitializer: "ones", kernelRegularizer: L2(0.01), recurrentRegularizer: L1(0.02), biasRegularizer: L2(0.5)),
            () => NF.Random.Normal([2, 3, 4]), [3, 4], DType.Float32, Recurrent),
        ["GRU"] = new(() => new Keras.Layers.GRU(3, biasInitializer: "ones", kernelRegularizer: L2(0.01), recurrentRegularizer: L1(0.02), biasRegularizer: L2(0.5)),
            () => NF.Random.Normal([2, 3, 4]), [3, 4], DType.Float32, Recurrent),
        ["PReLU"] = new(() => new Keras.Layers.PReLU("ones", L2(0.3)),
            () => NF.Random.Normal([2, 4]), [4], DType.Float32,
            l => [("alpha_regularizer", ((Keras.Layers.PReLU)l).Alpha!, L2(0.3))]),
        ["BatchNormalization"] = new(() => new Keras.Layers.BatchNormalization(betaInitializer: "ones", betaRegularizer: L1(0.1), gammaRegularizer: L2(0.2)),
            () => NF.Random.Normal([2, 4]), [4], DType.Float32,
            l => [("beta_regularizer", ((Keras.Layers.BatchNormalization)l).Beta!, L1(0.1)), ("gamma_regularizer", ((Keras.Layers.BatchNormalization)l).Gamma!, L2(0.2))]),
        ["LayerNormalization"] = new(() => new Keras.Layers.LayerNormalization(betaInitializer: "ones", betaRegularizer: L1(0.1), gammaRegularizer: L2(0.2)),
            () => NF.Random.Normal([2, 4]), [4], DType.Float32,
            l => [("beta_regularizer", ((Keras.Layers.LayerNormalization)l).Beta!, L1(0.1)), ("gamma_regularizer", ((Keras.Layers.LayerNormalization)l).Gamma!, L2(0.2))]),
    };

    private static (string, Variable, Regularizers.Regularizer)[] Recurrent(Layer l)
    {
        var r = (Keras.Layers.Recurrent)l;
        return [("kernel_regularizer", r.Kernel!, L2(0.01)), ("recurrent_regularizer", r.RecurrentKernel!, L1(0.02)), ("bias_regularizer", r.Bias!, L2(0.5))];
    }

    public static TheoryData<string> Names() => [.. Cases.Keys];

    // Keras' formulas on the weights' values, in float64.
    private static double Expected(IEnumerable<(string Key, Variable Weight, Regularizers.Regularizer Reg)> regularized) =>
        regularized.Sum(r =>
        {
            var w = NF.Cast(r.Weight, DType.Float64).ToArray<double>();
            return r.Reg switch
            {
                Regularizers.L1 l1 => l1.Factor * w.Sum(Math.Abs),
                Regularizers.L2 l2 => l2.Factor * w.Sum(v => v * v),
                _ => throw new InvalidOperationException(),
            };
        });

    private static double Penalty(Layer layer) => layer.Losses.Sum(l => NF.Cast(l, DType.Float64).Item<double>());

    [SkippableTheory]
    [MemberData(nameof(Names))]
    public void The_penalties_are_kerases_and_survive_save_and_load(string name)
    {
        RequireBackend();
        NF.Random.SetSeed(11);
        var c = Cases[name];
        var layer = c.Make();
        var model = new Sequential(Keras.Layers.Input(c.InputShape, c.InputType), layer);
        var x = c.Input();
        using var y = model.Call(x);
        var regularized = c.Regularized(layer);
        double expected = Expected(regularized);
        Assert.True(expected > 0);
        Assert.Equal(regularized.Length, layer.Losses.Count);
        Assert.Equal(expected, Penalty(layer), 4);

        var config = layer.GetConfig();
        foreach (var (key, _, reg) in regularized)
            Assert.Equal(reg.GetConfig().ToJsonString(), config[key]!.ToJsonString());

        string path = Temp.File(name + ".nfmodel");
        model.Save(path);
        var loaded = (Sequential)Model.Load(path);
        var again = loaded.Layers[0];
        Assert.Equal(expected, Penalty(again), 4);
        Assert.Equal(Expected(c.Regularized(again)), Penalty(again), 4);
        Assert.Equal(config.ToJsonString(), again.GetConfig().ToJsonString());
    }

    [SkippableFact]
    public void A_recurrent_kernel_penalty_joins_the_evaluated_loss()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        var x = NF.Random.Normal([4, 3, 2]);
        var target = NF.Random.Normal([4, 2]);
        var lstm = new Keras.Layers.LSTM(2, recurrentRegularizer: L2(0.7));
        var model = new Sequential(lstm);
        model.Compile(new Optimizers.SGD(0.1f), new Losses.MeanSquaredError());
        double plain = new Losses.MeanSquaredError().Call(target, model.Predict(x, verbose: 0)).Item<float>();
        double penalty = 0.7 * NF.ReduceSum(NF.Square(lstm.RecurrentKernel!)).Item<float>();
        Assert.Equal(plain + penalty, model.Evaluate(x, target, batchSize: 4, verbose: 0).Loss, 4);
    }

    [SkippableFact]
    public void Bidirectional_gives_its_backward_layer_the_forward_regularizers()
    {
        RequireBackend();
        var bi = new Keras.Layers.Bidirectional(new Keras.Layers.GRU(2, kernelRegularizer: L1(0.1), activityRegularizer: L2(0.01)));
        using var y = bi.Call(NF.Random.Normal([1, 3, 2]));
        Assert.Equal(0.1, ((Regularizers.L1)((Keras.Layers.GRU)bi.BackwardLayer).KernelRegularizer!).Factor);
        Assert.NotNull(bi.BackwardLayer.ActivityRegularizer);
        double expected = 0.1 * (NF.ReduceSum(NF.Abs(((Keras.Layers.GRU)bi.ForwardLayer).Kernel!)).Item<float>() + NF.ReduceSum(NF.Abs(((Keras.Layers.GRU)bi.BackwardLayer).Kernel!)).Item<float>());
        Assert.Equal(4, bi.Losses.Count);   // each direction's kernel and activity penalties
        // Keras 3's order: the layer's own activity penalty, then its cell's (which holds the kernel) weight penalty.
        Assert.Equal(expected, bi.ForwardLayer.Losses[1].Item<float>() + (double)bi.BackwardLayer.Losses[1].Item<float>(), 4);
    }
}

public sealed class ManagedWeightRegularizerTests() : WeightRegularizerTests("managed");

public sealed class NativeCpuWeightRegularizerTests() : WeightRegularizerTests("cpu");

public sealed class CudaWeightRegularizerTests() : WeightRegularizerTests("cuda");
