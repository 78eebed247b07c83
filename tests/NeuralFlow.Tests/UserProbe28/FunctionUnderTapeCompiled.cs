namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// The FunctionUnderTape tests' functions: NF.Function with ReplayUnderTape turned on, which is off by
/// default (a replay under a tape is slower than eager on CPUs) and what those tests are about.
/// </summary>
internal static class FunctionUnderTapeCompiled
{
    public static Func<Tensor, Tensor> Compiled(Func<Tensor, Tensor> body) => UnderTape(NF.Function(body));

    public static Func<Tensor, Tensor, Tensor[]> Compiled(Func<Tensor, Tensor, Tensor[]> body) => UnderTape(NF.Function(body));

    private static T UnderTape<T>(T function) where T : Delegate
    {
        TracedFunction.Of(function).ReplayUnderTape = true;
        return function;
    }
}
