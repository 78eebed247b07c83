using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe22;

/// <summary>
/// Train.Checkpoint.Restore into a model that has not made its weights yet. This once refused (naming the unbuilt layer);
/// it now waits as TensorFlow's does (UserProbe25's CheckpointDelayedBuildTests cover it fully): the optimizer's step count
/// comes back at once, the model's values as its layers build, so its first output is the trained model's.
/// </summary>
public abstract class CheckpointUnbuiltTests(string backend) : BackendFileTest(backend)
{
    private sealed class TwoDense : Model
    {
        public readonly Layers.Dense First = new(4, activation: "relu", name: "hidden");
        public readonly Layers.Dense Second = new(2, name: "head");

        public override Tensor Call(Tensor x) => Second.Call(First.Call(x));
    }

    [SkippableFact]
    public void Restoring_an_unbuilt_model_waits_for_its_layers_to_build()
    {
        RequireBackend();
        NF.Random.SetSeed(2202);
        var x = NF.Constant(new[,] { { 1f, -2f, 0.5f } });
        var trained = new TwoDense();
        var optimizer = new Keras.Optimizers.Adam(0.01);
        using (var tape = new GradientTape())
        {
            var loss = NF.ReduceSum(NF.Square(trained.Call(x)));
            optimizer.ApplyGradients(tape.Gradient(loss, trained.TrainableVariables), trained.TrainableVariables);
        }
        string path = new Train.Checkpoint(new Dictionary<string, object> { ["model"] = trained, ["optimizer"] = optimizer }).Save(Temp.File("ckpt"));

        var fresh = new TwoDense();
        var freshOptimizer = new Keras.Optimizers.Adam(0.01);
        var checkpoint = new Train.Checkpoint(new Dictionary<string, object> { ["model"] = fresh, ["optimizer"] = freshOptimizer });
        var status = checkpoint.Restore(path);
        Assert.Equal(["model"], status.WaitingForVariables);
        Assert.Equal(1, freshOptimizer.Iterations);
        Assert.Equal(1, checkpoint.SaveCounter);

        // Partly built: the built layer takes its values now, the other as it builds on the first call.
        fresh.First.EnsureBuilt(new Shape(1, 3));
        Assert.Equal(trained.First.Kernel!.ToArray<float>(), fresh.First.Kernel!.ToArray<float>());
        Assert.Equal(trained.Call(x).ToArray<float>(), fresh.Call(x).ToArray<float>());
        status.AssertConsumed();
    }
}

/// <summary>Restoring unbuilt models on the managed backend.</summary>
public sealed class ManagedCheckpointUnbuiltTests() : CheckpointUnbuiltTests("managed");

/// <summary>Restoring unbuilt models on the native CPU backend.</summary>
public sealed class NativeCpuCheckpointUnbuiltTests() : CheckpointUnbuiltTests("cpu");

/// <summary>Restoring unbuilt models on CUDA.</summary>
public sealed class CudaCheckpointUnbuiltTests() : CheckpointUnbuiltTests("cuda");
