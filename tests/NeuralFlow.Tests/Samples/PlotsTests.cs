using NeuralFlow.Data;
using NeuralFlow.Plotting;

namespace NeuralFlow.Tests.Samples;

/// <summary>NeuralFlow.Plotting on its own: sizes of the PNGs and the errors users get.</summary>
public sealed class PlotsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("neuralflow-plots-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void ScatterWithLineWritesAPngOfTheAskedSize()
    {
        var x = NF.Range(1f, 5f, 0.5f);
        string path = Plots.ScatterWithLine(x, 2f * x + 1, 2f, 1f, Path.Combine(_folder, "sub", "fit.png"), width: 320, height: 240);
        Assert.Equal((320, 240), SampleTests.PngSize(File.ReadAllBytes(path)));
    }

    [Fact]
    public void DigitGridIsColumnsWideAndRowsHigh()
    {
        var ((x, y), _) = Datasets.Mnist.LoadSample();
        string path = Plots.DigitGrid(x[..10], y[..10], y[..10], Path.Combine(_folder, "digits.png"), columns: 4, cellSize: 50);
        Assert.Equal((4 * 50, 3 * (50 + 26)), SampleTests.PngSize(File.ReadAllBytes(path)));
    }

    [Fact]
    public void DigitGridNamesTheShapesThatDoNotFit()
    {
        var ((x, y), _) = Datasets.Mnist.LoadSample();
        var e = Assert.Throws<ArgumentException>(() => Plots.DigitGrid(x[..10], y[..9], y[..10], Path.Combine(_folder, "bad.png")));
        Assert.Contains("(9,)", e.Message);
    }

    [Fact]
    public void ScatterWithLineRejectsDifferentLengths() =>
        Assert.Throws<ArgumentException>(() => Plots.ScatterWithLine([1.0, 2.0], [1.0], 1, 0, Path.Combine(_folder, "bad.png")));
}
