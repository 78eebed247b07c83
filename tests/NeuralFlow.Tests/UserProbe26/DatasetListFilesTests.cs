using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// tf.data.Dataset.list_files and tf.io.matching_files: glob patterns (*, ?, [sets], wildcard directories),
/// sorted matches, the default reshuffle each pass, a seed's repeatable orders, and "No files matched
/// pattern" as the ArgumentException the pix2pix tutorial catches (TF's InvalidArgumentError).
/// </summary>
public abstract class DatasetListFilesTests(string backend) : BackendFileTest(backend)
{
    private string Tree()
    {
        string root = Temp.File("tree");
        foreach (var rel in new[] { "train/1.jpg", "train/10.jpg", "train/2.jpg", "train/a.png", "train/notes.txt", "val/3.jpg", "val/x/4.jpg" })
        {
            string file = Path.Combine(root, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, rel);
        }
        return root;
    }

    private static string[] Names(Dataset<StringTensor> ds, string root) =>
        ds.Select(s => Path.GetRelativePath(root, s.Item()).Replace('\\', '/')).ToArray();

    [SkippableFact]
    public void Matching_files_globs_segments_and_sorts()
    {
        RequireBackend();
        string root = Tree();
        string[] Match(string pattern) => NF.IO.MatchingFiles(root + "/" + pattern).Select(p => p[(root.Length + 1)..]).ToArray();
        Assert.Equal(["train/1.jpg", "train/10.jpg", "train/2.jpg"], Match("train/*.jpg"));
        Assert.Equal(["train/1.jpg", "train/2.jpg"], Match("train/?.jpg"));
        Assert.Equal(["train/1.jpg", "train/2.jpg", "train/a.png"], Match("train/[12a].*"));
        Assert.Equal(["train/a.png", "train/notes.txt"], Match("train/[!0-9]*"));
        Assert.Equal(["train/1.jpg", "train/10.jpg", "train/2.jpg", "val/3.jpg"], Match("*/*.jpg"));
        Assert.Equal(["val/x/4.jpg"], Match("val/*/*"));
        Assert.Equal(["val/3.jpg"], Match("val/3.jpg"));
        Assert.Empty(Match("test/*.jpg"));
        Assert.Contains("not closed", Assert.Throws<ArgumentException>(() => NF.IO.MatchingFiles(root + "/train/[ab")).Message);
        Assert.Throws<ArgumentException>(() => NF.IO.MatchingFiles(""));
    }

    [SkippableFact]
    public void List_files_shuffles_each_pass_unless_told_not_to_and_refuses_a_pattern_that_matches_nothing()
    {
        RequireBackend();
        string root = Tree();
        string pattern = Path.Combine(root, "train", "*");
        var sorted = new[] { "train/1.jpg", "train/10.jpg", "train/2.jpg", "train/a.png", "train/notes.txt" };
        var plain = Dataset.ListFiles(pattern, shuffle: false);
        Assert.Equal(sorted, Names(plain, root));
        Assert.Equal("TensorSpec(shape=(), dtype=tf.string, name=None)", plain.ElementSpec.ToString());

        // shuffle defaults to True: every pass is a permutation, and passes differ.
        var shuffled = Dataset.ListFiles(pattern, seed: 5);
        var passes = Enumerable.Range(0, 6).Select(_ => Names(shuffled, root)).ToList();
        Assert.All(passes, p => Assert.Equal(sorted, p.Order(StringComparer.Ordinal)));
        Assert.True(passes.Select(p => string.Join(",", p)).Distinct().Count() > 1, "six shuffled passes came out in one order");
        // A seed repeats the sequence of orders.
        var again = Dataset.ListFiles(pattern, seed: 5);
        Assert.Equal(passes, Enumerable.Range(0, 6).Select(_ => Names(again, root)).ToList());

        // Several patterns: all matches sorted together.
        Assert.Equal(["train/a.png", "val/3.jpg"],
                     Names(Dataset.ListFiles([Path.Combine(root, "val", "*.jpg"), Path.Combine(root, "train", "*.png")], shuffle: false), root));

        var e = Assert.Throws<ArgumentException>(() => Dataset.ListFiles(Path.Combine(root, "test", "*.jpg")));
        Assert.Contains("No files matched pattern", e.Message);
        Assert.Contains(Path.Combine(root, "test", "*.jpg"), e.Message);
        Assert.Throws<ArgumentException>(() => Dataset.ListFiles(Array.Empty<string>()));
    }
}

/// <summary>list_files on the managed backend.</summary>
public sealed class ManagedDatasetListFilesTests() : DatasetListFilesTests("managed");

/// <summary>list_files on the native CPU backend.</summary>
public sealed class NativeCpuDatasetListFilesTests() : DatasetListFilesTests("cpu");

/// <summary>list_files on CUDA.</summary>
public sealed class CudaDatasetListFilesTests() : DatasetListFilesTests("cuda");
