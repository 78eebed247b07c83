using NeuralFlow.Keras;

namespace NeuralFlow.Tests.KerasLoose;

/// <summary>
/// ConvLSTM layers made the int way inside Keras' wrappers: TimeDistributed(ConvLSTM1D) runs the
/// layer on each outer step (equal to calling it on each slice), Bidirectional(ConvLSTM2D) copies the
/// int-form layer for its backward half, and both fit, save and load.
/// </summary>
public abstract class ConvLstmWrapperTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void TimeDistributed_runs_a_convlstm_on_each_outer_step()
    {
        RequireBackend();
        NF.Random.SetSeed(13);
        using var x = NF.Random.Uniform([2, 3, 4, 6, 2], -1, 1); // [batch, clips, frames, steps, channels]
        var inner = new Layers.ConvLSTM1D(3, 3, padding: "same");
        var wrapped = new Layers.TimeDistributed(inner);
        var y = wrapped.Call(x);
        Assert.Equal(new Shape(2, 3, 6, 3), y.Shape);
        for (int clip = 0; clip < 3; clip++)
        {
            var slice = NF.Reshape(NF.Slice(x, [0, clip, 0, 0, 0], [2, 1, 4, 6, 2]), [2, 4, 6, 2]);
            Reference.AssertClose(inner.Call(slice).ToArray<float>().Select(v => (double)v).ToArray(),
                NF.Reshape(NF.Slice(y, [0, clip, 0, 0], [2, 1, 6, 3]), [2, 6, 3]).ToArray<float>().Select(v => (double)v).ToArray(), 1e-5, 1e-6, $"clip {clip}");
        }
    }

    [SkippableFact]
    public void Wrapped_int_form_convlstms_fit_save_and_load()
    {
        RequireBackend();
        NF.Random.SetSeed(14);
        var input = Layers.Input([3, 4, 6, 1]);
        var perClip = new Layers.TimeDistributed(new Layers.ConvLSTM1D(2, 3, padding: "same"), name: "per_clip").Call(input); // [B, 3, 6, 2]
        var both = new Layers.Bidirectional(new Layers.ConvLSTM1D(2, 3, strides: 2), name: "both").Call(perClip);           // [B, 2, 4]
        var output = new Layers.Dense(1).Call(new Layers.Flatten().Call(both));
        var model = new Model(input, output);
        model.Compile(new Optimizers.Adam(0.02f), "mse");
        using var x = NF.Random.Uniform([8, 3, 4, 6, 1], -1, 1);
        using var y = NF.ReduceMean(NF.Reshape(x, [8, 72]), 1, keepDims: true);
        var losses = model.Fit(x, y, batchSize: 4, epochs: 12, verbose: 0)["loss"];
        Assert.True(losses[^1] < 0.7 * losses[0], $"loss {losses[0]} -> {losses[^1]}");
        var loaded = Model.Load(SaveTo(model, "wrapped_convlstm.keras"));
        Assert.Equal(model.Predict(x).ToArray<float>(), loaded.Predict(x).ToArray<float>());
    }
}

public sealed class ManagedConvLstmWrapperTests() : ConvLstmWrapperTests("managed");

public sealed class NativeCpuConvLstmWrapperTests() : ConvLstmWrapperTests("cpu");

public sealed class CudaConvLstmWrapperTests() : ConvLstmWrapperTests("cuda");
