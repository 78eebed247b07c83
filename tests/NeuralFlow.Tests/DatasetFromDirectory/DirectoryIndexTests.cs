using NeuralFlow.Data;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.DatasetFromDirectory.DirectoryFixture;

namespace NeuralFlow.Tests.DatasetFromDirectory;

/// <summary>
/// The logic the three dataset-from-directory utilities share (Keras 3's dataset_utils.py), read
/// through TextDatasetFromDirectory: classes from sorted sub-directory names or classNames, files
/// by a sorted walk, the list shuffled once exactly as numpy's RandomState(seed).shuffle (orders from
/// directory_shuffle_references.py), validation taken from its end, Keras' printed lines and its
/// argument errors.
/// </summary>
public abstract class DirectoryIndexTests(string backend) : BackendFileTest(backend)
{
    private static string[] Names(IEnumerable<string> paths, string root) =>
        paths.Select(p => Path.GetRelativePath(root, p).Replace('\\', '/')).ToArray();

    [SkippableFact]
    public void Classes_come_from_sorted_subdirectories_and_files_from_a_sorted_walk()
    {
        RequireBackend();
        string root = Temp.Path;
        Write(root, "b/z.txt", "b z");
        Write(root, "b/a.TXT", "b a");          // extensions match in any case
        Write(root, "b/deep/er/x.txt", "b x");  // files at any depth belong to the class
        Write(root, "b/notes.md", "skipped");
        Write(root, "a/1.txt", "a 1");
        Write(root, ".hidden/h.txt", "hidden classes are skipped");
        Write(root, "top.txt", "files beside the classes are not in any class");
        var (ds, printed) = Capture(() => Utils.TextDatasetFromDirectory(root, shuffle: false, batchSize: 10));
        Assert.Equal("Found 4 files belonging to 2 classes.\n", printed);
        Assert.Equal(new[] { "a", "b" }, ds.ClassNames);
        Assert.Equal(new[] { "a/1.txt", "b/a.TXT", "b/z.txt", "b/deep/er/x.txt" }, Names(ds.FilePaths, root));
        var (texts, labels) = Assert.Single(ds);
        Assert.Equal(new[] { "a 1", "b a", "b z", "b x" }, texts);
        Assert.Equal(DType.Int32, labels!.DType);
        Assert.Equal(new[] { 0, 1, 1, 1 }, labels.ToArray<int>());
    }

    [SkippableFact]
    public void Class_names_choose_and_order_the_classes()
    {
        RequireBackend();
        string root = TwoTextClasses(Temp.Path, 2);
        Write(root, "zoo/z.txt", "z");
        var ds = Utils.TextDatasetFromDirectory(root, classNames: ["pos", "neg"], shuffle: false, verbose: false);
        Assert.Equal(new[] { "pos", "neg" }, ds.ClassNames);
        Assert.Equal(new[] { "pos/p00.txt", "pos/p01.txt", "neg/n00.txt", "neg/n01.txt" }, Names(ds.FilePaths, root));
        Assert.Equal(new[] { 0, 0, 1, 1 }, ds.Single().Labels!.ToArray<int>());
        var e = Assert.Throws<ArgumentException>(() => Utils.TextDatasetFromDirectory(root, classNames: ["pos", "cats"], verbose: false));
        Assert.Contains("did not match the names of the subdirectories", e.Message);
        Assert.Contains("'cats'", e.Message);
    }

    [SkippableFact]
    public void The_seed_shuffles_the_file_list_as_numpy_does_for_keras()
    {
        RequireBackend();
        string root = TwoTextClasses(Temp.Path, 10);
        var sorted = Utils.TextDatasetFromDirectory(root, shuffle: false, verbose: false).FilePaths;
        var ds = Utils.TextDatasetFromDirectory(root, seed: 1337, verbose: false);
        int[] numpy = [5, 3, 4, 0, 15, 11, 2, 12, 13, 1, 16, 17, 10, 14, 6, 9, 19, 18, 7, 8];
        Assert.Equal(numpy.Select(i => sorted[i]), ds.FilePaths);
        // Beyond 624 draws numpy's generator regenerates its state: the order still matches.
        string many = Path.Combine(Temp.Path, "many");
        for (int i = 0; i < 700; i++) Write(many, $"{i:000}.txt", "x");
        var shuffled = Utils.TextDatasetFromDirectory(many, labels: null, seed: 7, verbose: false).FilePaths;
        int[] first = [595, 115, 424, 138, 236, 57, 235, 383, 285, 553, 271, 127, 370, 220, 140, 578, 320, 209, 632, 635];
        Assert.Equal(first.Select(i => $"{i:000}.txt"), shuffled.Take(20).Select(Path.GetFileName));
    }

    [SkippableFact]
    public void Validation_split_is_disjoint_reproducible_and_taken_from_the_end()
    {
        RequireBackend();
        string root = TwoTextClasses(Temp.Path, 10);
        var (train, printed) = Capture(() => Utils.TextDatasetFromDirectory(root, validationSplit: 0.2, subset: "training", seed: 1337, batchSize: 4));
        Assert.Equal("Found 20 files belonging to 2 classes.\nUsing 16 files for training.\n", printed);
        var validation = Utils.TextDatasetFromDirectory(root, validationSplit: 0.2, subset: "validation", seed: 1337, batchSize: 4, verbose: false);
        var all = Utils.TextDatasetFromDirectory(root, seed: 1337, verbose: false).FilePaths;
        Assert.Equal(all.Take(16), train.FilePaths);
        Assert.Equal(all.Skip(16), validation.FilePaths);
        Assert.Empty(train.FilePaths.Intersect(validation.FilePaths));
        // What a pass reads is exactly the subset's files (reshuffled within the pass).
        var read = train.SelectMany(b => b.Texts).ToList();
        Assert.Equal(16, read.Count);
        var expected = train.FilePaths.Select(File.ReadAllText).Order().ToArray();
        Assert.Equal(expected, read.Order().ToArray());
        // The same seed, the same split; "both" gives the same two datasets.
        var (t2, v2) = Utils.TextDatasetsFromDirectory(root, 0.2, 1337, verbose: false);
        Assert.Equal(train.FilePaths, t2.FilePaths);
        Assert.Equal(validation.FilePaths, v2.FilePaths);
        Assert.Equal(4, train.Cardinality);
    }

    [SkippableFact]
    public void Label_modes_encode_as_keras()
    {
        RequireBackend();
        string root = TwoTextClasses(Temp.Path, 2);
        var categorical = Utils.TextDatasetFromDirectory(root, labelMode: "categorical", shuffle: false, verbose: false).Single().Labels!;
        Assert.Equal(new[] { 4, 2 }, categorical.Shape.ToArray());
        Assert.Equal(new float[] { 1, 0, 1, 0, 0, 1, 0, 1 }, categorical.ToArray<float>());
        var binary = Utils.TextDatasetFromDirectory(root, labelMode: "binary", shuffle: false, verbose: false).Single().Labels!;
        Assert.Equal(new[] { 4, 1 }, binary.Shape.ToArray());
        Assert.Equal(DType.Float32, binary.DType);
        Assert.Equal(new float[] { 0, 0, 1, 1 }, binary.ToArray<float>());
        Write(root, "third/t.txt", "t");
        var e = Assert.Throws<ArgumentException>(() => Utils.TextDatasetFromDirectory(root, labelMode: "binary", verbose: false));
        Assert.Contains("there must be exactly 2 class_names", e.Message);
        var none = Utils.TextDatasetFromDirectory(root, labelMode: null, shuffle: false, verbose: false);
        Assert.False(none.HasLabels);
        Assert.Null(none.ClassNames);
        Assert.Null(none.Single().Labels);
    }

    [SkippableFact]
    public void Explicit_labels_follow_the_sorted_walk_of_the_whole_tree()
    {
        RequireBackend();
        string root = Temp.Path;
        Write(root, "x/sub/2.txt", "x2");
        Write(root, "top.txt", "top");
        Write(root, "x/1.txt", "x1");
        Write(root, "x y/3.txt", "xy");   // "x y" sorts between "x" and "x/sub", as Python compares the walk's paths
        var ds = Utils.TextDatasetFromDirectory(root, labels: DirectoryLabels.Of([7, 3, 3, 7]), shuffle: false, verbose: false);
        Assert.Equal(new[] { "top.txt", "x/1.txt", "x y/3.txt", "x/sub/2.txt" }, Names(ds.FilePaths, root));
        Assert.Equal(new[] { "3", "7" }, ds.ClassNames);
        var (texts, labels) = ds.Single();
        Assert.Equal(new[] { "top", "x1", "xy", "x2" }, texts);
        Assert.Equal(new[] { 7, 3, 3, 7 }, labels!.ToArray<int>());
        var count = Assert.Throws<ArgumentException>(() => Utils.TextDatasetFromDirectory(root, labels: DirectoryLabels.Of([0, 1]), verbose: false));
        Assert.Contains("len(labels) is 2 while we found 4 files", count.Message);
        var names = Assert.Throws<ArgumentException>(() => Utils.TextDatasetFromDirectory(root, labels: DirectoryLabels.Of([0, 1, 0, 1]), classNames: ["a"], verbose: false));
        Assert.Contains("You can only pass `class_names` if `labels=\"inferred\"`", names.Message);
        // Keras would one-hot label 7 of 2 classes to a row of zeros: refused instead.
        var past = Assert.Throws<ArgumentOutOfRangeException>(() => Utils.TextDatasetFromDirectory(root, labels: DirectoryLabels.Of([7, 3, 3, 7]), labelMode: "categorical", shuffle: false, verbose: false));
        Assert.Contains("label 7 is not a class id in [0, 2)", past.Message);
    }

    [SkippableFact]
    public void Bad_arguments_fail_with_keras_messages()
    {
        RequireBackend();
        string root = TwoTextClasses(Temp.Path, 3);
        string missing = Path.Combine(Temp.Path, "nowhere");
        var e1 = Assert.Throws<DirectoryNotFoundException>(() => Utils.TextDatasetFromDirectory(missing));
        Assert.Contains(missing, e1.Message);
        string empty = Directory.CreateDirectory(Path.Combine(Temp.Path, "empty")).FullName;
        var e2 = Assert.Throws<ArgumentException>(() => Utils.TextDatasetFromDirectory(empty, verbose: false));
        Assert.Contains($"No text files found in directory {empty}", e2.Message);
        var e3 = Assert.Throws<ArgumentException>(() => Utils.TextDatasetFromDirectory(root, labelMode: "sparse"));
        Assert.Contains("Received: label_mode=sparse", e3.Message);
        var e4 = Assert.Throws<ArgumentOutOfRangeException>(() => Utils.TextDatasetFromDirectory(root, validationSplit: 1.5, subset: "training", seed: 1));
        Assert.Contains("`validation_split` must be between 0 and 1, received: 1.5", e4.Message);
        var e5 = Assert.Throws<ArgumentException>(() => Utils.TextDatasetFromDirectory(root, subset: "training", seed: 1));
        Assert.Contains("If `subset` is set, `validation_split` must be set, and inversely.", e5.Message);
        var e6 = Assert.Throws<ArgumentException>(() => Utils.TextDatasetFromDirectory(root, validationSplit: 0.2, subset: "training"));
        Assert.Contains("you must provide a `seed` argument", e6.Message);
        var e7 = Assert.Throws<ArgumentException>(() => Utils.TextDatasetFromDirectory(root, validationSplit: 0.2, subset: "both", seed: 1));
        Assert.Contains("TextDatasetsFromDirectory", e7.Message);
        var e8 = Assert.Throws<ArgumentException>(() => Utils.TextDatasetFromDirectory(root, labels: "folders"));
        Assert.Contains("Received: labels=folders", e8.Message);
        var e9 = Assert.Throws<ArgumentException>(() => Utils.TextDatasetFromDirectory(root, validationSplit: 0.1, subset: "validation", seed: 1, verbose: false));
        Assert.Contains("leaves no file for validation", e9.Message);
        var e10 = Assert.Throws<ArgumentException>(() => Utils.TextDatasetFromDirectory(root, validationSplit: 0.5, subset: "train", seed: 1));
        Assert.Contains("`subset` must be either \"training\", \"validation\" or \"both\", received: train", e10.Message);
    }

    [SkippableFact]
    public void Linked_directories_are_entered_only_with_follow_links_and_a_loop_ends()
    {
        RequireBackend();
        string root = Path.Combine(Temp.Path, "data");
        Write(root, "a/1.txt", "a1");
        string outside = Path.Combine(Temp.Path, "outside");
        Write(outside, "o.txt", "o");
        try
        {
            Directory.CreateSymbolicLink(Path.Combine(root, "a", "linked"), outside);
            Directory.CreateSymbolicLink(Path.Combine(root, "a", "loop"), Path.Combine(root, "a"));
            Directory.CreateSymbolicLink(Path.Combine(root, "b"), outside);   // a linked class directory is a class (Keras' isdir follows links)
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            Skip.If(true, $"symbolic links cannot be made here: {e.Message}");
        }
        var plain = Utils.TextDatasetFromDirectory(root, shuffle: false, verbose: false);
        Assert.Equal(new[] { "a", "b" }, plain.ClassNames);
        Assert.Equal(new[] { "a/1.txt", "b/o.txt" }, Names(plain.FilePaths, root));
        var followed = Utils.TextDatasetFromDirectory(root, shuffle: false, followLinks: true, verbose: false).FilePaths;
        Assert.Equal(new[] { "a/1.txt", "a/linked/o.txt", "b/o.txt" }, Names(followed, root));
    }
}

/// <summary>The shared directory logic on the managed backend.</summary>
public sealed class ManagedDirectoryIndexTests() : DirectoryIndexTests("managed");

/// <summary>The shared directory logic on the native CPU backend.</summary>
public sealed class NativeCpuDirectoryIndexTests() : DirectoryIndexTests("cpu");

/// <summary>The shared directory logic on CUDA.</summary>
public sealed class CudaDirectoryIndexTests() : DirectoryIndexTests("cuda");
