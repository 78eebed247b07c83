namespace NeuralFlow.Tests.DtypePromotion;

/// <summary>
/// NF.Einsum broadcasts a letter of size 1 in one operand against its size in another, as
/// np.einsum and torch.einsum do; it was refused ("'i' has size 2 in one operand and 1"), size 1
/// broadcasting only "..." axes. Values: reference_values.py beside this file (np.einsum, torch
/// for the gradients).
/// </summary>
public abstract class EinsumBroadcastTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Size_one_letters_broadcast_as_numpy()
    {
        RequireBackend();
        // np.einsum("i,i->", [1, 2], [3]) = 9 (int32)
        var dot = NF.Einsum("i,i->", NF.Constant(new[] { 1, 2 }), NF.Constant(new[] { 3 }));
        Assert.Equal(DType.Int32, dot.DType);
        Assert.Equal(9, dot.Item<int>());
        // np.einsum("ij,j->i", [[1, 2], [3, 4], [5, 6]], [2]) = [6, 14, 22]
        var a = NF.Constant(new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } });
        Assert.Equal(new[] { 6.0, 14, 22 }, NF.Einsum("ij,j->i", a, NF.Constant(new[] { 2.0 })).ToArray<double>());
        // np.einsum("ij,jk->ik", ones(2, 1), [[1, 2, 3]] * 3) = [[3, 6, 9], [3, 6, 9]]
        var rows = NF.Constant(new double[,] { { 1, 2, 3 }, { 1, 2, 3 }, { 1, 2, 3 } });
        Assert.Equal(new[] { 3.0, 6, 9, 3, 6, 9 }, NF.Einsum("ij,jk->ik", NF.Ones([2, 1], DType.Float64), rows).ToArray<double>());
    }

    [SkippableFact]
    public void The_gradient_of_a_broadcast_letter_sums_back_to_size_one()
    {
        RequireBackend();
        // torch: d/db sum(einsum("ij,j->i", a, [2])) = [21]; d/da = 2 everywhere
        var a = NF.Constant(new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } });
        var b = NF.Constant(new[] { 2.0 });
        using var tape = new GradientTape();
        tape.Watch(a);
        tape.Watch(b);
        var grads = tape.Gradient(NF.ReduceSum(NF.Einsum("ij,j->i", a, b)), [a, b]);
        Assert.Equal(new[] { 21.0 }, grads[1]!.ToArray<double>());
        Assert.Equal(Enumerable.Repeat(2.0, 6), grads[0]!.ToArray<double>());
    }

    [SkippableFact]
    public void Sizes_that_do_not_broadcast_are_still_named()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => NF.Einsum("i,i->", NF.Ones([2]), NF.Ones([3])));
        Assert.Contains("'i' has size 2 in one operand and 3", e.Message);
    }
}

public sealed class ManagedEinsumBroadcastTests() : EinsumBroadcastTests("managed");

public sealed class NativeCpuEinsumBroadcastTests() : EinsumBroadcastTests("cpu");

public sealed class CudaEinsumBroadcastTests() : EinsumBroadcastTests("cuda");
