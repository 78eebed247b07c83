using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe23;

/// <summary>
/// Keras 3's rule for a dropout rate (<c>if not 0 &lt;= rate &lt;= 1: raise ValueError</c>, Dropout,
/// AlphaDropout and GaussianDropout alike): a rate of 1 is taken; in training Dropout (and the spatial
/// dropouts, and keras.random.dropout) return zeros, as every Keras backend's <c>dropout</c> does for
/// rate == 1.0 (no 0 / 0); GaussianDropout and AlphaDropout, whose noise is infinite at rate 1, are the
/// identity at inference and fail in training (Keras divides by zero there). Before, every rate of 1 was
/// refused at construction.
/// </summary>
public abstract class DropoutRateOneTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Dropout_of_rate_one_drops_everything_in_training_and_passes_through_at_inference()
    {
        RequireBackend();
        var x = NF.Constant(new[,] { { 1f, -2f, 3f }, { 4f, 5f, -6f } });
        var zeros = new float[6];
        var dropout = new Layers.Dropout(1.0);
        Assert.Equal(1.0, dropout.Rate);
        Assert.Equal(zeros, dropout.Call(x, training: true).ToArray<float>());
        Assert.Equal(x.ToArray<float>(), dropout.Call(x, training: false).ToArray<float>());
        Assert.Equal(1.0, (double)dropout.GetConfig()["rate"]!);

        // The spatial dropouts share Dropout's rule.
        var sequence = NF.Ones([2, 4, 3]);
        Assert.Equal(new float[24], new Layers.SpatialDropout1D(1.0).Call(sequence, training: true).ToArray<float>());
        Assert.Equal(new float[32], new Layers.SpatialDropout2D(1.0).Call(NF.Ones([2, 2, 2, 4]), training: true).ToArray<float>());

        // keras.random.dropout(x, rate=1.0): zeros, and a zero gradient rather than a NaN one.
        var v = new Variable(x);
        using var tape = new GradientTape();
        var y = NF.Random.Dropout(v, 1.0);
        Assert.Equal(zeros, y.ToArray<float>());
        Assert.Equal(zeros, tape.Gradient(NF.ReduceSum(y), v).ToArray<float>());
    }

    [SkippableFact]
    public void A_model_with_a_dropout_of_rate_one_trains_on_its_bias_alone()
    {
        RequireBackend();
        NF.Random.SetSeed(2);
        // Dense(3) -> Dropout(1.0) -> Dense(1): in training the last layer sees zeros, so its output is its
        // bias (0 at the start) and the first step's loss is mean(y^2) = (1 + 4 + 9 + 16) / 4 = 7.5 by hand;
        // the first Dense gets a zero gradient, so SGD leaves its kernel as it was.
        var model = new Sequential(Layers.Input([2]), new Layers.Dense(3), new Layers.Dropout(1.0), new Layers.Dense(1));
        model.Compile(new Keras.Optimizers.SGD(0.1f), "mse");
        var x = NF.Constant(new[,] { { 1f, 2f }, { 3f, 4f }, { 5f, 6f }, { 7f, 8f } });
        var y = NF.Constant(new[,] { { 1f }, { 2f }, { 3f }, { 4f } });
        var kernel = model.Layers[0].Variables[0].ToArray<float>();
        var history = model.Fit(x, y, batchSize: 4, epochs: 1, shuffle: false, verbose: 0);
        Assert.Equal(7.5, history["loss"][0], 5);
        Assert.Equal(kernel, model.Layers[0].Variables[0].ToArray<float>());
        // SGD moved the last bias by -0.1 * d(loss)/db = -0.1 * 2 * mean(b - y) = 0.5.
        Assert.Equal(0.5f, model.Layers[2].Variables[1].ToArray<float>()[0], 5);
    }

    [SkippableFact]
    public void Gaussian_and_alpha_dropout_take_rate_one_but_refuse_to_train_with_it()
    {
        RequireBackend();
        var x = NF.Constant(new[] { 1f, -2f, 3f });
        foreach (Layer layer in new Layer[] { new Layers.GaussianDropout(1.0), new Layers.AlphaDropout(1.0) })
        {
            Assert.Equal(x.ToArray<float>(), layer.Call(x, training: false).ToArray<float>());
            var ex = Assert.Throws<InvalidOperationException>(() => layer.Call(x, training: true));
            Assert.Contains("rate=1", ex.Message);
            Assert.Contains(layer.Name, ex.Message);
        }
    }

    [SkippableFact]
    public void A_rate_outside_zero_to_one_is_refused_everywhere_in_keras_words()
    {
        RequireBackend();
        var x = NF.Ones([2, 3]);
        foreach (var rate in new[] { 1.5, -0.1, double.NaN })
        {
            foreach (var make in new Func<object>[]
                     {
                         () => new Layers.Dropout(rate), () => new Layers.SpatialDropout1D(rate), () => new Layers.AlphaDropout(rate),
                         () => new Layers.GaussianDropout(rate), () => NF.Random.Dropout(x, rate),
                     })
            {
                var ex = Assert.Throws<ArgumentOutOfRangeException>(make);
                Assert.Equal("rate", ex.ParamName);
                Assert.Contains("Expected a float value between 0 and 1", ex.Message);
                Assert.Contains($"Received: rate={rate}", ex.Message);
            }
        }
    }
}

/// <summary>Dropout rates of 1 on the managed backend.</summary>
public sealed class ManagedDropoutRateOneTests() : DropoutRateOneTests("managed");

/// <summary>Dropout rates of 1 on the native CPU backend.</summary>
public sealed class NativeCpuDropoutRateOneTests() : DropoutRateOneTests("cpu");

/// <summary>Dropout rates of 1 on CUDA.</summary>
public sealed class CudaDropoutRateOneTests() : DropoutRateOneTests("cuda");
