using NeuralFlow.Keras;

namespace NeuralFlow.Tests.SweepOps;

/// <summary>
/// The printed examples of Keras 3's activation docstrings (keras/src/ops/nn.py and
/// keras/src/activations/activations.py) on every engine, dtype included: float32 in, float32
/// out; a float64 NumPy array in, float64 out. Also the activations Keras 3 has beyond issue 16's
/// set (NF.ActivationsKeras3.cs): celu, glu, hard_tanh, the shrinks, sparse_plus, squareplus,
/// sparse_sigmoid, log_sigmoid, sparsemax, threshold, their Keras names and gradients.
/// </summary>
public abstract class ActivationDocstringTests(string backend) : BackendTest(backend)
{
    private static Tensor F32(params float[] v) => NF.Constant(v);
    private static Tensor F64(params double[] v) => NF.Constant(v);

    // keras/src/ops/nn.py, the examples built with keras.ops.convert_to_tensor (float32).
    [SkippableFact]
    public void Float32_examples_of_keras_ops_nn_give_the_printed_values()
    {
        RequireBackend();
        var f32 = DType.Float32;
        Published.Is(NF.Relu(F32(-1, 0, 1, 0.2f)), f32, [0, 0, 1, 0.2]);
        Published.Is(NF.Relu6(F32(-3, -2, 0.1f, 0.2f, 6, 8)), f32, [0, 0, 0.1, 0.2, 6, 6]);
        var six = F32(-6, 1, 0, 1, 6);
        Published.Is(NF.Sigmoid(six), f32, [0.00247262, 0.7310586, 0.5, 0.7310586, 0.9975274]);
        Published.Is(NF.SparseSigmoid(six), f32, [0, 1, 0.5, 1, 1]);
        Published.Is(NF.Silu(six), f32, [-0.0148357, 0.7310586, 0.0, 0.7310586, 5.9851646]);
        Published.Is(NF.Softplus(F32(-0.555f, 0, 0.555f)), f32, [0.45366603, 0.6931472, 1.008666]);
        Published.Is(NF.Softsign(F32(-0.1f, -10, 1, 0, 100)), f32, [-0.09090909, -0.90909094, 0.5, 0.0, 0.990099]);
        Published.Is(NF.LogSigmoid(F32(-0.541391f, 0, 0.5f, 5)), f32, [-1.0000418, -0.6931472, -0.474077, -0.00671535]);
        Published.Is(NF.HardSwish(F32(-3, -1, 0, 1, 3)), f32, [-0.0, -0.3333333, 0.0, 0.6666667, 3.0]);
        // keras.ops.layer_normalization(arange(5.0)): Keras' op default epsilon is backend.epsilon(), 1e-7.
        Published.Is(NF.LayerNormalization(NF.Range(0f, 5f), epsilon: 1e-7), f32, [-1.4142135, -0.70710677, 0.0, 0.7071067, 1.4142135]);
    }

    // keras/src/ops/nn.py, the examples built with np.array (float64, which the result keeps; the
    // printed float32 of sparse_plus and squareplus is JAX's without x64, values alike).
    [SkippableFact]
    public void Float64_examples_of_keras_ops_nn_give_the_printed_values()
    {
        RequireBackend();
        var f64 = DType.Float64;
        var x = F64(-1, 0, 1);
        Published.Is(NF.SoftShrink(x), f64, [-0.5, 0, 0.5], 1e-12, 1e-12);
        Published.Is(NF.SparsePlus(x), f64, [0, 0.25, 1], 1e-12, 1e-12);
        Published.Is(NF.Squareplus(x), f64, [0.6180, 1.0, 1.6180], 1e-4, 1e-4);
        Published.Is(NF.LeakyRelu(x), f64, [-0.2, 0, 1], 1e-12, 1e-12);
        // The docstring prints [0.3, 0.5, 0.7], TF 2 Keras' 0.2x + 0.5. Keras 3's hard_sigmoid is
        // relu6(x + 3) / 6, which torch.nn.functional.hardsigmoid([-1., 0., 1.]) confirms: [1/3, 0.5, 2/3].
        Published.Is(NF.HardSigmoid(x), f64, [1.0 / 3, 0.5, 2.0 / 3], 1e-12, 1e-12);
        Published.Is(NF.Elu(x), f64, [-0.63212055, 0, 1]);
        Published.Is(NF.Selu(x), f64, [-1.11133055, 0, 1.05070098]);
        Published.Is(NF.Gelu(x), f64, [-0.15865525, 0, 0.84134475]);
        Published.Is(NF.Celu(x), f64, [-0.63212056, 0, 1]);
        Published.Is(NF.Glu(F64(-1, 0, 1, 1)), f64, [-0.73105858, 0]);
        Published.Is(NF.TanhShrink(x), f64, [-0.23840584, 0, 0.23840584]);
        Published.Is(NF.HardTanh(F64(-2, -1, 0, 1, 2)), f64, [-1, -1, 0, 1, 1], 0, 0);
        Published.Is(NF.HardShrink(F64(-0.5, 0, 1)), f64, [0, 0, 1], 0, 0);
        Published.Is(NF.Threshold(F64(-1, 0, 1, 2), 1, 0), f64, [0, 0, 0, 2], 0, 0);
        Published.Is(NF.Softmax(x), f64, [0.09003057, 0.24472847, 0.66524096]);
        Published.Is(NF.LogSoftmax(x), f64, [-2.40760596, -1.40760596, -0.40760596]);
        Published.Is(NF.Sparsemax(x), f64, [0, 0, 1], 0, 1e-15);
    }

    // keras/src/activations/activations.py, relu's example: a list of Python floats is float32.
    [SkippableFact]
    public void Keras_activations_relu_examples_give_the_printed_values()
    {
        RequireBackend();
        var x = F32(-10, -5, 0, 5, 10);
        Published.Is(ActivationFunction.Get("relu").Apply(x), DType.Float32, [0, 0, 0, 5, 10], 0, 0);
        Published.Is(NF.Relu(x, negativeSlope: 0.5), DType.Float32, [-5, -2.5, 0, 5, 10], 0, 0);
        Published.Is(NF.Relu(x, 0, maxValue: 5), DType.Float32, [0, 0, 0, 5, 5], 0, 0);
        Published.Is(NF.Relu(x, 0, threshold: 5), DType.Float32, [-0.0, -0.0, 0, 0, 10], 0, 0);
    }

    // Sparsemax beyond one winner, where Keras 3's backends are off (see NF.Sparsemax): the
    // projection onto the simplex sums to 1. Reference: the sort-based algorithm by hand —
    // [1, 1] splits evenly; [0.5, 0.2, -1]: τ = (0.5 + 0.2 - 1) / 2 = -0.15, so [0.65, 0.35, 0].
    [SkippableFact]
    public void Sparsemax_projects_onto_the_simplex_along_its_axis()
    {
        RequireBackend();
        Published.Is(NF.Sparsemax(F64(1, 1)), DType.Float64, [0.5, 0.5], 1e-12, 1e-12);
        var rows = NF.Constant(new double[,] { { 0.5, 0.2, -1 }, { 3, 0, 0 } });
        Published.Is(NF.Sparsemax(rows), DType.Float64, [2, 3], [0.65, 0.35, 0, 1, 0, 0], 1e-12, 1e-12);
        Published.Is(NF.Sparsemax(NF.Transpose(rows), axis: 0), DType.Float64, [3, 2], [0.65, 1, 0.35, 0, 0, 0], 1e-12, 1e-12);
    }

    private static readonly Dictionary<string, Func<Tensor, Tensor>> Added = new()
    {
        ["celu"] = x => NF.Celu(x, 0.7),
        ["glu"] = x => NF.Glu(x, axis: 0),
        ["hard_tanh"] = NF.HardTanh,
        ["hard_shrink"] = x => NF.HardShrink(x, 0.3),
        ["soft_shrink"] = x => NF.SoftShrink(x, 0.3),
        ["tanh_shrink"] = NF.TanhShrink,
        ["threshold"] = x => NF.Threshold(x, 0.25, -2),
        ["sparse_plus"] = NF.SparsePlus,
        ["squareplus"] = x => NF.Squareplus(x, 2),
        ["sparse_sigmoid"] = NF.SparseSigmoid,
        ["log_sigmoid"] = NF.LogSigmoid,
        ["sparsemax"] = x => NF.Sparsemax(x, axis: 0),
    };

    [SkippableFact]
    public void Added_activations_have_gradients_that_match_finite_differences()
    {
        RequireBackend();
        foreach (var (name, f) in Added)
        {
            // Inputs in (-1.6, 1.6), at least 0.05 from every kink (±1, ±0.3, 0.25) by the seed's draw,
            // scaled so the ones with kinks at ±1 see both sides.
            var input = GradientTests.In([4, 3], name.Length + 11, -0.4, 0.4);
            var kept = (input.V.Select(v => Math.Abs(Math.Abs(v * 4) - 1) < 0.05 || Math.Abs(Math.Abs(v * 4) - 0.3) < 0.05 || Math.Abs(v * 4 - 0.25) < 0.05 ? v + 0.03 : v).ToArray(), input.Shape);
            GradientTests.Check(t => f(t[0] * 4), kept);
        }
    }

    [SkippableFact]
    public void Keras_names_find_the_added_activations()
    {
        RequireBackend();
        var x = F32(-1.5f, -0.25f, 0.5f, 2);
        foreach (var (name, expected) in new (string, Func<Tensor, Tensor>)[] {
            ("celu", t => NF.Celu(t)), ("glu", t => NF.Glu(t)), ("hard_tanh", NF.HardTanh), ("hard_shrink", t => NF.HardShrink(t)),
            ("soft_shrink", t => NF.SoftShrink(t)), ("tanh_shrink", NF.TanhShrink), ("sparse_plus", NF.SparsePlus),
            ("squareplus", t => NF.Squareplus(t)), ("sparse_sigmoid", NF.SparseSigmoid), ("log_sigmoid", NF.LogSigmoid),
            ("log_softmax", t => NF.LogSoftmax(t)), ("sparsemax", t => NF.Sparsemax(t)) })
        {
            var activation = ActivationFunction.Get(name);
            Assert.Equal(name, activation.Name);
            Assert.Equal(expected(x).ToArray<float>(), activation.Apply(x).ToArray<float>());
            Assert.Contains(name, ActivationFunction.Names);
        }
        // A Dense layer takes them by name and keeps the name through its config.
        var dense = new Layers.Dense(2, activation: "squareplus");
        Assert.Equal("squareplus", dense.GetConfig()["activation"]!.ToString());
    }

    [SkippableFact]
    public void Bad_arguments_of_the_added_activations_are_clear_errors()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => NF.Glu(F32(1, 2, 3)));
        Assert.Contains("even", e.Message);
        Assert.Contains("Glu", Assert.Throws<ArgumentException>(() => NF.Glu(F32(1, 2), axis: 1)).Message);
        Assert.Contains("alpha", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Celu(F32(1), 0)).Message);
        Assert.Contains("b must be", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Squareplus(F32(1), -1)).Message);
        // Integer logits are taken as float32 as Keras' backends do (TrustSweep/ActivationEdgeTests), no longer refused.
        Assert.Contains("axis", Assert.Throws<ArgumentException>(() => NF.Sparsemax(F32(1, 2), axis: 2)).Message);
    }
}

public sealed class ManagedActivationDocstringTests() : ActivationDocstringTests("managed");

public sealed class NativeCpuActivationDocstringTests() : ActivationDocstringTests("cpu");

public sealed class CudaActivationDocstringTests() : ActivationDocstringTests("cuda");
