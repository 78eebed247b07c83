using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe23;

/// <summary>
/// TensorFlow's "Classify structured data using Keras preprocessing layers" tutorial
/// (site/en/tutorials/structured_data/preprocessing_layers.ipynb) cell by cell on a small PetFinder-like
/// dataframe: <c>df_to_dataset</c> (a dictionary of [N, 1] columns, numbers and text, with the labels,
/// shuffled, batched and prefetched), <c>get_normalization_layer</c> (Normalization(axis=None) adapted on
/// the mapped feature), <c>get_category_encoding_layer</c> (StringLookup / IntegerLookup with max_tokens,
/// then CategoryEncoding, composed as a lambda), one functional Input per column, concatenate, Dense,
/// Dropout, BinaryCrossentropy(from_logits=True), fit with validation data, evaluate(return_dict),
/// save to .keras and reload, and predict on a dictionary of single-row tensors through tf.nn.sigmoid.
/// The expected values of the preprocessing cells are worked out by hand from the data (population
/// mean and variance; Keras' vocabulary order: by count, ties by token descending).
/// </summary>
public abstract class TutorialStructuredDataTests(string backend) : BackendFileTest(backend)
{
    private static readonly string[] Types = ["Cat", "Dog"];
    private static readonly string[] Colors = ["Black", "Brown", "Golden", "White", "Gray", "Cream"];
    private static readonly string[] Genders = ["Male", "Female"];
    private static readonly string[] Vaccinations = ["Yes", "No", "Not Sure"];
    private static readonly string[] Breeds = ["Mixed Breed", "Tabby", "Domestic Short Hair", "Siamese", "Poodle", "Golden Retriever"];
    private static readonly long[] Ages = [1, 2, 3, 4, 6, 12, 24, 36];

    /// <summary>The pandas dataframe: one array per column, and the 'target' column (adopted or not).</summary>
    private sealed record Frame(Dictionary<string, object> Columns, float[] Target)
    {
        public int Rows => Target.Length;

        // dataframe[from:to], as np.split's pieces.
        public Frame Slice(int from, int to) => new(Columns.ToDictionary(c => c.Key, c => (object)(c.Value switch
        {
            string[] s => s[from..to],
            long[] l => l[from..to],
            float[] f => f[from..to],
            _ => throw new InvalidOperationException(),
        })), Target[from..to]);
    }

    // Adoption is likely for young cats with several photos and low fees: a rule the model can learn from
    // three of the columns (the rest is noise, as in PetFinder).
    private static Frame PetFinder(int rows, int seed)
    {
        var random = new Random(seed);
        string[] Pick(string[] values, double skew) => Enumerable.Range(0, rows)
            .Select(_ => values[Math.Min(values.Length - 1, (int)(values.Length * Math.Pow(random.NextDouble(), skew)))]).ToArray();
        var type = Pick(Types, 1);
        var color1 = Pick(Colors, 1.6);
        var gender = Pick(Genders, 1);
        var vaccinated = Pick(Vaccinations, 1.3);
        var breed = Pick(Breeds, 2);
        var age = Enumerable.Range(0, rows).Select(_ => Ages[(int)(Ages.Length * Math.Pow(random.NextDouble(), 1.5))]).ToArray();
        var fee = Enumerable.Range(0, rows).Select(_ => random.Next(4) == 0 ? (float)(50 * random.Next(1, 7)) : 0f).ToArray();
        var photos = Enumerable.Range(0, rows).Select(_ => (float)random.Next(0, 9)).ToArray();
        var target = Enumerable.Range(0, rows).Select(r =>
            (type[r] == "Cat" ? 1 : 0) + (photos[r] >= 3 ? 1 : 0) + (age[r] <= 4 ? 1 : 0) - (fee[r] > 150 ? 1 : 0) >= 2 ? 1f : 0f).ToArray();
        return new Frame(new Dictionary<string, object>
        {
            ["Type"] = type, ["Age"] = age, ["Breed1"] = breed, ["Gender"] = gender, ["Color1"] = color1,
            ["Vaccinated"] = vaccinated, ["Fee"] = fee, ["PhotoAmt"] = photos, ["target"] = Array.Empty<float>(),
        }.Where(c => c.Key != "target").ToDictionary(c => c.Key, c => c.Value), target);
    }

    // value.to_numpy()[:, tf.newaxis]: each column as [N, 1].
    private static object Column(object values) => values switch
    {
        string[] s => new StringTensor(s, new Shape(s.Length, 1)),
        long[] l => NF.Reshape(NF.Constant(l), [-1, 1]),
        float[] f => NF.Reshape(NF.Constant(f), [-1, 1]),
        _ => throw new InvalidOperationException(),
    };

    // def df_to_dataset(dataframe, shuffle=True, batch_size=32)
    private static Dataset<(IReadOnlyDictionary<string, object>, Tensor)> DfToDataset(Frame dataframe, bool shuffle = true, int batchSize = 32)
    {
        var labels = NF.Constant(dataframe.Target);
        var df = dataframe.Columns.ToDictionary(c => c.Key, c => Column(c.Value));
        var ds = Dataset.FromTensorSlices(df, labels);
        if (shuffle)
            ds = ds.Shuffle(dataframe.Rows);
        return ds.Batch(batchSize).Prefetch(batchSize);
    }

    // def get_normalization_layer(name, dataset)
    private static Layers.Normalization GetNormalizationLayer(string name, Dataset<(IReadOnlyDictionary<string, object>, Tensor)> dataset)
    {
        var normalizer = new Layers.Normalization(axis: []);   // axis=None
        var featureDs = dataset.Map((x, y) => (Tensor)x[name]);
        normalizer.Adapt(featureDs);
        return normalizer;
    }

    // def get_category_encoding_layer(name, dataset, dtype, max_tokens=None): returns
    // lambda feature: encoder(index(feature)).
    private static Func<KerasTensor, KerasTensor> GetCategoryEncodingLayer(string name, Dataset<(IReadOnlyDictionary<string, object>, Tensor)> dataset,
                                                                          DType dtype, int? maxTokens = null) =>
        CategoryEncodingLayers(name, dataset, dtype, maxTokens) is var (index, encoder) ? feature => encoder.Call(index.Call(feature)) : null!;

    // The two layers of the lambda, for the eager calls of the tutorial's checks.
    private static (Layer Index, Layers.CategoryEncoding Encoder) CategoryEncodingLayers(string name, Dataset<(IReadOnlyDictionary<string, object>, Tensor)> dataset,
                                                                                      DType dtype, int? maxTokens = null)
    {
        if (dtype == DType.String)
        {
            var index = new Layers.StringLookup(maxTokens: maxTokens);
            index.Adapt(dataset.Map((x, y) => (StringTensor)x[name]));
            return (index, new Layers.CategoryEncoding(numTokens: index.VocabularySize()));
        }
        else
        {
            var index = new Layers.IntegerLookup(maxTokens: maxTokens);
            index.Adapt(dataset.Map((x, y) => (Tensor)x[name]));
            return (index, new Layers.CategoryEncoding(numTokens: index.VocabularySize()));
        }
    }

    // Keras' adapted vocabulary: the most frequent maxTokens - 1 values after the OOV token, by count, ties by value descending.
    private static T[] TopValues<T>(IEnumerable<T> values, int take) where T : notnull => values.GroupBy(v => v)
        .OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key, Comparer<T>.Create((a, b) => a is string sa ? string.CompareOrdinal(sa, (string)(object)b) : Comparer<T>.Default.Compare(a, b)))
        .Take(take).Select(g => g.Key).ToArray();

    [SkippableFact]
    public void The_preprocessing_layers_encode_each_column_as_the_tutorial_shows()
    {
        RequireBackend();
        NF.Random.SetSeed(2301);
        var dataframe = PetFinder(240, seed: 1);
        // train, val, test = np.split(dataframe.sample(frac=1), [int(0.8*len(dataframe)), int(0.9*len(dataframe))])
        var train = dataframe.Slice(0, 192);

        // batch_size = 5; train_ds = df_to_dataset(train, batch_size=batch_size)
        var trainDs = DfToDataset(train, batchSize: 5);
        // [(train_features, label_batch)] = train_ds.take(1)
        var (trainFeatures, labelBatch) = Assert.Single(trainDs.Take(1));
        Assert.Equal(new[] { "Age", "Breed1", "Color1", "Fee", "Gender", "PhotoAmt", "Type", "Vaccinated" }, trainFeatures.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new Shape(5, 1), ((Tensor)trainFeatures["Age"]).Shape);
        Assert.Equal(DType.Int64, ((Tensor)trainFeatures["Age"]).DType);
        Assert.Equal(new Shape(5), labelBatch.Shape);

        // layer = get_normalization_layer('PhotoAmt', train_ds); layer(photo_count_col)
        var photoCountCol = (Tensor)trainFeatures["PhotoAmt"];
        var layer = GetNormalizationLayer("PhotoAmt", trainDs);
        var photos = (float[])train.Columns["PhotoAmt"];
        double mean = photos.Average(), variance = photos.Average(p => (p - mean) * (p - mean));
        var normalized = layer.Call(photoCountCol);
        Assert.Equal(new Shape(5, 1), normalized.Shape);
        Reference.AssertClose(photoCountCol.ToArray<float>().Select(p => (p - mean) / Math.Sqrt(variance)).ToArray(),
                              normalized.ToArray<float>().Select(v => (double)v).ToArray(), rtol: 1e-5, atol: 1e-5);

        // test_type_layer = get_category_encoding_layer(name='Type', dataset=train_ds, dtype='string'); test_type_layer(test_type_col)
        var testTypeCol = (StringTensor)trainFeatures["Type"];
        var (typeIndex, typeEncoder) = CategoryEncodingLayers("Type", trainDs, DType.String);
        var typeLookup = (Layers.StringLookup)typeIndex;
        string[] typeVocabulary = ["[UNK]", .. TopValues((string[])train.Columns["Type"], 2)];
        Assert.Equal(typeVocabulary, typeLookup.GetVocabulary());
        var typeEncoded = typeEncoder.Call(typeLookup.Call(testTypeCol));
        Assert.Equal(new Shape(5, 3), typeEncoded.Shape);
        Assert.Equal(testTypeCol.ToArray().SelectMany(t => Enumerable.Range(0, 3).Select(i => i == Array.IndexOf(typeVocabulary, t) ? 1f : 0f)),
                     typeEncoded.ToArray<float>());

        // test_age_layer = get_category_encoding_layer(name='Age', dataset=train_ds, dtype='int64', max_tokens=5)
        var testAgeCol = (Tensor)trainFeatures["Age"];
        var (ageIndex, ageEncoder) = CategoryEncodingLayers("Age", trainDs, DType.Int64, maxTokens: 5);
        var ageLookup = (Layers.IntegerLookup)ageIndex;
        long[] ageVocabulary = [-1, .. TopValues((long[])train.Columns["Age"], 4)];
        Assert.Equal(ageVocabulary, ageLookup.GetVocabulary());
        var ageEncoded = ageEncoder.Call(ageLookup.Call(testAgeCol));
        Assert.Equal(new Shape(5, 5), ageEncoded.Shape);
        Assert.Equal(testAgeCol.ToArray<long>().SelectMany(a => Enumerable.Range(0, 5).Select(i => i == Math.Max(0, Array.IndexOf(ageVocabulary, a)) ? 1f : 0f)),
                     ageEncoded.ToArray<float>());
    }

    [SkippableFact]
    public void The_functional_model_of_one_input_per_column_trains_saves_reloads_and_predicts_a_dictionary()
    {
        RequireBackend();
        NF.Random.SetSeed(2302);
        var dataframe = PetFinder(400, seed: 2);
        var (train, val, test) = (dataframe.Slice(0, 320), dataframe.Slice(320, 360), dataframe.Slice(360, 400));

        // batch_size = 256 (here 32, for a small frame)
        const int batchSize = 32;
        var trainDs = DfToDataset(train, batchSize: batchSize);
        var valDs = DfToDataset(val, shuffle: false, batchSize: batchSize);
        var testDs = DfToDataset(test, shuffle: false, batchSize: batchSize);

        var allInputs = new Dictionary<string, KerasTensor>();
        var encodedFeatures = new List<KerasTensor>();
        // Numerical features.
        foreach (var header in new[] { "PhotoAmt", "Fee" })
        {
            var numericCol = Layers.Input([1], name: header);
            var normalizationLayer = GetNormalizationLayer(header, trainDs);
            var encodedNumericCol = normalizationLayer.Call(numericCol);
            allInputs[header] = numericCol;
            encodedFeatures.Add(encodedNumericCol);
        }

        // age_col = tf.keras.Input(shape=(1,), name='Age', dtype='int64')
        var ageCol = Layers.Input([1], name: "Age", dtype: DType.Int64);
        var encodingLayer = GetCategoryEncodingLayer("Age", trainDs, DType.Int64, maxTokens: 5);
        var encodedAgeCol = encodingLayer(ageCol);
        allInputs["Age"] = ageCol;
        encodedFeatures.Add(encodedAgeCol);

        foreach (var header in new[] { "Type", "Color1", "Gender", "Vaccinated", "Breed1" })
        {
            var categoricalCol = Layers.Input([1], name: header, dtype: DType.String);
            var categoricalEncoding = GetCategoryEncodingLayer(header, trainDs, DType.String, maxTokens: 5);
            var encodedCategoricalCol = categoricalEncoding(categoricalCol);
            allInputs[header] = categoricalCol;
            encodedFeatures.Add(encodedCategoricalCol);
        }
        // encoded_features: (None, 1) twice, then (None, 5) for Age, Color1 and Breed1 (max_tokens) and the
        // vocabulary size for the columns of fewer values (Type, Gender: 3; Vaccinated: 4).
        Assert.Equal(new[] { 1, 1, 5, 3, 5, 3, 4, 5 }, encodedFeatures.Select(f => f.Shape[1]!.Value));
        Assert.All(encodedFeatures, f => Assert.Null(f.Shape[0]));

        // all_features = tf.keras.layers.concatenate(encoded_features)
        var allFeatures = new Layers.Concatenate().Call(encodedFeatures);
        var x = new Layers.Dense(32, activation: "relu").Call(allFeatures);
        x = new Layers.Dropout(0.5).Call(x);
        var output = new Layers.Dense(1).Call(x);
        var model = new Model(allInputs, output);
        Assert.Equal(27, allFeatures.Shape[1]);

        model.Compile(optimizer: "adam", loss: new Losses.BinaryCrossentropy(fromLogits: true), metrics: ["accuracy"]);
        var history = model.Fit(trainDs, epochs: 25, validationData: valDs, verbose: 0);
        Assert.Equal(new[] { "loss", "accuracy", "val_loss", "val_accuracy" }, history.Keys);
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));

        // result = model.evaluate(test_ds, return_dict=True)
        var result = model.Evaluate(testDs, verbose: 0);
        Assert.Equal(new[] { "loss", "accuracy" }, result.Keys);
        Assert.True(result["accuracy"] >= 0.8, $"test accuracy {result["accuracy"]}");

        // model.save('my_pet_classifier.keras'); reloaded_model = tf.keras.models.load_model(...)
        var path = SaveTo(model, "my_pet_classifier.keras");
        var reloadedModel = Models.LoadModel(path);
        var reloaded = reloadedModel.Evaluate(testDs, verbose: 0);
        Assert.Equal(result["loss"], reloaded["loss"], 5);
        Assert.Equal(result["accuracy"], reloaded["accuracy"], 6);

        // input_dict = {name: tf.convert_to_tensor([value]) for name, value in sample.items()}
        var sample = new Dictionary<string, object>
        {
            ["Type"] = "Cat", ["Age"] = 3L, ["Breed1"] = "Tabby", ["Gender"] = "Male", ["Color1"] = "Black",
            ["Vaccinated"] = "No", ["Fee"] = 100f, ["PhotoAmt"] = 2f,
        };
        var inputDict = sample.ToDictionary(s => s.Key, s => s.Value switch
        {
            string text => (object)new StringTensor([text]),
            long number => NF.Constant(new[] { number }),
            float number => NF.Constant(new[] { number }),
            _ => throw new InvalidOperationException(),
        });
        var predictions = reloadedModel.Predict(inputDict);
        Assert.Equal(new Shape(1, 1), predictions.Shape);
        var prob = NF.Sigmoid(predictions[0]);
        Assert.InRange(prob.Item<float>(), 0f, 1f);
        // The same as the model before saving, and as the row inside a batch of the test dataset.
        Assert.Equal(model.Predict(inputDict).ToArray<float>(), predictions.ToArray<float>());
        var firstTest = test.Slice(0, 1);
        var testRow = firstTest.Columns.ToDictionary(c => c.Key, c => Column(c.Value));
        var batchPredictions = reloadedModel.Predict(testDs);
        Assert.Equal(batchPredictions[0].Item<float>(), reloadedModel.Predict(testRow).Item<float>(), 5);
    }
}

/// <summary>The structured-data tutorial on the managed backend.</summary>
public sealed class ManagedTutorialStructuredDataTests() : TutorialStructuredDataTests("managed");

/// <summary>The structured-data tutorial on the native CPU backend.</summary>
public sealed class NativeCpuTutorialStructuredDataTests() : TutorialStructuredDataTests("cpu");

/// <summary>The structured-data tutorial on CUDA.</summary>
public sealed class CudaTutorialStructuredDataTests() : TutorialStructuredDataTests("cuda");
