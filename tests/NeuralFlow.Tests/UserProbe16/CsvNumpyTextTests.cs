namespace NeuralFlow.Tests.UserProbe16;

/// <summary>
/// NF.Numpy.LoadTxt and GenFromTxt against NumPy 1.24's np.loadtxt / np.genfromtxt on the same
/// files (csv_numpy_references.py beside this file prints the arrays held here): the auto-mpg
/// data's whitespace columns with '?' gaps, abalone-style comma rows with a comment and a blank
/// line, a heart-style header with empty and NA fields; the dtypes, usecols (negative too),
/// squeezing and ndmin, and the errors for the gaps loadtxt cannot read.
/// </summary>
public abstract class CsvNumpyTextTests(string backend) : BackendTest(backend)
{
    private const string AutoMpg =
        "18.0   8   307.0      130.0      3504.      12.0   70  1\n" +
        "15.0   8   350.0      165.0      3693.      11.5   70  1\n" +
        "25.0   4   98.00      ?          2046.      19.0   71  1\n" +
        "24.0   4   113.0      95.00      2372.      15.0   70  3\n";

    private const string Abalone =
        "# length,diameter,height,whole,shucked,viscera,shell,age\n" +
        "0.435,0.335,0.110,0.334,0.1355,0.0775,0.0965,7\n" +
        "0.585,0.450,0.125,0.874,0.3545,0.2075,0.2250,6\n" +
        "\n" +
        "0.655,0.510,0.160,1.092,0.3960,0.2825,0.3700,14\n";

    private const string Heart =
        "age,sex,cp,trestbps,chol,thal\n" +
        "63,1,1,145,233,\n" +
        "67,1,4,160,286,3\n" +
        "37,1,3,130,NA,3\n" +
        "41,0,2,130,204,7\n";

    [SkippableFact]
    public void GenFromTxt_reads_auto_mpg_with_question_marks_as_nan()
    {
        RequireBackend();
        using var files = new CsvFiles();
        string path = files.Write("auto-mpg.data", AutoMpg);
        using var all = NF.Numpy.GenFromTxt(path, missingValues: ["?"]);
        Assert.Equal(DType.Float64, all.DType);
        Assert.Equal(new Shape(4, 8), all.Shape);
        double nan = double.NaN;
        Assert.Equal([18.0, 8, 307, 130, 3504, 12, 70, 1, 15, 8, 350, 165, 3693, 11.5, 70, 1, 25, 4, 98, nan, 2046, 19, 71, 1, 24, 4, 113, 95, 2372, 15, 70, 3],
                     all.ToArray<double>());
        using var some = NF.Numpy.GenFromTxt(path, DType.Float32, missingValues: ["?"], useCols: [0, 3, -1]);
        Assert.Equal(DType.Float32, some.DType);
        Assert.Equal([18f, 130, 1, 15, 165, 1, 25, float.NaN, 1, 24, 95, 3], some.ToArray<float>());
        // np.loadtxt cannot read the gap.
        var error = Assert.Throws<InvalidDataException>(() => NF.Numpy.LoadTxt(path));
        Assert.Contains("auto-mpg.data', line 3, column 4: could not convert '?' to float64", error.Message);
    }

    [SkippableFact]
    public void LoadTxt_reads_abalone_rows_skipping_comments_and_blank_lines()
    {
        RequireBackend();
        using var files = new CsvFiles();
        string path = files.Write("abalone.csv", Abalone);
        using var all = NF.Numpy.LoadTxt(path, delimiter: ',');
        Assert.Equal(new Shape(3, 8), all.Shape);
        Assert.Equal([0.435, 0.335, 0.11, 0.334, 0.1355, 0.0775, 0.0965, 7, 0.585, 0.45, 0.125, 0.874, 0.3545, 0.2075, 0.225, 6,
                      0.655, 0.51, 0.16, 1.092, 0.396, 0.2825, 0.37, 14], all.ToArray<double>());
        // usecols=7 gives a vector; max_rows counts data rows, not comment lines (NumPy >= 1.23).
        using var ages = NF.Numpy.LoadTxt(path, DType.Int32, delimiter: ',', useCols: [7]);
        Assert.Equal(DType.Int32, ages.DType);
        Assert.Equal([7, 6, 14], ages.ToArray<int>());
        using var first = NF.Numpy.LoadTxt(path, delimiter: ',', maxRows: 1);
        Assert.Equal(new Shape(8), first.Shape);
        Assert.Equal(0.435, first.ToArray<double>()[0]);
    }

    [SkippableFact]
    public void Heart_header_gaps_footer_and_ndmin_as_numpy()
    {
        RequireBackend();
        using var files = new CsvFiles();
        string path = files.Write("heart.csv", Heart);
        using var filled = NF.Numpy.GenFromTxt(path, delimiter: ',', skipHeader: 1, missingValues: ["NA"]);
        double nan = double.NaN;
        Assert.Equal([63.0, 1, 1, 145, 233, nan, 67, 1, 4, 160, 286, 3, 37, 1, 3, 130, nan, 3, 41, 0, 2, 130, 204, 7], filled.ToArray<double>());
        using var ints = NF.Numpy.GenFromTxt(path, DType.Int64, delimiter: ',', skipHeader: 1, skipFooter: 1);
        Assert.Equal(new Shape(3, 6), ints.Shape);
        Assert.Equal([63L, 1, 1, 145, 233, -1, 67, 1, 4, 160, 286, 3, 37, 1, 3, 130, -1, 3], ints.ToArray<long>());
        using var column = NF.Numpy.LoadTxt(path, delimiter: ',', skipRows: 1, useCols: [0], ndmin: 2);
        Assert.Equal(new Shape(4, 1), column.Shape);
        Assert.Equal([63.0, 67, 37, 41], column.ToArray<double>());
        Assert.Contains("heart.csv', line 2, column 6: could not convert '' to float64 (a missing value: GenFromTxt",
            Assert.Throws<InvalidDataException>(() => NF.Numpy.LoadTxt(path, delimiter: ',', skipRows: 1)).Message);
        // A ragged row and a column past the end name the file.
        string ragged = files.Write("ragged.csv", "1,2,3\n4,5\n");
        Assert.Contains("ragged.csv', line 2 has 2 fields, the lines before it 3", Assert.Throws<InvalidDataException>(() => NF.Numpy.GenFromTxt(ragged, delimiter: ',')).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Numpy.LoadTxt(ragged, delimiter: ',', useCols: [3]));
        Assert.Throws<ArgumentException>(() => NF.Numpy.LoadTxt(ragged, DType.Bool, delimiter: ',', maxRows: 1));
    }

    [SkippableFact]
    public void Int64_columns_keep_every_digit()
    {
        RequireBackend();
        using var files = new CsvFiles();
        // Ids past 2^53, where a double cannot hold every integer.
        string path = files.Write("ids.csv", "9007199254740993,1\n-9007199254740995,2\n");
        using var ids = NF.Numpy.LoadTxt(path, DType.Int64, delimiter: ',');
        Assert.Equal([9007199254740993L, 1, -9007199254740995L, 2], ids.ToArray<long>());
        using var filled = NF.Numpy.GenFromTxt(files.Write("gap.csv", "9007199254740993,\n"), DType.Int64, delimiter: ',');
        Assert.Equal([9007199254740993L, -1], filled.ToArray<long>());
    }
}

public sealed class ManagedCsvNumpyTextTests() : CsvNumpyTextTests("managed");

public sealed class NativeCpuCsvNumpyTextTests() : CsvNumpyTextTests("cpu");

/// <summary>On CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaCsvNumpyTextTests() : CsvNumpyTextTests("cuda");
