using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// Dropout of rate 1 in training is Keras 3's <c>zeros_like(x)</c>: 0 for every element, inf and NaN inputs
/// included, with a zero gradient, eagerly, in a replayed NF.Function and in Fit's compiled step. Before it was
/// x * 0, which is NaN where x is infinite or NaN (and -0 where x is negative), so a single inf before a
/// dropped-out layer turned the loss and every update NaN.
/// </summary>
public abstract class DropoutNonFiniteTests(string backend) : BackendTest(backend)
{
    private static Tensor Awkward() => NF.Constant(new[,] { { float.PositiveInfinity, -2f, float.NaN }, { float.NegativeInfinity, 0f, 3f } });

    // +0 exactly: not NaN, and not -0 (1 / -0 is -inf).
    private static void AssertPositiveZeros(Tensor t) =>
        Assert.All(t.ToArray<float>(), v => Assert.Equal(0, BitConverter.SingleToInt32Bits(v)));

    [SkippableFact]
    public void Rate_one_gives_zeros_for_infinite_and_nan_inputs_with_a_zero_gradient()
    {
        RequireBackend();
        AssertPositiveZeros(new Layers.Dropout(1.0).Call(Awkward(), training: true));
        AssertPositiveZeros(new Layers.SpatialDropout1D(1.0).Call(NF.Reshape(Awkward(), [1, 2, 3]), training: true));
        AssertPositiveZeros(NF.Random.Dropout(Awkward(), 1.0));

        var v = new Variable(Awkward());
        using var tape = new GradientTape();
        var y = NF.Random.Dropout(v, 1.0);
        AssertPositiveZeros(y);
        AssertPositiveZeros(tape.Gradient(NF.ReduceSum(y), v));
    }

    [SkippableFact]
    public void Rate_one_gives_zeros_in_a_replayed_function_at_another_batch_size()
    {
        RequireBackend();
        var dropout = new Layers.Dropout(1.0);
        var f = NF.Function((Tensor t) => dropout.Call(t, training: true));
        AssertPositiveZeros(f(NF.Ones([2, 3])));
        AssertPositiveZeros(f(Awkward()));
        Assert.True(TracedFunction.Of(f).LastCallReplayed, TracedFunction.Of(f).EagerReason);
        var wider = NF.Concat([Awkward(), Awkward()], 0);
        AssertPositiveZeros(f(wider));
    }

    [SkippableFact]
    public void Fit_through_a_rate_one_dropout_of_infinite_inputs_trains_the_bias_alone()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        // Input -> Dropout(1.0) -> Dense(1): the Dense sees zeros, so its output is its bias (0 at the start),
        // the first loss is mean(y^2) = (1 + 4) / 2 = 2.5 by hand, and its kernel's gradient is 0 (not NaN).
        var model = new Sequential(Layers.Input([3]), new Layers.Dropout(1.0), new Layers.Dense(1));
        model.Compile(new Optimizers.SGD(0.1f), "mse");
        var y = NF.Constant(new[,] { { 1f }, { 2f } });
        var kernel = model.Layers[1].Variables[0].ToArray<float>();
        var history = model.Fit(Awkward(), y, batchSize: 2, epochs: 3, shuffle: false, verbose: 0);
        Assert.Equal(2.5, history["loss"][0], 5);
        Assert.All(history["loss"], l => Assert.True(float.IsFinite(l)));
        Assert.Equal(kernel, model.Layers[1].Variables[0].ToArray<float>());
        // SGD: b <- b - 0.1 * 2 * mean(b - y), three times from 0: 0.3, 0.54, 0.732.
        Assert.Equal(0.732f, model.Layers[1].Variables[1].ToArray<float>()[0], 5);
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedDropoutNonFiniteTests() : DropoutNonFiniteTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuDropoutNonFiniteTests() : DropoutNonFiniteTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaDropoutNonFiniteTests() : DropoutNonFiniteTests("cuda");
