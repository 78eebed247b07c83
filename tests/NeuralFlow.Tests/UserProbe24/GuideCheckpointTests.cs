using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// TensorFlow's "Training checkpoints" guide (guide/checkpoint.ipynb) in C#: the Net model trained by a custom loop
/// with a Train.Checkpoint of the step, optimizer and net managed by a CheckpointManager (max_to_keep 3), a second run
/// resuming from the latest checkpoint; then the guide's object-graph cells: a graph of plain checkpoints restoring one
/// variable of the saved model by its path (net/L1/bias), delayed restoration of a variable set afterwards, reading the
/// checkpoint's keys and values, and checkpoints holding lists and dictionaries of variables. The guide's weights are
/// random; here the kernel is fixed so that the losses are PyTorch's (guide_checkpoint_references.py).
/// </summary>
public abstract class GuideCheckpointTests(string backend) : BackendFileTest(backend)
{
    // guide_checkpoint_references.py: the losses of the checkpointed steps (9, 19, ..., 99 of one straight run), the
    // weights after the first run's 50 steps, and after the second run (step 99: it resumed from step 49).
    private static readonly float[] Losses = [28.7454720f, 22.1613770f, 15.6011276f, 9.1397610f, 2.9760478f, 1.2032328f, 0.8525961f, 0.5605476f, 0.3843924f, 0.2775822f];
    private static readonly float[] Kernel50 = [4.2981663f, 4.0771575f, 4.5720057f, 3.9254649f, 4.8254652f];
    private static readonly float[] Bias50 = [4.0234871f, 4.3319998f, 4.5129580f, 4.8433633f, 4.9637213f];
    private static readonly float[] Kernel100 = [4.6464410f, 4.6476159f, 4.8374100f, 4.8251028f, 4.9250026f];
    private static readonly float[] Bias100 = [2.3198488f, 2.9943948f, 2.9786394f, 4.2528338f, 4.1296978f];

    /// <summary>The guide's Net: a simple linear model.</summary>
    private sealed class Net : Model
    {
        public Layers.Dense L1 { get; } = new(5, kernelInitializer: Initializer.Constant(new[] { 0.1f, -0.2f, 0.3f, -0.4f, 0.5f }));

        public override Tensor Call(Tensor x) => L1.Call(x);
    }

    private static Dataset<IReadOnlyDictionary<string, object>> ToyDataset()
    {
        var inputs = NF.Reshape(NF.Range(0f, 10f, 1f), [10, 1]);
        var labels = inputs * 5f + NF.Reshape(NF.Range(0f, 5f, 1f), [1, 5]);
        return Dataset.FromTensorSlices(new Dictionary<string, object> { ["x"] = inputs, ["y"] = labels }).Repeat().Batch(2);
    }

    private static Tensor TrainStep(Net net, IReadOnlyDictionary<string, object> example, Optimizers.Optimizer optimizer)
    {
        using var tape = new GradientTape();
        var output = net.Call((Tensor)example["x"]);
        var loss = NF.ReduceMean(NF.Abs(output - (Tensor)example["y"]));
        var variables = net.TrainableVariables;
        optimizer.ApplyGradients(tape.Gradient(loss, variables), variables);
        return loss;
    }

    // The guide's train_and_checkpoint: restore the latest checkpoint if any, then 50 steps, saving every tenth.
    private static List<float> TrainAndCheckpoint(Net net, Optimizers.Optimizer opt, Variable step, Train.Checkpoint ckpt,
                                                  Train.CheckpointManager manager, DatasetIterator<IReadOnlyDictionary<string, object>> iterator)
    {
        ckpt.Restore(manager.LatestCheckpoint);
        var losses = new List<float>();
        for (int i = 0; i < 50; i++)
        {
            var example = iterator.Next();
            var loss = TrainStep(net, example, opt);
            step.AssignAdd(1);
            if (step.Item<int>() % 10 == 0)
            {
                manager.Save();
                losses.Add(loss.Item<float>());
            }
        }
        return losses;
    }

    [SkippableFact]
    public void Two_runs_of_the_training_loop_resume_from_the_managed_checkpoints()
    {
        RequireBackend();
        string dir = Temp.File("tf_ckpts");
        var net = new Net();
        net.Call(NF.Zeros([1, 1]));
        net.SaveWeights(Temp.File("easy_checkpoint.weights.h5"));

        var opt = new Optimizers.Adam(0.1);
        var iterator = ToyDataset().Iterator();
        var step = new Variable(1);
        var ckpt = new Train.Checkpoint(new Dictionary<string, object> { ["step"] = step, ["optimizer"] = opt, ["net"] = net, ["iterator"] = iterator });
        var manager = new Train.CheckpointManager(ckpt, dir, maxToKeep: 3);
        var losses = TrainAndCheckpoint(net, opt, step, ckpt, manager, iterator);
        Assert.Equal(Kernel50, net.L1.Kernel!.ToArray<float>(), new Near(1e-5f));
        Assert.Equal(Bias50, net.L1.Bias!.ToArray<float>(), new Near(1e-5f));

        // Saved when the step variable (counting from 1) reached 10, 20, ..., 50: ckpt-1 .. ckpt-5, the newest three kept.
        // The second run restores ckpt-5: the step, the weights and Adam's moments after 49 steps, the iterator after 49 batches.
        var net2 = new Net();
        net2.Call(NF.Zeros([1, 1]));
        var opt2 = new Optimizers.Adam(0.1);
        var iterator2 = ToyDataset().Iterator();
        var step2 = new Variable(1);
        ckpt = new Train.Checkpoint(new Dictionary<string, object> { ["step"] = step2, ["optimizer"] = opt2, ["net"] = net2, ["iterator"] = iterator2 });
        manager = new Train.CheckpointManager(ckpt, dir, maxToKeep: 3);
        Assert.Equal(Path.Combine(dir, "ckpt-5"), manager.LatestCheckpoint);
        losses.AddRange(TrainAndCheckpoint(net2, opt2, step2, ckpt, manager, iterator2));
        Assert.Equal(100, step2.Item<int>());
        Assert.Equal(99, iterator2.Position);
        Assert.Equal(Losses, losses.ToArray(), new Near(2e-5f));
        Assert.Equal(Kernel100, net2.L1.Kernel!.ToArray<float>(), new Near(2e-5f));
        Assert.Equal(Bias100, net2.L1.Bias!.ToArray<float>(), new Near(2e-5f));
        Assert.Equal(new[] { "ckpt-8", "ckpt-9", "ckpt-10" }.Select(n => Path.Combine(dir, n)), manager.Checkpoints);
        Assert.Equal(["checkpoint", "ckpt-10.safetensors", "ckpt-8.safetensors", "ckpt-9.safetensors"],
                     Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // Loading mechanics: a graph of checkpoints whose path, net/L1/bias, reaches the model's bias by its fields' names.
        var toRestore = new Variable(NF.Zeros([5]));
        var fakeLayer = new Train.Checkpoint(new Dictionary<string, object> { ["bias"] = toRestore });
        var fakeNet = new Train.Checkpoint(new Dictionary<string, object> { ["L1"] = fakeLayer });
        var newRoot = new Train.Checkpoint(new Dictionary<string, object> { ["net"] = fakeNet });
        var status = newRoot.Restore(Train.Checkpoint.LatestCheckpoint(dir));
        Assert.Equal(Bias100, toRestore.ToArray<float>(), new Near(2e-5f));
        status.AssertExistingObjectsMatched();
        Assert.Throws<InvalidOperationException>(() => status.AssertConsumed());   // the optimizer, the step and the kernel were not

        // Delayed restoration: a variable set on the restored graph afterwards takes its saved value then.
        var deferredRestore = new Variable(NF.Zeros([1, 5]));
        Assert.Equal(new float[5], deferredRestore.ToArray<float>());
        fakeLayer["kernel"] = deferredRestore;
        Assert.Equal(Kernel100, deferredRestore.ToArray<float>(), new Near(2e-5f));

        // Manually inspecting checkpoints: tf.train.load_checkpoint.
        using var reader = new Train.CheckpointReader(dir);
        var shapeFromKey = reader.VariableToShapeMap();
        var dtypeFromKey = reader.VariableToDTypeMap();
        Assert.Contains("net/L1/kernel", shapeFromKey.Keys);
        Assert.Contains("step/value", shapeFromKey.Keys);
        Assert.Contains("iterator/position", shapeFromKey.Keys);
        Assert.Equal(new Shape(1, 5), shapeFromKey["net/L1/kernel"]);
        Assert.Equal(DType.Float32, dtypeFromKey["net/L1/kernel"]);
        Assert.Equal(DType.Int32, dtypeFromKey["step/value"]);
        Assert.Equal(Kernel100, reader.GetTensor("net/L1/kernel").ToArray<float>(), new Near(2e-5f));
        Assert.Equal(100, reader.GetTensor("step/value").Item<int>());
        Assert.Equal(99L, reader.GetTensor("iterator/position").Item<long>());
        Assert.Throws<KeyNotFoundException>(() => reader.GetTensor("net/L2/kernel"));
    }

    [SkippableFact]
    public void A_shuffled_pipeline_is_refused_as_a_checkpointed_iterator_and_a_short_dataset_cannot_seek_past_its_end()
    {
        RequireBackend();
        var x = NF.Range(0f, 6f, 1f);
        var refused = Assert.Throws<NotSupportedException>(() => Dataset.FromTensorSlices(x).Shuffle(6, seed: 1).Batch(2).Iterator());
        Assert.Contains("shuffles", refused.Message);

        var iterator = Dataset.FromTensorSlices(x).Batch(2).Iterator();
        Assert.Equal(new[] { 0f, 1f }, iterator.Next().ToArray<float>());
        Assert.Equal(new[] { 2f, 3f }, iterator.Next().ToArray<float>());
        var ckpt = new Train.Checkpoint(new Dictionary<string, object> { ["iterator"] = iterator });
        string path = ckpt.Save(Temp.File("it/ckpt"));
        Assert.Equal(new[] { 4f, 5f }, iterator.Next().ToArray<float>());
        Assert.Throws<InvalidOperationException>(() => iterator.Next());   // StopIteration

        ckpt.Restore(path);
        Assert.Equal(2, iterator.Position);
        Assert.Equal(new[] { 4f, 5f }, iterator.Next().ToArray<float>());

        // The same checkpoint restored into an iterator over a dataset too short to reach its position.
        var shortOne = Dataset.FromTensorSlices(NF.Range(0f, 2f, 1f)).Batch(2).Iterator();
        var other = new Train.Checkpoint(new Dictionary<string, object> { ["iterator"] = shortOne });
        var error = Assert.Throws<InvalidDataException>(() => other.Restore(path));
        Assert.Contains("ends after 1", error.Message);
    }

    [SkippableFact]
    public void Lists_and_dictionaries_of_variables_save_and_restore_by_key_and_index()
    {
        RequireBackend();
        var save = new Train.Checkpoint();
        var listed = new List<Variable> { new(1f) };
        save["listed"] = listed;
        listed.Add(new Variable(2f));
        var mapped = new Dictionary<string, Variable> { ["one"] = listed[0] };
        save["mapped"] = mapped;
        mapped["two"] = listed[1];
        string savePath = save.Save(Temp.File("tf_list_example"));

        var restore = new Train.Checkpoint();
        var v2 = new Variable(0f);
        Assert.Equal(0f, v2.Item<float>());   // not restored yet
        restore["mapped"] = new Dictionary<string, Variable> { ["two"] = v2 };
        restore.Restore(savePath);
        Assert.Equal(2f, v2.Item<float>());

        // The guide appends to the restored (empty) list: an ObservableCollection restores each element as it is added
        // (TensorFlow's ListWrapper); a C# list set whole is restored as it is set.
        var appended = new System.Collections.ObjectModel.ObservableCollection<Variable>();
        var appendTo = new Train.Checkpoint { ["listed"] = appended };
        appendTo.Restore(savePath);
        appended.Add(new Variable(0f));
        Assert.Equal(1f, appended[0].Item<float>());
        var v1 = new Variable(0f);
        restore["listed"] = new List<Variable> { v1 };
        Assert.Equal(1f, v1.Item<float>());
        Assert.Same(v1, ((List<Variable>)restore["listed"])[0]);

        Assert.Throws<KeyNotFoundException>(() => restore["missing"]);
        var bad = Assert.Throws<ArgumentException>(() => restore["numbers"] = new List<object> { 1.5 });
        Assert.Contains("'0' (in 'numbers')", bad.Message);
        Assert.Throws<ArgumentException>(() => restore["a/b"] = v1);
        Assert.Throws<ArgumentException>(() => restore["keys"] = new Dictionary<int, Variable> { [1] = v1 });
    }
}

/// <summary>The checkpoint guide, on the managed backend.</summary>
public sealed class ManagedGuideCheckpointTests() : GuideCheckpointTests("managed");

/// <summary>The checkpoint guide, on the native CPU backend.</summary>
public sealed class NativeCpuGuideCheckpointTests() : GuideCheckpointTests("cpu");

/// <summary>The checkpoint guide, on the CUDA backend.</summary>
public sealed class CudaGuideCheckpointTests() : GuideCheckpointTests("cuda");
