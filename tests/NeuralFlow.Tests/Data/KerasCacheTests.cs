using NeuralFlow.Data;

namespace NeuralFlow.Tests.Data;

/// <summary>
/// LoadData reads Keras' own dataset cache (KERAS_HOME, else ~/.keras, /datasets): MNIST as Keras'
/// mnist.npz and Fashion-MNIST as the four IDX files in fashion-mnist/, so a machine that ran the
/// Python workshop needs no second download. NeuralFlow's cache still comes first.
/// </summary>
public sealed class KerasCacheTests : IDisposable
{
    private static readonly string[] IdxNames =
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    private readonly string _root = Directory.CreateTempSubdirectory("nf-keras-cache-").FullName;
    private readonly string? _savedData = Environment.GetEnvironmentVariable("NEURALFLOW_DATA");
    private readonly string? _savedKeras = Environment.GetEnvironmentVariable("KERAS_HOME");
    private readonly IList<string> _savedMnist = Datasets.Mnist.Mirrors;

    public KerasCacheTests()
    {
        Environment.SetEnvironmentVariable("NEURALFLOW_DATA", Path.Combine(_root, "nf"));
        Environment.SetEnvironmentVariable("KERAS_HOME", Path.Combine(_root, "keras"));
        Datasets.Mnist.Mirrors = []; // offline: nothing may come from a download
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("NEURALFLOW_DATA", _savedData);
        Environment.SetEnvironmentVariable("KERAS_HOME", _savedKeras);
        Datasets.Mnist.Mirrors = _savedMnist;
        Directory.Delete(_root, recursive: true);
    }

    private string KerasDatasets => Directory.CreateDirectory(Path.Combine(_root, "keras", "datasets")).FullName;

    /// <summary>Keras' archive layout, from the first digits of the embedded sample.</summary>
    private Dictionary<string, Tensor> WriteMnistNpz(int train = 100, int test = 40)
    {
        var ((xTrain, yTrain), (xTest, yTest)) = Datasets.Mnist.LoadSample();
        var arrays = new Dictionary<string, Tensor>
        {
            ["x_train"] = xTrain[..train], ["y_train"] = yTrain[..train], ["x_test"] = xTest[..test], ["y_test"] = yTest[..test],
        };
        NF.Numpy.SaveNpz(Path.Combine(KerasDatasets, "mnist.npz"), arrays, compressed: true);
        return arrays;
    }

    [Fact]
    public void Mnist_reads_keras_mnist_npz_when_its_own_cache_is_empty()
    {
        var written = WriteMnistNpz();
        var ((xTrain, yTrain), (xTest, yTest)) = Datasets.Mnist.LoadData();
        Assert.Equal(new Shape(100, 28, 28), xTrain.Shape);
        Assert.Equal(new Shape(40, 28, 28), xTest.Shape);
        Assert.Equal(DType.UInt8, xTrain.DType);
        Assert.Equal(written["x_train"].ToArray<byte>(), xTrain.ToArray<byte>());
        Assert.Equal(written["y_train"].ToArray<byte>(), yTrain.ToArray<byte>());
        Assert.Equal(written["x_test"].ToArray<byte>(), xTest.ToArray<byte>());
        Assert.Equal(written["y_test"].ToArray<byte>(), yTest.ToArray<byte>());
    }

    [Fact]
    public void NeuralFlows_own_cache_comes_before_keras_archive()
    {
        WriteMnistNpz();
        var mine = Directory.CreateDirectory(Path.Combine(_root, "nf", "mnist")).FullName;
        foreach (var name in IdxNames) File.Copy(MnistTests.SamplePath(name), Path.Combine(mine, name));
        var ((xTrain, _), _) = Datasets.Mnist.LoadData();
        Assert.Equal(8000, xTrain.Shape[0]);
    }

    [Fact]
    public void Fashion_mnist_reads_keras_fashion_mnist_folder()
    {
        // Keras' fashion_mnist.load_data keeps the four IDX files in datasets/fashion-mnist; here the
        // MNIST sample's files stand in, so the result cannot come from Debian's full set.
        var folder = Directory.CreateDirectory(Path.Combine(KerasDatasets, "fashion-mnist")).FullName;
        foreach (var name in IdxNames) File.Copy(MnistTests.SamplePath(name), Path.Combine(folder, name));
        var ((xTrain, _), (xTest, _)) = Datasets.FashionMnist.LoadData();
        Assert.Equal(new Shape(8000, 28, 28), xTrain.Shape);
        Assert.Equal(new Shape(2000, 28, 28), xTest.Shape);
    }

    [Fact]
    public void A_keras_archive_without_its_arrays_is_refused_naming_what_lacks()
    {
        var ((x, y), _) = Datasets.Mnist.LoadSample();
        var path = Path.Combine(KerasDatasets, "mnist.npz");
        NF.Numpy.SaveNpz(path, new Dictionary<string, Tensor> { ["x_train"] = x[..4], ["y_train"] = y[..4] });
        var e = Assert.Throws<InvalidDataException>(() => Datasets.Mnist.LoadData());
        Assert.Contains(path, e.Message);
        Assert.Contains("x_test, y_test", e.Message);
    }

    [Fact]
    public void A_keras_archive_of_other_types_or_shapes_is_refused()
    {
        var path = Path.Combine(KerasDatasets, "mnist.npz");
        var pixels = NF.Zeros([4, 28, 28], DType.UInt8);
        var labels = NF.Zeros([4], DType.UInt8);
        NF.Numpy.SaveNpz(path, new Dictionary<string, Tensor>
            { ["x_train"] = NF.Cast(pixels, DType.Float32), ["y_train"] = labels, ["x_test"] = pixels, ["y_test"] = labels });
        var e = Assert.Throws<InvalidDataException>(() => Datasets.Mnist.LoadData());
        Assert.Contains("x_train holds float32", e.Message);

        NF.Numpy.SaveNpz(path, new Dictionary<string, Tensor>
            { ["x_train"] = pixels, ["y_train"] = NF.Zeros([3], DType.UInt8), ["x_test"] = pixels, ["y_test"] = labels });
        e = Assert.Throws<InvalidDataException>(() => Datasets.Mnist.LoadData());
        Assert.Contains($"y_train has shape {new Shape(3)} but x_train has 4 images", e.Message);
    }

    [Fact]
    public void Offline_message_names_kerass_archive_too()
    {
        var e = Assert.Throws<DatasetUnavailableException>(() => Datasets.Mnist.LoadData());
        Assert.Contains(Path.Combine(_root, "keras", "datasets", "mnist.npz"), e.Message);
    }
}
