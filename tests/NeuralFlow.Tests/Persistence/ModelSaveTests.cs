using System.IO.Compression;
using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// model.Save / Model.Load (issue 14) on every backend: the rebuilt model predicts the same bits,
/// comes back compiled, and resumes training exactly where the saved one stopped.
/// </summary>
public abstract class ModelSaveTests(string backend) : BackendFileTest(backend)
{


    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(21);
        return (NF.Random.Uniform([96, 4, 3]), NF.Random.Uniform([96], 0, 4, DType.Int32));
    }

    private static Sequential NewModel() => new(
        new Layers.Flatten(), new Layers.Dense(24, activation: "relu"), new Layers.Dropout(0.25),
        new Layers.Dense(4), new Layers.Softmax());

    [SkippableFact]
    public void Activation_layers_and_names_of_issue_16_round_trip_bit_for_bit()
    {
        RequireBackend();
        NF.Random.SetSeed(16);
        var model = new Sequential(
            new Layers.Dense(6, activation: "gelu"), new Layers.ReLU(maxValue: 1.5, negativeSlope: 0.1, threshold: 0.2),
            new Layers.Dense(6, activation: "mish"), new Layers.LeakyReLU(0.25), new Layers.Activation("selu"),
            new Layers.Dense(5, activation: "hard_sigmoid"), new Layers.ELU(0.7), new Layers.Activation("swish"));
        var x = NF.Random.Uniform([9, 4], -3, 3);
        var want = model.Predict(x).ToArray<float>();
        string path = Temp.File("activations16.nfmodel");
        model.Save(path);

        var loaded = Model.Load(path);
        Assert.Equal(want, loaded.Predict(x).ToArray<float>());
        var relu = Assert.IsType<Layers.ReLU>(loaded.SubLayers[1]);
        Assert.Equal((1.5, 0.1, 0.2), (relu.MaxValue!.Value, relu.NegativeSlope, relu.Threshold));
        Assert.Equal(0.25, Assert.IsType<Layers.LeakyReLU>(loaded.SubLayers[3]).NegativeSlope);
        Assert.Equal(0.7, Assert.IsType<Layers.ELU>(loaded.SubLayers[6]).Alpha);
        Assert.Equal(0.3, new Layers.LeakyReLU().NegativeSlope); // Keras' layer default
    }

    [SkippableFact]
    public void A_trained_model_reloads_compiled_and_resumes_exactly()
    {
        RequireBackend();
        var (x, y) = Data();
        var model = NewModel();
        model.Compile(new Optimizers.Adam(learningRate: new ExponentialDecay(0.01, 5, 0.9)), "sparse_categorical_crossentropy", ["accuracy"]);
        model.Fit(x, y, batchSize: 32, epochs: 2, verbose: 0);
        string path = Temp.File("model.nfmodel");
        model.Save(path);

        var loaded = Model.Load(path);
        Assert.IsType<Sequential>(loaded);
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
        Assert.Equal(model.SummaryText().Replace(model.Name, "m"), loaded.SummaryText().Replace(loaded.Name, "m"));
        var adam = Assert.IsType<Optimizers.Adam>(loaded.Optimizer);
        Assert.Equal(model.Optimizer!.Iterations, adam.Iterations);
        Assert.Equal(model.Optimizer.CurrentLearningRate, adam.CurrentLearningRate);

        // One more epoch on each, same shuffling and dropout draws: the same weights, bit for bit.
        NF.Random.SetSeed(99);
        var h1 = model.Fit(x, y, batchSize: 32, epochs: 1, verbose: 0);
        NF.Random.SetSeed(99);
        var h2 = loaded.Fit(x, y, batchSize: 32, epochs: 1, verbose: 0);
        Assert.Equal(h1["loss"], h2["loss"]);
        Assert.Equal(h1["accuracy"], h2["accuracy"]);
        for (int i = 0; i < model.Variables.Count; i++)
            Assert.Equal(model.Variables[i].ToArray<float>(), loaded.Variables[i].ToArray<float>());
    }

    [SkippableFact]
    public void An_uncompiled_model_reloads_uncompiled()
    {
        RequireBackend();
        var (x, _) = Data();
        var model = NewModel();
        model.Call(x);
        string path = Temp.File("plain.nfmodel");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Null(loaded.Optimizer);
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
        using var zip = ZipFile.OpenRead(path);
        Assert.Equal(["metadata.json", "config.json", "model.weights.safetensors"], zip.Entries.Select(e => e.FullName));
        var config = JsonNode.Parse(zip.GetEntry("config.json")!.Open())!;
        Assert.Equal("Dense", config["config"]!["layers"]![1]!["class_name"]!.GetValue<string>());
        Assert.Equal(24, config["config"]!["layers"]![1]!["config"]!["units"]!.GetValue<int>());
    }
}

public sealed class ManagedModelSaveTests() : ModelSaveTests("managed");
public sealed class NativeCpuModelSaveTests() : ModelSaveTests("cpu");
public sealed class CudaModelSaveTests() : ModelSaveTests("cuda");

/// <summary>What a model file cannot hold, and files that are not model files: errors that say so.</summary>
public sealed class ModelSaveLimitsTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private TempDirectory Temp => _temp;

    public void Dispose() => _temp.Dispose();

    private sealed class Scale(string? name = null) : Layer(name)
    {
        public Variable? Factor { get; private set; }
        protected override void Build(Shape inputShape) => Factor = AddWeight("factor", [inputShape[-1]], Initializer.Get("ones"));
        protected override Tensor Forward(Tensor x) => x * Factor!;
    }

    private sealed class Subclassed : Model
    {
        private readonly Layers.Dense _dense = new(2);
        public override Tensor Call(Tensor x) => _dense.Call(x);
    }

    [Fact]
    public void A_custom_layer_saves_unregistered_and_loads_once_registered()
    {
        var x = NF.Constant(new float[,] { { 1, 2 }, { 3, 4 } });
        var model = new Sequential(new Scale(), new Layers.Dense(1));
        model.Call(x);
        string path = Temp.File("custom.nfmodel");
        // Saved under its class name, as Keras saves an unregistered class; loading needs the class.
        model.Save(path);
        var unknown = Assert.Throws<InvalidDataException>(() => Model.Load(path));
        Assert.Contains("'Scale'", unknown.Message);
        Assert.Contains("customObjects", unknown.Message);

        KerasSerialization.Register("Scale", c => new Scale(c["name"]?.GetValue<string>()));
        ((Scale)model.Layers[0]).Factor!.Assign(NF.Constant(new[] { 2f, -1f }));
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
    }

    [Fact]
    public void Code_a_file_cannot_hold_is_named()
    {
        var x = NF.Ones([1, 3]);
        var custom = new Sequential(new Layers.Dense(2, activation: (Func<Tensor, Tensor>)(t => t * 2)));
        custom.Call(x);
        Assert.Contains("activation is a C# function", Assert.Throws<NotSupportedException>(() => custom.Save(Temp.File("a.nfmodel"))).Message);
        // A subclassed model saves (its class and config); loading it needs its class.
        var sub = new Subclassed();
        sub.Call(x);
        sub.Save(Temp.File("b.nfmodel"));
        Assert.Contains("'Subclassed'", Assert.Throws<InvalidDataException>(() => Model.Load(Temp.File("b.nfmodel"))).Message);
        Assert.Contains("no weights yet", Assert.Throws<InvalidOperationException>(() => new Sequential(new Layers.Dense(2)).Save(Temp.File("c.nfmodel"))).Message);
    }

    [Fact]
    public void Files_that_are_not_model_files_are_named()
    {
        string notZip = Temp.File("not.nfmodel");
        File.WriteAllText(notZip, "hello");
        Assert.Contains("not a zip", Assert.Throws<InvalidDataException>(() => Model.Load(notZip)).Message);

        string empty = Temp.File("empty.nfmodel");
        using (var zip = ZipFile.Open(empty, ZipArchiveMode.Create)) zip.CreateEntry("readme.txt");
        Assert.Contains("lacks metadata.json", Assert.Throws<InvalidDataException>(() => Model.Load(empty)).Message);

        var model = new Sequential(new Layers.Dense(2));
        model.Call(NF.Ones([1, 3]));
        string good = Temp.File("good.nfmodel");
        model.Save(good);
        string newer = Temp.File("newer.nfmodel");
        File.Copy(good, newer);
        using (var zip = ZipFile.Open(newer, ZipArchiveMode.Update))
        {
            zip.GetEntry("metadata.json")!.Delete();
            using var s = new StreamWriter(zip.CreateEntry("metadata.json").Open());
            s.Write("{\"format\": \"neuralflow.model\", \"format_version\": 7}");
        }
        Assert.Contains("update NeuralFlow", Assert.Throws<InvalidDataException>(() => Model.Load(newer)).Message);

        string damaged = Temp.File("damaged.nfmodel");
        File.Copy(good, damaged);
        using (var zip = ZipFile.Open(damaged, ZipArchiveMode.Update))
        {
            zip.GetEntry("model.weights.safetensors")!.Delete();
            using var s = zip.CreateEntry("model.weights.safetensors").Open();
            s.Write(new byte[] { 200, 0, 0, 0, 0, 0, 0, 0, (byte)'{' });
        }
        var e = Assert.Throws<InvalidDataException>(() => Model.Load(damaged));
        Assert.Contains("model.weights.safetensors", e.Message);
    }

    /// <summary>
    /// Every file of the fuzz corpus (tests/fuzz/corpus/nfmodel) loads or is an error naming the
    /// file. Found by fuzzing: zip damage the reader finds lazily, JSON text that is not UTF-8 and
    /// values of the wrong type came out as unnamed InvalidDataException/InvalidOperationException.
    /// </summary>
    [Fact]
    public void Every_fuzz_corpus_file_loads_or_is_an_error_naming_it()
    {
        var files = Directory.GetFiles(Path.Combine(Samples.Repo.Root, "tests", "fuzz", "corpus", "nfmodel"));
        Assert.Contains(files, f => Path.GetFileName(f).StartsWith("crash-", StringComparison.Ordinal));
        foreach (var file in files)
        {
            string copy = Temp.File("fuzz-input.nfmodel");
            File.Copy(file, copy, overwrite: true);
            try { Model.Load(copy); }
            catch (InvalidDataException e) { Assert.Contains(copy, e.Message); }
        }
    }

    [Fact]
    public void A_config_value_of_the_wrong_type_is_a_damaged_file()
    {
        var model = new Sequential(new Layers.Dense(2));
        model.Call(NF.Ones([1, 3]));
        string path = Temp.File("typed.nfmodel");
        model.Save(path);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            zip.GetEntry("config.json")!.Delete();
            using var s = new StreamWriter(zip.CreateEntry("config.json").Open());
            s.Write("{\"class_name\": \"Sequential\", \"config\": {\"name\": 5, \"layers\": []}}");
        }
        var e = Assert.Throws<InvalidDataException>(() => Model.Load(path));
        Assert.Contains(path, e.Message);
    }

    [SkippableFact]
    public void Saved_on_the_native_engine_loaded_on_the_managed_one()
    {
        Skip.If(Backends.BackendRegistry.NativeCpu is null, "native CPU backend not built");
        string path = Temp.File("x.nfmodel");
        float[] want;
        float[] input = [0.5f, -1, 2, 0.25f, 3, -2];
        using (NF.UseBackend("cpu"))
        {
            NF.Random.SetSeed(12); // the same weights every run
            var model = new Sequential(new Layers.Dense(5, activation: "tanh"), new Layers.Dense(2, activation: "softmax"));
            model.Compile("sgd", "sparse_categorical_crossentropy");
            var x = NF.Constant(input, [2, 3]);
            model.Fit(x, NF.Constant(new[] { 0, 1 }), batchSize: 2, epochs: 2, verbose: 0);
            model.Save(path);
            want = model.Predict(x).ToArray<float>();
        }
        using (NF.UseBackend("managed"))
        {
            var loaded = Model.Load(path);
            Assert.Equal("managed", loaded.Variables[0].Backend.Name);
            var got = loaded.Predict(NF.Constant(input, [2, 3])).ToArray<float>();
            // Within 1e-5, not "equal to 5 decimal places": rounding both sides put 0.395605057 and 0.395604998
            // (6e-8 apart) on either side of a rounding boundary in a CI run.
            for (int i = 0; i < want.Length; i++) Assert.Equal(want[i], got[i], 1e-5);
        }
    }
}
