using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.Functional;

/// <summary>
/// The functional API on every backend: symbolic tensors, models built from them (same values
/// and gradients as the Sequential model of the same weights), shared layers, nested models and
/// the learning phase reaching the layers of a graph.
/// </summary>
public abstract class FunctionalModelTests(string backend) : BackendTest(backend)
{
    private static Tensor Data(int[] shape, int seed) => NF.Constant(RandomValues((int)new Shape(shape).Count, seed, -1, 1).Select(v => (float)v).ToArray(), shape);

    [SkippableFact]
    public void Input_gives_a_symbolic_tensor_and_layer_calls_infer_shapes()
    {
        RequireBackend();
        var inputs = Layers.Input([28, 28, 1], name: "pixels");
        Assert.Equal(new int?[] { null, 28, 28, 1 }, inputs.Shape);
        Assert.Equal(DType.Float32, inputs.DType);
        Assert.Equal("pixels", inputs.Name);
        Assert.IsType<Layers.InputLayer>(inputs.Layer);
        var conv = new Layers.Conv2D(4, 3);
        var h = conv.Call(inputs);
        Assert.Equal(new int?[] { null, 26, 26, 4 }, h.Shape);
        Assert.Same(conv, h.Layer);
        Assert.True(conv.Built);
        var flat = new Layers.Flatten().Call(h);
        Assert.Equal(new int?[] { null, 26 * 26 * 4 }, flat.Shape);
        Assert.Equal(new int?[] { 5, 3 }, new Layers.Dense(3).Call(Layers.Input([7], batchSize: 5)).Shape);
        Assert.Equal(new int?[] { null, 7 }, Layers.Input([7], DType.Float64).Shape);
        Assert.Contains("(None, 26, 26, 4)", h.ToString());
    }

    [SkippableFact]
    public void Symbolic_calls_are_not_recorded_by_an_enclosing_tape()
    {
        RequireBackend();
        var dense = new Layers.Dense(3);
        using var tape = new GradientTape();
        var y = dense.Call(Layers.Input([4]));
        Assert.Equal(new int?[] { null, 3 }, y.Shape);
        // Nothing was recorded: the kernel read on zeros has no path to anything on the tape.
        using var x = Data([2, 4], 1);
        tape.Watch(x);
        var loss = NF.ReduceSum(dense.Call(x));
        var grads = tape.Gradient(loss, [dense.Kernel!]);
        Assert.Equal(new Shape(4, 3), grads[0].Shape);
    }

    [SkippableFact]
    public void A_functional_mlp_matches_the_sequential_model_in_values_and_gradients()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        var inputs = Layers.Input([5]);
        var h = new Layers.Dense(8, activation: "relu").Call(inputs);
        var outputs = new Layers.Dense(3, activation: "softmax").Call(h);
        var functional = new Model(inputs, outputs, name: "mlp");
        var sequential = new Sequential(new Layers.Dense(8, activation: "relu"), new Layers.Dense(3, activation: "softmax"));
        using var x = Data([6, 5], 2);
        sequential.Call(x);
        for (int i = 0; i < functional.Variables.Count; i++) functional.Variables[i].Assign(sequential.Variables[i]);

        Assert.Equal(sequential.Call(x).ToArray<float>(), functional.Call(x).ToArray<float>());
        Assert.Equal(sequential.Predict(x).ToArray<float>(), functional.Predict(x).ToArray<float>());
        Tensor[] Gradients(Model m)
        {
            using var tape = new GradientTape();
            var loss = NF.ReduceSum(NF.Square(m.Call(x)));
            return tape.Gradient(loss, m.TrainableVariables);
        }
        var gs = Gradients(sequential);
        var gf = Gradients(functional);
        Assert.Equal(4, gf.Length);
        for (int i = 0; i < gs.Length; i++) Assert.Equal(gs[i].ToArray<float>(), gf[i].ToArray<float>());
        Assert.Equal(4, functional.Variables.Count);
        Assert.Equal(3, functional.SubLayers.Count); // the input layer and the two Dense layers
    }

    [SkippableFact]
    public void A_shared_layer_has_one_set_of_weights_and_sums_the_gradients_of_its_uses()
    {
        RequireBackend();
        var a = Layers.Input([3], name: "left");
        var b = Layers.Input([3], name: "right");
        var shared = new Layers.Dense(2, useBias: false);
        var sum = new Layers.Add().Call([shared.Call(a), shared.Call(b)]);
        var model = new Model([a, b], [sum]);
        Assert.Single(model.Variables);
        Assert.Equal(2, shared.InboundNodes.Count);
        using var xa = Data([4, 3], 5);
        using var xb = Data([4, 3], 6);
        Tensor grad;
        using (var tape = new GradientTape())
        {
            var y = model.Call([xa, xb]);
            grad = tape.Gradient(NF.ReduceSum(y), [shared.Kernel!])[0];
        }
        // d/dW sum((a + b) W) = (a + b)^T 1: each column is the column sums of a + b.
        var expected = NF.MatMul(NF.Transpose(xa + xb, [1, 0]), NF.Ones([4, 2]));
        AssertClose(expected.ToArray<float>(), grad.ToArray<float>(), 1e-5f);
        AssertClose(NF.MatMul(xa + xb, shared.Kernel!).ToArray<float>(), model.Call([xa, xb]).ToArray<float>(), 1e-5f);
    }

    [SkippableFact]
    public void A_functional_model_is_a_layer_of_another_model()
    {
        RequireBackend();
        var innerIn = Layers.Input([4]);
        var inner = new Model(innerIn, new Layers.Dense(3, activation: "tanh").Call(innerIn), name: "block");
        var outerIn = Layers.Input([4]);
        var h = inner.Call(outerIn);
        Assert.Equal(new int?[] { null, 3 }, h.Shape);
        var outer = new Model(outerIn, new Layers.Dense(2).Call(h), name: "outer");
        Assert.Equal(4, outer.Variables.Count);
        using var x = Data([5, 4], 7);
        var direct = outer.SubLayers[2].Call(inner.Call(x));
        Assert.Equal(direct.ToArray<float>(), outer.Call(x).ToArray<float>());
        // And inside a Sequential.
        var seq = new Sequential(inner, new Layers.Dense(1));
        Assert.Equal(new Shape(5, 1), seq.Call(x).Shape);
    }

    [SkippableFact]
    public void Call_with_training_reaches_the_dropout_inside()
    {
        RequireBackend();
        var inputs = Layers.Input([1000]);
        var model = new Model(inputs, new Layers.Dropout(0.5).Call(inputs));
        using var x = NF.Ones([1, 1000]);
        Assert.Equal(1000f, NF.ReduceSum(model.Call(x, training: false)).Item<float>());
        var trained = model.Call(x, training: true).ToArray<float>();
        Assert.InRange(trained.Count(v => v == 0), 350, 650);
        Assert.All(trained, v => Assert.True(v == 0 || v == 2f));
    }

    [SkippableFact]
    public void A_model_of_several_outputs_returns_them_all()
    {
        RequireBackend();
        var inputs = Layers.Input([4]);
        var h = new Layers.Dense(5, activation: "relu", name: "trunk").Call(inputs);
        var first = new Layers.Dense(2, name: "first").Call(h);
        var second = new Layers.Dense(3, name: "second").Call(h);
        var model = new Model([inputs], [first, second]);
        Assert.Equal(["first", "second"], model.OutputNames);
        using var x = Data([3, 4], 9);
        var outputs = model.CallOutputs([x]);
        Assert.Equal(new Shape(3, 2), outputs[0].Shape);
        Assert.Equal(new Shape(3, 3), outputs[1].Shape);
        Assert.Contains("CallOutputs", Assert.Throws<InvalidOperationException>(() => model.Call(x)).Message);
        // The trunk's activation was freed after its last reader, the outputs were not.
        Assert.False(outputs[0].IsDisposed);
    }

    [SkippableFact]
    public void Intermediate_values_are_freed_after_their_last_reader_unless_a_tape_records()
    {
        RequireBackend();
        var inputs = Layers.Input([4]);
        var first = new Recording();
        var h = first.Call(inputs);
        var model = new Model(inputs, [new Layers.Dense(2).Call(new Layers.Dense(3).Call(h))]);
        using var x = Data([2, 4], 12);
        var y = model.Call(x);
        Assert.True(first.Last!.IsDisposed);   // read by the first Dense only, then freed
        Assert.False(y.IsDisposed);
        Assert.False(x.IsDisposed);            // the caller's input is never freed
        using (var tape = new GradientTape())
        {
            model.Call(x);
            Assert.False(first.Last!.IsDisposed); // the backward pass needs it
        }
    }

    // A layer that remembers the tensor it returned (a copy, so freeing it frees nothing else).
    private sealed class Recording : Layer
    {
        public Tensor? Last;
        protected override Tensor Forward(Tensor x) => Last = x * 2f;
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"[{i}]: {expected[i]} vs {actual[i]}");
    }
}

public sealed class ManagedFunctionalModelTests() : FunctionalModelTests("managed");

public sealed class NativeCpuFunctionalModelTests() : FunctionalModelTests("cpu");

public sealed class CudaFunctionalModelTests() : FunctionalModelTests("cuda");
