// MNIST for the samples: the full data set when its four IDX files are in --data DIR or the
// NeuralFlow cache folder, else the embedded 10,000-digit sample (never a download).
// Linked into the samples that use it (<Compile Include="../Shared/MnistFiles.cs" />).
using NeuralFlow;
using NeuralFlow.Data;

static class MnistFiles
{
    public static ((Tensor, Tensor), (Tensor, Tensor)) Load(string? dir, bool quiet = false)
    {
        string[] files = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];
        string Find(string folder, string f) => File.Exists(Path.Combine(folder, f + ".gz")) ? Path.Combine(folder, f + ".gz") : Path.Combine(folder, f);
        foreach (var folder in new[] { dir, Datasets.CacheFolder("mnist") })
        {
            if (folder is null || !files.All(f => File.Exists(Find(folder, f)))) continue;
            if (!quiet) Console.WriteLine($"Full MNIST from {folder}");
            var t = files.Select(f => Idx.Read(Find(folder, f))).ToArray();
            return ((t[0], t[1]), (t[2], t[3]));
        }
        if (dir is not null) throw new FileNotFoundException($"--data {dir}: the folder needs {string.Join(", ", files)} (raw or .gz).");
        if (!quiet) Console.WriteLine("Full MNIST not found (see README: Data sets); training on the embedded 10,000-digit sample.");
        return Datasets.Mnist.LoadSample();
    }
}
