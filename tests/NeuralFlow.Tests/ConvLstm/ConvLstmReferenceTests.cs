using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.ConvLstm;

/// <summary>
/// ConvLSTM1D, ConvLSTM2D and ConvLSTM3D against a float64 loop of Keras 3's ConvLSTMCell
/// equations (make_convlstm_references.py beside this file, torch convolutions with TensorFlow's
/// padding): weights in Keras' layout set with SetWeights give the reference sequence and final
/// h and c, forwards and with go_backwards, for "same" and "valid" padding, strides, dilation and
/// both data formats; and the tape's first and second derivatives match central differences in float64.
/// </summary>
public abstract class ConvLstmReferenceTests(string backend) : BackendTest(backend)
{
    public static TheoryData<string> Cases() => new(ConvLstmReferences.All.Select(c => c.Name));

    private static Layers.ConvLSTM Make(ConvLstmCase c, bool returnSequences, bool returnState, bool goBackwards) => c.Rank switch
    {
        1 => new Layers.ConvLSTM1D(c.Filters, c.KernelSize[0], c.Strides[0], c.Padding, c.DataFormat, c.DilationRate[0],
                                   returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards),
        2 => new Layers.ConvLSTM2D(c.Filters, c.KernelSize, c.Strides, c.Padding, c.DataFormat, c.DilationRate,
                                   returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards),
        _ => new Layers.ConvLSTM3D(c.Filters, c.KernelSize, c.Strides, c.Padding, c.DataFormat, c.DilationRate,
                                   returnSequences: returnSequences, returnState: returnState, goBackwards: goBackwards),
    };

    // A float64 layer holding the case's weights.
    private static Layers.ConvLSTM Loaded(ConvLstmCase c, bool returnSequences, bool returnState, bool goBackwards)
    {
        var layer = Make(c, returnSequences, returnState, goBackwards);
        layer.VariableDType = DType.Float64;
        layer.EnsureBuilt(new Shape(c.XShape));
        int channels = c.DataFormat == "channels_first" ? c.XShape[2] : c.XShape[^1];
        Assert.Equal(new Shape([.. c.KernelSize, channels, 4 * c.Filters]), layer.Kernel!.Shape);
        Assert.Equal(new Shape([.. c.KernelSize, c.Filters, 4 * c.Filters]), layer.RecurrentKernel!.Shape);
        layer.SetWeights([NF.Constant(c.Kernel, layer.Kernel.Shape), NF.Constant(c.RecurrentKernel, layer.RecurrentKernel.Shape), NF.Constant(c.Bias, [4 * c.Filters])]);
        return layer;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Sequences_and_states_match_the_reference_both_ways(string name)
    {
        RequireBackend();
        var c = ConvLstmReferences.Get(name);
        using var x = NF.Constant(c.X, c.XShape);
        foreach (var backwards in new[] { false, true })
        {
            string what = $"{name}{(backwards ? " go_backwards" : "")}";
            var layer = Loaded(c, returnSequences: true, returnState: true, goBackwards: backwards);
            var result = layer.CallWithStates(x);
            Assert.Equal(3, result.Count);
            Assert.Equal(new Shape(c.SequenceShape), result[0].Shape);
            Assert.Equal(DType.Float64, result[0].DType);
            AssertClose(backwards ? c.SequenceBack : c.Sequence, result[0].ToArray<double>(), 1e-10, 1e-12, $"{what} sequence");
            AssertClose(backwards ? c.HBack : c.H, result[1].ToArray<double>(), 1e-10, 1e-12, $"{what} h");
            AssertClose(backwards ? c.CBack : c.C, result[2].ToArray<double>(), 1e-10, 1e-12, $"{what} c");
            // Without return_sequences the output is the last step's: the final h.
            var last = Loaded(c, returnSequences: false, returnState: false, goBackwards: backwards).Call(x);
            Assert.Equal(new Shape([c.SequenceShape[0], .. c.SequenceShape[2..]]), last.Shape);
            AssertClose(backwards ? c.HBack : c.H, last.ToArray<double>(), 1e-10, 1e-12, $"{what} last output");
        }
    }

    [SkippableTheory]
    [InlineData("2d_valid_strided")]
    [InlineData("1d_same_dilated")]
    [InlineData("3d_same_channels_first")]
    [InlineData("2d_same_strided_channels_first")]
    public void Input_gradients_match_finite_differences(string name)
    {
        RequireBackend();
        var c = ConvLstmReferences.Get(name);
        var layer = Loaded(c, returnSequences: true, returnState: false, goBackwards: false);
        GradientTests.Check(t => layer.Call(t[0]), (c.X, c.XShape));
    }

    [SkippableTheory]
    [InlineData("2d_valid_strided")]
    [InlineData("1d_valid_channels_first")]
    public void Second_derivatives_match_finite_differences_of_the_first(string name)
    {
        RequireBackend();
        // An outer tape over the inner one (a gradient penalty's pattern): every op of the loop is differentiable twice.
        var c = ConvLstmReferences.Get(name);
        var layer = Loaded(c, returnSequences: true, returnState: false, goBackwards: true);
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => x * NF.ReduceSum(NF.Square(layer.Call(x))), c.XShape);
    }

    [SkippableTheory]
    [InlineData("2d_same")]
    [InlineData("1d_valid_channels_first")]
    [InlineData("3d_valid")]
    public void Weight_gradients_match_finite_differences(string name)
    {
        RequireBackend();
        var c = ConvLstmReferences.Get(name);
        var layer = Loaded(c, returnSequences: false, returnState: false, goBackwards: true);
        using var x = NF.Constant(c.X, c.XShape);
        var weights = layer.Variables;
        double[] w = RandomValues((int)new Shape([c.SequenceShape[0], .. c.SequenceShape[2..]]).Count, 5, 0.5, 1.5);
        Tensor[] grads;
        using (var tape = new GradientTape())
        {
            var y = layer.Call(x);
            grads = tape.Gradient(NF.ReduceSum(y * NF.Constant(w, y.Shape)), [.. weights]);
        }
        double Loss()
        {
            using var y = layer.Call(x);
            using var l = NF.ReduceSum(y * NF.Constant(w, y.Shape));
            return l.Item<double>();
        }
        const double eps = 1e-6;
        for (int k = 0; k < weights.Count; k++)
        {
            var v = weights[k].ToArray<double>();
            var numeric = new double[v.Length];
            // Every entry of the small weights (3d_valid's kernel: 2*2*2*2*8), perturbed in place.
            for (int j = 0; j < v.Length; j++)
            {
                var plus = (double[])v.Clone();
                plus[j] += eps;
                weights[k].Assign(NF.Constant(plus, weights[k].Shape));
                double up = Loss();
                plus[j] -= 2 * eps;
                weights[k].Assign(NF.Constant(plus, weights[k].Shape));
                numeric[j] = (up - Loss()) / (2 * eps);
            }
            weights[k].Assign(NF.Constant(v, weights[k].Shape));
            AssertClose(numeric, grads[k].ToArray<double>(), 1e-5, 1e-6, $"{name} {weights[k].Name}");
        }
    }
}

public sealed class ManagedConvLstmReferenceTests() : ConvLstmReferenceTests("managed");

public sealed class NativeCpuConvLstmReferenceTests() : ConvLstmReferenceTests("cpu");

public sealed class CudaConvLstmReferenceTests() : ConvLstmReferenceTests("cuda");

public sealed record ConvLstmCase(
    string Name, int Rank, int Filters, int[] KernelSize, int[] Strides, string Padding, int[] DilationRate, string DataFormat,
    int[] XShape, double[] X, double[] Kernel, double[] RecurrentKernel, double[] Bias,
    double[] Sequence, double[] H, double[] C, double[] SequenceBack, double[] HBack, double[] CBack, int[] SequenceShape);

internal static class ConvLstmReferences
{
    public static readonly ConvLstmCase[] All = FixtureFile.Cases<ConvLstmCase>("ConvLstm", "convlstm_references.json");

    public static ConvLstmCase Get(string name) => All.Single(c => c.Name == name);
}
