using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// The "Load CSV data" tutorial's abalone cells in C#: pd.read_csv(names=...) and pop('Age') as
/// <c>Csv.ReadCsv(columnNames, labelName)</c>, np.array(features) as the columns stacked, the plain regression
/// model and the one behind an adapted Normalization, each trained 10 epochs with Adam and MSE from fixed
/// initial weights; every epoch's loss is PyTorch's on the same file (csv_references.py).
/// </summary>
public abstract class TutorialCsvAbaloneTests(string backend) : BackendFileTest(backend)
{
    // csv_references.py: "abalone raw losses" and "abalone normalized losses".
    private static readonly float[] RawLosses = [166.225f, 162.221f, 158.278f, 154.389f, 150.477f, 146.468f, 142.258f, 137.782f, 133.05f, 128.013f];
    private static readonly float[] NormalizedLosses = [169.791f, 165.897f, 162.152f, 158.427f, 154.696f, 150.915f, 147.03f, 143.016f, 138.85f, 134.515f];

    // csv_references.py's w1 and w2: fixed initial weights instead of a random draw.
    private static Tensor Kernel1() => NF.Constant(Enumerable.Range(0, 7 * 64).Select(k => ((k / 64 * 31 + k % 64 * 17) % 23 - 11) / 50f).ToArray(), new Shape(7, 64));

    private static Tensor Kernel2() => NF.Constant(Enumerable.Range(0, 64).Select(j => ((j * 13) % 19 - 9) / 40f).ToArray(), new Shape(64, 1));

    private static (Tensor Features, Tensor Labels) ReadAbalone(string path)
    {
        // abalone_train = pd.read_csv(path, names=[...]); abalone_labels = abalone_features.pop('Age')
        var abalone = Csv.ReadCsv(path, columnNames: TutorialCsvData.AbaloneNames, labelName: "Age");
        Assert.Equal(TutorialCsvData.AbaloneNames[..7], abalone.ColumnNames);
        Assert.All(abalone.Features.Values, c => Assert.Equal(DType.Float32, c.DType));
        Assert.Equal(DType.Int32, abalone.Label!.DType);
        // abalone_features = np.array(abalone_features): one row per example, the columns side by side.
        return (NF.Stack(abalone.ColumnNames.Select(n => abalone[n]).ToArray(), axis: 1), abalone.Label);
    }

    private static void AssertLosses(float[] expected, IReadOnlyList<float> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int e = 0; e < expected.Length; e++)
            Assert.True(Math.Abs(expected[e] - actual[e]) <= 2e-3 * expected[e], $"epoch {e + 1}: loss {actual[e]}, PyTorch {expected[e]}");
    }

    [SkippableFact]
    public void The_abalone_model_trains_as_pytorch_without_and_with_a_normalization_layer()
    {
        RequireBackend();
        string path = Temp.File("abalone_train.csv");
        File.WriteAllText(path, TutorialCsvData.Abalone(200));
        var (features, labels) = ReadAbalone(path);
        Assert.Equal(new Shape(200, 7), features.Shape);
        Assert.Equal(new Shape(200), labels.Shape);
        // The first row as csv_references.py writes it: 0.300,0.240,0.050,0.100,0.040,0.020,0.030 and age 4.
        Assert.Equal(new[] { 0.3f, 0.24f, 0.05f, 0.1f, 0.04f, 0.02f, 0.03f }, features[0].ToArray<float>());
        Assert.Equal(4, labels[0].Item<int>());

        // abalone_model: Dense(64, relu), Dense(1), no Input: built on its first batch, then given the fixed weights.
        var dense1 = new Layers.Dense(64, "relu");
        var dense2 = new Layers.Dense(1);
        var abaloneModel = new Sequential(dense1, dense2);
        abaloneModel.Compile(new Optimizers.Adam(), new Losses.MeanSquaredError());
        abaloneModel.Predict(features[..1], verbose: 0);
        dense1.SetWeights([Kernel1(), NF.Zeros([64])]);
        dense2.SetWeights([Kernel2(), NF.Zeros([1])]);
        // The tutorial's fit shuffles; PyTorch takes the batches in order, so the comparison does too.
        AssertLosses(RawLosses, abaloneModel.Fit(features, labels, epochs: 10, shuffle: false, verbose: 0)["loss"]);

        // normalize = layers.Normalization(); normalize.adapt(abalone_features)
        var normalize = new Layers.Normalization();
        normalize.Adapt(features);
        var d1 = new Layers.Dense(64, "relu");
        var d2 = new Layers.Dense(1);
        var normModel = new Sequential(normalize, d1, d2);
        normModel.Compile(new Optimizers.Adam(), new Losses.MeanSquaredError());
        normModel.Predict(features[..1], verbose: 0);
        d1.SetWeights([Kernel1(), NF.Zeros([64])]);
        d2.SetWeights([Kernel2(), NF.Zeros([1])]);
        AssertLosses(NormalizedLosses, normModel.Fit(features, labels, epochs: 10, shuffle: false, verbose: 0)["loss"]);
    }

    [SkippableFact]
    public void Read_csv_names_what_is_wrong_with_its_file_or_label()
    {
        RequireBackend();
        string path = Temp.File("abalone_train.csv");
        File.WriteAllText(path, TutorialCsvData.Abalone(3));
        // pop('age') where the column is 'Age': refused naming the columns there are.
        var label = Assert.Throws<ArgumentException>(() => Csv.ReadCsv(path, columnNames: TutorialCsvData.AbaloneNames, labelName: "age"));
        Assert.Contains("read_csv: the label 'age' is not a column; the columns are 'Length'", label.Message);
        // Seven names for eight fields: the row's field count is named with its line.
        var names = Assert.Throws<InvalidDataException>(() => Csv.ReadCsv(path, columnNames: TutorialCsvData.AbaloneNames[..7]));
        Assert.Contains("line 1: expected 7 fields but found 8", names.Message);
        // A header line and nothing under it: no rows to read.
        string empty = Temp.File("empty.csv");
        File.WriteAllText(empty, "a,b\n");
        Assert.Contains("has no rows after its header line", Assert.Throws<InvalidDataException>(() => Csv.ReadCsv(empty)).Message);
    }
}

public sealed class ManagedTutorialCsvAbaloneTests() : TutorialCsvAbaloneTests("managed");

public sealed class NativeCpuTutorialCsvAbaloneTests() : TutorialCsvAbaloneTests("cpu");

/// <summary>On the CUDA backend.</summary>
public sealed class CudaTutorialCsvAbaloneTests() : TutorialCsvAbaloneTests("cuda");
