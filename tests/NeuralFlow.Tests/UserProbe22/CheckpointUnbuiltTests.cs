using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe22;

/// <summary>
/// Train.Checkpoint.Restore into a model that has not made its weights yet. TensorFlow defers such a restore until
/// the variables are created; NeuralFlow's checkpoints pair a model's variables by position in the whole model (and
/// the optimizer's slots by those variables), which only exist once every layer is built, so it refuses instead, with
/// an InvalidOperationException that names the checkpoint entry and the unbuilt layer and says what to do, and
/// changes nothing. Before, the message said "has 0 variables" (or "is it the same architecture?" for a partly
/// built model) as an InvalidDataException, as if the file were wrong.
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
    public void Restoring_an_unbuilt_model_names_the_unbuilt_layer_and_changes_nothing()
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
        var ex = Assert.Throws<InvalidOperationException>(() => checkpoint.Restore(path));
        Assert.Contains("'model'", ex.Message);
        Assert.Contains("is not built", ex.Message);
        Assert.Contains("call the model once", ex.Message);
        Assert.Equal(0, freshOptimizer.Iterations);
        Assert.Equal(0, checkpoint.SaveCounter);

        // Partly built: the layer still without weights is the one named.
        fresh.First.EnsureBuilt(new Shape(1, 3));
        Assert.Contains("its layer head has no weights", Assert.Throws<InvalidOperationException>(() => checkpoint.Restore(path)).Message);

        // Built by one call, it restores the trained values.
        fresh.Call(x);
        checkpoint.Restore(path).AssertConsumed();
        Assert.Equal(trained.Call(x).ToArray<float>(), fresh.Call(x).ToArray<float>());
        Assert.Equal(1, freshOptimizer.Iterations);
    }
}

/// <summary>Restoring unbuilt models on the managed backend.</summary>
public sealed class ManagedCheckpointUnbuiltTests() : CheckpointUnbuiltTests("managed");

/// <summary>Restoring unbuilt models on the native CPU backend.</summary>
public sealed class NativeCpuCheckpointUnbuiltTests() : CheckpointUnbuiltTests("cpu");

/// <summary>Restoring unbuilt models on CUDA.</summary>
public sealed class CudaCheckpointUnbuiltTests() : CheckpointUnbuiltTests("cuda");
