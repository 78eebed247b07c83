using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// SimpleRNN, LSTM and GRU against PyTorch (Recurrent/make_recurrent_fixtures.py): weights in
/// Keras' layout set with SetWeights give the outputs of Keras' cell equations, which the script
/// checks against torch.nn.RNN / LSTM / GRU (GRU reset_after=False, which PyTorch lacks, only
/// against the equations), forwards and with go_backwards, with the final states; the tape's
/// gradients of sum(sequence * w) match PyTorch's autograd.
/// </summary>
public abstract class RecurrentReferenceTests(string backend) : BackendTest(backend)
{
    public static TheoryData<string> Cases() => new(RecurrentFixtures.All.Select(c => c.Name));

    private static Layers.Recurrent Make(RecurrentCase c, bool returnSequences, bool goBackwards) => c.Kind switch
    {
        "simple_rnn" => new Layers.SimpleRNN(c.Units, returnSequences: returnSequences, goBackwards: goBackwards),
        "lstm" => new Layers.LSTM(c.Units, returnSequences: returnSequences, goBackwards: goBackwards),
        _ => new Layers.GRU(c.Units, returnSequences: returnSequences, goBackwards: goBackwards, resetAfter: c.ResetAfter),
    };

    private static Layers.Recurrent Loaded(RecurrentCase c, Tensor x, bool returnSequences, bool goBackwards)
    {
        var layer = Make(c, returnSequences, goBackwards);
        layer.EnsureBuilt(x.Shape);
        layer.SetWeights([Constant(c.Kernel, layer.Kernel!.Shape), Constant(c.Recurrent, layer.RecurrentKernel!.Shape), Constant(c.Bias, new Shape(c.BiasShape))]);
        return layer;
    }

    private static Tensor Constant(double[] values, Shape shape) => NF.Constant(values.Select(v => (float)v).ToArray(), shape);

    private static void Near(double[] expected, Tensor actual, string what, double tolerance = 2e-5)
    {
        var a = actual.ToArray<float>();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - expected[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"{what}[{i}]: {a[i]} vs PyTorch {expected[i]}");
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Sequences_and_states_match_pytorch_both_ways(string name)
    {
        RequireBackend();
        var c = RecurrentFixtures.Get(name);
        using var x = Constant(c.X, new Shape(c.XShape));
        foreach (var backwards in new[] { false, true })
        {
            var what = $"{name}{(backwards ? " go_backwards" : "")}";
            var layer = Loaded(c, x, returnSequences: true, goBackwards: backwards);
            var result = layer.CallWithStates(x);
            Assert.Equal(1 + layer.StateCount, result.Count);
            Assert.Equal(new Shape(c.XShape[0], c.XShape[1], c.Units), result[0].Shape);
            Near(backwards ? c.SequenceBack : c.Sequence, result[0], $"{what} sequence");
            var states = backwards ? c.StatesBack : c.States;
            for (int s = 0; s < states.Length; s++) Near(states[s], result[1 + s], $"{what} state {s}");
            // Without return_sequences the output is the last step's, which is the final h.
            var last = Loaded(c, x, returnSequences: false, goBackwards: backwards).Call(x);
            Assert.Equal(new Shape(c.XShape[0], c.Units), last.Shape);
            Assert.Equal(result[1].ToArray<float>(), last.ToArray<float>());
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Tape_gradients_match_pytorch_autograd(string name)
    {
        RequireBackend();
        var c = RecurrentFixtures.Get(name);
        using var x = Constant(c.X, new Shape(c.XShape));
        var layer = Loaded(c, x, returnSequences: true, goBackwards: false);
        using var w = Constant(c.W, new Shape(c.XShape[0], c.XShape[1], c.Units));
        Tensor[] grads;
        using (var tape = new GradientTape())
        {
            tape.Watch(x);
            var loss = NF.ReduceSum(layer.Call(x) * w);
            grads = tape.Gradient(loss, [x, layer.Kernel!, layer.RecurrentKernel!, layer.Bias!]);
        }
        Near(c.Dx, grads[0], $"{name} dx", 1e-4);
        Near(c.Dkernel, grads[1], $"{name} dkernel", 1e-4);
        Near(c.Drecurrent, grads[2], $"{name} drecurrent_kernel", 1e-4);
        Near(c.Dbias, grads[3], $"{name} dbias", 1e-4);
    }
}

public sealed class ManagedRecurrentReferenceTests() : RecurrentReferenceTests("managed");

public sealed class NativeCpuRecurrentReferenceTests() : RecurrentReferenceTests("cpu");

public sealed class CudaRecurrentReferenceTests() : RecurrentReferenceTests("cuda");

public sealed record RecurrentCase(
    string Name, string Kind, int Units, bool ResetAfter, double[] X, int[] XShape,
    double[] Kernel, double[] Recurrent, double[] Bias, int[] BiasShape,
    double[] Sequence, double[][] States, double[] SequenceBack, double[][] StatesBack,
    double[] W, double[] Dx, double[] Dkernel, double[] Drecurrent, double[] Dbias);

internal static class RecurrentFixtures
{
    public static readonly RecurrentCase[] All = FixtureFile.Cases<RecurrentCase>("Recurrent", "recurrent_fixtures.json");

    public static RecurrentCase Get(string name) => All.Single(c => c.Name == name);
}
