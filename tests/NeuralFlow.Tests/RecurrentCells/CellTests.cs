using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// The cells SimpleRNNCell, LSTMCell and GRUCell on their own, on every backend: one step equals
/// torch.nn.RNNCell / LSTMCell / GRUCell (numbers from make_cell_references.py, the weights converted
/// from Keras' layout as the Recurrent tests convert them), float64 tape gradients equal central
/// differences, the Keras shapes, state sizes and argument errors, and dropout drawn per call.
/// </summary>
public abstract class CellTests(string backend) : BackendTest(backend)
{
    private const int F = 3, U = 4, B = 2;

    private static Tensor Fill(Shape shape, Func<int, double> f, DType dtype = DType.Float32)
    {
        var values = Enumerable.Range(0, (int)shape.Count).Select(j => f(j)).ToArray();
        return NF.Cast(NF.Constant(values, shape), dtype);
    }

    // The weights make_cell_references.py gives PyTorch, in Keras' layout.
    internal static Layers.RecurrentCell Made(string kind, DType dtype = DType.Float32)
    {
        Layers.RecurrentCell cell = kind switch
        {
            "simple" => new Layers.SimpleRNNCell(U),
            "lstm" => new Layers.LSTMCell(U),
            _ => new Layers.GRUCell(U),
        };
        cell.VariableDType = dtype;
        cell.EnsureBuilt([B, F]);
        int g = kind switch { "simple" => 1, "lstm" => 4, _ => 3 };
        cell.SetWeights([
            Fill([F, g * U], j => 0.5 * Math.Cos(0.13 * j + 0.2), dtype),
            Fill([U, g * U], j => 0.4 * Math.Sin(0.17 * j + 0.3), dtype),
            Fill(kind == "gru" ? [2, 3 * U] : [g * U], j => 0.1 * Math.Cos(0.7 * j), dtype)]);
        return cell;
    }

    private static Tensor X(DType dtype = DType.Float32) => Fill([B, F], j => 0.8 * Math.Sin(0.37 * j + 0.1), dtype);
    private static Tensor H(DType dtype = DType.Float32) => Fill([B, U], j => 0.3 * Math.Cos(0.23 * j), dtype);
    private static Tensor C(DType dtype = DType.Float32) => Fill([B, U], j => 0.5 * Math.Sin(0.31 * j), dtype);

    [SkippableTheory]
    [InlineData("simple")]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void One_step_equals_pytorch_cells(string kind)
    {
        RequireBackend();
        var cell = Made(kind);
        var (output, states) = cell.Call(X(), kind == "lstm" ? [H(), C()] : [H()]);
        float[] expected = kind switch
        {
            "simple" => [0.5903241f, 0.5460961f, 0.4610127f, 0.3490829f, 0.7485574f, 0.6990896f, 0.6112558f, 0.4894342f],
            "lstm" => [0.0392470f, 0.0853239f, 0.1179235f, 0.1406201f, 0.1287829f, 0.1364529f, 0.1282240f, 0.1051461f],
            _ => [0.0590146f, 0.0591294f, 0.0346972f, 0.0007509f, -0.0480129f, -0.1004920f, -0.1675337f, -0.2346502f],
        };
        Near(expected, output.ToArray<float>(), 1e-5);
        Assert.Equal(output.ToArray<float>(), states[0].ToArray<float>());
        if (kind == "lstm")
            Near([0.0755320f, 0.1681608f, 0.2334382f, 0.2735608f, 0.2703414f, 0.2945355f, 0.2759948f, 0.2193959f], states[1].ToArray<float>(), 1e-5);
    }

    private static void Near(float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    [SkippableTheory]
    [InlineData("simple")]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void Float64_tape_gradients_equal_central_differences(string kind)
    {
        RequireBackend();
        var cell = Made(kind, DType.Float64);
        using var x = new Variable(X(DType.Float64), trainable: false);
        var states = kind == "lstm" ? new[] { H(DType.Float64), C(DType.Float64) } : [H(DType.Float64)];
        using var w = Fill([B, U], j => Math.Cos(0.9 * j + 0.4), DType.Float64);
        // loss = sum(output * w) + sum(last state * w): reaches every weight through both outputs.
        Tensor Loss() { var (o, s) = cell.Call(x, states); return NF.ReduceSum(o * w) + NF.ReduceSum(s[^1] * w); }
        Tensor[] grads;
        var weights = cell.Variables.ToArray();
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            grads = tape.Gradient(Loss(), [x, .. weights]);
        }
        foreach (var (target, grad) in new[] { x }.Concat(weights).Zip(grads))
        {
            var values = target.ToArray<double>();
            var analytic = grad.ToArray<double>();
            for (int i = 0; i < values.Length; i += 3)   // every third entry keeps the test quick
            {
                double Shifted(double by)
                {
                    var copy = (double[])values.Clone();
                    copy[i] += by;
                    using var changed = NF.Constant(copy, target.Shape);
                    target.Assign(changed);
                    return Loss().Item<double>();
                }
                double numeric = (Shifted(1e-6) - Shifted(-1e-6)) / 2e-6;
                Shifted(0);
                Assert.True(Math.Abs(numeric - analytic[i]) < 1e-6, $"{kind} {target.Name ?? "x"}[{i}]: tape {analytic[i]}, differences {numeric}");
            }
        }
    }

    [SkippableFact]
    public void Cells_have_keras_sizes_configs_and_clear_errors()
    {
        RequireBackend();
        Assert.Equal([4, 4], new Layers.LSTMCell(4).StateSize);
        Assert.Equal([5], new Layers.GRUCell(5).StateSize);
        Assert.Equal(3, new Layers.SimpleRNNCell(3).OutputSize);
        Assert.StartsWith("lstm_cell", new Layers.LSTMCell(2).Name);
        var c = new Layers.GRUCell(3, resetAfter: false, dropout: 0.25).GetConfig();
        Assert.Equal(3, c["units"]!.GetValue<int>());
        Assert.False(c["reset_after"]!.GetValue<bool>());
        Assert.Equal(0.25, c["dropout"]!.GetValue<double>());
        Assert.Null(c["return_sequences"]);   // a cell's config has no layer arguments

        var cell = new Layers.LSTMCell(2, name: "cell");
        Assert.Contains("Call(input, states)", Assert.Throws<InvalidOperationException>(() => cell.Call(NF.Zeros([2, 3]))).Message);
        var e = Assert.Throws<ArgumentException>(() => cell.Call(NF.Zeros([2, 4, 3]), [NF.Zeros([2, 2]), NF.Zeros([2, 2])]));
        Assert.Contains("[batch, features]", e.Message);
        e = Assert.Throws<ArgumentException>(() => cell.Call(NF.Zeros([2, 3]), [NF.Zeros([2, 2])]));
        Assert.Contains("2 state(s)", e.Message);
        e = Assert.Throws<ArgumentException>(() => cell.Call(NF.Zeros([2, 3]), [NF.Zeros([2, 2]), NF.Zeros([3, 2])]));
        Assert.Contains("state 1 must be [batch, size] = (2, 2)", e.Message);
        cell.Call(NF.Zeros([2, 3]), cell.GetInitialState(2));
        Assert.Contains("was built for 3 features", Assert.Throws<ArgumentException>(() => cell.Call(NF.Zeros([2, 5]), cell.GetInitialState(2))).Message);
        Assert.Equal("units", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.SimpleRNNCell(0)).ParamName);
        Assert.Equal("recurrentDropout", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.GRUCell(2, recurrentDropout: 1)).ParamName);
    }

    [SkippableFact]
    public void Cell_dropout_scales_kept_inputs_and_acts_only_while_training()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        var cell = new Layers.SimpleRNNCell(3, activation: "linear", useBias: false, dropout: 0.5, kernelInitializer: Initializer.Get("ones"));
        using var x = NF.Ones([64, 2]);
        var zeros = cell.GetInitialState(64);
        // Inference: no dropout, each output is x @ ones = 2.
        Assert.All(cell.Call(x, zeros).Output.ToArray<float>(), v => Assert.Equal(2f, v));
        using (Layer.TrainingMode())
        {
            // Each kept feature counts 1 / (1 - 0.5) = 2: the outputs are 0, 2 or 4, and vary between rows.
            var y = cell.Call(x, zeros).Output.ToArray<float>();
            Assert.All(y, v => Assert.Contains(v, new[] { 0f, 2f, 4f }));
            Assert.True(y.Distinct().Count() > 1);
        }
    }
}

public sealed class ManagedCellTests() : CellTests("managed");

public sealed class NativeCpuCellTests() : CellTests("cpu");

public sealed class CudaCellTests() : CellTests("cuda");
