using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe13;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's "Keras debugging tips" in C#: a layer's shape bug fails at its first call with the
/// product's shapes named ([4, 5] and [10, 5], as TensorFlow's "Matrix size-incompatible"); the
/// three-input, two-output model's summary has the example's counts; under <c>runEagerly</c> the
/// C# TrainStep runs at every batch (so its prints would show), and its nested tapes give the
/// first- and second-order gradients torch gives (debugging_tips_references.py).
/// </summary>
public abstract class ExamplesDebuggingTipsTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Layer_tested_alone_names_the_shapes_of_its_bad_product()
    {
        RequireBackend();
        var x = NF.Random.Normal([2, 5]);
        var error = Assert.ThrowsAny<ArgumentException>(() => new MyAntirectifier(concatAxis: 0).Call(x));
        Assert.Contains("[4, 5]", error.Message.Replace("(", "[").Replace(")", "]"));
        Assert.Contains("[10, 5]", error.Message.Replace("(", "[").Replace(")", "]"));
        Assert.Equal(new[] { 2, 5 }, new MyAntirectifier(concatAxis: 1).Call(x).Shape.ToArray());
    }

    [SkippableFact]
    public void Multi_input_model_summary_shows_the_output_shapes_and_counts()
    {
        RequireBackend();
        int numTags = 12, numWords = 10000, numDepartments = 4;
        var titleInput = Layers.Input([null], name: "title");
        var bodyInput = Layers.Input([null], name: "body");
        var tagsInput = Layers.Input([numTags], name: "tags");
        var titleFeatures = new Layers.LSTM(128, name: "lstm_title").Call(new Layers.Embedding(numWords, 64, name: "embedding_title").Call(titleInput));
        var bodyFeatures = new Layers.LSTM(32, name: "lstm_body").Call(new Layers.Embedding(numWords, 64, name: "embedding_body").Call(bodyInput));
        var x = new Layers.Concatenate(name: "concatenate").Call([titleFeatures, bodyFeatures, tagsInput]);
        var priorityPred = new Layers.Dense(1, name: "priority").Call(x);
        var departmentPred = new Layers.Dense(numDepartments, name: "department").Call(x);
        var model = new Model([titleInput, bodyInput, tagsInput], [priorityPred, departmentPred]);
        var summary = model.SummaryText();
        // 2 * 640,000 + 4 * 128 * (64 + 128 + 1) + 4 * 32 * (64 + 32 + 1) + 173 + 692
        Assert.Contains("Total params: 1,392,097", summary);
        Assert.Contains("(None, 172)", summary);
        Assert.Contains("(None, None, 64)", summary);
        Assert.Contains("98,816", summary);
        Assert.Contains("12,416", summary);
    }

    private static (SecondOrderModel Model, Tensor X, Tensor Y) FixedModel()
    {
        var inputs = Layers.Input([2]);
        var hidden = new Layers.Dense(3, activation: "relu").Call(inputs);
        var model = new SecondOrderModel(inputs, new Layers.Dense(2, activation: "softmax").Call(hidden));
        model.SetWeights([
            NF.Constant(new[,] { { 0.3f, -0.2f, 0.8f }, { 0.5f, 0.4f, -0.6f } }), NF.Constant(new[] { 0.1f, 0f, -0.1f }),
            NF.Constant(new[,] { { 0.7f, -0.4f }, { -0.3f, 0.9f }, { 0.2f, 0.6f } }), NF.Constant(new[] { 0.05f, -0.05f })]);
        var x = NF.Constant(new[,] { { 0.5f, -1f }, { 1.5f, 0.25f }, { -0.75f, 2f }, { 1f, 1f } });
        return (model, x, NF.Constant(new[] { 0, 1, 1, 0 }));
    }

    [SkippableFact]
    public void Nested_tapes_give_torchs_first_and_second_order_gradients()
    {
        RequireBackend();
        var (model, x, y) = FixedModel();
        model.Compile(new Optimizers.SGD(0.01f), new Losses.SparseCategoricalCrossentropy(), ["accuracy"]);
        var (first, second) = model.Gradients(x, y);
        // debugging_tips_references.py
        double[][] expectedFirst =
        [
            [0.06931213, 0.20050995, -0.0330202, 0.22186468, -0.19601367, -0.04101476], [0.2162466, -0.05182326, 0.02589197],
            [0.13940967, -0.13940967, 0.09875621, -0.09875621, 0.01099125, -0.01099125], [0.05542875, -0.05542875],
        ];
        double[][] expectedSecond =
        [
            [0.11194991, 0.08325501, -0.03403842, -0.08741451, 0.12959165, 0.01563753], [0.02216454, 0.11274196, -0.00875995],
            [0.45410689, -0.45410689, 0.01011776, -0.01011776, 0.20970059, -0.20970059], [0.00785847, -0.00785847],
        ];
        for (int i = 0; i < 4; i++)
        {
            var (g1, g2) = (first[i]!.ToArray<float>(), second[i]!.ToArray<float>());
            for (int j = 0; j < g1.Length; j++)
            {
                Assert.Equal(expectedFirst[i][j], g1[j], tolerance: 1e-5);
                Assert.Equal(expectedSecond[i][j], g2[j], tolerance: 1e-5);
            }
        }
    }

    [SkippableFact]
    public void Run_eagerly_runs_the_csharp_step_at_every_batch()
    {
        RequireBackend();
        NF.Random.SetSeed(160);
        var (images, labels) = ExampleData.Digits(80, seed: 11);
        var xTrain = NF.Reshape(images, [-1, 784]);
        SecondOrderModel GetModel()
        {
            var inputs = Layers.Input([784]);
            var intermediate = new Layers.Dense(16, activation: "relu").Call(inputs);
            return new SecondOrderModel(inputs, new Layers.Dense(10, activation: "softmax").Call(intermediate));
        }
        var eager = GetModel();
        eager.Compile(new Optimizers.SGD(1e-2f), new Losses.SparseCategoricalCrossentropy(), ["accuracy"], runEagerly: true);
        eager.Fit(xTrain, labels, epochs: 1, batchSize: 8, verbose: 0, stepsPerEpoch: 10);
        Assert.Equal(10, eager.StepCounter);
        var traced = GetModel();
        traced.Compile(new Optimizers.SGD(1e-2f), new Losses.SparseCategoricalCrossentropy(), ["accuracy"]);
        var history = traced.Fit(xTrain, labels, epochs: 3, batchSize: 16, verbose: 0, validationSplit: 0.1);
        Assert.True(traced.StepCounter < 3 * 5, $"the traced step ran its C# {traced.StepCounter} times");
        Assert.Equal(new[] { "loss", "accuracy", "val_loss", "val_accuracy" }, history.Keys.ToArray());
        Assert.All(history["loss"], l => Assert.True(float.IsFinite(l)));
    }
}

/// <summary>The debugging tips example on the managed backend.</summary>
public sealed class ManagedExamplesDebuggingTipsTests() : ExamplesDebuggingTipsTests("managed");

/// <summary>The debugging tips example on the native CPU backend.</summary>
public sealed class NativeCpuExamplesDebuggingTipsTests() : ExamplesDebuggingTipsTests("cpu");

/// <summary>The debugging tips example on CUDA.</summary>
public sealed class CudaExamplesDebuggingTipsTests() : ExamplesDebuggingTipsTests("cuda");
