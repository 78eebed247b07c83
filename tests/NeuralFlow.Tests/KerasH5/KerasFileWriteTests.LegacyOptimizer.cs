using NeuralFlow.IO.Hdf5;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.KerasH5;

/// <summary>
/// A legacy whole-model .h5 keeps the optimizer's variables (tf.keras' include_optimizer):
/// <c>Save("x.h5")</c> writes them as tf.keras 2.15 does (optimizer_weights: iteration:0, then
/// Adam/m/dense/kernel:0 ... in each optimizer's build order), and Load restores them from that
/// order, from tf.keras' OptimizerV2 order (TF 2.10 and before: all m, then all v) and from Keras 3's
/// (iteration, learning_rate, the slots, Nadam's u_product), the latter two written by h5py
/// (optimizer_weights_peer.py): training resumes bit for bit. Before, the legacy file kept no
/// optimizer state and every load started with fresh slots.
/// </summary>
public abstract partial class KerasFileWriteTests
{
    public static TheoryData<string> LegacyH5Optimizers() =>
        ["adam", "adamw_amsgrad", "sgd_momentum", "rmsprop_momentum_centered", "adagrad", "adamax", "nadam", "adadelta", "ftrl", "lion"];

    private static Optimizers.Optimizer LegacyH5Optimizer(string name) => name switch
    {
        "adam" => new Optimizers.Adam(Rate),
        "adamw_amsgrad" => new Optimizers.AdamW(Rate, amsgrad: true),
        "sgd_momentum" => new Optimizers.SGD(Rate, momentum: 0.9),
        _ => KerasLayoutOptimizer(name).Optimizer,
    };

    // A model trained 6 steps with the optimizer, saved to .h5; and its loss over the 2 epochs after.
    private (string Saved, float[] Next, Model Model, Tensor X, Tensor Y) TrainedLegacyH5(Optimizers.Optimizer optimizer, string name)
    {
        var (model, x, y) = TrainedSixSteps(optimizer);
        string saved = SaveTo(model, $"{name}.h5");
        var next = model.Fit(x, y, epochs: 2, batchSize: 4, verbose: 0, shuffle: false)["loss"].ToArray();
        return (saved, next, model, x, y);
    }

    private static void ResumesExactly(string path, float[] next, Model model, Tensor x, Tensor y)
    {
        using var warnings = new WarningLogCapture();
        var loaded = Model.Load(path);
        Assert.Equal("", warnings.Text);
        Assert.Equal(6, loaded.Optimizer!.Iterations);
        Assert.Equal(next, loaded.Fit(x, y, epochs: 2, batchSize: 4, verbose: 0, shuffle: false)["loss"]);
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
    }

    [SkippableTheory]
    [MemberData(nameof(LegacyH5Optimizers))]
    public void Save_h5_keeps_the_optimizer_state_as_tf_keras_and_load_resumes_it(string name)
    {
        RequireBackend();
        var optimizer = LegacyH5Optimizer(name);
        var (saved, next, model, x, y) = TrainedLegacyH5(optimizer, name);
        using (var h5 = Hdf5File.Open(saved))
        {
            var group = h5.Root.Group("optimizer_weights")!;
            var names = Keras.Saving.KerasH5Weights.Strings(group, "weight_names", saved);
            Assert.Equal("iteration:0", names[0]);
            string prefix = optimizer.GetType().Name;
            Assert.All(names.Skip(1), n => Assert.StartsWith(prefix + "/", n));
            // tf.keras 2.15's build order, e.g. Adam: m then v of each weight in turn.
            if (name == "adam")
                Assert.Equal(["iteration:0", "Adam/m/hidden/kernel:0", "Adam/v/hidden/kernel:0", "Adam/m/hidden/bias:0", "Adam/v/hidden/bias:0",
                              "Adam/m/head/kernel:0", "Adam/v/head/kernel:0", "Adam/m/head/bias:0", "Adam/v/head/bias:0"], names);
            Assert.All(names, n => Assert.NotNull(group.Get(n) as Hdf5Dataset));
        }
        ResumesExactly(saved, next, model, x, y);
    }

    [SkippableFact]
    public void An_optimizer_tf_keras_does_not_have_saves_no_optimizer_weights_and_loads_fresh()
    {
        RequireBackend();
        var (saved, _, _, _, _) = TrainedLegacyH5(new Optimizers.Lamb(Rate), "lamb");
        using (var h5 = Hdf5File.Open(saved))
            Assert.Null(h5.Root.Group("optimizer_weights"));
        var loaded = Model.Load(saved);
        Assert.IsType<Optimizers.Lamb>(loaded.Optimizer);
        Assert.Equal(0, loaded.Optimizer!.Iterations);
    }

    [SkippableTheory]
    [InlineData("adam", "legacy")]
    [InlineData("adadelta", "legacy")]
    [InlineData("rmsprop_momentum_centered", "legacy")]
    [InlineData("adam", "keras3")]
    [InlineData("nadam", "keras3")]
    [InlineData("rmsprop_momentum_centered", "keras3")]
    public void Load_restores_optimizer_weights_in_the_orders_of_older_tf_keras_and_keras3(string name, string flavor)
    {
        RequireBackend();
        H5pyPeer.Require();
        var (saved, next, model, x, y) = TrainedLegacyH5(LegacyH5Optimizer(name), name);
        double uProduct = Enumerable.Range(1, 6).Aggregate(1.0, (p, t) => p * 0.9 * (1 - 0.5 * Math.Pow(0.96, t)));
        var names = H5pyPeer.Run("optimizer_weights_peer.py", saved, flavor, Rate.ToString("R"), uProduct.ToString("R"))
            .EnumerateArray().Select(n => n.GetString()!).ToArray();
        Assert.EndsWith(flavor == "legacy" ? "/iter:0" : "/iteration", names[0]);
        if (name == "adam" && flavor == "legacy")
            Assert.Equal(["Adam/iter:0", "Adam/hidden/kernel/m:0", "Adam/hidden/bias/m:0", "Adam/head/kernel/m:0", "Adam/head/bias/m:0",
                          "Adam/hidden/kernel/v:0", "Adam/hidden/bias/v:0", "Adam/head/kernel/v:0", "Adam/head/bias/v:0"], names);
        ResumesExactly(saved, next, model, x, y);
    }
}
