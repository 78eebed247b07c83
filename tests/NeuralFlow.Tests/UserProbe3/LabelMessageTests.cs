using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Messages users meet with wrong labels, as Keras words them, and BackupAndRestore's clean-up:
/// a sparse label outside the classes names the loss, the label and its position (the fused kernel's
/// own message named an internal C function); one-hot labels given to a sparse loss say so (the message
/// said "(4, 3) do not match (4, 3)"); a finished Fit leaves no empty backup directory (Keras removes it).
/// </summary>
public abstract class LabelMessageTests(string backend) : BackendFileTest(backend)
{
    private static Sequential Classifier()
    {
        NF.Random.SetSeed(3);
        var model = new Sequential(Layers.Input([2]), new Layers.Dense(3));
        model.Compile("sgd", new Losses.SparseCategoricalCrossentropy(fromLogits: true));
        return model;
    }

    [SkippableFact]
    public void A_sparse_label_outside_the_classes_names_the_loss_label_and_position()
    {
        RequireBackend();
        var model = Classifier();
        var x = NF.Random.Normal([6, 2]);
        var e = Assert.Throws<ArgumentException>(() => model.Evaluate(x, NF.Constant(new[] { 0, 5, 1, 1, 0, 2 }), verbose: 0));
        Assert.Contains("SparseCategoricalCrossentropy", e.Message);
        Assert.Contains("label value of 5", e.Message);
        Assert.Contains("[0, 3)", e.Message);
        Assert.DoesNotContain("nf_", e.Message);
        // The loss called directly, and in Fit.
        e = Assert.Throws<ArgumentException>(() => new Losses.SparseCategoricalCrossentropy(fromLogits: true).Call(NF.Constant(new[] { 2, -1 }), NF.Zeros([2, 3])));
        Assert.Contains("label value of -1", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Fit(x, NF.Constant(new[] { 0, 1, 1, 3, 0, 2 }), batchSize: 6, epochs: 1, verbose: 0));
        Assert.Contains("label value of 3", e.Message);
    }

    [SkippableFact]
    public void One_hot_labels_for_a_sparse_loss_are_named_as_such()
    {
        RequireBackend();
        var oneHot = NF.OneHot(NF.Constant(new[] { 0, 2, 1, 1 }), 3);
        var e = Assert.Throws<ArgumentException>(() => new Losses.SparseCategoricalCrossentropy().Call(oneHot, NF.Softmax(NF.Zeros([4, 3]))));
        Assert.Contains("one-hot", e.Message);
        Assert.Contains("CategoricalCrossentropy", e.Message);
        e = Assert.Throws<ArgumentException>(() => Classifier().Fit(NF.Random.Normal([4, 2]), oneHot, epochs: 1, verbose: 0));
        Assert.Contains("one-hot", e.Message);
        // Other shapes keep the plain message.
        e = Assert.Throws<ArgumentException>(() => new Losses.SparseCategoricalCrossentropy().Call(NF.Zeros([4, 2]), NF.Softmax(NF.Zeros([4, 3]))));
        Assert.Contains("do not match", e.Message);
    }

    [SkippableFact]
    public void Backup_and_restore_removes_its_emptied_directory_and_spares_one_with_other_files()
    {
        RequireBackend();
        var x = NF.Random.Normal([8, 2]);
        var y = NF.Constant(new[] { 0, 1, 2, 0, 1, 2, 0, 1 });
        string dir = Path.Combine(Temp.Path, "backup");
        Classifier().Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(dir)]);
        Assert.False(Directory.Exists(dir), "the emptied backup directory is removed, as Keras removes it");

        string shared = Path.Combine(Temp.Path, "shared");
        Directory.CreateDirectory(shared);
        File.WriteAllText(Path.Combine(shared, "notes.txt"), "mine");
        Classifier().Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(shared)]);
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(shared).Select(Path.GetFileName));

        string kept = Path.Combine(Temp.Path, "kept");
        Classifier().Fit(x, y, batchSize: 4, epochs: 1, verbose: 0, callbacks: [new Callbacks.BackupAndRestore(kept, deleteCheckpoint: false)]);
        Assert.True(File.Exists(Path.Combine(kept, "checkpoint.nfmodel")));
    }
}

public sealed class ManagedLabelMessageTests() : LabelMessageTests("managed");

public sealed class NativeCpuLabelMessageTests() : LabelMessageTests("cpu");

public sealed class CudaLabelMessageTests() : LabelMessageTests("cuda");
