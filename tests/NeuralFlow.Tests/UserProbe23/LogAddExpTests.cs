namespace NeuralFlow.Tests.UserProbe23;

/// <summary>
/// NF.LogAddExp (np.logaddexp, keras.ops.logaddexp, torch.logaddexp), which was missing beside LogAddExp2: values far
/// apart, equal infinities, huge arguments without overflow, and its gradients sigmoid(a - b) / sigmoid(b - a), against
/// PyTorch 1.13 (gamma_references.py), with finite differences and broadcasting.
/// </summary>
public abstract class LogAddExpTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Matches_pytorch_values_and_gradients()
    {
        RequireBackend();
        var a = NF.Constant(new[] { 1.0, -1000.0, double.PositiveInfinity, double.NegativeInfinity, 0.0, 800.0, -3.0 });
        var b = NF.Constant(new[] { 2.0, -1001.0, double.PositiveInfinity, double.NegativeInfinity, 0.0, 1.0, 40.0 });
        GammaFamilyTests.Near([2.313261687518223, -999.6867383124818, double.PositiveInfinity, double.NegativeInfinity, 0.6931471805599453, 800.0, 40.0],
                              NF.LogAddExp(a, b).ToArray<double>(), "logaddexp", relative: 1e-15);
        var va = new Variable(NF.Constant(new[] { 1.0, -1000.0, 0.0, 800.0, -3.0 }));
        var vb = new Variable(NF.Constant(new[] { 2.0, -1001.0, 0.0, 1.0, 40.0 }));
        using (var tape = new GradientTape(persistent: true))
        {
            var y = NF.ReduceSum(NF.LogAddExp(va, vb));
            GammaFamilyTests.Near([0.2689414213699951, 0.7310585786300049, 0.5, 1.0, 2.1151310375910807e-19], tape.Gradient(y, va).ToArray<double>(), "d/da", relative: 1e-14);
            GammaFamilyTests.Near([0.7310585786300049, 0.2689414213699951, 0.5, 0.0, 1.0], tape.Gradient(y, vb).ToArray<double>(), "d/db", relative: 1e-14);
        }
        GradientTests.Check(t => NF.LogAddExp(t[0] * 3, t[1]), GradientTests.In([2, 3], 41), GradientTests.In([3], 42));
        // float32 stays float32 and does not overflow where log(exp(a) + exp(b)) would.
        var big = NF.LogAddExp(NF.Constant(new[] { 100f, -100f }), NF.Constant(new[] { 100f, 3f }));
        Assert.Equal(DType.Float32, big.DType);
        Assert.Equal(new[] { 100f + 0.6931472f, 3f }, big.ToArray<float>());
    }
}

/// <summary>LogAddExp on the managed backend.</summary>
public sealed class ManagedLogAddExpTests() : LogAddExpTests("managed");

/// <summary>LogAddExp on the native CPU backend.</summary>
public sealed class NativeCpuLogAddExpTests() : LogAddExpTests("cpu");

/// <summary>LogAddExp on CUDA.</summary>
public sealed class CudaLogAddExpTests() : LogAddExpTests("cuda");
