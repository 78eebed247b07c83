namespace NeuralFlow.Tests.TfGaps;

/// <summary>
/// <c>NF.ReverseSequence</c> (tf.reverse_sequence) on every engine: the TensorFlow docstring
/// example (tensorflow/python/ops/array_ops.py, reverse_sequence_v2), a batch axis after the
/// sequence axis, the float64 finite-difference gradient and the errors. Before, the op did not exist.
/// </summary>
public abstract class ReverseSequenceTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Reverse_sequence_gives_its_tensorflow_docstring_value()
    {
        RequireBackend();
        var input = NF.Constant(new int[,] {
            { 1, 2, 3, 4, 5, 0, 0, 0 }, { 1, 2, 0, 0, 0, 0, 0, 0 }, { 1, 2, 3, 4, 0, 0, 0, 0 }, { 1, 2, 3, 4, 5, 6, 7, 8 } });
        var output = NF.ReverseSequence(input, NF.Constant(new[] { 7, 2, 3, 5 }), seqAxis: 1, batchAxis: 0);
        Assert.Equal(new Shape(4, 8), output.Shape);
        Assert.Equal([0, 0, 5, 4, 3, 2, 1, 0, 2, 1, 0, 0, 0, 0, 0, 0, 3, 2, 1, 4, 0, 0, 0, 0, 5, 4, 3, 2, 1, 6, 7, 8], output.ToArray<int>());
        // The same with time major [steps, batch, 1] (seqAxis 0, batchAxis 1): the transposed answer.
        var timeMajor = NF.ReverseSequence(NF.ExpandDims(NF.Transpose(input), 2), NF.Constant(new long[] { 7, 2, 3, 5 }), seqAxis: 0, batchAxis: 1);
        Assert.Equal(NF.Transpose(output).ToArray<int>(), timeMajor.ToArray<int>());
    }

    [SkippableFact]
    public void Reverse_sequence_gradient_is_the_same_reversal()
    {
        RequireBackend();
        GradientTests.Check(t => NF.ReverseSequence(t[0], NF.Constant(new long[] { 3, 1 }), seqAxis: 1, batchAxis: 0), GradientTests.In([2, 4, 3], 41));
        GradientTests.Check(t => NF.ReverseSequence(t[0], NF.Constant(new[] { 0, 2, 4 }), seqAxis: -1, batchAxis: 0), GradientTests.In([3, 2, 4], 42));
    }

    [SkippableFact]
    public void Bad_lengths_and_axes_are_named()
    {
        RequireBackend();
        var x = NF.Zeros(new Shape(2, 4));
        Assert.Contains("seqLengths[1] is 5", Assert.Throws<ArgumentException>(() => NF.ReverseSequence(x, NF.Constant(new[] { 1, 5 }), 1)).Message);
        Assert.Contains("seqLengths[0] is -1", Assert.Throws<ArgumentException>(() => NF.ReverseSequence(x, NF.Constant(new[] { -1, 1 }), 1)).Message);
        Assert.Contains("one length per batch row", Assert.Throws<ArgumentException>(() => NF.ReverseSequence(x, NF.Constant(new[] { 1, 1, 1 }), 1)).Message);
        Assert.Contains("int32 or int64", Assert.Throws<ArgumentException>(() => NF.ReverseSequence(x, NF.Constant(new[] { 1f, 1f }), 1)).Message);
        Assert.Contains("must differ", Assert.Throws<ArgumentException>(() => NF.ReverseSequence(x, NF.Constant(new[] { 1, 1 }), 0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.ReverseSequence(x, NF.Constant(new[] { 1, 1 }), 2));
    }
}

public sealed class ManagedReverseSequenceTests() : ReverseSequenceTests("managed");

public sealed class NativeCpuReverseSequenceTests() : ReverseSequenceTests("cpu");

public sealed class CudaReverseSequenceTests() : ReverseSequenceTests("cuda");
