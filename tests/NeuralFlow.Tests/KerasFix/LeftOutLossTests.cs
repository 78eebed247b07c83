using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.KerasFix;

/// <summary>
/// A model of two outputs compiled with a loss dictionary that names one of them
/// (<c>loss={"cls": ...}</c>): Keras 3's CompileLoss skips an output whose loss is None, so no
/// loss is computed or logged for the other ("bin_loss", "val_bin_loss"), the total is the named
/// output's loss alone, and the left-out output's metrics are still computed. Nor is it trained.
/// </summary>
public abstract class LeftOutLossTests(string backend) : BackendFileTest(backend)
{
    private const int N = 20;

    private static Model Build()
    {
        var input = Layers.Input([4], name: "x");
        var trunk = new Layers.Dense(6, activation: "tanh", name: "trunk").Call(input);
        var cls = new Layers.Dense(3, activation: "softmax", name: "cls").Call(trunk);
        var bin = new Layers.Dense(1, activation: "sigmoid", name: "bin").Call(trunk);
        return new Model(input, [cls, bin], name: "left_out");
    }

    private static (Tensor X, Tensor Cls, Tensor Bin) Examples()
    {
        var x = NF.Constant(RandomValues(N * 4, 3, -1, 1).Select(v => (float)v).ToArray(), [N, 4]);
        var cls = NF.Constant(RandomValues(N, 4, 0, 3).Select(v => (long)v).ToArray());
        var bin = NF.Constant(RandomValues(N, 5, 0, 1).Select(v => v > 0.5 ? 1f : 0f).ToArray(), [N, 1]);
        return (x, cls, bin);
    }

    private static Model Compiled()
    {
        NF.Random.SetSeed(41);
        var model = Build();
        model.Compile(new Optimizers.SGD(0.1), new Dictionary<string, Losses.Loss> { ["cls"] = "sparse_categorical_crossentropy" }, ["accuracy"]);
        return model;
    }

    [SkippableFact]
    public void The_left_out_output_has_no_loss_in_Evaluate_or_Fit()
    {
        RequireBackend();
        var model = Compiled();
        var (x, cls, bin) = Examples();
        string[] names = ["loss", "cls_loss", "cls_accuracy", "bin_accuracy"];
        Assert.Equal(names, model.MetricsNames);

        var result = model.Evaluate(x, (cls, bin), batchSize: N);
        Assert.Equal(names, result.Values.Select(kv => kv.Key));
        var predictions = model.PredictOutputs(x);
        float clsLoss = ((Losses.Loss)"sparse_categorical_crossentropy").Call(cls, predictions[0]).Item<float>();
        Assert.Equal(clsLoss, result["cls_loss"], 1e-5f);
        Assert.Equal(clsLoss, result["loss"], 1e-5f);   // the total holds the named output's loss alone

        var binKernel = model.SubLayers.Single(l => l.Name == "bin").Variables[0].ToArray<float>();
        var history = model.Fit(x, (cls, bin), batchSize: 5, epochs: 2, verbose: 0, validationData: (x, (cls, bin)));
        Assert.Equal([.. names, .. names.Select(n => "val_" + n)], history.Keys);
        Assert.Equal(binKernel, model.SubLayers.Single(l => l.Name == "bin").Variables[0].ToArray<float>());   // no loss, no gradient
    }

    [SkippableFact]
    public void The_left_out_output_stays_left_out_after_save_and_load()
    {
        RequireBackend();
        var model = Compiled();
        var (x, cls, bin) = Examples();
        model.Fit(x, (cls, bin), batchSize: 5, epochs: 1, verbose: 0);
        string path = Temp.File("left_out.nfmodel");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(model.MetricsNames, loaded.MetricsNames);
        Assert.Equal(model.Evaluate(x, (cls, bin)).Values, loaded.Evaluate(x, (cls, bin)).Values);
    }
}

public sealed class ManagedLeftOutLossTests() : LeftOutLossTests("managed");
public sealed class NativeCpuLeftOutLossTests() : LeftOutLossTests("cpu");
public sealed class CudaLeftOutLossTests() : LeftOutLossTests("cuda");
