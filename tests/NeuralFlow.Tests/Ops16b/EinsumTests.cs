using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>NF.Einsum's common forms on every backend: np.einsum values, PyTorch gradients, finite differences, clear errors.</summary>
public abstract class EinsumTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Common_forms_match_NumPy_and_their_gradients_PyTorch()
    {
        RequireBackend();
        foreach (var c in Ops16bFixtures.Einsum)
        {
            var xs = c.Inputs.Select((v, i) => NF.Constant(v, c.Shapes[i])).ToArray();
            using var tape = new GradientTape();
            foreach (var x in xs) tape.Watch(x);
            var y = NF.Einsum(c.Equation, xs);
            var grads = tape.Gradient(NF.ReduceSum(y * NF.Constant(c.W, c.OutShape)), xs);
            Assert.Equal(new Shape(c.OutShape), y.Shape);
            AssertClose(c.Out, y.ToArray<double>(), 1e-12, 1e-13, c.Equation);
            for (int i = 0; i < xs.Length; i++)
                AssertClose(c.Grads[i], grads[i].ToArray<double>(), 1e-12, 1e-13, $"{c.Equation} d{i}");
        }
    }

    [SkippableFact]
    public void Float32_integers_broadcast_ellipsis_and_finite_differences()
    {
        RequireBackend();
        var a = NF.Constant(new[,] { { 1f, 2f }, { 3f, 4f } });
        // np.einsum("ij,jk->ik", [[1, 2], [3, 4]], [[1, 2], [3, 4]]) == [[7, 10], [15, 22]]
        Assert.Equal([7f, 10, 15, 22], NF.Einsum("ij,jk->ik", a, a).ToArray<float>());
        Assert.Equal([1, 4, 9, 16], NF.Einsum("ij,ij->ij", NF.Constant(new[,] { { 1, 2 }, { 3, 4 } }), NF.Constant(new[,] { { 1, 2 }, { 3, 4 } })).ToArray<int>());
        // "..." with a broadcast leading axis: [1, 2, 3] x [4, 3, 2] -> [4, 2, 2].
        var p = NF.Reshape(NF.Range(0.0, 6.0, 1.0, dtype: DType.Float64), [1, 2, 3]);
        var q = NF.Reshape(NF.Range(0.0, 24.0, 1.0, dtype: DType.Float64), [4, 3, 2]);
        var r = NF.Einsum("...ij,...jk->...ik", p, q);
        Assert.Equal(new Shape(4, 2, 2), r.Shape);
        Assert.Equal(NF.MatMul(p, q).ToArray<double>(), r.ToArray<double>());
        Assert.Equal(new Shape(0, 4), NF.Einsum("ij,jk->ik", NF.Zeros([0, 3]), NF.Zeros([3, 4])).Shape);
        GradientTests.Check(t => NF.Einsum("bi,ij,bj->b", t[0], t[1], t[2]), GradientTests.In([2, 3], 71), GradientTests.In([3, 4], 72), GradientTests.In([2, 4], 73));
        GradientTests.Check(t => NF.Einsum("ijk->ki", t[0]), GradientTests.In([2, 3, 4], 74));
    }

    [SkippableFact]
    public void Unsupported_and_malformed_equations_are_named()
    {
        RequireBackend();
        var m = NF.Zeros([3, 3]);
        // A repeated letter is a diagonal now (TfArrayNnDocTests); one over unequal axes is refused.
        var e = Assert.Throws<ArgumentException>(() => NF.Einsum("ii->i", NF.Zeros([3, 2])));
        Assert.Contains("repeats 'i' over axes of sizes 3 and 2", e.Message);
        // An operand may repeat a letter (its diagonal, SweepOps/NumpyDocstringTests); the output may not.
        var o = Assert.Throws<ArgumentException>(() => NF.Einsum("ij->ii", m));
        Assert.Contains("repeats 'i'; each output axis is named once", o.Message);
        Assert.Contains("names 2 operand(s) but 1 were given", Assert.Throws<ArgumentException>(() => NF.Einsum("ij,jk->ik", m)).Message);
        Assert.Contains("'j' has size 3 in one operand and 2", Assert.Throws<ArgumentException>(() => NF.Einsum("ij,jk->ik", m, NF.Zeros([2, 2]))).Message);
        Assert.Contains("the output's 'z' is in no operand", Assert.Throws<ArgumentException>(() => NF.Einsum("ij->z", m)).Message);
        Assert.Contains("names 3 axes but has shape (3, 3)", Assert.Throws<ArgumentException>(() => NF.Einsum("ijk->i", m)).Message);
        Assert.Contains("'1'", Assert.Throws<ArgumentException>(() => NF.Einsum("i1->i", m)).Message);
    }
}

public sealed class ManagedEinsumTests() : EinsumTests("managed");

public sealed class NativeCpuEinsumTests() : EinsumTests("cpu");

public sealed class CudaEinsumTests() : EinsumTests("cuda");
