using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserSweep;

/// <summary>
/// Keras' Lambda layer: a C# function as a layer, in a Sequential and in the functional API, with
/// its output shape inferred by running it, gradients through its ops, and a clear refusal to save
/// (Keras 3 refuses to load a lambda in safe mode; a file that cannot be loaded back is not written).
/// </summary>
public abstract class LambdaLayerTests(string backend) : BackendTest(backend)
{
    private static Tensor Halved(Tensor x) => NF.Square(x) * 0.5f + NF.Sin(x);

    [SkippableFact]
    public void Its_gradients_equal_those_of_the_same_ops_written_inline()
    {
        RequireBackend();
        NF.Random.SetSeed(21);
        var first = new Layers.Dense(4);
        var last = new Layers.Dense(2);
        var model = new Sequential(first, new Layers.Lambda(Halved), last);
        var x = NF.Random.Normal([5, 3]);

        Tensor[] Grads(Func<Tensor> forward)
        {
            using var tape = new GradientTape();
            var loss = NF.ReduceSum(NF.Square(forward()));
            return tape.Gradient(loss, model.TrainableVariables).ToArray();
        }
        var viaLambda = Grads(() => model.Call(x));
        var inline = Grads(() => last.Call(Halved(first.Call(x))));
        Assert.Equal(4, viaLambda.Length);
        for (int i = 0; i < 4; i++) Assert.Equal(inline[i].ToArray<float>(), viaLambda[i].ToArray<float>());
        Assert.Contains(viaLambda[0].ToArray<float>(), g => g != 0);  // the kernel before the Lambda gets a gradient
    }

    [SkippableFact]
    public void It_infers_its_output_shape_in_the_functional_api_and_trains()
    {
        RequireBackend();
        var input = Layers.Input([6]);
        var paired = new Layers.Lambda(x => NF.Reshape(x, [-1, 3, 2]), name: "pairs").Call(input);
        Assert.Equal([null, 3, 2], paired.Shape);
        var summed = new Layers.Lambda(x => NF.ReduceSum(x, -1)).Call(paired);
        Assert.Equal([null, 3], summed.Shape);
        var model = new Model(input, new Layers.Dense(1).Call(summed));
        Assert.Contains("pairs (Lambda)", model.SummaryText());
        Assert.Equal(3 + 1, model.CountParams());

        NF.Random.SetSeed(22);
        var xs = NF.Random.Normal([32, 6]);
        var ys = NF.ReduceSum(xs, 1, keepDims: true);
        model.Compile(new Optimizers.SGD(0.05), new Losses.MeanSquaredError());
        var history = model.Fit(xs, ys, batchSize: 32, epochs: 20, verbose: 0);
        Assert.True(history["loss"][19] < history["loss"][0] / 10);  // y = sum of x is in reach: weights of 1
    }

    [SkippableFact]
    public void A_sequential_that_starts_from_an_input_builds_through_it()
    {
        RequireBackend();
        var model = new Sequential(Layers.Input([2, 3]), new Layers.Lambda(x => NF.Reshape(x, [-1, 6])), new Layers.Dense(4));
        Assert.Equal(6 * 4 + 4, model.CountParams());
        Assert.Contains("(None, 6)", model.SummaryText());
    }

    [SkippableFact]
    public void Saving_a_model_with_a_lambda_names_it_and_writes_nothing()
    {
        RequireBackend();
        using var temp = new TempDirectory();
        var model = new Sequential(Layers.Input([3]), new Layers.Lambda(x => x * 2f, name: "doubler"), new Layers.Dense(1));
        var e = Assert.Throws<NotSupportedException>(() => model.Save(temp.File("m.nfmodel")));
        Assert.Contains("doubler", e.Message);
        Assert.Contains("Lambda", e.Message);
        Assert.Empty(Directory.GetFiles(temp.Path));
        model.SaveWeights(temp.File("w.safetensors"));  // the weights alone still save
        Assert.True(File.Exists(temp.File("w.safetensors")));
    }

    // A file naming a Lambda (written by hand or by another tool) is refused on loading, with the reason.
    [SkippableFact]
    public void Loading_a_file_that_names_a_lambda_is_refused()
    {
        RequireBackend();
        using var temp = new TempDirectory();
        var path = temp.File("m.nfmodel");
        new Sequential(Layers.Input([3]), new Layers.Flatten(name: "stand_in"), new Layers.Dense(1)).Save(path);
        ModelFileEdit.Config(path, text => text.Replace("\"Flatten\"", "\"Lambda\""));
        var e = Assert.Throws<InvalidDataException>(() => Model.Load(path));
        Assert.Contains("stand_in", e.Message);
        Assert.Contains("C# function", e.Message);
    }

    [SkippableFact]
    public void A_null_function_or_result_is_an_error_naming_the_layer()
    {
        RequireBackend();
        Assert.Throws<ArgumentNullException>(() => new Layers.Lambda(null!));
        var e = Assert.Throws<InvalidOperationException>(() => new Layers.Lambda(_ => null!, name: "broken").Call(NF.Zeros([2, 2])));
        Assert.Contains("broken", e.Message);
    }
}

public sealed class ManagedLambdaLayerTests() : LambdaLayerTests("managed");

public sealed class NativeCpuLambdaLayerTests() : LambdaLayerTests("cpu");

public sealed class CudaLambdaLayerTests() : LambdaLayerTests("cuda");
