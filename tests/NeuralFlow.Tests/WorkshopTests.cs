namespace NeuralFlow.Tests;

/// <summary>The workshop's forward computations (sections 1 and 2), as written in the spec, on every backend.</summary>
public abstract class WorkshopTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Section1_tensors()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 1, 2, 3, 4 });
        Assert.Equal("tensor([1, 2, 3, 4], shape=(4,), dtype=int32)", x.ToString());
        var y = 2 * x + 1;
        Assert.Equal([3, 5, 7, 9], y.ToArray<int>());
        Assert.Equal(DType.Int32, y.DType);

        var vec = NF.Constant(new[] { 1, 2, 3, 4 });
        var matrix = NF.Constant(new[,] { { 1, 1, 1, 1 }, { 4, 4, 4, 4 }, { 5, 5, 5, 5 } });
        var row = matrix[1, ..];
        Assert.Equal([4, 4, 4, 4], row.ToArray<int>());
        var v = new Variable(matrix);
        var sum = v + vec;
        Assert.Equal([2, 3, 4, 5, 5, 6, 7, 8, 6, 7, 8, 9], sum.ToArray<int>());
        v.Assign(v + vec);
        Assert.Equal(sum.ToArray<int>(), v.ToArray<int>());
        var s = new Variable(0) + NF.Constant(1);
        Assert.Equal(Shape.Scalar, s.Shape);
        int[] values = x.ToArray<int>();
        Assert.Equal([1, 2, 3, 4], values);
        Assert.Throws<InvalidCastException>(() => s.Item<float>());
    }

    [SkippableFact]
    public void Section2_closed_form_linear_regression_recovers_the_line()
    {
        RequireBackend();
        NF.Random.SetSeed(1);
        var xs = NF.Range(1f, 5f, 0.1f);
        Assert.Equal(new Shape(40), xs.Shape);
        var ys = 3.5f * xs - 1 + NF.Random.Uniform([40], minval: -1, maxval: 1);
        var m = new Variable(1f);
        var b = new Variable(0f);
        var sxx = NF.ReduceMean(NF.Square(xs - NF.ReduceMean(xs)));
        var sxy = NF.ReduceMean((xs - NF.ReduceMean(xs)) * (ys - NF.ReduceMean(ys)));
        m.Assign(sxy / sxx);
        b.Assign(NF.ReduceMean(ys) - m * NF.ReduceMean(xs));
        Assert.InRange(m.Item<float>(), 3.3f, 3.7f);
        Assert.InRange(b.Item<float>(), -1.2f, -0.8f); // m and b within 0.2 of the line
        static Tensor Mse(Tensor yTrue, Tensor yPred) => NF.ReduceMean(NF.Square(yTrue - yPred));
        var loss = Mse(ys, xs * m + b).Item<float>();
        Assert.InRange(loss, 0.2f, 0.45f); // the noise is uniform on [-1, 1]: variance 1/3
    }

    [SkippableFact]
    public void Section4_forward_pass_shapes_and_accuracy()
    {
        RequireBackend();
        NF.Random.SetSeed(3);
        var xTrain = NF.Cast(NF.Random.Uniform([600, 28, 28], 0, 256, DType.Int32), DType.UInt8);
        var yTrain = NF.Cast(NF.Random.Uniform([600], 0, 10, DType.Int32), DType.UInt8);
        var x = NF.Reshape(NF.Cast(xTrain[..500], DType.Float32) / 255f, [-1, 28 * 28]);
        var y = NF.OneHot(yTrain[..500], depth: 10);
        Assert.Equal(new Shape(500, 784), x.Shape);
        Assert.Equal(new Shape(500, 10), y.Shape);
        var w = NF.Random.Normal([784, 10]);
        var probs = NF.Softmax(NF.MatMul(x, w) + NF.Zeros([10]));
        var rowSums = NF.ReduceSum(probs, 1).ToArray<float>();
        Assert.All(rowSums, s => Assert.InRange(s, 0.9999f, 1.0001f));
        var accuracy = NF.ReduceMean(NF.Cast(NF.Equal(NF.ArgMax(probs, axis: 1), NF.ArgMax(y, axis: 1)), DType.Float32)).Item<float>();
        Assert.InRange(accuracy, 0f, 0.3f); // random weights: near chance
        for (int i = 0; i < 10; i++)
            Assert.True(NF.ReduceSum(NF.Cast(NF.Equal(yTrain, i), DType.Int32)).Item<int>() > 30);
    }
}

public sealed class ManagedWorkshopTests() : WorkshopTests("managed");

public sealed class NativeCpuWorkshopTests() : WorkshopTests("cpu");

public sealed class CudaWorkshopTests() : WorkshopTests("cuda");
