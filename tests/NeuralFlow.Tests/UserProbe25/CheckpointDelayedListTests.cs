using System.Collections.ObjectModel;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// Train.Checkpoint's delayed restoration of elements added to a restored list (the checkpoint guide appends to the
/// restored, empty list): an ObservableCollection takes each element's saved values as it is added, as TensorFlow's
/// ListWrapper; a plain List, which cannot say when it grows, gives them at the next layer build or save (a variable the
/// caller has set since keeps the caller's value). Elements added before a save are saved. With a CheckpointManager the
/// waiting values outlive the file they came from (max_to_keep deletes it), and a failed save leaves the previous
/// checkpoint as it was. Before, an element appended after the restore kept its initial value, and was saved so.
/// </summary>
public abstract class CheckpointDelayedListTests(string backend) : BackendFileTest(backend)
{
    private string SaveThree()
    {
        var save = new Train.Checkpoint();
        var listed = new List<Variable> { new(1f) };
        save["listed"] = listed;
        listed.Add(new Variable(2f));   // added to the tracked list before the save: saved
        listed.Add(new Variable(3f));
        return save.Save(Temp.File("list/ckpt"));
    }

    [SkippableFact]
    public void An_observable_collection_restores_each_element_as_it_is_added()
    {
        RequireBackend();
        string path = SaveThree();
        using (var reader = new Train.CheckpointReader(path)) Assert.Equal(3f, reader.GetTensor("listed/2/value").Item<float>());

        var restored = new ObservableCollection<Variable>();
        var checkpoint = new Train.Checkpoint { ["listed"] = restored };
        var status = checkpoint.Restore(path);
        Assert.Equal(["listed/0", "listed/1", "listed/2"], status.UnusedInFile);
        var first = new Variable(0f);
        restored.Add(first);
        Assert.Equal(1f, first.Item<float>());
        var second = new Variable(0f);
        restored.Add(second);
        Assert.Equal(2f, second.Item<float>());
        second.Assign(NF.Constant(7f));   // set after it took its value: the caller's value stays
        Assert.Equal(["listed/2"], status.UnusedInFile);
        var third = new Variable(0f);
        restored.Add(third);
        Assert.Equal(3f, third.Item<float>());
        Assert.Equal(7f, second.Item<float>());
        status.AssertConsumed();
        restored.Add(new Variable(5f));   // nothing saved for it: it keeps its value
        Assert.Equal(5f, restored[3].Item<float>());
    }

    [SkippableFact]
    public void A_plain_list_gives_appended_variables_their_values_at_the_next_save_unless_set_since()
    {
        RequireBackend();
        string path = SaveThree();
        var restored = new List<Variable>();
        var checkpoint = new Train.Checkpoint { ["listed"] = restored };
        var status = checkpoint.Restore(path);
        var first = new Variable(0f);
        restored.Add(first);
        var second = new Variable(0f);
        restored.Add(second);
        second.Assign(NF.Constant(9f));   // the caller's value, set after adding it
        string again = checkpoint.Save(Temp.File("again/ckpt"));
        Assert.Equal(1f, first.Item<float>());
        Assert.Equal(9f, second.Item<float>());
        Assert.Equal(["listed/1", "listed/2"], status.UnusedInFile);
        using var reader = new Train.CheckpointReader(again);
        Assert.Equal(1f, reader.GetTensor("listed/0/value").Item<float>());
        Assert.Equal(9f, reader.GetTensor("listed/1/value").Item<float>());
    }

    [SkippableFact]
    public void A_layer_appended_to_a_restored_list_takes_its_values_when_it_builds()
    {
        RequireBackend();
        var x = NF.Constant(new[,] { { 0.5f, -1f, 2f } });
        var savedLayers = new List<Layer> { new Layers.Dense(2, kernelInitializer: Initializer.Constant(new[] { 1f, 2f, 3f, 4f, 5f, 6f }), biasInitializer: Initializer.Constant(0.25)) };
        var expected = savedLayers[0].Call(x).ToArray<float>();
        string path = new Train.Checkpoint { ["layers"] = savedLayers }.Save(Temp.File("layers/ckpt"));

        var layers = new List<Layer>();
        var status = new Train.Checkpoint { ["layers"] = layers }.Restore(path);
        layers.Add(new Layers.Dense(2));
        Assert.Equal(expected, layers[0].Call(x).ToArray<float>());
        status.AssertConsumed();
    }

    [SkippableFact]
    public void Values_waiting_for_a_model_outlive_the_checkpoint_a_manager_deletes()
    {
        RequireBackend();
        var x = NF.Constant(new[,] { { 1f, -0.5f } });
        var saved = new Sequential([new Layers.Dense(3, activation: "relu"), new Layers.Dense(1)]);
        var expected = saved.Call(x).ToArray<float>();
        string dir = Temp.File("managed");
        var manager = new Train.CheckpointManager(new Train.Checkpoint { ["model"] = saved }, dir, maxToKeep: 1);
        manager.Save();

        var model = new Sequential([new Layers.Dense(3, activation: "relu"), new Layers.Dense(1)]);
        var checkpoint = new Train.Checkpoint { ["model"] = model };
        var resumed = new Train.CheckpointManager(checkpoint, dir, maxToKeep: 1);
        string restoredFrom = resumed.RestoreOrInitialize()!;
        Assert.Equal(resumed.LatestCheckpoint, restoredFrom);
        // Saved before the model is built, the new checkpoint holds the waiting values; the file restored from goes.
        string next = resumed.Save();
        Assert.False(File.Exists(restoredFrom + ".safetensors"));
        Assert.Equal([next], resumed.Checkpoints);
        Assert.Equal(expected, model.Call(x).ToArray<float>());
        var again = new Sequential([new Layers.Dense(3, activation: "relu"), new Layers.Dense(1)]);
        again.Call(x);
        new Train.Checkpoint { ["model"] = again }.Restore(next).AssertConsumed();
        Assert.Equal(expected, again.Call(x).ToArray<float>());
    }

    [SkippableFact]
    public void A_save_that_fails_while_writing_leaves_the_previous_checkpoint_readable()
    {
        RequireBackend();
        var listed = new List<Variable> { new(1f) };
        var checkpoint = new Train.Checkpoint { ["listed"] = listed };
        string dir = Temp.File("atomic");
        var manager = new Train.CheckpointManager(checkpoint, dir, maxToKeep: 2);
        string path = manager.Save(checkpointNumber: 1);
        listed[0].Assign(NF.Constant(4f));
        var broken = new Variable(2f);
        broken.Dispose();
        listed.Add(broken);
        Assert.ThrowsAny<ObjectDisposedException>(() => manager.Save(checkpointNumber: 1));
        Assert.Equal(path, Train.Checkpoint.LatestCheckpoint(dir));
        Assert.Equal(["checkpoint", "ckpt-1.safetensors"], Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        listed.RemoveAt(1);
        checkpoint.Restore(path);
        Assert.Equal(1f, listed[0].Item<float>());
    }
}

/// <summary>Delayed restoration of list elements, on the managed backend.</summary>
public sealed class ManagedCheckpointDelayedListTests() : CheckpointDelayedListTests("managed");

/// <summary>Delayed restoration of list elements, on the native CPU backend.</summary>
public sealed class NativeCpuCheckpointDelayedListTests() : CheckpointDelayedListTests("cpu");

/// <summary>Delayed restoration of list elements, on the CUDA backend.</summary>
public sealed class CudaCheckpointDelayedListTests() : CheckpointDelayedListTests("cuda");
