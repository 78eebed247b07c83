namespace NeuralFlow.Tests.Distributed;

/// <summary>
/// GradientTape.GradientReady, the hook that lets DataParallel start a bucket's allreduce during
/// the backward pass: each gradient reported once, final (equal to what Gradient returns), last
/// layer first, and a variable read twice only after its last contribution.
/// </summary>
public sealed class GradientReadyTests
{
    [Fact]
    public void Each_gradient_is_reported_once_when_final_last_layer_first()
    {
        using var _ = NF.UseBackend("managed");
        NF.Random.SetSeed(3);
        var x = NF.Random.Normal([4, 3], dtype: DType.Float64);
        var w1 = new Variable(NF.Random.Normal([3, 5], dtype: DType.Float64), name: "w1");
        var b1 = new Variable(NF.Random.Normal([5], dtype: DType.Float64), name: "b1");
        var w2 = new Variable(NF.Random.Normal([5, 2], dtype: DType.Float64), name: "w2");
        var unused = new Variable(NF.Random.Normal([2], dtype: DType.Float64), name: "unused");
        Variable[] sources = [w1, b1, unused, w2];
        var reported = new List<(int Index, double[] Value)>();
        Tensor[] grads;
        using (var tape = new GradientTape())
        {
            // w1 is read twice (first and last op), so its gradient is final only at the end.
            var h = NF.Tanh(NF.MatMul(x, w1) + b1);
            var loss = NF.ReduceSum(NF.Square(NF.MatMul(h, w2))) + NF.ReduceSum(w1 * w1);
            tape.GradientReady = (i, g) => reported.Add((i, g.ToArray<double>()));
            grads = tape.Gradient(loss, sources);
        }
        Assert.Equal([3, 1, 0], reported.Select(r => r.Index));     // w2, then b1, then w1; never unused
        Assert.Null(grads[2]);
        foreach (var (i, value) in reported) Assert.Equal(grads[i].ToArray<double>(), value);
    }
}
