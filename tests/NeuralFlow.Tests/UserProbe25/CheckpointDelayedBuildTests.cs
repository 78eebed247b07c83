using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// Train.Checkpoint's delayed restoration of objects whose variables do not exist at the restore, as TensorFlow's: a Keras
/// model (or a custom layer) not built yet takes its saved values as it builds, before its first output, and the optimizer
/// restored with it takes the slots saved for those variables at the same moment (Adam's moments, SGD's momentum). A
/// restore, then the first call, then training continues exactly as the run that was never interrupted: each test trains
/// that run beside it and compares bit for bit. Before, the restore refused an unbuilt model (and a late-built one's slots
/// came back fresh, so the resumed run drifted from the uninterrupted one).
/// </summary>
public abstract class CheckpointDelayedBuildTests(string backend) : BackendFileTest(backend)
{
    // Fixed, different initial weights: a resumed model that kept its own would be visibly off.
    private static float[] Values(int count, float phase) => [.. Enumerable.Range(0, count).Select(i => 0.5f * MathF.Sin(1.3f * i + phase))];

    private sealed class TwoDense(float phase) : Model
    {
        public readonly Layers.Dense First = new(3, activation: "tanh", kernelInitializer: Initializer.Constant(Values(12, phase)));
        public readonly Layers.Dense Second = new(2, kernelInitializer: Initializer.Constant(Values(6, phase + 1)));

        public override Tensor Call(Tensor x) => Second.Call(First.Call(x));
    }

    // A custom layer whose weight is made in Build (add_weight), the size of its input's last axis.
    private sealed class Scale(float phase) : Layer
    {
        private Variable? _w;

        protected override void Build(Shape inputShape) => _w = AddWeight("w", [inputShape[-1]], Initializer.Constant(Values(inputShape[-1], phase)));

        protected override Tensor Forward(Tensor x) => NF.Tanh(x * _w!);
    }

    // A custom object (TensorFlow's tf.Module) that makes its variable on its first call and tracks it by name.
    private sealed class LazyBias(float phase)
    {
        public readonly Train.Checkpoint Tracked = new();
        private Variable? _b;

        public Variable? B => _b;

        public Tensor Call(Tensor x)
        {
            if (_b is null)
            {
                _b = new Variable(NF.Constant(Values(x.Shape[-1], phase)));
                Tracked["b"] = _b;   // restored from the checkpoint the object was restored with, as it is set
            }
            return x + _b;
        }
    }

    private static Tensor Batch(int step, int rows, int columns) =>
        NF.Constant(Values(rows * columns, 0.7f * step + 0.2f), new Shape(rows, columns));

    // One step of a custom training loop on batch `step`, towards targets of `outputs` columns.
    private static void Step(Func<Tensor, Tensor> call, IReadOnlyList<Variable> variables, Optimizers.Optimizer optimizer, int step, int outputs = 2)
    {
        using var tape = new GradientTape();
        var loss = NF.ReduceMean(NF.Square(call(Batch(step, 5, 4)) - Batch(step + 50, 5, outputs)));
        optimizer.ApplyGradients(tape.Gradient(loss, variables), variables);
    }

    private static List<float[]> ValuesOf(IEnumerable<Variable> variables) => [.. variables.Select(v => v.ToArray<float>())];

    public static TheoryData<string> Optimizer => ["adam", "sgd_momentum"];

    private static Optimizers.Optimizer Make(string name) =>
        name == "adam" ? new Optimizers.Adam(0.05) : new Optimizers.SGD(0.1, momentum: 0.9);

    [SkippableTheory]
    [MemberData(nameof(Optimizer))]
    public void A_model_built_after_the_restore_trains_on_exactly_as_the_uninterrupted_run(string optimizerName)
    {
        RequireBackend();
        var straight = new TwoDense(0f);
        var straightOptimizer = Make(optimizerName);
        for (int s = 0; s < 6; s++) Step(straight.Call, straight.TrainableVariables, straightOptimizer, s);

        var first = new TwoDense(0f);
        var firstOptimizer = Make(optimizerName);
        for (int s = 0; s < 3; s++) Step(first.Call, first.TrainableVariables, firstOptimizer, s);
        string path = new Train.Checkpoint(new Dictionary<string, object> { ["model"] = first, ["optimizer"] = firstOptimizer }).Save(Temp.File("run/ckpt"));

        var resumed = new TwoDense(2f);
        var optimizer = Make(optimizerName);
        var checkpoint = new Train.Checkpoint(new Dictionary<string, object> { ["model"] = resumed, ["optimizer"] = optimizer });
        var status = checkpoint.Restore(path);
        Assert.False(resumed.Built);
        Assert.Equal(3, optimizer.Iterations);
        Assert.Equal(["model"], status.WaitingForVariables);
        Assert.Contains("wait for variables", Assert.Throws<InvalidOperationException>(() => status.AssertConsumed()).Message);
        status.AssertExistingObjectsMatched();
        // A save before the first call keeps the waiting values and slots: a run resumed from it continues the same way.
        string carried = checkpoint.Save(Temp.File("carried/ckpt"));
        var third = new TwoDense(4f);
        var thirdOptimizer = Make(optimizerName);
        new Train.Checkpoint(new Dictionary<string, object> { ["model"] = third, ["optimizer"] = thirdOptimizer }).Restore(carried);

        // The first call builds the layers; each takes its saved values before its output, so this output is the saved model's.
        Assert.Equal(first.Call(Batch(9, 5, 4)).ToArray<float>(), resumed.Call(Batch(9, 5, 4)).ToArray<float>());
        Assert.Empty(status.WaitingForVariables);
        status.AssertConsumed();
        // Built by a call before the loop, as the loop takes the variables to train before it calls the model.
        Assert.Equal(first.Call(Batch(9, 5, 4)).ToArray<float>(), third.Call(Batch(9, 5, 4)).ToArray<float>());
        for (int s = 3; s < 6; s++)
        {
            Step(resumed.Call, resumed.TrainableVariables, optimizer, s);
            Step(third.Call, third.TrainableVariables, thirdOptimizer, s);
        }
        var expected = ValuesOf(straight.Variables);
        foreach (var model in new[] { resumed, third })
        {
            var actual = ValuesOf(model.Variables);
            Assert.Equal(expected.Count, actual.Count);
            for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], actual[i]);
        }
        Assert.Equal(6, optimizer.Iterations);
        Assert.Equal(6, thirdOptimizer.Iterations);
    }

    [SkippableTheory]
    [MemberData(nameof(Optimizer))]
    public void Fit_on_a_compiled_model_restored_before_it_was_built_continues_the_uninterrupted_fit(string optimizerName)
    {
        RequireBackend();
        var x = Batch(0, 12, 4);
        var y = Batch(1, 12, 2);
        TwoDense Compiled(float phase, Optimizers.Optimizer optimizer)
        {
            var model = new TwoDense(phase);
            model.Compile(optimizer, "mse");
            return model;
        }
        var straight = Compiled(0f, Make(optimizerName));
        straight.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, shuffle: false);

        var firstOptimizer = Make(optimizerName);
        var first = Compiled(0f, firstOptimizer);
        first.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0, shuffle: false);
        string path = new Train.Checkpoint(new Dictionary<string, object> { ["model"] = first, ["optimizer"] = firstOptimizer }).Save(Temp.File("fit/ckpt"));

        var optimizer = Make(optimizerName);
        var resumed = Compiled(5f, optimizer);
        new Train.Checkpoint(new Dictionary<string, object> { ["model"] = resumed, ["optimizer"] = optimizer }).Restore(path);
        Assert.False(resumed.Built);
        resumed.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0, shuffle: false);
        var expected = ValuesOf(straight.Variables);
        var actual = ValuesOf(resumed.Variables);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], actual[i]);
        Assert.Equal(6, optimizer.Iterations);
    }

    [SkippableTheory]
    [MemberData(nameof(Optimizer))]
    public void Custom_objects_with_variables_made_lazily_take_their_values_and_slots_when_made(string optimizerName)
    {
        RequireBackend();
        // The objects' variables, in the order the optimizer sees them.
        static List<Variable> Variables(Scale scale, LazyBias bias) => [.. scale.Variables, .. bias.B is { } b ? new[] { b } : []];
        static Tensor Call(Scale scale, LazyBias bias, Tensor x) => bias.Call(scale.Call(x));

        var straightScale = new Scale(0f);
        var straightBias = new LazyBias(0f);
        var straightOptimizer = Make(optimizerName);
        Call(straightScale, straightBias, Batch(0, 1, 4));
        for (int s = 0; s < 6; s++) Step(x => Call(straightScale, straightBias, x), Variables(straightScale, straightBias), straightOptimizer, s, 4);

        var scale = new Scale(0f);
        var bias = new LazyBias(0f);
        var firstOptimizer = Make(optimizerName);
        Call(scale, bias, Batch(0, 1, 4));
        for (int s = 0; s < 3; s++) Step(x => Call(scale, bias, x), Variables(scale, bias), firstOptimizer, s, 4);
        string path = new Train.Checkpoint(new Dictionary<string, object> { ["scale"] = scale, ["bias"] = bias.Tracked, ["optimizer"] = firstOptimizer })
            .Save(Temp.File("custom/ckpt"));

        var resumedScale = new Scale(3f);
        var resumedBias = new LazyBias(3f);
        var optimizer = Make(optimizerName);
        var status = new Train.Checkpoint(new Dictionary<string, object> { ["scale"] = resumedScale, ["bias"] = resumedBias.Tracked, ["optimizer"] = optimizer })
            .Restore(path);
        Assert.Equal(["scale"], status.WaitingForVariables);
        Assert.Null(resumedBias.B);
        Assert.Equal(Call(scale, bias, Batch(8, 5, 4)).ToArray<float>(), Call(resumedScale, resumedBias, Batch(8, 5, 4)).ToArray<float>());
        Assert.Equal(scale.Variables[0].ToArray<float>(), resumedScale.Variables[0].ToArray<float>());
        Assert.Equal(bias.B!.ToArray<float>(), resumedBias.B!.ToArray<float>());
        for (int s = 3; s < 6; s++) Step(x => Call(resumedScale, resumedBias, x), Variables(resumedScale, resumedBias), optimizer, s, 4);
        var expected = ValuesOf(Variables(straightScale, straightBias));
        var actual = ValuesOf(Variables(resumedScale, resumedBias));
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], actual[i]);
    }

    [SkippableFact]
    public void A_layer_built_with_another_shape_than_the_saved_one_is_refused_at_build_naming_both_shapes()
    {
        RequireBackend();
        var savedFirst = new Layers.Dense(3, activation: "tanh");
        var saved = new Sequential([savedFirst, new Layers.Dense(2)]);
        saved.Call(Batch(0, 2, 4));
        string path = new Train.Checkpoint(new Dictionary<string, object> { ["model"] = saved }).Save(Temp.File("shape/ckpt"));

        var first = new Layers.Dense(3, activation: "tanh");
        var other = new Sequential([first, new Layers.Dense(2)]);
        new Train.Checkpoint(new Dictionary<string, object> { ["model"] = other }).Restore(path);
        // Built for inputs of 6 features, its first kernel is (6, 3) where the checkpoint holds (4, 3).
        var error = Assert.Throws<InvalidDataException>(() => other.Call(Batch(0, 2, 6)));
        Assert.Contains(first.Kernel!.Name!, error.Message);
        Assert.Contains("(6, 3)", error.Message);
        Assert.Contains("(4, 3)", error.Message);
        Assert.Contains("model/variables/0", error.Message);
        // Nothing was assigned: the layer keeps its initial kernel, not the saved one's first rows.
        Assert.NotEqual(savedFirst.Kernel!.ToArray<float>()[..3], first.Kernel!.ToArray<float>()[..3]);
    }

    [SkippableFact]
    public void A_partly_built_model_takes_the_built_layers_values_at_the_restore_and_the_rest_as_they_build()
    {
        RequireBackend();
        var saved = new TwoDense(0f);
        var x = Batch(1, 2, 4);
        saved.Call(x);
        string path = new Train.Checkpoint(new Dictionary<string, object> { ["model"] = saved }).Save(Temp.File("partly/ckpt"));

        var partly = new TwoDense(1f);
        partly.First.EnsureBuilt(new Shape(2, 4));
        var status = new Train.Checkpoint(new Dictionary<string, object> { ["model"] = partly }).Restore(path);
        Assert.Equal(saved.First.Kernel!.ToArray<float>(), partly.First.Kernel!.ToArray<float>());
        Assert.Equal(["model"], status.WaitingForVariables);
        Assert.Equal(saved.Call(x).ToArray<float>(), partly.Call(x).ToArray<float>());
        Assert.Empty(status.WaitingForVariables);
    }
}

/// <summary>Delayed restoration at build, on the managed backend.</summary>
public sealed class ManagedCheckpointDelayedBuildTests() : CheckpointDelayedBuildTests("managed");

/// <summary>Delayed restoration at build, on the native CPU backend.</summary>
public sealed class NativeCpuCheckpointDelayedBuildTests() : CheckpointDelayedBuildTests("cpu");

/// <summary>Delayed restoration at build, on the CUDA backend.</summary>
public sealed class CudaCheckpointDelayedBuildTests() : CheckpointDelayedBuildTests("cuda");
