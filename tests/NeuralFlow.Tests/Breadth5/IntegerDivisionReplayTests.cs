namespace NeuralFlow.Tests.Breadth5;

/// <summary>
/// Integer FloorMod / FloorDiv inside NF.Function (IntegerLookup's OOV hashing runs one in every
/// Fit step): the zero-divisor check is a checked read, so the function replays, and a replay
/// whose divisor holds a 0 still raises DivideByZeroException (before, the check's host read made
/// every such function run eagerly).
/// </summary>
public abstract class IntegerDivisionReplayTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Integer_floor_mod_replays_and_still_refuses_a_zero_divisor()
    {
        RequireBackend();
        var f = NF.Function((Tensor a, Tensor b) => NF.FloorMod(a, b) + NF.FloorDiv(a, 3L));
        var a = NF.Constant(new[] { -7L, 7, 9 });
        for (int i = 0; i < 4; i++)
            Assert.Equal([1L + -3, 3L + 2, 0L + 3], f(a, NF.Constant(new[] { 2L, 4, 3 })).ToArray<long>());   // Python: -7 % 2 = 1, -7 // 3 = -3
        var info = TracedFunction.Of(f);
        Assert.True(info.LastCallReplayed, info.EagerReason);
        Assert.Contains("integer division by zero", Assert.Throws<DivideByZeroException>(() => f(a, NF.Constant(new[] { 2L, 0, 3 }))).Message);
        Assert.Equal([1L, 1, 0], NF.FloorMod(a, NF.Constant(new[] { 2L, 2, 3 })).ToArray<long>());
    }
}

public sealed class ManagedIntegerDivisionReplayTests() : IntegerDivisionReplayTests("managed");

public sealed class NativeCpuIntegerDivisionReplayTests() : IntegerDivisionReplayTests("cpu");

public sealed class CudaIntegerDivisionReplayTests() : IntegerDivisionReplayTests("cuda");
