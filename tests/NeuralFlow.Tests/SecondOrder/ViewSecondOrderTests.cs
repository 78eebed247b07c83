namespace NeuralFlow.Tests;

/// <summary>
/// A gradient of a gradient through ops whose backward places or takes part of a tensor:
/// indexing (ranges, steps, new axes), StridedSlice, Split, Concat, Pad and Stack. Before, their
/// backward wrote the incoming gradient into zeros with a raw copy or took an unrecorded view,
/// so an outer tape (a gradient penalty, a Hessian-vector product) silently lost that path and
/// answered 0 where the second derivative is not. Each f keeps the input's shape (x times a
/// scalar), so the check's weights broadcast.
/// </summary>
public abstract class ViewSecondOrderTests(string backend) : BackendTest(backend)
{
    private static Tensor Cube(Tensor t) => t * t * t;

    [SkippableFact]
    public void Indexing_has_the_right_second_derivative()
    {
        RequireBackend();
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => x * NF.ReduceSum(Cube(x[1..])), [3, 4]);
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => x * NF.ReduceSum(Cube(x[NF.Step(.., -2), NF.NewAxis, 2])), [3, 4]);
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => x * NF.ReduceSum(Cube(x[NF.Ellipsis, NF.Step(1.., 2)])), [2, 2, 4]);
    }

    [SkippableFact]
    public void Strided_slice_has_the_right_second_derivative()
    {
        RequireBackend();
        SecondOrderCheck.AssertMatchesFiniteDifferences(
            x => x * NF.ReduceSum(Cube(NF.StridedSlice(x, [-1, 3], [0, 0], [-2, -2], endMask: 1))), [3, 4]);
    }

    [SkippableFact]
    public void Split_and_unstack_have_the_right_second_derivative()
    {
        RequireBackend();
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => x * NF.ReduceSum(Cube(NF.Split(x, [1, 3], axis: 1)[1])), [3, 4]);
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => x * NF.ReduceSum(Cube(NF.Unstack(x, axis: 0)[2])), [3, 4]);
    }

    [SkippableFact]
    public void Concat_stack_and_pad_have_the_right_second_derivative()
    {
        RequireBackend();
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => x * NF.ReduceSum(Cube(NF.Concat([NF.Sin(x), x * x], 1))), [3, 2]);
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => x * NF.ReduceSum(Cube(NF.Stack([NF.Sin(x), x * x], 0))), [3, 2]);
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => x * NF.ReduceSum(Cube(NF.Pad(x * x, new[,] { { 1, 0 }, { 0, 2 } }, constantValues: 1))), [3, 2]);
        SecondOrderCheck.AssertMatchesFiniteDifferences(x => x * NF.ReduceSum(Cube(NF.Pad(x * x, new[,] { { 1, 1 }, { 1, 0 } }, "reflect"))), [3, 2]);
    }
}

public sealed class ManagedViewSecondOrderTests() : ViewSecondOrderTests("managed");
public sealed class NativeCpuViewSecondOrderTests() : ViewSecondOrderTests("cpu");
public sealed class CudaViewSecondOrderTests() : ViewSecondOrderTests("cuda");
