using NeuralFlow.Keras;
using GlobalPolicy = NeuralFlow.Keras.MixedPrecision;

namespace NeuralFlow.Tests.MixedPrecision;

/// <summary>
/// Sets Keras' global dtype policy for one test and puts the previous one back when disposed, pass or fail.
/// The policy is process-wide; the test assembly runs its classes one at a time (AssemblyInfo's
/// DisableTestParallelization), so no other test sees it meanwhile.
/// </summary>
internal sealed class MixedPolicy : IDisposable
{
    private readonly DTypePolicy _previous = Config.DTypePolicy;

    private MixedPolicy(string policy) => GlobalPolicy.SetGlobalPolicy(policy);

    /// <summary>"mixed_float16" until disposed.</summary>
    public static MixedPolicy Begin(string policy = "mixed_float16") => new(policy);

    public void Dispose() => GlobalPolicy.SetGlobalPolicy(_previous.Name == Config.FloatX ? null : _previous);
}
