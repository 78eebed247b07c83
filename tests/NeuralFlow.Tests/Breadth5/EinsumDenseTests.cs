using System.Text.Json.Nodes;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.Breadth5;

/// <summary>
/// Keras 3's EinsumDense (keras/src/layers/core/einsum_dense.py) on every backend: the kernel,
/// bias and output shapes of Keras' docstring examples and of its three equation forms (derived
/// from _analyze_split_string by hand), values against np.einsum (make_breadth5_reference.py),
/// float64 finite differences of the einsums it runs, Keras' errors, Fit and Save/Load.
/// </summary>
public abstract class EinsumDenseTests(string backend) : BackendFileTest(backend)
{
    private static Tensor Sin(int[] shape, double k = 0.3) =>
        NF.Constant(Enumerable.Range(0, (int)new Shape(shape).Count).Select(i => (float)Math.Sin(k * i)).ToArray(), shape);

    private static Tensor Cos(int[] shape) =>
        NF.Constant(Enumerable.Range(0, (int)new Shape(shape).Count).Select(i => (float)Math.Cos(0.2 * i)).ToArray(), shape);

    private static Tensor Tenths(int[] shape) =>
        NF.Constant(Enumerable.Range(0, (int)new Shape(shape).Count).Select(i => 0.1f * i).ToArray(), shape);

    [SkippableFact]
    public void Docstring_examples_have_keras_shapes()
    {
        RequireBackend();
        // Keras: EinsumDense("ab,bc->ac", output_shape=64, bias_axes="c") on (None, 32) -> (None, 64).
        var dense = new Layers.EinsumDense("ab,bc->ac", 64, biasAxes: "c");
        Assert.Equal(new Shape(2, 64), dense.Call(NF.Ones([2, 32])).Shape);
        Assert.Equal((new Shape(32, 64), new Shape(64)), (dense.Kernel!.Shape, dense.Bias!.Shape));
        // "abc,cd->abd", output_shape=(None, 64), bias_axes="d" on (None, 32, 128) -> (None, 32, 64).
        var sequence = new Layers.EinsumDense("abc,cd->abd", [null, 64], biasAxes: "d");
        Assert.Equal(new Shape(2, 32, 64), sequence.Call(NF.Ones([2, 32, 128])).Shape);
        Assert.Equal((new Shape(128, 64), new Shape(64)), (sequence.Kernel!.Shape, sequence.Bias!.Shape));
        Assert.Equal([2, 32, 64], sequence.FullOutputShape!.Select(d => d!.Value));
        // "...b,bc->...c", output_shape=64, bias_axes="c" on (None, 32, 128) -> (None, 32, 64).
        var ellipsis = new Layers.EinsumDense("...b,bc->...c", 64, biasAxes: "c");
        Assert.Equal(new Shape(2, 32, 64), ellipsis.Call(NF.Ones([2, 32, 128])).Shape);
        Assert.Equal(new Shape(128, 64), ellipsis.Kernel!.Shape);
        // Without bias_axes there is no bias.
        var plain = new Layers.EinsumDense("ab,bc->ac", 3);
        plain.Call(NF.Ones([1, 4]));
        Assert.Null(plain.Bias);
        Assert.Single(plain.Variables);
    }

    [SkippableFact]
    public void Bias_shapes_follow_the_output_spec_from_the_first_bias_letter()
    {
        RequireBackend();
        // Multi-head projection: kernel [6, 4, 8]; bias over "de" is [4, 8], over "d" alone [4, 1].
        var heads = new Layers.EinsumDense("abc,cde->abde", [null, 4, 8], biasAxes: "de");
        Assert.Equal(new Shape(2, 5, 4, 8), heads.Call(NF.Ones([2, 5, 6])).Shape);
        Assert.Equal((new Shape(6, 4, 8), new Shape(4, 8)), (heads.Kernel!.Shape, heads.Bias!.Shape));
        var headsD = new Layers.EinsumDense("abc,cde->abde", [null, 4, 8], biasAxes: "d");
        headsD.Call(NF.Ones([2, 5, 6]));
        Assert.Equal(new Shape(4, 1), headsD.Bias!.Shape);
        // Right-elided "ab...,bc->ac...": the "..." axes trail; the bias gets a 1 for each.
        var right = new Layers.EinsumDense("ab...,bc->ac...", 4, biasAxes: "c");
        Assert.Equal(new Shape(2, 4, 5, 7), right.Call(NF.Ones([2, 3, 5, 7])).Shape);
        Assert.Equal((new Shape(3, 4), new Shape(4, 1, 1)), (right.Kernel!.Shape, right.Bias!.Shape));
        // A kernel letter only in the output takes its size from output_shape.
        var outer = new Layers.EinsumDense("ab,bcd->acd", [3, 2]);
        Assert.Equal(new Shape(2, 3, 2), outer.Call(NF.Ones([2, 5])).Shape);
        Assert.Equal(new Shape(5, 3, 2), outer.Kernel!.Shape);
    }

    [SkippableFact]
    public void Values_match_numpy_einsum()
    {
        RequireBackend();
        // np.einsum("abc,cde->abde", x, k) + b with x = sin(0.3 i) [2, 3, 4], k = cos(0.2 i) [4, 2, 3], b = 0.1 i [2, 3].
        double[] heads =
        [
            -1.011735, -0.9531934, -0.8526644, -0.7101691, -0.5274015, -0.3076614, -0.1987103, -0.3342481, -0.4524738,
            -0.5446875, -0.6032261, -0.6217693, 0.8677264, 0.838487, 0.7798065, 0.698011, 0.600348, 0.4946978,
            0.827565, 1.069441, 1.272669, 1.433132, 1.548421, 1.617927, -0.2679772, 0.06408197, 0.397573,
            0.7231875, 1.031931, 1.315481, -1.021772, -0.8954714, -0.7294844, -0.5264417, -0.2904514, -0.02693495,
        ];
        var layer = new Layers.EinsumDense("abc,cde->abde", [null, 2, 3], biasAxes: "de");
        layer.Call(NF.Zeros([2, 3, 4]));
        layer.SetWeights([Cos([4, 2, 3]), Tenths([2, 3])]);
        AssertClose(heads, Doubles(layer.Call(Sin([2, 3, 4]))), 1e-5, 1e-5, "abc,cde->abde");

        // np.einsum("ab...,bc->ac...", x, k) + b, x = sin(0.3 i) [2, 3, 2], k = cos(0.2 i) [3, 4], b = 0.1 i [4, 1].
        double[] right = [0.3661751, 0.8121429, 0.1933164, 0.5862299, 0.01673746, 0.3409323, -0.1525354, 0.09001627,
                          1.440327, 1.165574, 1.387327, 1.212757, 1.283006, 1.215578, 1.135508, 1.177911];
        var trailing = new Layers.EinsumDense("ab...,bc->ac...", 4, biasAxes: "c");
        trailing.Call(NF.Zeros([2, 3, 2]));
        trailing.SetWeights([Cos([3, 4]), Tenths([4, 1])]);
        var y = trailing.Call(Sin([2, 3, 2]));
        Assert.Equal(new Shape(2, 4, 2), y.Shape);
        AssertClose(right, Doubles(y), 1e-5, 1e-5, "ab...,bc->ac...");

        // relu(np.einsum("...b,bc->...c", x, k) + b), x = sin(0.3 i) [2, 2, 3], k = cos(0.2 i) [3, 2], b = [0, 0.1].
        double[] left = [0.6655823, 0.648981, 2.336753, 2.175906, 2.239516, 2.131827, 0.4474575, 0.5501017];
        var leading = new Layers.EinsumDense("...b,bc->...c", 2, activation: "relu", biasAxes: "c");
        leading.Call(NF.Zeros([2, 2, 3]));
        leading.SetWeights([Cos([3, 2]), Tenths([2])]);
        AssertClose(left, Doubles(leading.Call(Sin([2, 2, 3]))), 1e-5, 1e-5, "...b,bc->...c");
    }

    private static double[] Doubles(Tensor t) => t.ToArray<float>().Select(v => (double)v).ToArray();

    [SkippableFact]
    public void Gradients_of_its_einsums_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => NF.Einsum("abc,cde->abde", t[0], t[1]) + t[2], GradientTests.In([2, 3, 4], 21), GradientTests.In([4, 2, 3], 22), GradientTests.In([2, 3], 23));
        GradientTests.Check(t => NF.Einsum("...b,bc->...c", t[0], t[1]), GradientTests.In([2, 2, 3], 24), GradientTests.In([3, 2], 25));
        GradientTests.Check(t => NF.Einsum("ab...,bc->ac...", t[0], t[1]) + t[2], GradientTests.In([2, 3, 2], 26), GradientTests.In([3, 4], 27), GradientTests.In([4, 1], 28));
        GradientTests.Check(t => NF.Einsum("ab,bcd->acd", t[0], t[1]), GradientTests.In([2, 5], 29), GradientTests.In([5, 3, 2], 30));
    }

    [SkippableFact]
    public void Bad_equations_and_shapes_raise_keras_errors()
    {
        RequireBackend();
        Assert.Contains("invalid einsum equation", Assert.Throws<ArgumentException>(() => new Layers.EinsumDense("ab,bc", 3)).Message);
        Assert.Contains("invalid einsum equation", Assert.Throws<ArgumentException>(() => new Layers.EinsumDense("a...b,bc->a...c", 3)).Message);
        Assert.Contains("bias dimension 'z'", Assert.Throws<ArgumentException>(() => new Layers.EinsumDense("ab,bc->ac", 3, biasAxes: "z")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.EinsumDense("ab,bc->ac", 0));
        var weightLetter = Assert.Throws<ArgumentException>(() => new Layers.EinsumDense("ab,bz->ab", [null]).Call(NF.Ones([2, 3])));
        Assert.Contains("weight dimension 'z' did not have a match", weightLetter.Message);
        var outputLetter = Assert.Throws<ArgumentException>(() => new Layers.EinsumDense("ab,bc->az", 3).Call(NF.Ones([2, 3])));
        Assert.Contains("dimension 'z' was specified in the output", outputLetter.Message);
        var shared = Assert.Throws<ArgumentException>(() => new Layers.EinsumDense("abc,cd->abd", [5, 4]).Call(NF.Ones([2, 3, 6])));
        Assert.Contains("do not match at shared dimension 'b'", shared.Message);
        var count = Assert.Throws<ArgumentException>(() => new Layers.EinsumDense("abc,cd->abd", 4).Call(NF.Ones([2, 3, 6])));
        Assert.Contains("output_shape [4] has 1 sizes", count.Message);
        var rank = Assert.Throws<ArgumentException>(() => new Layers.EinsumDense("ab,bc->ac", 4).Call(NF.Ones([2, 3, 6])));
        Assert.Contains("names 2 input axes", rank.Message);
        var unknown = Assert.Throws<ArgumentException>(() => new Layers.EinsumDense("ab,bcd->acd", [null, 2]).Call(NF.Ones([2, 3])));
        Assert.Contains("size of kernel dimension 'c' is unknown", unknown.Message);
        var built = new Layers.EinsumDense("ab,bc->ac", 4);
        built.Call(NF.Ones([2, 3]));
        var later = Assert.Throws<ArgumentException>(() => built.Call(NF.Ones([2, 5])));
        Assert.Contains("was built for inputs of shape", later.Message);
    }

    [SkippableFact]
    public void A_model_trains_and_round_trips_through_save_and_load()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        var x = NF.Random.Normal([32, 4, 3]);
        var y = NF.Cast(NF.Greater(NF.ReduceSum(x, [1, 2]), 0f), DType.Float32);
        var model = new Sequential(
            new Layers.EinsumDense("abc,cde->abde", [null, 2, 3], activation: "tanh", biasAxes: "de", kernelRegularizer: new Regularizers.L2(1e-3)),
            new Layers.EinsumDense("abde,bdec->ac", 1, activation: "sigmoid", biasAxes: "c"));
        model.Compile(new Optimizers.Adam(0.05f), "binary_crossentropy");
        var history = model.Fit(x, y, batchSize: 8, epochs: 8, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0], "the loss falls");
        Assert.Contains("Trainable params: 49 ", model.SummaryText());   // kernel 3*2*3 + bias 2*3, kernel 4*2*3*1 + bias 1
        Assert.Contains("Total params: 149 ", model.SummaryText());      // and Adam's iteration, rate and two slots per weight
        string path = Temp.File("einsum.nfmodel");
        model.Save(path);
        var loaded = Assert.IsType<Sequential>(Model.Load(path));
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
        Assert.True(JsonNode.DeepEquals(model.Layers[0].GetConfig(), loaded.Layers[0].GetConfig()));
        var config = model.Layers[0].GetConfig();
        Assert.Equal("abc,cde->abde", config["equation"]!.GetValue<string>());
        Assert.Equal("[null,2,3]", config["output_shape"]!.ToJsonString());
        Assert.Equal("de", config["bias_axes"]!.GetValue<string>());
        Assert.NotNull(config["kernel_regularizer"]);
    }
}

public sealed class ManagedEinsumDenseTests() : EinsumDenseTests("managed");

public sealed class NativeCpuEinsumDenseTests() : EinsumDenseTests("cpu");

public sealed class CudaEinsumDenseTests() : EinsumDenseTests("cuda");
