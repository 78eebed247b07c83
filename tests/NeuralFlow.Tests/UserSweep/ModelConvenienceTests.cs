using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserSweep;

/// <summary>
/// Everyday Keras model methods a user reaches for: train_on_batch / test_on_batch /
/// predict_on_batch, get_layer, Sequential.layers without its input layer, pop. Expected
/// behaviour from Keras 3 (keras/src/trainers/trainer.py, models/sequential.py, models/model.py).
/// </summary>
public sealed class ModelConvenienceTests
{
    private static (Tensor X, Tensor Y) Data()
    {
        NF.Random.SetSeed(11);
        var x = NF.Random.Normal([32, 3]);
        var y = NF.Cast(NF.ReduceSum(x, axis: 1) > 0f, DType.Int32);
        return (x, y);
    }

    private static Sequential Classifier()
    {
        NF.Random.SetSeed(12);
        var model = new Sequential(Layers.Input([3]), new Layers.Dense(8, activation: "relu", name: "hidden"), new Layers.Dense(2, activation: "softmax", name: "head"));
        model.Compile(optimizer: new Optimizers.SGD(0.1f), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"]);
        return model;
    }

    [Fact]
    public void TrainOnBatch_steps_once_like_a_Fit_of_one_batch()
    {
        var (x, y) = Data();
        var a = Classifier();
        var b = Classifier();
        b.SetWeights(a.GetWeights());
        var result = a.TrainOnBatch(x, y);
        b.Fit(x, y, batchSize: 32, epochs: 1, shuffle: false, verbose: 0);
        Assert.Equal(b.GetWeights().Select(w => w.ToArray<float>()), a.GetWeights().Select(w => w.ToArray<float>()));
        Assert.Equal(["loss", "accuracy"], result.Values.Select(kv => kv.Key));
        Assert.Equal(1L, a.Optimizer!.Iterations);

        // The batch's own numbers: test_on_batch on the same batch before the step gives the loss the step reported.
        var c = Classifier();
        c.SetWeights(b.GetWeights());
        var test = c.TestOnBatch(x, y);
        var evaluated = c.Evaluate(x, y, batchSize: 32);
        Assert.Equal(evaluated.Loss, test.Loss);
        Assert.Equal(evaluated["accuracy"], test["accuracy"]);
    }

    [Fact]
    public void OnBatch_metrics_reset_each_call_unless_asked_to_accumulate()
    {
        var (x, y) = Data();
        var model = Classifier();
        var first = model.TestOnBatch(x[..16], y[..16]);
        var second = model.TestOnBatch(x[16..], y[16..]);
        var expectedSecond = model.Evaluate(x[16..], y[16..], batchSize: 16);
        Assert.Equal(expectedSecond.Loss, second.Loss, 6);
        model.TestOnBatch(x[..16], y[..16]);
        var both = model.TestOnBatch(x[16..], y[16..], resetMetrics: false);
        Assert.Equal((first.Loss + second.Loss) / 2, both.Loss, 5);
    }

    [Fact]
    public void PredictOnBatch_equals_Predict()
    {
        var (x, _) = Data();
        var model = Classifier();
        Assert.Equal(model.Predict(x, batchSize: 7).ToArray<float>(), model.PredictOnBatch(x).ToArray<float>());
    }

    [Fact]
    public void OnBatch_methods_need_a_compiled_model_and_matching_rows()
    {
        var (x, y) = Data();
        var model = new Sequential(new Layers.Dense(2));
        Assert.Contains("Compile", Assert.Throws<InvalidOperationException>(() => model.TrainOnBatch(x, y)).Message);
        var compiled = Classifier();
        Assert.Contains("same number of examples", Assert.Throws<ArgumentException>(() => compiled.TrainOnBatch(x, y[..5])).Message);
    }

    [Fact]
    public void Sequential_layers_leave_out_the_input_layer_and_get_layer_finds_by_name_and_index()
    {
        var model = Classifier();
        Assert.Equal(["hidden", "head"], model.Layers.Select(l => l.Name));
        Assert.Same(model.Layers[0], model.GetLayer("hidden"));
        Assert.Same(model.Layers[1], model.GetLayer(1));
        var e = Assert.Throws<ArgumentException>(() => model.GetLayer("dense_99"));
        Assert.Contains("No such layer: dense_99", e.Message);
        Assert.Contains("'hidden'", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.GetLayer(2));

        var built = new Sequential(new Layers.Dense(4, name: "only"));
        built.Build([3]);
        Assert.Equal(["only"], built.Layers.Select(l => l.Name));

        var input = Layers.Input([3], name: "features");
        var output = new Layers.Dense(1, name: "score").Call(input);
        var functional = new Model(input, output);
        Assert.IsType<Layers.InputLayer>(functional.GetLayer("features"));  // Keras lists a functional model's inputs
        Assert.Equal("score", functional.GetLayer(1).Name);
    }

    [Fact]
    public void Pop_removes_the_head_and_the_model_trains_with_a_new_one()
    {
        var (x, y) = Data();
        var model = Classifier();
        model.Fit(x, y, epochs: 1, verbose: 0);
        var head = model.Pop();
        Assert.Equal("head", head.Name);
        Assert.Equal(["hidden"], model.Layers.Select(l => l.Name));
        model.Add(new Layers.Dense(1, activation: "sigmoid", name: "binary"));
        model.Compile(optimizer: "adam", loss: "binary_crossentropy");
        var history = model.Fit(x, NF.Cast(y, DType.Float32), epochs: 1, verbose: 0);
        Assert.Single(history["loss"]);
        Assert.Equal(new Shape(32, 1), model.Predict(x).Shape);
        Assert.Throws<InvalidOperationException>(() => new Sequential().Pop());
    }
}
