using Microsoft.ML.OnnxRuntime;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// The keras2 session's layers on every backend: PReLU, Dot and keepdims on global pooling.
/// Values by hand, gradients against finite differences in float64, Save/Load bit for bit and
/// ONNX Runtime against Predict (1e-5).
/// </summary>
public abstract class LayerTests16b(string backend) : BackendFileTest(backend)
{
    private static Initializer Constant(double value, DType dtype = DType.Float32) => new("constant", (s, _, _) => NF.Fill(s, value, dtype));

    [SkippableFact]
    public void PReLU_values_shared_axes_and_regularizer()
    {
        RequireBackend();
        var x = NF.Constant(new[,] { { -2f, -0.5f, 1f, 3f } });
        Assert.Equal(new[] { 0f, 0, 1, 3 }, new Layers.PReLU().Call(x).ToArray<float>());  // alpha starts at 0: a ReLU
        var prelu = new Layers.PReLU(Constant(0.25), new Regularizers.L2(0.1));
        Assert.Equal(new[] { -0.5f, -0.125f, 1, 3 }, prelu.Call(x).ToArray<float>());
        Assert.Equal(new Shape(4), prelu.Alpha!.Shape);
        // L2(0.1) of four 0.25s: 0.1 * 4 * 0.0625.
        Assert.Equal(0.025, Assert.Single(prelu.Losses).Item<float>(), 6);

        var images = NF.Random.Uniform([2, 3, 3, 2], -1, 1);
        var perChannel = new Layers.PReLU(Constant(0.5), sharedAxes: [1, 2]);
        var y = perChannel.Call(images);
        Assert.Equal(new Shape(1, 1, 2), perChannel.Alpha!.Shape);
        var want = images.ToArray<float>().Select(v => v > 0 ? v : 0.5f * v).ToArray();
        Assert.Equal(want, y.ToArray<float>());
        var e = Assert.Throws<ArgumentException>(() => new Layers.PReLU(sharedAxes: [0]).Call(images));
        Assert.Contains("shared axis 0", e.Message);
        Assert.Contains("built for inputs of shape", Assert.Throws<ArgumentException>(() => perChannel.Call(NF.Zeros([2, 3, 4, 2]))).Message);
    }

    [SkippableFact]
    public void PReLU_gradients_match_finite_differences()
    {
        RequireBackend();
        var layer = new Layers.PReLU(new Initializer("f64", (s, _, _) => NF.Cast(NF.Random.Uniform(s, 0.1, 0.9), DType.Float64)), sharedAxes: [2]);
        // Inputs away from 0, where the kink would spoil a central difference.
        var (v, shape) = GradientTests.In([2, 3, 4], 31, 0.2, 2);
        var signs = v.Select((x, i) => i % 3 == 0 ? -x : x).ToArray();
        GradientTests.Check(t => layer.Call(t[0]), (signs, shape));
        // Alpha: the tape's gradient against central differences of the same weighted sum.
        var input = NF.Constant(signs, shape);
        var alpha = layer.Alpha!;
        var weights = NF.Random.Uniform([2, 3, 4], 0.5, 1.5, DType.Float64);
        double Loss() => NF.ReduceSum(layer.Call(input) * weights).Item<double>();
        Tensor grad;
        using (var tape = new GradientTape())
            grad = tape.Gradient(NF.ReduceSum(layer.Call(input) * weights), [alpha])[0]!;
        var a0 = alpha.ToArray<double>();
        var numeric = new double[a0.Length];
        for (int j = 0; j < a0.Length; j++)
        {
            var p = (double[])a0.Clone(); p[j] += 1e-6; alpha.Assign(NF.Constant(p, alpha.Shape.ToArray()));
            double plus = Loss();
            p[j] -= 2e-6; alpha.Assign(NF.Constant(p, alpha.Shape.ToArray()));
            numeric[j] = (plus - Loss()) / 2e-6;
        }
        Reference.AssertClose(numeric, grad.ToArray<double>(), 1e-6, 1e-7, "PReLU alpha gradient");
    }

    [SkippableFact]
    public void Dot_values_by_hand()
    {
        RequireBackend();
        var a = NF.Constant(new[,] { { 1.0, 2.0 }, { 3.0, 4.0 } });
        var b = NF.Constant(new[,] { { 5.0, 6.0 }, { 7.0, 8.0 } });
        var y = new Layers.Dot(1).Call([a, b]);
        Assert.Equal(new Shape(2, 1), y.Shape);
        Assert.Equal(new[] { 17.0, 53.0 }, y.ToArray<double>());
        var cos = new Layers.Dot(-1, normalize: true).Call([a, b]).ToArray<double>();
        Reference.AssertClose([17 / Math.Sqrt(5 * 61), 53 / Math.Sqrt(25 * 113)], cos, 1e-12, 1e-12, "cosine");

        // Rank 3: axes [1, 1] is a[i].T @ b[i]; axes [2, 1] is a[i] @ b[i].
        var a3 = NF.Random.Uniform([2, 3, 4], -1, 1, DType.Float64);
        var b3 = NF.Random.Uniform([2, 3, 5], -1, 1, DType.Float64);
        var c3 = NF.Random.Uniform([2, 4, 5], -1, 1, DType.Float64);
        var t = new Layers.Dot(1).Call([a3, b3]);
        Assert.Equal(new Shape(2, 4, 5), t.Shape);
        Reference.AssertClose(NF.MatMul(a3, b3, transposeA: true).ToArray<double>(), t.ToArray<double>(), 1e-12, 1e-12, "axes 1");
        var m = new Layers.Dot([2, 1]).Call([a3, c3]);
        Assert.Equal(new Shape(2, 3, 5), m.Shape);
        Reference.AssertClose(NF.MatMul(a3, c3).ToArray<double>(), m.ToArray<double>(), 1e-12, 1e-12, "axes [2, 1]");
        // A vector against a matrix: (batch, 4) . (batch, 4, 5) over axis 1 gives (batch, 5).
        var v = NF.Random.Uniform([2, 4], -1, 1, DType.Float64);
        var vm = new Layers.Dot(1).Call([v, c3]);
        Assert.Equal(new Shape(2, 5), vm.Shape);
        Reference.AssertClose(NF.Reshape(NF.MatMul(NF.Reshape(v, [2, 1, 4]), c3), [2, 5]).ToArray<double>(), vm.ToArray<double>(), 1e-12, 1e-12, "vector . matrix");

        var e = Assert.Throws<ArgumentException>(() => new Layers.Dot(2).Call([a3, b3]));
        Assert.Contains("incompatible input shapes", e.Message);
        Assert.Contains("batch axis 0", Assert.Throws<ArgumentException>(() => new Layers.Dot(0).Call([a, b])).Message);
        Assert.Contains("exactly 2", Assert.Throws<ArgumentException>(() => new Layers.Dot(1).Call([a, b, a])).Message);
        // Symbolic: the functional API knows the shape.
        var k = new Layers.Dot(1).Call([Layers.Input([3, 4]), Layers.Input([3, 5])]);
        Assert.Equal(new int?[] { null, 4, 5 }, k.Shape);
    }

    [SkippableFact]
    public void Dot_and_global_pooling_gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => new Layers.Dot(1).Call(t), GradientTests.In([2, 3], 1), GradientTests.In([2, 3], 2));
        GradientTests.Check(t => new Layers.Dot(1, normalize: true).Call(t), GradientTests.In([2, 3], 3), GradientTests.In([2, 3], 4));
        GradientTests.Check(t => new Layers.Dot([2, 1], normalize: true).Call(t), GradientTests.In([2, 3, 4], 5), GradientTests.In([2, 4, 2], 6));
        GradientTests.Check(t => new Layers.Dot([1, 2]).Call(t), GradientTests.In([2, 3, 2], 7), GradientTests.In([2, 4, 3], 8));
        GradientTests.Check(t => new Layers.GlobalAveragePooling2D(keepdims: true).Call(t[0]), GradientTests.In([2, 3, 3, 2], 9));
        GradientTests.Check(t => new Layers.GlobalMaxPooling2D(dataFormat: "channels_first", keepdims: true).Call(t[0]), GradientTests.In([2, 2, 3, 3], 10));
    }

    [SkippableFact]
    public void Global_pooling_keepdims_keeps_the_pooled_axes()
    {
        RequireBackend();
        var x = NF.Random.Uniform([2, 4, 3, 5]);
        var kept = new Layers.GlobalAveragePooling2D(keepdims: true).Call(x);
        Assert.Equal(new Shape(2, 1, 1, 5), kept.Shape);
        Assert.Equal(new Layers.GlobalAveragePooling2D().Call(x).ToArray<float>(), kept.ToArray<float>());
        var first = new Layers.GlobalMaxPooling2D(dataFormat: "channels_first", keepdims: true).Call(x);
        Assert.Equal(new Shape(2, 4, 1, 1), first.Shape);
        Assert.Equal(new Layers.GlobalMaxPooling2D(dataFormat: "channels_first").Call(x).ToArray<float>(), first.ToArray<float>());
    }

    // A functional model holding every new layer: PReLU (shared axes, regularizer), Dot (plain and
    // normalized, several axes) and both global poolings with keepdims.
    private static Model Everything()
    {
        NF.Random.SetSeed(61);
        var image = Layers.Input([4, 4, 3], name: "image");
        var seq = Layers.Input([3, 4], name: "seq");
        var conv = new Layers.Conv2D(4, 3, padding: "same").Call(image);
        var act = new Layers.PReLU("random_uniform", new Regularizers.L1(0.01), sharedAxes: [1, 2], name: "prelu_shared").Call(conv);
        var avg = new Layers.GlobalAveragePooling2D(keepdims: true, name: "gap").Call(act);
        var max = new Layers.GlobalMaxPooling2D(keepdims: true, name: "gmp").Call(act);
        var pooled = new Layers.Reshape([4]).Call(new Layers.Add().Call([avg, max]));
        var projected = new Layers.Dense(4, name: "proj").Call(seq);
        var cos = new Layers.Dot(-1, normalize: true, name: "cos").Call([new Layers.Dense(4).Call(pooled), new Layers.Dense(4).Call(pooled)]);
        var attention = new Layers.Dot([2, 2], name: "attn").Call([projected, seq]);   // (batch, 3, 3)
        var mixed = new Layers.Dot([2, 1], name: "mix").Call([attention, projected]);   // (batch, 3, 4)
        var flat = new Layers.PReLU("random_uniform", name: "prelu").Call(new Layers.Flatten().Call(mixed));
        var out1 = new Layers.Dense(2, name: "out").Call(new Layers.Concatenate().Call([flat, pooled, cos]));
        return new Model([image, seq], [out1, cos], name: "keras2_layers");
    }

    [SkippableFact]
    public void The_new_layers_save_and_load_bit_for_bit()
    {
        RequireBackend();
        var model = Everything();
        var xs = new[] { NF.Random.Uniform([3, 4, 4, 3]), NF.Random.Uniform([3, 3, 4]) };
        var before = model.PredictOutputs(xs);
        string path = Temp.File("keras2_layers.nfmodel");
        model.Save(path);
        var loaded = Model.Load(path);
        var after = loaded.PredictOutputs(xs);
        for (int i = 0; i < before.Count; i++) Assert.Equal(before[i].ToArray<float>(), after[i].ToArray<float>());
        var prelu = Assert.IsType<Layers.PReLU>(loaded.SubLayers.Single(l => l.Name == "prelu_shared"));
        Assert.Equal([1, 2], prelu.SharedAxes!);
        Assert.IsType<Regularizers.L1>(prelu.AlphaRegularizer);
        var dot = Assert.IsType<Layers.Dot>(loaded.SubLayers.Single(l => l.Name == "cos"));
        Assert.True(dot.Normalize);
        Assert.Equal([-1, -1], dot.Axes);
        Assert.True(Assert.IsType<Layers.GlobalMaxPooling2D>(loaded.SubLayers.Single(l => l.Name == "gmp")).Keepdims);
        Assert.Equal(model.Losses.Single().Item<float>(), loaded.Losses.Single().Item<float>());
    }

    [SkippableFact]
    public void The_new_layers_run_in_onnx_runtime_as_in_predict()
    {
        RequireBackend();
        var model = Everything();
        string path = Temp.File("keras2_layers.onnx");
        model.ExportOnnx(path);
        using var session = new InferenceSession(path);
        foreach (int n in new[] { 1, 6 })
            Functional.FunctionalOnnxTests.AssertSessionMatches(model, session, [NF.Random.Uniform([n, 4, 4, 3], -2, 2), NF.Random.Uniform([n, 3, 4], -2, 2)]);
    }
}

public sealed class ManagedLayerTests16b() : LayerTests16b("managed");
public sealed class NativeCpuLayerTests16b() : LayerTests16b("cpu");
public sealed class CudaLayerTests16b() : LayerTests16b("cuda");
