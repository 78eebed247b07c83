using System.Collections.ObjectModel;
using System.Runtime.CompilerServices;
using NeuralFlow.Keras;
using Dense = NeuralFlow.Keras.Layers.Dense;

namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// Train.Checkpoint's delayed restoration of objects that come after the restore by other ways than a build: an optimizer
/// set with the indexer takes its step count and the slots saved for the variables already restored (a custom loop that
/// makes its optimizer last continues bit for bit, as TensorFlow's), a random generator added to a restored observable
/// list draws on from where it was saved, and a checkpoint made only to restore (then dropped) still gives a model its
/// values when it builds, as TensorFlow's objects keep their deferred restorations. Before, the late optimizer's slots came
/// back fresh, and a restore into an unbuilt model was refused.
/// </summary>
public abstract class CheckpointDelayedLateObjectsTests(string backend) : BackendFileTest(backend)
{
    private static Tensor Target(int step) => NF.Constant(new[] { MathF.Sin(step), MathF.Cos(step), 0.5f * step });

    private static void Step(Variable v, Optimizers.Optimizer optimizer, int step)
    {
        using var tape = new GradientTape();
        var loss = NF.ReduceSum(NF.Square(v * v - Target(step)));
        optimizer.ApplyGradients(tape.Gradient(loss, [v]), [v]);
    }

    [SkippableFact]
    public void An_optimizer_set_after_the_restore_takes_the_slots_of_the_variables_already_restored()
    {
        RequireBackend();
        var straight = new Variable(new[] { 0.3f, -0.6f, 0.9f });
        var straightOptimizer = new Optimizers.Adam(0.05);
        for (int s = 0; s < 6; s++) Step(straight, straightOptimizer, s);

        var first = new Variable(new[] { 0.3f, -0.6f, 0.9f });
        var firstOptimizer = new Optimizers.Adam(0.05);
        for (int s = 0; s < 3; s++) Step(first, firstOptimizer, s);
        string path = new Train.Checkpoint { ["v"] = first, ["optimizer"] = firstOptimizer }.Save(Temp.File("late/ckpt"));

        var resumed = new Variable(new[] { 1f, 1f, 1f });
        var checkpoint = new Train.Checkpoint { ["v"] = resumed };
        var status = checkpoint.Restore(path);
        Assert.Equal(["optimizer"], status.UnusedInFile);
        var optimizer = new Optimizers.Adam(0.05);
        checkpoint["optimizer"] = optimizer;
        Assert.Equal(3, optimizer.Iterations);
        Assert.Empty(status.UnusedInFile);
        for (int s = 3; s < 6; s++) Step(resumed, optimizer, s);
        Assert.Equal(straight.ToArray<float>(), resumed.ToArray<float>());
    }

    [SkippableFact]
    public void An_optimizer_set_after_a_late_built_model_took_its_values_takes_the_slots_for_it()
    {
        RequireBackend();
        var x = NF.Constant(new[,] { { 0.5f, -1f, 2f }, { 1.5f, 0.25f, -0.75f } });
        var y = NF.Constant(new[,] { { 1f }, { -1f } });
        Dense Layer() => new(1, kernelInitializer: Initializer.Constant(new[] { 0.2f, -0.4f, 0.6f }));
        void Train(Dense layer, Optimizers.Optimizer optimizer)
        {
            using var tape = new GradientTape();
            var loss = NF.ReduceMean(NF.Square(layer.Call(x) - y));
            optimizer.ApplyGradients(tape.Gradient(loss, layer.TrainableVariables), layer.TrainableVariables);
        }
        var straight = Layer();
        var straightOptimizer = new Optimizers.SGD(0.1, momentum: 0.9);
        for (int s = 0; s < 4; s++) Train(straight, straightOptimizer);

        var first = Layer();
        var firstOptimizer = new Optimizers.SGD(0.1, momentum: 0.9);
        for (int s = 0; s < 2; s++) Train(first, firstOptimizer);
        string path = new Train.Checkpoint { ["layer"] = first, ["optimizer"] = firstOptimizer }.Save(Temp.File("layer/ckpt"));

        var resumed = new Dense(1);
        var checkpoint = new Train.Checkpoint { ["layer"] = resumed };
        checkpoint.Restore(path);
        resumed.Call(x);   // built: it takes its values
        var optimizer = new Optimizers.SGD(0.1, momentum: 0.9);
        checkpoint["optimizer"] = optimizer;   // then the optimizer comes, with the momentum saved for the layer's weights
        for (int s = 0; s < 2; s++) Train(resumed, optimizer);
        Assert.Equal(straight.Kernel!.ToArray<float>(), resumed.Kernel!.ToArray<float>());
        Assert.Equal(straight.Bias!.ToArray<float>(), resumed.Bias!.ToArray<float>());
    }

    [SkippableFact]
    public void A_generator_added_to_a_restored_observable_list_draws_on_from_its_saved_state()
    {
        RequireBackend();
        var generator = NF.Random.Generator.FromSeed(25);
        generator.Normal([4]).Dispose();
        string path = new Train.Checkpoint { ["generators"] = new List<NF.Random.Generator> { generator } }.Save(Temp.File("gen/ckpt"));
        var expected = generator.Normal([3]).ToArray<float>();

        var generators = new ObservableCollection<NF.Random.Generator>();
        new Train.Checkpoint { ["generators"] = generators }.Restore(path);
        var fresh = NF.Random.Generator.FromSeed(1);
        generators.Add(fresh);
        Assert.Equal(expected, fresh.Normal([3]).ToArray<float>());

        // A plain list cannot say when the generator came, nor a generator that it has drawn since: it keeps its own state.
        var plain = new List<NF.Random.Generator>();
        var plainCheckpoint = new Train.Checkpoint { ["generators"] = plain };
        plainCheckpoint.Restore(path);
        var own = NF.Random.Generator.FromSeed(1);
        plain.Add(own);
        var drawn = own.Normal([3]).ToArray<float>();
        plainCheckpoint.Save(Temp.File("gen2/ckpt"));
        var next = own.Normal([3]).ToArray<float>();
        var reference = NF.Random.Generator.FromSeed(1);
        Assert.Equal(drawn, reference.Normal([3]).ToArray<float>());
        Assert.Equal(next, reference.Normal([3]).ToArray<float>());
    }

    // Restores through a checkpoint nothing keeps: only the model (not built) holds on to the waiting values.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void RestoreAndDrop(Model model, string path) => new Train.Checkpoint { ["model"] = model }.Restore(path);

    [SkippableFact]
    public void A_checkpoint_dropped_after_the_restore_still_gives_the_model_its_values_when_it_builds()
    {
        RequireBackend();
        var x = NF.Constant(new[,] { { 0.25f, -1.5f, 2f } });
        var saved = new Sequential([new Layers.Dense(4, activation: "relu"), new Layers.Dense(2)]);
        var expected = saved.Call(x).ToArray<float>();
        string path = new Train.Checkpoint { ["model"] = saved }.Save(Temp.File("dropped/ckpt"));

        var model = new Sequential([new Layers.Dense(4, activation: "relu"), new Layers.Dense(2)]);
        RestoreAndDrop(model, path);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.Equal(expected, model.Call(x).ToArray<float>());
    }
}

/// <summary>Late objects of a restored checkpoint, on the managed backend.</summary>
public sealed class ManagedCheckpointDelayedLateObjectsTests() : CheckpointDelayedLateObjectsTests("managed");

/// <summary>Late objects of a restored checkpoint, on the native CPU backend.</summary>
public sealed class NativeCpuCheckpointDelayedLateObjectsTests() : CheckpointDelayedLateObjectsTests("cpu");

/// <summary>Late objects of a restored checkpoint, on the CUDA backend.</summary>
public sealed class CudaCheckpointDelayedLateObjectsTests() : CheckpointDelayedLateObjectsTests("cuda");
