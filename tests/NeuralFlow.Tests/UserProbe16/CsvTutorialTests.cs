using System.Globalization;
using System.Text;
using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe16;

/// <summary>
/// TensorFlow's "Load CSV data" tutorial (abalone regression behind a Normalization layer; the
/// Titanic's mixed columns read with make_csv_dataset, strings through StringLookup, integers
/// through IntegerLookup, one-hot CategoryEncoding and normalized numbers into a functional model
/// with a dictionary of named inputs, trained with Fit on the CSV dataset) and the "Basic
/// regression" tutorial's auto-mpg loading ('?' gaps, rows with NA dropped, origin one-hot,
/// Normalization, Dense, Fit), on small synthetic files of the same shape. The tutorials promise
/// training that learns: the loss falls and predictions have the tutorial's shapes.
/// </summary>
public abstract class CsvTutorialTests(string backend) : BackendTest(backend)
{
    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    // Abalone: seven measurements and the age, which grows with the shell weight (plus a deterministic wobble).
    private static string AbaloneCsv(int rows)
    {
        var text = new StringBuilder();
        for (int i = 0; i < rows; i++)
        {
            double length = 0.3 + 0.4 * ((i * 37) % 101) / 100.0, shell = 0.05 + 0.5 * ((i * 53) % 97) / 96.0;
            double age = Math.Round(4 + 20 * shell + 3 * length + ((i * 7) % 5 - 2) * 0.5);
            text.Append(CultureInfo.InvariantCulture, $"{F(length)},{F(length * 0.8)},{F(length * 0.25)},{F(shell * 2.5)},{F(shell)},{F(shell * 0.5)},{F(shell)},{age}\n");
        }
        return text.ToString();
    }

    [SkippableFact]
    public void Abalone_regression_with_a_normalization_layer_learns()
    {
        RequireBackend();
        using var files = new CsvFiles();
        string path = files.Write("abalone_train.csv", AbaloneCsv(120));
        // abalone_train = pd.read_csv(..., names=[...]); features = all but "Age".
        using var table = NF.Numpy.LoadTxt(path, DType.Float32, delimiter: ',');
        using var features = table[.., ..7];
        using var labels = table[.., 7..];
        NF.Random.SetSeed(5);
        var normalize = new Layers.Normalization();
        normalize.Adapt(features);
        var model = new Sequential(Layers.Input([7]), normalize, new Layers.Dense(64, "relu"), new Layers.Dense(1));
        model.Compile(new Optimizers.Adam(0.01), new Losses.MeanSquaredError());
        var history = model.Fit(features, labels, batchSize: 32, epochs: 10, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0] / 4, $"loss {history["loss"][0]} -> {history["loss"][^1]}");

        // The same file through make_csv_dataset: named columns, the age as the label.
        string named = files.Write("abalone_named.csv", "Length,Diameter,Height,Whole weight,Shucked weight,Viscera weight,Shell weight,Age\n" + AbaloneCsv(120));
        var csv = Csv.MakeCsvDataset(named, batchSize: 32, labelName: "Age", numEpochs: 1, shuffleSeed: 2);
        var ds = csv.Map(e => (NF.Stack(csv.ColumnNames.Select(n => e[n]).ToArray(), axis: 1), NF.Cast(e.Label!, DType.Float32)));
        var fromCsv = model.Fit(ds, epochs: 2, verbose: 0);
        Assert.True(fromCsv["loss"][^1] < history["loss"][0] / 4, $"loss on the CSV dataset {fromCsv["loss"][^1]}");
    }

    // Titanic: survival depends on sex and class; ages sometimes missing; a quoted town with a comma.
    private static string TitanicCsv(int rows)
    {
        string[] classes = ["First", "Second", "Third"], towns = ["Southampton", "Cherbourg", "\"Queenstown, Cork\""];
        var text = new StringBuilder("survived,sex,age,n_siblings_spouses,parch,fare,class,deck,embark_town,alone\n");
        for (int i = 0; i < rows; i++)
        {
            bool female = i % 3 == 1;
            int cls = (i * 7) % 3;
            int survived = female && cls < 2 || (!female && cls == 0 && i % 4 == 0) ? 1 : 0;
            string age = i % 9 == 4 ? "" : F(18 + (i * 13) % 50);
            text.Append(CultureInfo.InvariantCulture,
                $"{survived},{(female ? "female" : "male")},{age},{i % 3},{(i / 3) % 2},{F(8 + 30 * (2 - cls) + i % 7)},{classes[cls]},{(cls == 0 ? "C" : "unknown")},{towns[i % 3]},{(i % 3 == 0 ? "y" : "n")}\n");
        }
        return text.ToString();
    }

    [SkippableFact]
    public void Titanic_mixed_columns_train_a_functional_model_from_make_csv_dataset()
    {
        RequireBackend();
        using var files = new CsvFiles();
        string path = files.Write("titanic_train.csv", TitanicCsv(90));
        var titanic = Csv.MakeCsvDataset(path, batchSize: 16, labelName: "survived", numEpochs: 1, shuffleSeed: 4, ignoreErrors: true);
        string[] numeric = ["age", "fare"];
        string[] categorical = titanic.ColumnNames.Where(n => titanic.Types[n] is null).ToArray();
        Assert.Equal(["sex", "class", "deck", "embark_town", "alone"], categorical);

        // The tutorial's preprocessing: a vocabulary per string column, normalized numbers.
        var lookups = categorical.ToDictionary(n => n, n =>
        {
            var lookup = new Layers.StringLookup(name: $"lookup_{n}");
            lookup.Adapt(titanic.Strings(n));
            return lookup;
        });
        Assert.Equal(["[UNK]", "male", "female"], lookups["sex"].GetVocabulary());
        Assert.Equal(4, lookups["embark_town"].VocabularySize());
        NF.Random.SetSeed(8);
        var normalize = new Layers.Normalization(name: "numeric_norm");
        normalize.Adapt(titanic.Map(e => NF.Stack(numeric.Select(n => e[n]).ToArray(), axis: 1)));

        var inputs = new Dictionary<string, KerasTensor>();
        var numericInputs = numeric.Select(n => inputs[n] = Layers.Input([1], name: n)).ToArray();
        var parts = new List<KerasTensor> { normalize.Call(new Layers.Concatenate(name: "numeric").Call(numericInputs)) };
        foreach (var n in categorical)
        {
            inputs[n] = Layers.Input([1], DType.Int64, name: n);
            parts.Add(new Layers.CategoryEncoding(lookups[n].VocabularySize(), "one_hot", name: $"one_hot_{n}").Call(inputs[n]));
        }
        // An integer column straight into the model: IntegerLookup then one-hot, as the heart tutorial does.
        inputs["parch"] = Layers.Input([1], DType.Int32, name: "parch");
        var parch = new Layers.IntegerLookup(name: "lookup_parch", outputMode: "one_hot");
        parch.Adapt(titanic.Column("parch"));
        parts.Add(parch.Call(inputs["parch"]));
        var x = new Layers.Concatenate(name: "features").Call(parts);
        x = new Layers.Dense(32, "relu", name: "hidden").Call(x);
        var output = new Layers.Dense(1, name: "survived").Call(x);
        var model = new Model(inputs, output, name: "titanic");
        model.Compile(new Optimizers.Adam(0.02), new Losses.BinaryCrossentropy(fromLogits: true));

        // Strings become indices in the pipeline; numbers go as they are, one column each.
        var train = titanic.Map(e =>
        {
            var features = new Dictionary<string, Tensor>();
            foreach (var n in numeric) features[n] = NF.Reshape(e[n], [-1, 1]);
            foreach (var n in categorical) features[n] = NF.Reshape(lookups[n].Call(e.Strings[n]), [-1, 1]);
            features["parch"] = NF.Reshape(e["parch"], [-1, 1]);
            return ((IReadOnlyDictionary<string, Tensor>)features, NF.Reshape(NF.Cast(e.Label!, DType.Float32), [-1, 1]));
        });
        var history = model.Fit(train, epochs: 15, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0] * 0.6, $"loss {history["loss"][0]} -> {history["loss"][^1]}");
        var firstBatch = train.Take(1).Single();
        using var predicted = model.Predict(new Dictionary<string, Tensor>(firstBatch.Item1));
        Assert.Equal(new Shape(16, 1), predicted.Shape);
    }

    [SkippableFact]
    public void A_model_of_a_dictionary_of_inputs_takes_int_csv_columns_into_float_inputs()
    {
        RequireBackend();
        using var files = new CsvFiles();
        string path = files.Write("titanic_train.csv", TitanicCsv(40));
        var titanic = Csv.MakeCsvDataset(path, batchSize: 8, labelName: "survived", numEpochs: 1, shuffle: false);
        Assert.Equal(DType.Int32, titanic.Types["n_siblings_spouses"]);
        var inputs = new Dictionary<string, KerasTensor> { ["fare"] = Layers.Input([1], name: "fare"), ["n_siblings_spouses"] = Layers.Input([1], name: "n_siblings_spouses") };
        var x = new Layers.Concatenate().Call(inputs.Values.ToArray());
        var model = new Model(inputs, new Layers.Dense(1).Call(x));
        Assert.Equal(["fare", "n_siblings_spouses"], model.InputNames);
        model.Compile(new Optimizers.SGD(0.001), new Losses.MeanSquaredError());
        // int32 columns go to float32 inputs as they are: Keras casts inputs to the Input's dtype.
        var history = model.Fit(titanic.Map(e => ((IReadOnlyDictionary<string, Tensor>)e.Features.ToDictionary(p => p.Key, p => NF.Reshape(p.Value, [-1, 1])),
                                                  NF.Reshape(NF.Cast(e.Label!, DType.Float32), [-1, 1]))), epochs: 1, verbose: 0);
        Assert.True(float.IsFinite(history["loss"][0]));

        // A key that is not its input's name could never be matched: refused, naming both.
        var misnamed = new Dictionary<string, KerasTensor> { ["age"] = Layers.Input([1], name: "age_input") };
        var error = Assert.Throws<ArgumentException>(() => new Model(misnamed, new Layers.Dense(1).Call(misnamed["age"])));
        Assert.Contains("key 'age' is the Input layer 'age_input'", error.Message);
    }

    // auto-mpg.data: whitespace columns, '?' for an unknown horsepower, origin 1 USA, 2 Europe, 3 Japan.
    private static string AutoMpgData(int rows)
    {
        var text = new StringBuilder();
        for (int i = 0; i < rows; i++)
        {
            int cylinders = i % 3 == 0 ? 8 : i % 3 == 1 ? 6 : 4, origin = 1 + (i * 5) % 3, year = 70 + i % 13;
            double displacement = 70 + 45 * cylinders + (i * 11) % 30, weight = 1600 + 350 * cylinders + (i * 17) % 200;
            double horsepower = 40 + 14 * cylinders + (i * 3) % 20, acceleration = 20 - cylinders + (i % 5) * 0.5;
            double mpg = Math.Round(46 - 0.006 * weight + 0.4 * (year - 70) + (origin == 3 ? 2 : 0), 1);
            string hp = i % 17 == 6 ? "?" : F(horsepower);
            text.Append(CultureInfo.InvariantCulture, $"{F(mpg),-6} {cylinders}   {F(displacement),-8} {hp,-8} {F(weight),-7} {F(acceleration),-5} {year}  {origin}\n");
        }
        return text.ToString();
    }

    [SkippableFact]
    public void Auto_mpg_loads_with_gaps_drops_na_one_hots_origin_and_trains()
    {
        RequireBackend();
        using var files = new CsvFiles();
        string path = files.Write("auto-mpg.data", AutoMpgData(150));
        // pd.read_csv(url, names=column_names, na_values='?', sep=' ', skipinitialspace=True)
        using var raw = NF.Numpy.GenFromTxt(path, DType.Float32, missingValues: ["?"]);
        Assert.Equal(new Shape(150, 8), raw.Shape);
        // dataset.dropna()
        using var complete = NF.LogicalNot(NF.ReduceAny(NF.IsNan(raw), axis: 1));
        using var dataset = NF.BooleanMask(raw, complete);
        int gaps = Enumerable.Range(0, 150).Count(i => i % 17 == 6);
        Assert.Equal(150 - gaps, dataset.Shape[0]);
        // origin -> one-hot USA, Europe, Japan (the tutorial's pd.get_dummies).
        using var origin = NF.Cast(dataset[.., 7], DType.Int32) - 1;
        using var oneHot = NF.OneHot(origin, 3);
        using var features = NF.Concat([dataset[.., 1..7], oneHot], axis: 1);
        using var labels = dataset[.., ..1];
        Assert.Equal(new Shape(150 - gaps, 9), features.Shape);

        NF.Random.SetSeed(3);
        var normalizer = new Layers.Normalization(axis: -1);
        normalizer.Adapt(features);
        var model = new Sequential(Layers.Input([9]), normalizer, new Layers.Dense(64, "relu"), new Layers.Dense(64, "relu"), new Layers.Dense(1));
        model.Compile(new Optimizers.Adam(0.01), new Losses.MeanAbsoluteError());
        var history = model.Fit(features, labels, epochs: 30, verbose: 0, validationSplit: 0.2);
        Assert.True(history["loss"][^1] < history["loss"][0] / 3, $"loss {history["loss"][0]} -> {history["loss"][^1]}");
        Assert.True(history["val_loss"][^1] < 5, $"val_loss {history["val_loss"][^1]}");
    }
}

public sealed class ManagedCsvTutorialTests() : CsvTutorialTests("managed");

public sealed class NativeCpuCsvTutorialTests() : CsvTutorialTests("cpu");

/// <summary>On CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaCsvTutorialTests() : CsvTutorialTests("cuda");
