using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Fit, Evaluate, Predict and ApplyGradients on bad or edge-case arguments: a clear error (as
/// Keras raises) instead of a silent no-op, a hang or a cryptic failure.
/// </summary>
public abstract class KerasTrainingTrustTests(string backend) : BackendTest(backend)
{
    private static Sequential Compiled(int outputs = 1, string loss = "mse")
    {
        NF.Random.SetSeed(11);
        var model = new Sequential(new Layers.Dense(outputs));
        model.Compile("sgd", loss);
        return model;
    }

    // ---- ApplyGradients ----

    [SkippableFact]
    public void ApplyGradients_with_no_gradient_at_all_raises_and_names_the_variables()
    {
        RequireBackend();
        var w = new Variable(NF.Ones([2]), name: "w");
        var b = new Variable(NF.Zeros([1]), name: "b");
        var sgd = new Optimizers.SGD();
        var e = Assert.Throws<ArgumentException>(() => sgd.ApplyGradients([null, null], [w, b]));
        Assert.Contains("No gradients provided for any variable", e.Message);
        Assert.Contains("w, b", e.Message);
        Assert.Equal(0, sgd.Iterations);
        sgd.ApplyGradients([], []); // no variables at all: a no-op step, as in Keras
    }

    [SkippableFact]
    public void ApplyGradients_on_an_integer_variable_names_it_and_its_dtype()
    {
        RequireBackend();
        var counter = new Variable(NF.Constant(new[] { 1, 2 }), name: "counter");
        var e = Assert.Throws<ArgumentException>(() => new Optimizers.SGD().ApplyGradients([NF.Constant(new[] { 1, 1 })], [counter]));
        Assert.Contains("'counter'", e.Message);
        Assert.Contains("int32", e.Message);
        Assert.Contains("float variables only", e.Message);
    }

    [SkippableFact]
    public void ApplyGradients_checks_counts_and_shapes_before_changing_anything()
    {
        RequireBackend();
        var w = new Variable(NF.Ones([2]), name: "w");
        var v = new Variable(NF.Ones([3]), name: "v");
        var sgd = new Optimizers.SGD(0.5);
        var e = Assert.Throws<ArgumentException>(() => sgd.ApplyGradients([NF.Ones([2])], [w, v]));
        Assert.Contains("1 gradients for 2 variables", e.Message);
        e = Assert.Throws<ArgumentException>(() => sgd.ApplyGradients([NF.Ones([2]), NF.Ones([2])], [w, v]));
        Assert.Contains("'v'", e.Message);
        Assert.Contains("(2,)", e.Message);
        Assert.Contains("(3,)", e.Message);
        Assert.Equal([1f, 1f], w.ToArray<float>()); // w was not updated by the failed step
        Assert.Equal(0, sgd.Iterations);
    }

    // ---- Fit, Evaluate and Predict arguments ----

    [SkippableFact]
    public void Fit_on_zero_examples_raises()
    {
        RequireBackend();
        var model = Compiled();
        var e = Assert.Throws<ArgumentException>(() => model.Fit(NF.Zeros([0, 3]), NF.Zeros([0, 1]), verbose: 0));
        Assert.Contains("0 examples", e.Message);
        Assert.Throws<ArgumentException>(() => model.Evaluate(NF.Zeros([0, 3]), NF.Zeros([0, 1])));
        e = Assert.Throws<ArgumentException>(() => model.Fit(NF.Zeros([4, 3]), NF.Zeros([4, 1]), validationData: (NF.Zeros([0, 3]), NF.Zeros([0, 1])), verbose: 0));
        Assert.Contains("validationData", e.Message);
        var empty = Dataset.FromTensorSlices(NF.Zeros([4, 3]), NF.Zeros([4, 1])).Take(0).Batch(2);
        Assert.Throws<InvalidOperationException>(() => model.Fit(empty, verbose: 0));
        Assert.Throws<InvalidOperationException>(() => model.Evaluate(empty));
    }

    [SkippableTheory]
    [InlineData(1, 0.5)]   // floor(1 * 0.5) = 0 examples left to train on
    [InlineData(5, 1e-17)] // floor(5 * (1 - 1e-17)) = 5: nothing held out for validation
    public void A_validation_split_that_leaves_nothing_raises(int n, double split)
    {
        RequireBackend();
        var model = Compiled();
        var e = Assert.Throws<ArgumentException>(() => model.Fit(NF.Zeros([n, 3]), NF.Zeros([n, 1]), validationSplit: split, verbose: 0));
        Assert.Contains("validationSplit", e.Message);
        Assert.Contains($"{n} examples", e.Message);
    }

    [SkippableFact]
    public void Validation_split_holds_out_the_last_examples_as_keras_does()
    {
        RequireBackend();
        var (model, _) = Rows(1);
        // Keras: the first floor(10 * 0.75) = 7 examples train, the last 3 validate.
        model.Fit(NF.Zeros([10, 1]), NF.Zeros([10, 1]), batchSize: 100, validationSplit: 0.25, verbose: 0);
        Assert.Equal([7, 3], model.Sizes);
    }

    [SkippableFact]
    public void Size_arguments_are_validated()
    {
        RequireBackend();
        var model = Compiled();
        var (x, y) = (NF.Zeros([4, 3]), NF.Zeros([4, 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Evaluate(x, y, batchSize: 0)); // looped forever
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Predict(x, batchSize: 0));     // looped forever
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Predict(x, batchSize: -3));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(x, y, batchSize: 0, verbose: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(x, y, epochs: -1, verbose: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(x, y, initialEpoch: -1, verbose: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(x, y, verbose: 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(x, y, validationSplit: 1, verbose: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(x, y, validationSplit: double.NaN, verbose: 0));
        var ds = Dataset.FromTensorSlices(x, y).Batch(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(ds, stepsPerEpoch: 0, verbose: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Evaluate(ds, steps: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Predict(ds, steps: 0));
        // epochs is the last epoch's index, as Keras: initialEpoch 2 of 3 runs one epoch.
        Assert.Single(model.Fit(x, y, epochs: 3, initialEpoch: 2, verbose: 0)["loss"]);
        Assert.Equal(0, model.Fit(x, y, epochs: 0, verbose: 0).Epochs);
    }

    // ---- Infinite datasets and stepsPerEpoch ----

    // A model that records the first input value of each batch it sees.
    sealed class Recorder : Model
    {
        readonly Layers.Dense _dense = new(1);
        public readonly List<float> Firsts = [];
        public readonly List<int> Sizes = [];
        public override Tensor Call(Tensor x)
        {
            Sizes.Add(x.Shape[0]);
            if (x.Shape[0] > 0) Firsts.Add(x[0, 0].Item<float>());
            return _dense.Call(x);
        }
    }

    private static (Recorder Model, Dataset<(Tensor, Tensor)> Data) Rows(int n)
    {
        var model = new Recorder();
        model.Compile("sgd", "mse");
        var x = NF.Reshape(NF.Cast(NF.Range(n), DType.Float32), [n, 1]);
        return (model, Dataset.FromTensorSlices(x, NF.Zeros([n, 1])));
    }

    [SkippableFact]
    public void Fit_refuses_an_infinite_dataset_without_stepsPerEpoch()
    {
        RequireBackend();
        var (model, data) = Rows(8);
        var infinite = data.Batch(2).Repeat();
        var e = Assert.Throws<ArgumentException>(() => model.Fit(infinite, verbose: 0));
        Assert.Contains("stepsPerEpoch", e.Message);
        Assert.Contains("infinite", e.Message);
        Assert.Contains("steps", Assert.Throws<ArgumentException>(() => model.Evaluate(infinite)).Message);
        Assert.Contains("steps", Assert.Throws<ArgumentException>(() => model.Predict(infinite)).Message);
        e = Assert.Throws<ArgumentException>(() => model.Fit(data.Batch(2), validationData: infinite, verbose: 0));
        Assert.Contains("validationSteps", e.Message);
    }

    [SkippableFact]
    public void Fit_on_an_infinite_dataset_with_stepsPerEpoch_continues_the_iterator_across_epochs()
    {
        RequireBackend();
        var (model, data) = Rows(8);
        var batches = new List<int>();
        var history = model.Fit(data.Batch(2).Repeat(), epochs: 3, stepsPerEpoch: 3, verbose: 0,
                                validationData: data.Batch(4).Repeat(), validationSteps: 1,
                                callbacks: [new OnBatch(b => batches.Add(b))]);
        Assert.Equal(3, history["loss"].Count);
        Assert.Equal(3, history["val_loss"].Count);
        Assert.Equal([0, 1, 2, 0, 1, 2, 0, 1, 2], batches);
        // Training batches start at rows 0, 2, 4, 6, 0, ... (continuing, not restarting, each epoch);
        // each validation pass is one batch of 4 starting at row 0.
        var training = model.Firsts.Where((_, i) => i % 4 != 3).ToArray();
        Assert.Equal([0f, 2f, 4f, 6f, 0f, 2f, 4f, 6f, 0f], training);
        Assert.Equal(new Shape(6, 1), model.Predict(data.Batch(3).Repeat(), steps: 2).Shape);
        Assert.True(float.IsFinite(model.Evaluate(data.Batch(2).Repeat(), steps: 2)["loss"])); // runs, and ends
    }

    [SkippableFact]
    public void A_finite_dataset_that_runs_out_before_stepsPerEpoch_stops_training()
    {
        RequireBackend();
        var (model, data) = Rows(8);
        var history = model.Fit(data.Batch(2), epochs: 3, stepsPerEpoch: 3, verbose: 0); // 4 batches in all
        Assert.Equal(2, history["loss"].Count);
        Assert.Equal([0f, 2f, 4f, 6f], model.Firsts);
        // stepsPerEpoch equal to the length restarts the dataset each epoch, as in Keras.
        model.Firsts.Clear();
        model.Fit(data.Batch(2), epochs: 2, stepsPerEpoch: 4, verbose: 0);
        Assert.Equal([0f, 2f, 4f, 6f, 0f, 2f, 4f, 6f], model.Firsts);
    }

    sealed class OnBatch(Action<int> action) : Callbacks.Callback
    {
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs) => action(batch);
    }

    // ---- Predict on nothing; data files that are directories ----

    [SkippableFact]
    public void Predict_on_zero_rows_returns_an_empty_result_of_the_output_shape()
    {
        RequireBackend();
        var model = Compiled(outputs: 2);
        using var empty = model.Predict(NF.Zeros([0, 3]));
        Assert.Equal(new Shape(0, 2), empty.Shape);
        using var some = model.Predict(NF.Zeros([5, 3]), batchSize: 2);
        Assert.Equal(new Shape(5, 2), some.Shape);
    }

    [SkippableFact]
    public void Reading_a_directory_as_an_idx_file_names_the_path()
    {
        RequireBackend();
        var dir = Directory.CreateTempSubdirectory("nf-idx-dir").FullName;
        try
        {
            var e = Assert.Throws<IOException>(() => Idx.Read(dir));
            Assert.Contains(dir, e.Message);
            Assert.Contains("is a directory", e.Message);
            e = Assert.Throws<IOException>(() => Idx.Write(dir, NF.Zeros([2], DType.UInt8)));
            Assert.Contains("is a directory", e.Message);
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    [SkippableFact]
    public void A_directory_in_place_of_a_data_set_file_is_named_instead_of_downloaded_over()
    {
        RequireBackend();
        var root = Directory.CreateTempSubdirectory("nf-data-root").FullName;
        var saved = Environment.GetEnvironmentVariable("NEURALFLOW_DATA");
        try
        {
            Environment.SetEnvironmentVariable("NEURALFLOW_DATA", root);
            var blocker = Path.Combine(root, "dir-test", "train-images-idx3-ubyte.gz");
            Directory.CreateDirectory(blocker);
            var source = new NeuralFlow.Data.Sources.IdxSource("dir-test", "Dir test", [], [],
                new NeuralFlow.Data.Sources.RemoteFile("train-images-idx3-ubyte.gz", ""));
            var e = Assert.Throws<IOException>(() => source.Load());
            Assert.Contains(blocker, e.Message);
            Assert.Contains("is a directory", e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable("NEURALFLOW_DATA", saved);
            Directory.Delete(root, recursive: true);
        }
    }
}

public sealed class ManagedKerasTrainingTrustTests() : KerasTrainingTrustTests("managed");

public sealed class NativeCpuKerasTrainingTrustTests() : KerasTrainingTrustTests("cpu");

public sealed class CudaKerasTrainingTrustTests() : KerasTrainingTrustTests("cuda");
