using NeuralFlow.Data;

namespace NeuralFlow.Tests.Data;

/// <summary>The embedded MNIST sample and Debian's full Fashion-MNIST, counted as the workshop does.</summary>
public class MnistTests
{
    /// <summary>The sample's files, copied next to the tests by the test project.</summary>
    internal static string SamplePath(string file) => Path.Combine(AppContext.BaseDirectory, "mnist-sample", file);

    /// <summary>Label counts read straight from an IDX label file's bytes, without the library.</summary>
    internal static int[] CountsFromRawBytes(string labelsFile)
    {
        using var file = File.OpenRead(labelsFile);
        using var gz = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress);
        var bytes = new MemoryStream();
        gz.CopyTo(bytes);
        var raw = bytes.ToArray();
        Assert.Equal([0, 0, 8, 1], raw[..4]);
        var counts = new int[10];
        foreach (var label in raw[8..]) counts[label]++;
        return counts;
    }

    /// <summary>The workshop's loop: for i in 0..9, NF.ReduceSum(NF.Cast(NF.Equal(yTrain, i), DType.Int32)).</summary>
    internal static int[] WorkshopCounts(Tensor yTrain)
    {
        var counts = new int[10];
        for (int i = 0; i < 10; i++)
            counts[i] = NF.ReduceSum(NF.Cast(NF.Equal(yTrain, i), DType.Int32)).Item<int>();
        return counts;
    }

    [Fact]
    public void LoadSample_has_the_documented_shapes_and_label_counts()
    {
        var ((xTrain, yTrain), (xTest, yTest)) = Datasets.Mnist.LoadSample();
        Assert.Equal(new Shape(8000, 28, 28), xTrain.Shape);
        Assert.Equal(new Shape(8000), yTrain.Shape);
        Assert.Equal(new Shape(2000, 28, 28), xTest.Shape);
        Assert.Equal(new Shape(2000), yTest.Shape);
        Assert.All(new[] { xTrain, yTrain, xTest, yTest }, t => Assert.Equal(DType.UInt8, t.DType));

        var counts = WorkshopCounts(yTrain);
        Assert.Equal(CountsFromRawBytes(SamplePath("train-labels-idx1-ubyte.gz")), counts);
        Assert.Equal(8000, counts.Sum());
        Assert.All(counts, c => Assert.InRange(c, 663, 927));
        Assert.All(WorkshopCounts(yTest), c => Assert.Equal(200, c));
        Assert.Equal(255, NF.ReduceMax(NF.Cast(xTrain, DType.Int32)).Item<int>());
    }

    [SkippableFact]
    public void Full_FashionMnist_from_Debian_has_6000_of_each_class()
    {
        Skip.IfNot(Directory.Exists(Datasets.FashionMnist.DebianFolder),
            $"{Datasets.FashionMnist.DebianFolder} is absent (Debian package dataset-fashion-mnist not installed)");
        var saved = Environment.GetEnvironmentVariable("NEURALFLOW_DATA");
        var empty = Directory.CreateTempSubdirectory("nf-empty-").FullName;
        try
        {
            Environment.SetEnvironmentVariable("NEURALFLOW_DATA", empty); // nothing cached: Debian's files are used
            var ((xTrain, yTrain), (xTest, yTest)) = Datasets.FashionMnist.LoadData();
            Assert.Equal(new Shape(60000, 28, 28), xTrain.Shape);
            Assert.Equal(new Shape(10000, 28, 28), xTest.Shape);
            Assert.Equal(new Shape(10000), yTest.Shape);
            var counts = WorkshopCounts(yTrain);
            Assert.All(counts, c => Assert.Equal(6000, c));
            Assert.Equal(CountsFromRawBytes(Path.Combine(Datasets.FashionMnist.DebianFolder, "train-labels-idx1-ubyte.gz")), counts);
            Assert.All(WorkshopCounts(yTest), c => Assert.Equal(1000, c));
            Assert.Empty(Directory.GetFileSystemEntries(empty));
        }
        finally
        {
            Environment.SetEnvironmentVariable("NEURALFLOW_DATA", saved);
            Directory.Delete(empty, recursive: true);
        }
    }
}
