using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// The "Load CSV data" tutorial's titanic cells in C#: read_csv + pop as <c>Csv.ReadCsv</c>, the symbolic
/// calculator, one Keras Input per column (string Inputs for the text columns) in a dictionary, the numeric
/// Inputs concatenated and normalized, StringLookup + CategoryEncoding per text column, the preprocessing Model
/// and the full model built on it, Fit on the dictionary of columns, save/load, from_tensor_slices of the
/// dictionary and make_csv_dataset batches. The preprocessing of the first row and the parsed values are Python's
/// (csv_references.py).
/// </summary>
public abstract class TutorialCsvTitanicTests(string backend) : BackendFileTest(backend)
{
    // csv_references.py: "titanic row 0 normalized numeric" then each text column's one-hot of row 0
    // (sex [UNK, female, male], class [UNK, First, Second, Third], deck [UNK, C, unknown], embark_town, alone).
    private static readonly float[] Row0 =
        [-1.10639f, -1.34164f, -1.18728f, 1.07875f, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1];

    private static Dictionary<string, object> FirstRow(IReadOnlyDictionary<string, object> columns) =>
        // features_dict = {name: values[:1] for name, values in titanic_features_dict.items()}
        columns.ToDictionary(p => p.Key, p => p.Value is StringTensor s ? (object)new StringTensor([s.ToArray()[0]]) : ((Tensor)p.Value)[..1]);

    [SkippableFact]
    public void The_titanic_preprocessing_model_and_the_model_on_it_train_on_the_dictionary_of_columns()
    {
        RequireBackend();
        string path = Temp.File("train.csv");
        File.WriteAllText(path, TutorialCsvData.Titanic(120));
        // titanic = pd.read_csv(path); titanic_labels = titanic_features.pop('survived')
        var titanic = Csv.ReadCsv(path, labelName: "survived");
        Assert.Equal(["sex", "age", "n_siblings_spouses", "parch", "fare", "class", "deck", "embark_town", "alone"], titanic.ColumnNames);
        Assert.Equal([1, 1, 0, 0, 1, 1, 0, 1, 0, 0], titanic.Label!.ToArray<int>()[..10]);
        // The quoted town keeps its comma; the empty ages read as 0 (csv_references.py: 11 of them).
        Assert.Equal("Queenstown, Cork", titanic.Strings["embark_town"][2]);
        Assert.Equal(11, titanic["age"].ToArray<float>().Count(a => a == 0));

        // input = tf.keras.Input(shape=(), dtype=tf.float32); result = 2*input + 1; calc = tf.keras.Model(input, result)
        var input = Layers.Input([], DType.Float32);
        var calc = new Model(input, 2 * input + 1);
        Assert.Equal(new float[] { 3 }, calc.Call(NF.Constant(new float[] { 1 })).ToArray<float>());
        Assert.Equal(new float[] { 5 }, calc.Call(NF.Constant(new float[] { 2 })).ToArray<float>());

        // One Input per column: string for text, float32 for numbers.
        var inputs = new Dictionary<string, KerasTensor>();
        foreach (var (name, column) in titanic.Columns)
            inputs[name] = Layers.Input([1], name: name, dtype: column is StringTensor ? DType.String : DType.Float32);
        var numericNames = inputs.Where(p => p.Value.DType == DType.Float32).Select(p => p.Key).ToArray();
        Assert.Equal(["age", "n_siblings_spouses", "parch", "fare"], numericNames);
        var x = new Layers.Concatenate().Call(numericNames.Select(n => inputs[n]).ToArray());
        var norm = new Layers.Normalization();
        // norm.adapt(np.array(titanic[numeric_inputs.keys()]))
        norm.Adapt(NF.Stack(numericNames.Select(n => NF.Cast(titanic[n], DType.Float32)).ToArray(), axis: 1));
        var preprocessedInputs = new List<KerasTensor> { norm.Call(x) };
        foreach (var (name, textInput) in inputs)
        {
            if (textInput.DType == DType.Float32) continue;
            // lookup = layers.StringLookup(vocabulary=np.unique(titanic_features[name]))
            var lookup = new Layers.StringLookup(vocabulary: titanic.Strings[name].Distinct().Order(StringComparer.Ordinal).ToArray());
            var oneHot = new Layers.CategoryEncoding(lookup.VocabularySize(), "one_hot");
            preprocessedInputs.Add(oneHot.Call(lookup.Call(textInput)));
        }
        var titanicPreprocessing = new Model(inputs, new Layers.Concatenate().Call(preprocessedInputs));
        using (var row0 = titanicPreprocessing.Predict(FirstRow(titanic.Columns), verbose: 0))
        {
            Assert.Equal(new Shape(1, Row0.Length), row0.Shape);
            var got = row0.ToArray<float>();
            for (int i = 0; i < Row0.Length; i++) Assert.True(Math.Abs(got[i] - Row0[i]) < 1e-4, $"feature {i}: {got[i]}, Python {Row0[i]}");
        }

        // titanic_model(preprocessing_head, inputs): the body on the head's output, one model over the same Inputs.
        var body = new Sequential(new Layers.Dense(64, "relu"), new Layers.Dense(1));
        var titanicModel = new Model(inputs, body.Call(titanicPreprocessing.Call(inputs)));
        titanicModel.Compile(new Optimizers.Adam(), new Losses.BinaryCrossentropy(fromLogits: true));
        // The Dense layers draw their weights: a fixed seed (NF.Random has no getter to put an earlier one back).
        NF.Random.SetSeed(26);
        // titanic_model.fit(x=titanic_features_dict, y=titanic_labels, epochs=10)
        var history = titanicModel.Fit(new Dictionary<string, object>(titanic.Columns), titanic.Label, epochs: 10, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0], $"loss {history["loss"][0]} -> {history["loss"][^1]}");

        // save('test.keras'), load_model, the same prediction before and after.
        var reloaded = Models.LoadModel(SaveTo(titanicModel, "test.keras"));
        using var before = titanicModel.Predict(FirstRow(titanic.Columns), verbose: 0);
        using var after = reloaded.Predict(FirstRow(titanic.Columns), verbose: 0);
        Assert.True(Math.Abs(before.ToArray<float>()[0] - after.ToArray<float>()[0]) < 1e-3);

        // titanic_ds = from_tensor_slices((titanic_features_dict, titanic_labels)).shuffle(len).batch(32); fit(epochs=5)
        var titanicBatches = Dataset.FromTensorSlices(titanic.Columns, titanic.Label).Shuffle(120).Batch(32);
        var first = titanicBatches.Take(1).Single();
        Assert.Equal(new Shape(32), ((StringTensor)first.Item1["sex"]).Shape);
        Assert.Equal(5, titanicModel.Fit(titanicBatches, epochs: 5, verbose: 0)["loss"].Count);

        // make_csv_dataset(batch_size=5, label_name='survived', num_epochs=1, ignore_errors=True): the same model fits on its batches.
        var titanicCsv = Csv.MakeCsvDataset(path, batchSize: 5, labelName: "survived", numEpochs: 1, ignoreErrors: true);
        var batch = titanicCsv.Take(1).Single();
        Assert.Equal(titanic.ColumnNames, batch.Columns.Keys);
        Assert.Equal(new Shape(5), batch.Label!.Shape);
        Assert.True(float.IsFinite(titanicModel.Fit(titanicCsv.Map(e => (e.Columns, e.Label!)), epochs: 1, verbose: 0)["loss"][0]));
    }
}

public sealed class ManagedTutorialCsvTitanicTests() : TutorialCsvTitanicTests("managed");

public sealed class NativeCpuTutorialCsvTitanicTests() : TutorialCsvTitanicTests("cpu");

/// <summary>On the CUDA backend.</summary>
public sealed class CudaTutorialCsvTitanicTests() : TutorialCsvTitanicTests("cuda");
