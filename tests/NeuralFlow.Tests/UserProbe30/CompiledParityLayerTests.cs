using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe30;

/// <summary>
/// Issue 17's "a test for each layer": each Keras layer family trains inside a small model (the layer, then a flatten and a
/// Dense head) with a replayed train step, and the Fit must give <c>runEagerly</c>'s history and weights bit for bit
/// without falling back to eager steps. Training-time behaviour is the point: batch statistics and moving averages,
/// dropout and noise masks drawn fresh at every replayed step, recurrent loops, attention, random image augmentation.
/// </summary>
public abstract class CompiledParityLayerTests(string backend) : BackendTest(backend)
{
    private const int Examples = 40;

    // Name -> input shape (without the batch) and the layers to put before the head.
    private static readonly Dictionary<string, (int[] Shape, Func<Layer[]> Layers)> Models = new()
    {
        ["conv1d_pool"] = ([12, 3], () => [new Layers.Conv1D(4, 3, padding: "same", activation: "relu"), new Layers.MaxPooling1D(2), new Layers.AveragePooling1D(2)]),
        ["conv2d_bn"] = ([6, 6, 2], () => [new Layers.Conv2D(4, 3, padding: "same"), new Layers.BatchNormalization(), new Layers.ReLU(), new Layers.MaxPooling2D()]),
        ["separable_depthwise"] = ([6, 6, 2], () => [new Layers.SeparableConv2D(4, 3, depthMultiplier: 2), new Layers.DepthwiseConv2D(2, activation: "elu")]),
        ["conv_transpose_upsampling"] = ([4, 4, 2], () => [new Layers.Conv2DTranspose(3, 3, strides: 2), new Layers.UpSampling2D(), new Layers.Cropping2D(2), new Layers.ZeroPadding2D(1)]),
        ["conv3d"] = ([4, 4, 4, 1], () => [new Layers.Conv3D(2, 2), new Layers.GlobalAveragePooling3D()]),
        ["normalizations"] = ([8], () => [new Layers.Dense(6), new Layers.LayerNormalization(), new Layers.Reshape([2, 3]), new Layers.GroupNormalization(groups: 3),
                                         new Layers.Flatten(), new Layers.UnitNormalization(), new Layers.PReLU()]),
        ["dropouts_and_noise"] = ([8], () => [new Layers.Dense(6), new Layers.Dropout(0.3), new Layers.GaussianNoise(0.2), new Layers.GaussianDropout(0.2),
                                             new Layers.AlphaDropout(0.1), new Layers.ActivityRegularization(l1: 0.01, l2: 0.01)]),
        ["spatial_dropout"] = ([6, 6, 2], () => [new Layers.Conv2D(3, 3), new Layers.SpatialDropout2D(0.3), new Layers.GlobalMaxPooling2D()]),
        ["embedding_lstm"] = ([5], () => [new Layers.Embedding(7, 4), new Layers.LSTM(5, returnSequences: true), new Layers.GRU(3)]),
        ["bidirectional_simple_rnn"] = ([5, 3], () => [new Layers.Masking(0.0), new Layers.Bidirectional(new Layers.SimpleRNN(4, dropout: 0.2, recurrentDropout: 0.2))]),
        ["attention"] = ([4, 6], () => [new Layers.MultiHeadAttention(2, 3), new Layers.LayerNormalization()]),
        ["time_distributed"] = ([3, 4], () => [new Layers.TimeDistributed(new Layers.Dense(5, activation: "gelu")), new Layers.Permute([2, 1]), new Layers.GlobalAveragePooling1D()]),
        ["repeat_einsum"] = ([4], () => [new Layers.RepeatVector(3), new Layers.EinsumDense("abc,cd->abd", [3, 5], biasAxes: "d"), new Layers.Softmax()]),
        ["augmentation"] = ([8, 8, 3], () => [new Layers.RandomFlip(), new Layers.RandomRotation(0.1), new Layers.RandomZoom(0.1), new Layers.RandomContrast(0.2),
                                             new Layers.RandomTranslation(0.1, 0.1), new Layers.Rescaling(1 / 255.0), new Layers.Conv2D(2, 3)]),
    };

    public static TheoryData<string> Cases() => new(Models.Keys);

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Each_layer_family_trains_replayed_as_run_eagerly(string name)
    {
        RequireBackend();
        var (shape, layers) = Models[name];
        NF.Random.SetSeed(61);
        var x = name switch
        {
            "embedding_lstm" => NF.Random.Uniform([Examples, .. shape], minval: 0, maxval: 7, dtype: DType.Int32),
            "augmentation" => NF.Random.Uniform([Examples, .. shape], minval: 0, maxval: 255),
            _ => NF.Random.Normal([Examples, .. shape]),
        };
        var y = NF.Random.Uniform([Examples], minval: 0, maxval: 3, dtype: DType.Int32);
        CompiledTwins.AssertSame(name, () =>
            {
                var input = Layers.Input(shape, dtype: name == "embedding_lstm" ? DType.Int32 : DType.Float32);
                var h = input;
                foreach (var layer in layers())
                    h = layer is Layers.MultiHeadAttention attention ? attention.Call(new[] { h, h }) : layer.Call(h);
                return new Model(input, new Layers.Dense(3).Call(new Layers.Flatten().Call(h)));
            },
            (model, eager) => model.Compile(new Optimizers.Adam(0.01), new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"], runEagerly: eager),
            x, y, epochs: 3);
    }

    public static TheoryData<string> MixedCases() => new() { "conv2d_bn", "normalizations", "embedding_lstm", "attention", "dropouts_and_noise" };

    [SkippableTheory]
    [MemberData(nameof(MixedCases))]
    public void Mixed_float16_models_with_their_loss_scale_train_replayed_as_run_eagerly(string name)
    {
        RequireBackend();
        using var policy = NeuralFlow.Tests.MixedPrecision.MixedPolicy.Begin();
        Each_layer_family_trains_replayed_as_run_eagerly(name);
    }
}

/// <summary>Compiled-step parity over the layers on the managed backend.</summary>
public sealed class ManagedCompiledParityLayerTests() : CompiledParityLayerTests("managed");

/// <summary>Compiled-step parity over the layers on the native CPU backend.</summary>
public sealed class NativeCpuCompiledParityLayerTests() : CompiledParityLayerTests("cpu");

/// <summary>Compiled-step parity over the layers on CUDA.</summary>
public sealed class CudaCompiledParityLayerTests() : CompiledParityLayerTests("cuda");
