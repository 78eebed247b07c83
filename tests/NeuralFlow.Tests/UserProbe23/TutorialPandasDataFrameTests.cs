using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe23;

/// <summary>
/// TensorFlow's "Load a pandas DataFrame" tutorial (site/en/tutorials/load_data/pandas_dataframe.ipynb) cell by
/// cell on a small heart-disease-like frame (integer, float and one text column): the numeric features as one
/// array through an adapted Normalization into a Sequential model (fit on arrays and on a shuffled dataset),
/// the dictionary of [N, 1] columns fed to a subclassed model that stacks them and to a functional model of
/// one Input per column, and the full example mixing binary int64 inputs, the normalized numbers and one-hot
/// IntegerLookup / StringLookup columns in a preprocessor model, then a body on top, fit on <c>dict(df)</c> and
/// on a dataset of it. The preprocessing values are worked out by hand (population statistics; the one-hot
/// vectors of the tutorial's lookup cells).
/// </summary>
public abstract class TutorialPandasDataFrameTests(string backend) : BackendTest(backend)
{
    private const int BatchSize = 2, Rows = 48;

    private static readonly string[] NumericFeatureNames = ["age", "thalach", "trestbps", "chol", "oldpeak"];
    private static readonly string[] BinaryFeatureNames = ["sex", "fbs", "exang"];
    private static readonly string[] CategoricalFeatureNames = ["cp", "restecg", "slope", "thal", "ca"];

    // df = pd.read_csv(heart.csv): int64 columns, oldpeak float64, thal text; target = df.pop('target').
    private static (Dictionary<string, Array> Df, long[] Target) Heart(int seed)
    {
        var random = new Random(seed);
        long[] Ints(int from, int to) => Enumerable.Range(0, Rows).Select(_ => (long)random.Next(from, to)).ToArray();
        var df = new Dictionary<string, Array>
        {
            ["age"] = Ints(35, 75), ["sex"] = Ints(0, 2), ["cp"] = Ints(0, 4), ["trestbps"] = Ints(100, 180),
            ["chol"] = Ints(150, 350), ["fbs"] = Ints(0, 2), ["restecg"] = Ints(0, 3), ["thalach"] = Ints(100, 200),
            ["exang"] = Ints(0, 2), ["oldpeak"] = Enumerable.Range(0, Rows).Select(_ => Math.Round(random.NextDouble() * 40) / 10).ToArray(),
            ["slope"] = Ints(1, 4), ["ca"] = Ints(0, 4),
            ["thal"] = Enumerable.Range(0, Rows).Select(_ => new[] { "fixed", "normal", "reversible" }[random.Next(3)]).ToArray(),
        };
        long[] age = (long[])df["age"], thalach = (long[])df["thalach"];
        var oldpeak = (double[])df["oldpeak"];
        var target = Enumerable.Range(0, Rows).Select(r => 0.08 * (age[r] - 55) - 0.04 * (thalach[r] - 150) + 0.8 * (oldpeak[r] - 2) > 0 ? 1L : 0L).ToArray();
        return (df, target);
    }

    // (value - mean) / std with the population statistics of stats, as an adapted Normalization scales.
    private static double Standardized(double[] stats, double value)
    {
        double mean = stats.Average();
        return (value - mean) / Math.Sqrt(stats.Average(v => (v - mean) * (v - mean)));
    }

    // A column as doubles (numeric_features' values).
    private static double[] Doubles(Array column) => column is long[] l ? l.Select(v => (double)v).ToArray() : (double[])column;

    // {key: value.to_numpy()[:, tf.newaxis] for key, value in ...}: each column [N, 1], in its own dtype.
    private static Dictionary<string, Tensor> ColumnsOf(Dictionary<string, Array> df, IEnumerable<string> names) =>
        names.ToDictionary(n => n, n => NF.Reshape(NF.ConstantOf(df[n]), [-1, 1]));

    private static Sequential GetBasicModel(Layers.Normalization normalizer)
    {
        var model = new Sequential(normalizer, new Layers.Dense(10, activation: "relu"), new Layers.Dense(10, activation: "relu"), new Layers.Dense(1));
        model.Compile(optimizer: "adam", loss: new Losses.BinaryCrossentropy(fromLogits: true), metrics: ["accuracy"]);
        return model;
    }

    [SkippableFact]
    public void Numeric_features_as_one_array_train_a_normalized_sequential_model()
    {
        RequireBackend();
        NF.Random.SetSeed(2311);
        var (df, targetValues) = Heart(seed: 1);
        var target = NF.Constant(targetValues);
        // tf.convert_to_tensor(numeric_features): [N, 5] float64 (oldpeak is float64).
        var numericFeatures = NF.Stack(NumericFeatureNames.Select(n => NF.Constant(Doubles(df[n]))).ToArray(), axis: 1);
        Assert.Equal(new Shape(Rows, 5), numericFeatures.Shape);
        Assert.Equal(DType.Float64, numericFeatures.DType);

        // normalizer = tf.keras.layers.Normalization(axis=-1); normalizer.adapt(np.array(numeric_features))
        var normalizer = new Layers.Normalization(axis: -1);
        normalizer.Adapt(numericFeatures);
        // normalizer(numeric_features.iloc[:3]): per column (x - mean) / std, population std.
        var firstRows = normalizer.Call(numericFeatures[..3]);
        Assert.Equal(new Shape(3, 5), firstRows.Shape);
        var expected = new List<double>();
        for (int r = 0; r < 3; r++)
            foreach (var name in NumericFeatureNames)
                expected.Add(Standardized(Doubles(df[name]), Doubles(df[name])[r]));
        Reference.AssertClose(expected.ToArray(), firstRows.ToArray<float>().Select(v => (double)v).ToArray(), rtol: 1e-5, atol: 1e-5);

        // model = get_basic_model(); model.fit(numeric_features, target, epochs=15, batch_size=BATCH_SIZE)
        var model = GetBasicModel(normalizer);
        var history = model.Fit(numericFeatures, target, epochs: 15, batchSize: BatchSize, verbose: 0);
        Assert.True(history["loss"][^1] < 0.6 * history["loss"][0], string.Join(", ", history["loss"]));
        Assert.True(history["accuracy"][^1] >= 0.85, string.Join(", ", history["accuracy"]));

        // numeric_dataset = tf.data.Dataset.from_tensor_slices((numeric_features, target)); take(3)
        var numericDataset = Dataset.FromTensorSlices(numericFeatures, target);
        var rows = numericDataset.Take(3).ToList();
        Assert.Equal(new Shape(5), rows[0].Item1.Shape);
        Assert.Equal(new[] { Doubles(df["age"])[2], Doubles(df["thalach"])[2] }, rows[2].Item1.ToArray<double>()[..2]);
        Assert.Equal(targetValues[1], rows[1].Item2.Item<long>());
        // numeric_batches = numeric_dataset.shuffle(1000).batch(BATCH_SIZE); model.fit(numeric_batches, epochs=15)
        var numericBatches = numericDataset.Shuffle(1000).Batch(BatchSize);
        model = GetBasicModel(normalizer);
        history = model.Fit(numericBatches, epochs: 15, verbose: 0);
        Assert.True(history["accuracy"][^1] >= 0.85, string.Join(", ", history["accuracy"]));
    }

    // class MyModel(tf.keras.Model): stacks its dictionary of inputs in key order, normalizes, then the dense stack.
    private sealed class MyModel : Model
    {
        private readonly Layers.Normalization _normalizer = new(axis: -1);
        private readonly Sequential _seq;
        private readonly Layers.Concatenate _concat = new(axis: 1);

        public MyModel() => _seq = new Sequential(_normalizer, new Layers.Dense(10, activation: "relu"), new Layers.Dense(10, activation: "relu"), new Layers.Dense(1));

        private Tensor Stack(IReadOnlyDictionary<string, Tensor> inputs) =>
            _concat.Call(inputs.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => NF.Cast(p.Value, DType.Float32)).ToArray());

        public void Adapt(IReadOnlyDictionary<string, Tensor> inputs) => _normalizer.Adapt(Stack(inputs));

        public override Tensor Call(IReadOnlyDictionary<string, Tensor> inputs) => _seq.Call(Stack(inputs));
    }

    [SkippableFact]
    public void A_dictionary_of_columns_feeds_a_subclassed_and_a_functional_model()
    {
        RequireBackend();
        NF.Random.SetSeed(2312);
        var (df, targetValues) = Heart(seed: 2);
        var target = NF.Constant(targetValues);
        var numericFeaturesDict = ColumnsOf(df, NumericFeatureNames);
        var targetArray = NF.Reshape(target, [-1, 1]);
        var numericDictDs = Dataset.FromTensorSlices(numericFeaturesDict, targetArray);
        Assert.Equal(5, numericFeaturesDict.Count);
        var (row, label) = numericDictDs.Take(3).Last();
        Assert.Equal(new Shape(1), row["chol"].Shape);
        Assert.Equal(((long[])df["chol"])[2], row["chol"].Item<long>());
        Assert.Equal(new Shape(1), label.Shape);

        var model = new MyModel();
        model.Adapt(numericFeaturesDict);
        model.Compile(optimizer: "adam", loss: new Losses.BinaryCrossentropy(fromLogits: true), metrics: ["accuracy"]);
        var history = model.Fit(numericFeaturesDict, targetArray, epochs: 5, batchSize: BatchSize, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        var numericDictBatches = numericDictDs.Shuffle(500).Batch(BatchSize);
        model.Fit(numericDictBatches, epochs: 5, verbose: 0);
        // model.predict(dict(numeric_features.iloc[:3]))
        var firstThree = numericFeaturesDict.ToDictionary(p => p.Key, p => p.Value[..3]);
        var predicted = model.Predict(firstThree);
        Assert.Equal(new Shape(3, 1), predicted.Shape);
        Assert.Equal(model.Predict(numericFeaturesDict)[..3].ToArray<float>(), predicted.ToArray<float>());

        // The functional version: inputs[name] = tf.keras.Input(shape=(1,), name=name, dtype=tf.float32)
        var inputs = NumericFeatureNames.ToDictionary(name => name, name => Layers.Input([1], name: name, dtype: DType.Float32));
        var xs = inputs.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value).ToList();
        var x = new Layers.Concatenate(axis: 1).Call(xs);
        var normalizer = new Layers.Normalization(axis: -1);
        normalizer.Adapt(NF.Concat(numericFeaturesDict.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => NF.Cast(p.Value, DType.Float64)).ToArray(), axis: 1));
        x = normalizer.Call(x);
        x = new Layers.Dense(10, activation: "relu").Call(x);
        x = new Layers.Dense(10, activation: "relu").Call(x);
        x = new Layers.Dense(1).Call(x);
        var functional = new Model(inputs, x);
        functional.Compile(optimizer: "adam", loss: new Losses.BinaryCrossentropy(fromLogits: true), metrics: ["accuracy"]);
        // model.fit(numeric_features_dict, target, ...): int64 and float64 columns into float32 Inputs, a 1-D target.
        history = functional.Fit(numericFeaturesDict, target, epochs: 5, batchSize: BatchSize, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        double firstLoss = history["loss"][0];
        history = functional.Fit(numericDictBatches, epochs: 5, verbose: 0);
        Assert.True(history["loss"][^1] < 0.8 * firstLoss, $"{firstLoss}, then {string.Join(", ", history["loss"])}");
    }

    [SkippableFact]
    public void The_lookup_cells_give_the_tutorials_one_hot_vectors()
    {
        RequireBackend();
        // lookup = tf.keras.layers.StringLookup(vocabulary=['a','b','c'], output_mode='one_hot'); lookup(['c','a','a','b','zzz'])
        var stringLookup = new Layers.StringLookup(vocabulary: ["a", "b", "c"], outputMode: "one_hot");
        var strings = stringLookup.Call(["c", "a", "a", "b", "zzz"]);
        Assert.Equal(new Shape(5, 4), strings.Shape);
        Assert.Equal(new float[] { 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0 }, strings.ToArray<float>());
        // lookup = tf.keras.layers.IntegerLookup(vocabulary=[1,4,7,99], output_mode='one_hot'); lookup([-1,4,1])
        var integerLookup = new Layers.IntegerLookup(vocabulary: [1, 4, 7, 99], outputMode: "one_hot");
        var integers = integerLookup.Call(NF.Constant(new long[] { -1, 4, 1 }));
        Assert.Equal(new Shape(3, 5), integers.Shape);
        Assert.Equal(new float[] { 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0 }, integers.ToArray<float>());
    }

    [SkippableFact]
    public void The_full_example_preprocesses_mixed_columns_and_trains_on_the_dictionary()
    {
        RequireBackend();
        NF.Random.SetSeed(2313);
        var (df, targetValues) = Heart(seed: 3);
        var target = NF.Constant(targetValues);
        var numericFeaturesDict = ColumnsOf(df, NumericFeatureNames);

        // One Input per column: text as tf.string, the binary and categorical ones int64, the rest float32.
        var inputs = new Dictionary<string, KerasTensor>();
        foreach (var (name, column) in df)
        {
            var dtype = column is string[] ? DType.String
                : CategoricalFeatureNames.Contains(name) || BinaryFeatureNames.Contains(name) ? DType.Int64
                : DType.Float32;
            inputs[name] = Layers.Input([1], name: name, dtype: dtype);
        }

        var preprocessed = new List<KerasTensor>();
        foreach (var name in BinaryFeatureNames)
            preprocessed.Add(inputs[name]);

        var normalizer = new Layers.Normalization(axis: -1);
        normalizer.Adapt(NF.Concat(numericFeaturesDict.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => NF.Cast(p.Value, DType.Float64)).ToArray(), axis: 1));
        var numericInputs = new Layers.Concatenate(axis: -1).Call(NumericFeatureNames.Select(n => inputs[n]).ToList());
        preprocessed.Add(normalizer.Call(numericInputs));

        // One-hot lookups of each categorical column's sorted set of values.
        foreach (var name in CategoricalFeatureNames)
        {
            KerasTensor x;
            if (df[name] is string[] texts)
                x = new Layers.StringLookup(vocabulary: texts.Distinct().Order(StringComparer.Ordinal).ToArray(), outputMode: "one_hot").Call(inputs[name]);
            else
                x = new Layers.IntegerLookup(vocabulary: ((long[])df[name]).Distinct().Order().ToArray(), outputMode: "one_hot").Call(inputs[name]);
            preprocessed.Add(x);
        }
        // cp 4 values, restecg 3, slope 3, thal 3, ca 4: each one-hot with its OOV slot.
        Assert.Equal(new[] { 1, 1, 1, 5, 5, 4, 4, 4, 5 }, preprocessed.Select(p => p.Shape[1]!.Value));

        var preprocessedResult = new Layers.Concatenate(axis: 1).Call(preprocessed);
        Assert.Equal(DType.Float32, preprocessedResult.DType);
        Assert.Equal(30, preprocessedResult.Shape[1]);
        var preprocessor = new Model(inputs, preprocessedResult);

        // preprocessor(dict(df.iloc[:1])): the binary values, the normalized numbers, then the one-hot columns.
        var firstRow = df.ToDictionary(p => p.Key, p => p.Value is string[] s ? (object)s[..1] : NF.ConstantOf(p.Value)[..1]);
        var encoded = preprocessor.Predict(firstRow).ToArray<float>();
        Assert.Equal(30, encoded.Length);
        Assert.Equal(BinaryFeatureNames.Select(n => (float)((long[])df[n])[0]), encoded[..3]);
        // As in the tutorial, the normalizer learnt its statistics from the columns in sorted order (age, chol,
        // oldpeak, thalach, trestbps) but is applied to them in numeric_feature_names' order: feature j is
        // scaled with the statistics of the j-th sorted column, which is what Keras computes too.
        var sortedNames = NumericFeatureNames.Order(StringComparer.Ordinal).ToArray();
        var numericRow = NumericFeatureNames.Select((n, j) => Standardized(Doubles(df[sortedNames[j]]), Doubles(df[n])[0])).ToArray();
        Reference.AssertClose(numericRow, encoded[3..8].Select(v => (double)v).ToArray(), rtol: 1e-5, atol: 1e-5);
        int at = 8;
        foreach (var name in CategoricalFeatureNames)
        {
            var vocabulary = df[name] is string[] texts ? texts.Distinct().Order(StringComparer.Ordinal).Cast<object>().ToArray()
                : ((long[])df[name]).Distinct().Order().Cast<object>().ToArray();
            var hot = Array.IndexOf(vocabulary, df[name].GetValue(0)) + 1;
            Assert.Equal(Enumerable.Range(0, vocabulary.Length + 1).Select(i => i == hot ? 1f : 0f), encoded[at..(at + vocabulary.Length + 1)]);
            at += vocabulary.Length + 1;
        }

        // body = Sequential([...]); x = preprocessor(inputs); result = body(x); model = tf.keras.Model(inputs, result)
        var body = new Sequential(new Layers.Dense(10, activation: "relu"), new Layers.Dense(10, activation: "relu"), new Layers.Dense(1));
        // NeuralFlow runs text on the host, in front of the tensor graph: the preprocessor called on text Inputs
        // replays its layers on them (sharing their weights), so the full model runs its StringLookup on the host
        // as a model built from the Inputs does (before: refused, UserProbe24.NestedTextModelTests).
        var preprocessedInputs = preprocessor.Call(inputs);
        Assert.Equal(30, preprocessedInputs.Shape[1]);
        var result = body.Call(preprocessedInputs);
        var model = new Model(inputs, result);
        // The full model computes body(preprocessor(row)).
        Reference.AssertClose(body.Predict(preprocessor.Predict(firstRow)).ToArray<float>().Select(v => (double)v).ToArray(),
                              model.Predict(firstRow).ToArray<float>().Select(v => (double)v).ToArray(), rtol: 1e-5, atol: 1e-5);
        model.Compile(optimizer: "adam", loss: new Losses.BinaryCrossentropy(fromLogits: true), metrics: ["accuracy"]);

        // history = model.fit(dict(df), target, epochs=5, batch_size=BATCH_SIZE)
        var dictDf = df.ToDictionary(p => p.Key, p => (object)p.Value);
        var history = model.Fit(dictDf, target, epochs: 10, batchSize: BatchSize, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));

        // ds = tf.data.Dataset.from_tensor_slices((dict(df), target)).batch(BATCH_SIZE); model.fit(ds, epochs=5)
        // dict(df) as it is: long[], double[] and string[] columns (numeric arrays taken since UserProbe24.DatasetDictOrderTests).
        var ds = Dataset.FromTensorSlices(dictDf, target).Batch(BatchSize);
        var (xBatch, yBatch) = ds.First();
        // In the DataFrame's column order, as tf.data keeps a dict's keys.
        Assert.Equal(new[] { "age", "sex", "cp", "trestbps", "chol", "fbs", "restecg", "thalach", "exang", "oldpeak", "slope", "ca", "thal" }, xBatch.Keys);
        Assert.Equal(((string[])df["thal"])[..2], ((StringTensor)xBatch["thal"]).ToArray());
        Assert.Equal(new Shape(2), yBatch.Shape);
        double firstLoss = history["loss"][0];
        history = model.Fit(ds, epochs: 10, verbose: 0);
        // The tutorial's mismatched normalization (above) scales some columns far off, so only the loss is asserted to keep falling.
        Assert.True(history["loss"][^1] < 0.9 * firstLoss, $"{firstLoss}, then {string.Join(", ", history["loss"])}");
        // The same weights give the same predictions from the dictionary and from the dataset.
        Reference.AssertClose(model.Predict(dictDf).ToArray<float>().Select(v => (double)v).ToArray(),
                              model.Predict(ds).ToArray<float>().Select(v => (double)v).ToArray(), rtol: 1e-5, atol: 1e-5);
    }
}

/// <summary>The pandas DataFrame tutorial on the managed backend.</summary>
public sealed class ManagedTutorialPandasDataFrameTests() : TutorialPandasDataFrameTests("managed");

/// <summary>The pandas DataFrame tutorial on the native CPU backend.</summary>
public sealed class NativeCpuTutorialPandasDataFrameTests() : TutorialPandasDataFrameTests("cpu");

/// <summary>The pandas DataFrame tutorial on CUDA.</summary>
public sealed class CudaTutorialPandasDataFrameTests() : TutorialPandasDataFrameTests("cuda");
