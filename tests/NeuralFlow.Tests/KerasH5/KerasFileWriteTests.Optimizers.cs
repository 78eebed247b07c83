using System.IO.Compression;
using NeuralFlow.IO.Hdf5;
using NeuralFlow.Keras;
using NeuralFlow.Keras.Saving;

namespace NeuralFlow.Tests.KerasH5;

/// <summary>
/// The optimizers beyond Adam and SGD whose Keras 3 variables are NeuralFlow's slots
/// (keras/src/optimizers/*.py build and update_step): a .keras holds their state in Keras'
/// optimizer/vars alone, in Keras' order, and training resumes from it bit for bit, from the
/// archive Load reads and from the archive as Keras sees it (without NeuralFlow's entries).
/// Before, their state went only to neuralflow/optimizer.safetensors: Keras started them fresh,
/// and a Keras-written RMSprop, Nadam, ... archive loaded with fresh slots after a warning.
/// </summary>
public abstract partial class KerasFileWriteTests
{
    // Rates a float32 holds exactly: Keras' optimizer/vars keeps the rate as float32.
    private const double Rate = 0.015625;

    public static TheoryData<string> KerasLayoutOptimizers() =>
        ["rmsprop", "rmsprop_momentum", "rmsprop_centered", "rmsprop_momentum_centered", "adagrad", "adamax", "nadam", "adadelta", "ftrl", "lion", "lamb"];

    // The optimizer and its Keras variable runs in creation order, as NeuralFlow slot indices.
    private static (Optimizers.Optimizer Optimizer, int[][] Runs, bool UProduct) KerasLayoutOptimizer(string name) => name switch
    {
        "rmsprop" => (new Optimizers.RMSprop(Rate), [[0]], false),
        "rmsprop_momentum" => (new Optimizers.RMSprop(Rate, momentum: 0.5), [[0], [1]], false),
        "rmsprop_centered" => (new Optimizers.RMSprop(Rate, centered: true), [[0], [2]], false),
        "rmsprop_momentum_centered" => (new Optimizers.RMSprop(Rate, momentum: 0.5, centered: true), [[0], [1], [2]], false),
        "adagrad" => (new Optimizers.Adagrad(Rate), [[0]], false),
        "adamax" => (new Optimizers.Adamax(Rate), [[0, 1]], false),
        "nadam" => (new Optimizers.Nadam(Rate), [[0, 1]], true),
        "adadelta" => (new Optimizers.Adadelta(Rate), [[0, 1]], false),
        "ftrl" => (new Optimizers.Ftrl(Rate), [[0, 1]], false),
        "lion" => (new Optimizers.Lion(Rate), [[0]], false),
        "lamb" => (new Optimizers.Lamb(Rate), [[0, 1]], false),
        _ => throw new ArgumentException(name),
    };

    // A small model trained 6 steps (3 epochs of 2 batches, unshuffled) with the optimizer.
    private static (Model Model, Tensor X, Tensor Y) TrainedSixSteps(Optimizers.Optimizer optimizer)
    {
        NF.Random.SetSeed(5);
        var model = new Sequential(Layers.Input([3]), new Layers.Dense(4, activation: "tanh", name: "hidden"), new Layers.Dense(2, name: "head"));
        model.Compile(optimizer, "mse");
        var x = NF.Constant(Enumerable.Range(0, 24).Select(i => MathF.Sin(i)).ToArray(), [8, 3]);
        var y = NF.Constant(Enumerable.Range(0, 16).Select(i => MathF.Cos(i)).ToArray(), [8, 2]);
        model.Fit(x, y, epochs: 3, batchSize: 4, verbose: 0, shuffle: false);
        return (model, x, y);
    }

    [SkippableTheory]
    [MemberData(nameof(KerasLayoutOptimizers))]
    public void Optimizer_state_goes_to_keras_layout_and_resumes_bit_for_bit(string name)
    {
        RequireBackend();
        var (optimizer, runs, uProduct) = KerasLayoutOptimizer(name);
        var (model, x, y) = TrainedSixSteps(optimizer);
        string saved = SaveTo(model, $"{name}.keras");
        using (var zip = ZipFile.OpenRead(saved))
            Assert.Null(zip.GetEntry("neuralflow/optimizer.safetensors"));  // Keras' layout is the whole state

        // optimizer/vars: iteration, learning_rate, then each run over the trainable weights in Keras' order (then Nadam's u_product).
        var trainable = KerasH5Weights.TrainableInKerasOrder(model).ToList();
        using (var h5 = Hdf5File.Open(Extract(saved, "model.weights.h5", $"{name}.h5")))
        {
            var vars = h5.Root.Group("optimizer")!.Group("vars")!;
            Assert.Equal(2 + runs.Sum(r => r.Length) * trainable.Count + (uProduct ? 1 : 0), vars.Names.Count);
            int next = 2;
            foreach (var run in runs)
                for (int v = 0; v < trainable.Count; v++)
                    foreach (int slot in run)
                    {
                        var stored = KerasH5Weights.ToTensor((Hdf5Dataset)vars.Get((next++).ToString())!, trainable[v].Shape);
                        Assert.Equal(model.Optimizer!.SlotsOf(trainable[v])![slot].ToArray<float>(), stored.ToArray<float>());
                    }
            if (uProduct)
            {
                // Keras' _u_product after 6 steps: the product of 0.9 (1 - 0.5 * 0.96^t), t = 1..6.
                double want = Enumerable.Range(1, 6).Aggregate(1.0, (p, t) => p * 0.9 * (1 - 0.5 * Math.Pow(0.96, t)));
                var u = BitConverter.ToSingle(((Hdf5Dataset)vars.Get((next++).ToString())!).ReadBytes());
                Assert.Equal((float)want, u);
            }
        }

        var before = model.Fit(x, y, epochs: 2, batchSize: 4, verbose: 0, shuffle: false)["loss"];
        foreach (var path in new[] { saved, KerasView(saved, $"{name}_view.keras") })
        {
            using var warnings = new WarningLogCapture();
            var loaded = Model.Load(path);
            Assert.Equal("", warnings.Text);
            Assert.Equal(6, loaded.Optimizer!.Iterations);
            Assert.Equal(optimizer.GetType(), loaded.Optimizer.GetType());
            Assert.Equal(before, loaded.Fit(x, y, epochs: 2, batchSize: 4, verbose: 0, shuffle: false)["loss"]);
            Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
        }
    }
}
