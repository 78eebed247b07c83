using NeuralFlow.Keras;
using NeuralFlow.Keras.Saving;

namespace NeuralFlow.Tests.UserProbe14;

/// <summary>
/// The masking guide's TemporalSplit: a user layer whose call returns two tensors (the halves of
/// the sequence) and whose compute_mask returns the halves of the mask. Before, a C# layer could
/// return only one tensor (Forward's Tensor), so the guide's layer could not be written.
/// </summary>
public abstract class SeveralOutputsLayerTests(string backend) : BackendTest(backend)
{
    private static readonly int[][] Raw = [[711, 632, 71], [73, 8, 3215, 55, 927], [83, 91, 1, 645, 1253, 927]];

    internal sealed class TemporalSplit(string? name = null) : Layer(name)
    {
        protected override IReadOnlyList<Tensor> ForwardOutputs(Tensor x) => NF.Split(x, 2, axis: 1);

        public override IReadOnlyList<Tensor?>? ComputeMasks(Tensor inputs, Tensor? mask) => mask is null ? null : NF.Split(mask, 2, axis: 1);

        public static void Register() => KerasSerialization.Register(nameof(TemporalSplit), c => new TemporalSplit((string?)c["name"]));
    }

    [SkippableFact]
    public void Each_half_carries_its_half_of_the_mask()
    {
        RequireBackend();
        var padded = Utils.PadSequences(Raw, padding: "post");
        var embedded = new Layers.Embedding(5000, 4, maskZero: true).Call(padded);
        var split = new TemporalSplit();
        var halves = split.CallOutputs(embedded);
        Assert.Equal(2, halves.Count);
        Assert.Equal(new Shape(3, 3, 4), halves[0].Shape);
        // The guide prints the halves' masks: the first three steps, then the last three, of each row.
        Assert.Equal(new[] { true, true, true, true, true, true, true, true, true }, Layer.MaskOf(halves[0])!.ToArray<bool>());
        Assert.Equal(new[] { false, false, false, true, true, false, true, true, true }, Layer.MaskOf(halves[1])!.ToArray<bool>());
        Assert.True(split.SupportsMasking);   // it overrides ComputeMasks, as Keras 3's default rule

        // One Tensor cannot hold two: the single-output call names the one to use.
        var refused = Assert.Throws<InvalidOperationException>(() => split.Call(embedded));
        Assert.Contains("CallOutputs", refused.Message);
        // A layer of one output answers CallOutputs with a list of one.
        Assert.Single(new Layers.Dense(2).CallOutputs(embedded));
    }

    [SkippableFact]
    public void A_functional_model_through_the_split_sees_the_masks_trains_and_round_trips()
    {
        RequireBackend();
        TemporalSplit.Register();
        NF.Random.SetSeed(5);
        var input = Layers.Input([6], dtype: DType.Int32);
        var embedding = new Layers.Embedding(5000, 4, maskZero: true);
        var halves = new TemporalSplit(name: "split").CallOutputs(embedding.Call(input));
        Assert.Equal(2, halves.Count);
        Assert.Equal(new int?[] { null, 3, 4 }, halves[1].Shape);
        var early = new Layers.LSTM(3);
        var late = new Layers.LSTM(3);
        var output = new Layers.Dense(1).Call(new Layers.Concatenate().Call([early.Call(halves[0]), late.Call(halves[1])]));
        var model = new Model(input, output);

        var padded = Utils.PadSequences(Raw, padding: "post");
        // The late LSTM reads the second half's mask: the first row is padding there, so its state stays at zeros.
        var lateOut = late.Call(new TemporalSplit().CallOutputs(embedding.Call(padded))[1]).ToArray<float>();
        Assert.Equal(new[] { 0f, 0f, 0f }, lateOut[..3]);
        Assert.NotEqual(new[] { 0f, 0f, 0f }, lateOut[3..6]);

        model.Compile("adam", "mse");
        var target = NF.Constant(new[,] { { 1f }, { -1f }, { 0.5f } });
        var history = model.Fit(padded, target, epochs: 3, batchSize: 3, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0]);

        string path = Path.Combine(Path.GetTempPath(), $"nf-temporal-split-{BackendName}-{Guid.NewGuid():N}.keras");
        try
        {
            model.Save(path);
            var loaded = Model.Load(path);
            Assert.Equal(model.Predict(padded).ToArray<float>(), loaded.Predict(padded).ToArray<float>());
        }
        finally { File.Delete(path); }
    }
}

/// <summary>A layer of several outputs on the managed backend.</summary>
public sealed class ManagedSeveralOutputsLayerTests() : SeveralOutputsLayerTests("managed");

/// <summary>A layer of several outputs on the native CPU backend.</summary>
public sealed class NativeCpuSeveralOutputsLayerTests() : SeveralOutputsLayerTests("cpu");

/// <summary>A layer of several outputs on CUDA.</summary>
public sealed class CudaSeveralOutputsLayerTests() : SeveralOutputsLayerTests("cuda");
