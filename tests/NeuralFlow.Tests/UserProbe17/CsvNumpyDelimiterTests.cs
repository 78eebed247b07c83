using NeuralFlow.Tests.UserProbe16;

namespace NeuralFlow.Tests.UserProbe17;

/// <summary>
/// NumPy's delimiter is a str: <c>np.loadtxt(f, delimiter=",")</c>, <c>np.genfromtxt(f, delimiter="::")</c>.
/// Before, NF.Numpy.LoadTxt/GenFromTxt took a char only, so <c>delimiter: ","</c> did not compile and
/// genfromtxt's longer delimiters were impossible. Values as numpy 1.24 prints them
/// (<c>np.genfromtxt(io.StringIO("1::2\n3::\n"), delimiter="::")</c> is [[1, 2], [3, nan]]).
/// </summary>
public class CsvNumpyDelimiterTests
{
    [Fact]
    public void A_string_or_a_char_delimiter_reads_the_same()
    {
        using var files = new CsvFiles();
        string path = files.Write("a.csv", "# x,y\n1,2\n3,4\n");
        var fromString = NF.Numpy.LoadTxt(path, delimiter: ",");
        var fromChar = NF.Numpy.LoadTxt(path, delimiter: ',');
        Assert.Equal([1.0, 2, 3, 4], fromString.ToArray<double>());
        Assert.Equal(fromString.ToArray<double>(), fromChar.ToArray<double>());
        Assert.Equal([1.0, 2, 3, 4], NF.Numpy.GenFromTxt(path, delimiter: ",").ToArray<double>());
    }

    [Fact]
    public void Genfromtxt_splits_on_a_longer_delimiter_and_loadtxt_refuses_one_as_numpy_does()
    {
        using var files = new CsvFiles();
        string path = files.Write("b.txt", "1::2\n3::\n");
        var values = NF.Numpy.GenFromTxt(path, delimiter: "::").ToArray<double>();
        Assert.Equal([1.0, 2, 3], values[..3]);
        Assert.True(double.IsNaN(values[3]));
        var e = Assert.Throws<ArgumentException>(() => NF.Numpy.LoadTxt(path, delimiter: "::"));
        Assert.Contains("single character", e.Message);
        Assert.Throws<ArgumentException>(() => NF.Numpy.GenFromTxt(path, delimiter: ""));
    }
}
