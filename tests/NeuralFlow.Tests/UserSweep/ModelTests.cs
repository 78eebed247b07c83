using NeuralFlow.Keras;
using static NeuralFlow.Tests.UserSweep.SweepFixtures;

namespace NeuralFlow.Tests.UserSweep;

/// <summary>
/// What a reader builds the day after the workshop: a CNN (checked against PyTorch with Keras'
/// layouts), a Save/Load round trip that training continues from as if never interrupted, a
/// functional model with a layer shared by two inputs, and NF.Function called with changing shapes.
/// </summary>
public abstract class ModelTests(string backend) : BackendTest(backend)
{
    private static string TempFile(string name) => Path.Combine(Path.GetTempPath(), $"usersweep-{Environment.ProcessId}-{Guid.NewGuid():N}-{name}");

    [SkippableFact]
    public void Cnn_logits_loss_and_gradients_match_pytorch()
    {
        RequireBackend();
        var c = Object("cnn");
        var conv = new Layers.Conv2D(4, 3, activation: "relu");
        var dense = new Layers.Dense(3);
        var model = new Sequential(conv, new Layers.MaxPooling2D(), new Layers.Flatten(), dense);
        var x = Tensor(c["x"]!);
        model.Call(x);
        conv.SetWeights([Tensor(c["kernel"]!), Tensor(c["kernel_bias"]!)]);
        dense.SetWeights([Tensor(c["dense"]!), Tensor(c["dense_bias"]!)]);
        using var tape = new GradientTape();
        var logits = model.Call(x);
        var loss = new Losses.SparseCategoricalCrossentropy(fromLogits: true).Call(Tensor(c["y"]!), logits);
        var grads = tape.Gradient(loss, [.. conv.TrainableVariables, .. dense.TrainableVariables]);
        AssertValues(Values(c["logits"]!), Doubles(logits), 1e-5, 1e-5, "logits");
        Assert.Equal(c["loss"]!.GetValue<double>(), loss.Item<float>(), 5);
        string[] names = ["kernel", "kernel bias", "dense", "dense bias"];
        for (int i = 0; i < 4; i++)
            AssertValues(Values(c["grads"]![i]!), Doubles(grads[i]), 1e-4, 1e-5, "d loss / d " + names[i]);
    }

    private static Sequential SmallCnn() => new(new Layers.Conv2D(4, 3, activation: "relu"), new Layers.MaxPooling2D(), new Layers.Flatten(),
        new Layers.BatchNormalization(), new Layers.Dense(3));

    [SkippableFact]
    public void Training_continues_after_save_and_load_as_if_never_interrupted()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        var x = NF.Random.Normal(new Shape(12, 6, 6, 2));
        var y = NF.Random.Uniform(new Shape(12), 0, 3, DType.Int32);
        NF.Random.SetSeed(7);
        var a = SmallCnn();
        a.Compile(new Optimizers.Adam(0.01), new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        a.Fit(x, y, batchSize: 5, epochs: 2, verbose: 0, shuffle: false);
        var path = TempFile("cnn.keras");
        try
        {
            a.Save(path);
            var b = Model.Load(path);
            Assert.Equal(a.Predict(x).ToArray<float>(), b.Predict(x).ToArray<float>());
            Assert.Equal(a.Evaluate(x, y).Loss, b.Evaluate(x, y).Loss);
            // Adam's moments and step count travel with the model: one more epoch on each gives the same weights.
            a.Fit(x, y, batchSize: 5, epochs: 1, verbose: 0, shuffle: false);
            b.Fit(x, y, batchSize: 5, epochs: 1, verbose: 0, shuffle: false);
            var (wa, wb) = (a.GetWeights(), b.GetWeights());
            Assert.Equal(wa.Count, wb.Count);
            for (int i = 0; i < wa.Count; i++) Assert.Equal(wa[i].ToArray<float>(), wb[i].ToArray<float>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [SkippableFact]
    public void A_layer_shared_by_two_inputs_has_one_set_of_weights_and_summed_gradients()
    {
        RequireBackend();
        var left = Layers.Input([4]);
        var right = Layers.Input([4]);
        var shared = new Layers.Dense(2, name: "shared");
        var model = new Model([left, right], [new Layers.Add().Call([shared.Call(left), shared.Call(right)])]);
        Assert.Equal(10, model.CountParams());
        NF.Random.SetSeed(5);
        var (x1, x2) = (NF.Random.Normal(new Shape(3, 4)), NF.Random.Normal(new Shape(3, 4)));
        AssertValues(Doubles(shared.Call(x1) + shared.Call(x2)), Doubles(model.Predict((x1, x2))), 1e-6, 1e-6, "shared output");
        using (var tape = new GradientTape())
        {
            var loss = NF.ReduceSum(model.Call([x1, x2]));
            var g = tape.Gradient(loss, shared.TrainableVariables);
            var column = NF.ReduceSum(x1 + x2, 0);     // d/dW of sum(x1 W + x2 W) is (x1 + x2) summed over rows, per column
            AssertValues(Doubles(NF.Transpose(NF.Stack([column, column]))), Doubles(g[0]), 1e-5, 1e-5, "kernel gradient");
            AssertValues([6, 6], Doubles(g[1]), 0, 0, "bias gradient: two uses of three rows");
        }
        var path = TempFile("shared.keras");
        try
        {
            model.Save(path);
            var loaded = Model.Load(path);
            Assert.Equal(10, loaded.CountParams());
            Assert.Equal(model.Predict((x1, x2)).ToArray<float>(), loaded.Predict((x1, x2)).ToArray<float>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [SkippableFact]
    public void Function_with_changing_shapes_retraces_and_gives_the_eager_values()
    {
        RequireBackend();
        int traces = 0;
        var f = NF.Function((Tensor t) => { traces++; return NF.ReduceSum(NF.Square(t), 0) * 2f; });
        NF.Random.SetSeed(8);
        foreach (int n in new[] { 3, 5, 3, 1, 5 })
        {
            var t = NF.Random.Normal(new Shape(n, 2));
            Assert.Equal((NF.ReduceSum(NF.Square(t), 0) * 2f).ToArray<float>(), f(t).ToArray<float>());
        }
        Assert.Equal(3, traces);                                       // C# side effects run when tracing only (tf.function)
        Assert.Equal(new Shape(2, 2), f(NF.Ones(new Shape(2, 2, 2))).Shape);
        Assert.Equal(new[] { 4.0, 4.0 }, f(NF.Ones(new Shape(2, 2), DType.Float64)).ToArray<double>());

        var v = new Variable(NF.Ones(new Shape(2)));
        var step = NF.Function((Tensor t) =>
        {
            using var tape = new GradientTape();
            var loss = NF.ReduceSum(NF.Square(v * t));
            v.AssignSub(0.1f * tape.Gradient(loss, v));
            return loss;
        });
        Assert.Equal(5f, step(NF.Constant(new[] { 1f, 2f })).Item<float>());
        Assert.Equal(0.8f, step(NF.Constant(new[] { 1f, 2f })).Item<float>(), 6);
        Assert.Equal(0.4112f, step(NF.Constant(new[] { 1f })).Item<float>(), 6);   // a new shape: retraced, broadcasting
        AssertValues([0.512, 0.032], Doubles(v), 1e-6, 1e-7, "variable after three steps");
    }
}

public sealed class ManagedModelTests() : ModelTests("managed");

public sealed class NativeCpuModelTests() : ModelTests("cpu");

public sealed class CudaModelTests() : ModelTests("cuda");
