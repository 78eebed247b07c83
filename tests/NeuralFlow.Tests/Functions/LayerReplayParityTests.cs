using NeuralFlow.Keras;

namespace NeuralFlow.Tests;

/// <summary>
/// Every layer in Keras/Layers, trained in a custom step (training mode, tape, Adam) replayed by
/// NF.Function, ends with the eager twin's losses and variables bit for bit (moving statistics
/// and dropout masks included). Merge layers run in a functional model of two branches.
/// A layer added to the library belongs in this table (the last test checks that it is).
/// </summary>
public abstract class LayerReplayParityTests(string backend) : BackendTest(backend)
{
    private const int Classes = 3;

    // The layer under test between an input of the given kind and a Dense head.
    private static readonly Dictionary<string, (string Input, Func<Layer[]> Layers)> Table = new()
    {
        ["Activation"] = ("vector", () => [new Layers.Dense(6), new Layers.Activation("tanh")]),
        ["AveragePooling1D"] = ("sequence", () => [new Layers.Conv1D(3, 2, padding: "same"), new Layers.AveragePooling1D(3, strides: 2, padding: "same"), new Layers.Flatten()]),
        ["AveragePooling2D"] = ("image", () => [new Layers.Conv2D(3, 3, padding: "same"), new Layers.AveragePooling2D(), new Layers.Flatten()]),
        ["BatchNormalization"] = ("vector", () => [new Layers.Dense(6), new Layers.BatchNormalization(momentum: 0.9)]),
        ["BatchNormalization2D"] = ("image", () => [new Layers.Conv2D(3, 3), new Layers.BatchNormalization(), new Layers.Flatten()]),
        ["Conv1D"] = ("sequence", () => [new Layers.Conv1D(4, 3, padding: "causal", dilationRate: 2, activation: "relu", groups: 2), new Layers.Flatten()]),
        ["Conv1DTranspose"] = ("sequence", () => [new Layers.Conv1DTranspose(3, 3, strides: 2, padding: "same", outputPadding: 1, activation: "relu"), new Layers.Flatten()]),
        ["Conv2D"] = ("image", () => [new Layers.Conv2D(4, 3, strides: 2, padding: "same", activation: "relu"), new Layers.Flatten()]),
        ["Conv2DTranspose"] = ("image", () => [new Layers.Conv2DTranspose(2, 3, strides: 2, padding: "same"), new Layers.Flatten()]),
        ["Cropping2D"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.Cropping2D(1), new Layers.Flatten()]),
        ["Cropping1D"] = ("sequence", () => [new Layers.Conv1D(2, 1), new Layers.Cropping1D((2, 1)), new Layers.Flatten()]),
        ["Cropping3D"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.Reshape([6, 6, 2, 1]), new Layers.Cropping3D(((1, 0), (0, 2), (0, 1))), new Layers.Flatten()]),
        ["Dense"] = ("vector", () => [new Layers.Dense(6, activation: "relu")]),
        ["DepthwiseConv2D"] = ("image", () => [new Layers.DepthwiseConv2D(3, depthMultiplier: 2), new Layers.Flatten()]),
        ["Dropout"] = ("vector", () => [new Layers.Dense(16, activation: "relu"), new Layers.Dropout(0.4)]),
        ["DropoutNoiseShape"] = ("sequence", () => [new Layers.Conv1D(4, 2), new Layers.Dropout(0.4, noiseShape: [null, 1, null], seed: 3), new Layers.Flatten()]),
        ["SpatialDropout1D"] = ("sequence", () => [new Layers.Conv1D(4, 2), new Layers.SpatialDropout1D(0.3), new Layers.Flatten()]),
        ["SpatialDropout2D"] = ("image", () => [new Layers.Conv2D(4, 3), new Layers.SpatialDropout2D(0.3, seed: 5), new Layers.Flatten()]),
        ["SpatialDropout3D"] = ("image", () => [new Layers.Conv2D(4, 3), new Layers.Reshape([4, 2, 2, 4]), new Layers.SpatialDropout3D(0.3, seed: 6), new Layers.Flatten()]),
        ["AlphaDropout"] = ("vector", () => [new Layers.Dense(8, activation: "selu"), new Layers.AlphaDropout(0.2, seed: 8)]),
        ["Identity"] = ("vector", () => [new Layers.Dense(6), new Layers.Identity()]),
        ["ELU"] = ("vector", () => [new Layers.Dense(6), new Layers.ELU()]),
        ["Embedding"] = ("tokens", () => [new Layers.Embedding(10, 4), new Layers.Flatten()]),
        ["ReversibleEmbedding"] = ("tokens", () => [new Layers.ReversibleEmbedding(10, 4, tieWeights: false), new Layers.Flatten()]),
        ["Flatten"] = ("image", () => [new Layers.Flatten()]),
        ["GaussianDropout"] = ("vector", () => [new Layers.Dense(6), new Layers.GaussianDropout(0.3, seed: 7)]),  // its own generator
        ["GaussianNoise"] = ("vector", () => [new Layers.Dense(6), new Layers.GaussianNoise(0.3)]),                 // NF.Random's
        ["GlobalAveragePooling1D"] = ("sequence", () => [new Layers.Conv1D(4, 2, strides: 2), new Layers.GlobalAveragePooling1D()]),
        ["GlobalAveragePooling2D"] = ("image", () => [new Layers.Conv2D(4, 3), new Layers.GlobalAveragePooling2D()]),
        ["GlobalMaxPooling1D"] = ("sequence", () => [new Layers.Permute([2, 1]), new Layers.Conv1D(4, 3, dataFormat: "channels_first"), new Layers.GlobalMaxPooling1D(dataFormat: "channels_first")]),
        ["GlobalMaxPooling2D"] = ("image", () => [new Layers.Conv2D(4, 3), new Layers.GlobalMaxPooling2D()]),
        ["Lambda"] = ("vector", () => [new Layers.Dense(6), new Layers.Lambda(x => NF.Square(x) * 0.5f + NF.Sin(x))]),
        ["InputLayer"] = ("vector", () => [new Layers.InputLayer([5]), new Layers.Dense(4)]),
        ["GroupNormalization"] = ("image", () => [new Layers.Conv2D(4, 3), new Layers.GroupNormalization(groups: 2), new Layers.Flatten()]),
        ["LayerNormalization"] = ("vector", () => [new Layers.Dense(6), new Layers.LayerNormalization()]),
        ["LeakyReLU"] = ("vector", () => [new Layers.Dense(6), new Layers.LeakyReLU()]),
        ["MaxPooling1D"] = ("sequence", () => [new Layers.Conv1D(3, 3, padding: "same"), new Layers.MaxPooling1D(), new Layers.Flatten()]),
        ["MaxPooling2D"] = ("image", () => [new Layers.Conv2D(3, 3, padding: "same"), new Layers.MaxPooling2D(), new Layers.Flatten()]),
        ["Normalization"] = ("vector", () => [new Layers.Normalization(mean: [0.5], variance: [4.0]), new Layers.Dense(6)]),
        ["Permute"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.Permute([3, 1, 2]), new Layers.Flatten()]),
        ["PReLU"] = ("vector", () => [new Layers.Dense(6), new Layers.PReLU()]),
        ["ReLU"] = ("vector", () => [new Layers.Dense(6), new Layers.ReLU(maxValue: 0.5, negativeSlope: 0.1)]),
        ["RepeatVector"] = ("vector", () => [new Layers.Dense(4), new Layers.RepeatVector(3), new Layers.Flatten()]),
        ["Rescaling"] = ("image", () => [new Layers.Rescaling(1 / 255.0, offset: -0.5), new Layers.Conv2D(2, 3), new Layers.Flatten()]),
        ["Reshape"] = ("image", () => [new Layers.Reshape([12, 6]), new Layers.Dense(2), new Layers.Flatten()]),
        ["Softmax"] = ("vector", () => [new Layers.Dense(6), new Layers.Softmax()]),
        ["UpSampling1D"] = ("sequence", () => [new Layers.Conv1D(2, 3), new Layers.UpSampling1D(3), new Layers.Flatten()]),
        ["UpSampling2D"] = ("image", () => [new Layers.Conv2D(2, 3), new Layers.UpSampling2D(), new Layers.Flatten()]),
        ["UpSampling3D"] = ("image", () => [new Layers.Conv2D(2, 3), new Layers.Reshape([4, 4, 2, 1]), new Layers.UpSampling3D([1, 2, 2]), new Layers.Flatten()]),
        ["ZeroPadding1D"] = ("sequence", () => [new Layers.Conv1D(2, 3), new Layers.ZeroPadding1D((1, 2)), new Layers.Flatten()]),
        ["ZeroPadding2D"] = ("image", () => [new Layers.Conv2D(2, 3), new Layers.ZeroPadding2D(1), new Layers.Flatten()]),
        ["ZeroPadding3D"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.Reshape([6, 6, 2, 1]), new Layers.ZeroPadding3D(((1, 0), (0, 1), (1, 1))), new Layers.Flatten()]),
        // Image preprocessing and augmentation: fresh draws each replayed step, gradients through the transforms.
        ["Resizing"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.Resizing(4, 5, "bicubic"), new Layers.Flatten()]),
        ["CenterCrop"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.CenterCrop(4, 3), new Layers.Flatten()]),
        ["RandomCrop"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.RandomCrop(4, 5, seed: 2), new Layers.Flatten()]),
        ["RandomFlip"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.RandomFlip(), new Layers.Flatten()]),
        ["RandomRotation"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.RandomRotation(0.2, seed: 3), new Layers.Flatten()]),
        ["RandomZoom"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.RandomZoom(0.3, 0.2, fillMode: "wrap"), new Layers.Flatten()]),
        ["RandomTranslation"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.RandomTranslation(0.2, 0.2, fillMode: "constant", interpolation: "nearest", seed: 4), new Layers.Flatten()]),
        ["RandomContrast"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.RandomContrast(0.4, valueRange: (-3, 3)), new Layers.Flatten()]),
        ["RandomBrightness"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.RandomBrightness(0.2, valueRange: (-3, 3), seed: 6), new Layers.Flatten()]),
        ["Solarization"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.Solarization((0.1, 0.3), (0.2, 0.6), valueRange: (-3, 3), seed: 7), new Layers.Flatten()]),
        // The colour layers read three channels in (0, 1); AutoContrast is not random but applies in training too.
        ["RandomGrayscale"] = ("image", () => [new Layers.Conv2D(3, 1), new Layers.RandomGrayscale(0.5, seed: 8), new Layers.Flatten()]),
        ["RandomHue"] = ("image", () => [new Layers.Conv2D(3, 1, activation: "sigmoid"), new Layers.RandomHue(0.4, valueRange: (0, 1), seed: 9), new Layers.Flatten()]),
        ["RandomSaturation"] = ("image", () => [new Layers.Conv2D(3, 1, activation: "sigmoid"), new Layers.RandomSaturation((0.2, 0.8), valueRange: (0, 1)), new Layers.Flatten()]),
        ["RandomSharpness"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.RandomSharpness(0.5, valueRange: (-3, 3), seed: 10), new Layers.Flatten()]),
        ["RandomColorJitter"] = ("image", () => [new Layers.Conv2D(3, 1, activation: "sigmoid"),
            new Layers.RandomColorJitter((0, 1), (-0.1, 0.1), (0.2, 0.2), (0.3, 0.7), (0, 0.2), seed: 11), new Layers.Flatten()]),
        ["AutoContrast"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.AutoContrast((-1, 1)), new Layers.Flatten()]),
        ["RandomErasing"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.RandomErasing(0.8, (0.1, 0.5), valueRange: (-3, 3), seed: 12), new Layers.Flatten()]),
        ["RandomInvert"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.RandomInvert((0.3, 0.8), valueRange: (-3, 3), seed: 13), new Layers.Flatten()]),
        ["RandomPosterization"] = ("image", () => [new Layers.Conv2D(2, 1, activation: "sigmoid"), new Layers.RandomPosterization((2, 6), (0, 1), seed: 14), new Layers.Flatten()]),
        ["RandomShear"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.RandomShear((0.1, 0.3), (0, 0.2), fillMode: "constant", seed: 15), new Layers.Flatten()]),
        // Keras 3's later augmentation layers: Beta and Dirichlet draws, per-image kernels, histograms, chosen operations.
        ["MixUp"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.MixUp(0.4, seed: 16), new Layers.Flatten()]),
        ["CutMix"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.CutMix(seed: 17), new Layers.Flatten()]),
        ["RandomGaussianBlur"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.RandomGaussianBlur(0.8, 3, 1.0, valueRange: (-3, 3), seed: 18), new Layers.Flatten()]),
        ["RandomPerspective"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.RandomPerspective(0.8, 0.5, seed: 19), new Layers.Flatten()]),
        ["Equalization"] = ("image", () => [new Layers.Conv2D(2, 1, activation: "sigmoid"), new Layers.Equalization((0, 1)), new Layers.Flatten()]),
        ["RandomColorDegeneration"] = ("image", () => [new Layers.Conv2D(3, 1), new Layers.RandomColorDegeneration(0.7, (-3, 3), seed: 20), new Layers.Flatten()]),
        ["RandomElasticTransform"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.RandomElasticTransform(0.8, 1.0, valueRange: (-3, 3), seed: 21), new Layers.Flatten()]),
        ["RandAugment"] = ("image", () => [new Layers.Conv2D(3, 1, activation: "sigmoid"), new Layers.RandAugment((0, 1), 2, 0.5, seed: 22), new Layers.Flatten()]),
        ["AugMix"] = ("image", () => [new Layers.Conv2D(3, 1, activation: "sigmoid"), new Layers.AugMix((0, 1), 2, 2, 0.3, seed: 23), new Layers.Flatten()]),
        ["Pipeline"] = ("image", () => [new Layers.Conv2D(2, 1), new Layers.Pipeline([new Layers.RandomFlip(seed: 24), new Layers.MixUp(seed: 25)]), new Layers.Flatten()]),
        // The recurrent layers: per-sequence dropout masks drawn in the step, both directions, both GRU forms.
        ["SimpleRNN"] = ("sequence", () => [new Layers.SimpleRNN(4, returnSequences: true, dropout: 0.2), new Layers.Flatten()]),
        ["LSTM"] = ("sequence", () => [new Layers.LSTM(4, recurrentDropout: 0.2)]),
        ["GRU"] = ("sequence", () => [new Layers.GRU(4, returnSequences: true, goBackwards: true, resetAfter: false), new Layers.GRU(3)]),
        ["Bidirectional"] = ("sequence", () => [new Layers.Bidirectional(new Layers.LSTM(3, returnSequences: true)), new Layers.Flatten()]),
        // The cells and the generic RNN: per-sequence cell dropout, a stack, a stateful layer whose states the replayed steps carry.
        ["SimpleRNNCell"] = ("sequence", () => [new Layers.RNN(new Layers.SimpleRNNCell(4, dropout: 0.2), returnSequences: true), new Layers.Flatten()]),
        ["LSTMCell"] = ("sequence", () => [new Layers.RNN(new Layers.LSTMCell(4, recurrentDropout: 0.2), goBackwards: true)]),
        ["GRUCell"] = ("sequence", () => [new Layers.RNN(new Layers.GRUCell(3, resetAfter: false, dropout: 0.1))]),
        ["StackedRNNCells"] = ("sequence", () => [new Layers.RNN([new Layers.LSTMCell(3, dropout: 0.2), new Layers.GRUCell(3, recurrentDropout: 0.2)])]),
        ["RNN"] = ("sequence", () => [new Layers.LSTM(3, stateful: true, returnSequences: true), new Layers.RNN(new Layers.SimpleRNNCell(3), stateful: true)]),
        // The convolutional LSTMs: sequences of maps made by a Reshape (time 2), dropout masks per sequence, both formats, backwards.
        ["ConvLSTM1D"] = ("sequence", () => [new Layers.Reshape([2, 4, 2]), new Layers.ConvLSTM1D(3, 2, padding: "same", dropout: 0.2, returnSequences: true), new Layers.Flatten()]),
        ["ConvLSTM2D"] = ("image", () => [new Layers.Reshape([2, 3, 6, 2]), new Layers.ConvLSTM2D(3, [2], recurrentDropout: 0.2, seed: 4), new Layers.Flatten()]),
        ["ConvLSTM3D"] = ("image", () => [new Layers.Reshape([2, 3, 3, 2, 2]), new Layers.ConvLSTM3D(2, [2], padding: "same", dataFormat: "channels_first", goBackwards: true), new Layers.Flatten()]),
        ["ConvLSTMCell"] = ("sequence", () => [new Layers.Reshape([2, 4, 2]), new Layers.RNN(new Layers.ConvLSTMCell(1, 3, [3], padding: "same", dropout: 0.2), stateful: true), new Layers.Flatten()]),
        ["TimeDistributed"] = ("sequence", () => [new Layers.TimeDistributed(new Layers.Dense(3, activation: "relu")), new Layers.Flatten()]),
        ["UnitNormalization"] = ("vector", () => [new Layers.Dense(6), new Layers.UnitNormalization()]),
        ["ActivityRegularization"] = ("vector", () => [new Layers.Dense(6), new Layers.ActivityRegularization(l1: 0.01, l2: 0.01)]),
        ["SeparableConv2D"] = ("image", () => [new Layers.SeparableConv2D(3, 3, padding: "same", depthMultiplier: 2, activation: "relu"), new Layers.Flatten()]),
        // The volume layers on [4, 4, 5, 4, 2] clips (odd sizes, so "same" pads unevenly).
        ["Conv3D"] = ("volume", () => [new Layers.Conv3D(4, [2, 3, 2], [1, 2, 1], padding: "same", dilationRate: [2, 1, 1], activation: "relu", groups: 2), new Layers.Flatten()]),
        ["Conv3DTranspose"] = ("volume", () => [new Layers.Conv3DTranspose(3, 3, strides: 2, padding: "same", outputPadding: 1, activation: "relu"), new Layers.Flatten()]),
        ["MaxPooling3D"] = ("volume", () => [new Layers.Conv3D(3, 1), new Layers.MaxPooling3D([2, 2, 2], padding: "same"), new Layers.Flatten()]),
        ["AveragePooling3D"] = ("volume", () => [new Layers.Conv3D(3, 1), new Layers.AveragePooling3D(3, strides: 2, padding: "same"), new Layers.Flatten()]),
        ["GlobalAveragePooling3D"] = ("volume", () => [new Layers.Conv3D(4, 2), new Layers.GlobalAveragePooling3D()]),
        ["GlobalMaxPooling3D"] = ("volume", () => [new Layers.Permute([4, 1, 2, 3]), new Layers.Conv3D(4, 2, dataFormat: "channels_first"), new Layers.GlobalMaxPooling3D(dataFormat: "channels_first")]),
        ["SeparableConv1D"] = ("sequence", () => [new Layers.SeparableConv1D(3, 3, strides: 2, dilationRate: 1, depthMultiplier: 2), new Layers.Flatten()]),
        ["AdaptiveAveragePooling1D"] = ("sequence", () => [new Layers.Conv1D(3, 2), new Layers.AdaptiveAveragePooling1D(3), new Layers.Flatten()]),
        ["AdaptiveMaxPooling1D"] = ("sequence", () => [new Layers.Conv1D(3, 2), new Layers.AdaptiveMaxPooling1D(4), new Layers.Flatten()]),
        ["AdaptiveAveragePooling2D"] = ("image", () => [new Layers.Conv2D(3, 3), new Layers.AdaptiveAveragePooling2D([3, 2]), new Layers.Flatten()]),
        ["AdaptiveMaxPooling2D"] = ("image", () => [new Layers.Conv2D(3, 3), new Layers.AdaptiveMaxPooling2D(3), new Layers.Flatten()]),
        ["AdaptiveAveragePooling3D"] = ("volume", () => [new Layers.Conv3D(3, 1), new Layers.AdaptiveAveragePooling3D(2), new Layers.Flatten()]),
        ["AdaptiveMaxPooling3D"] = ("volume", () => [new Layers.Conv3D(3, 1), new Layers.AdaptiveMaxPooling3D([2, 3, 1]), new Layers.Flatten()]),
        ["DepthwiseConv1D"] = ("sequence", () => [new Layers.DepthwiseConv1D(3, strides: 2, padding: "same", depthMultiplier: 2, activation: "relu"), new Layers.Flatten()]),
        // Breadth5: einsum projections, category preprocessing (integer outputs feed an Embedding), RMS and spectral normalization.
        ["EinsumDense"] = ("sequence", () => [new Layers.EinsumDense("abc,cde->abde", [null, 2, 3], activation: "relu", biasAxes: "de"), new Layers.Flatten()]),
        ["CategoryEncoding"] = ("tokens", () => [new Layers.CategoryEncoding(10, "count")]),
        ["Discretization"] = ("vector", () => [new Layers.Discretization([-0.5, 0.0, 0.5], outputMode: "one_hot"), new Layers.Flatten()]),
        ["IntegerLookup"] = ("tokens", () => [new Layers.IntegerLookup([1, 3, 5, 7, 9], numOovIndices: 2, maskToken: 0), new Layers.Embedding(8, 3), new Layers.Flatten()]),
        ["RMSNormalization"] = ("vector", () => [new Layers.Dense(6), new Layers.RMSNormalization()]),
        ["SpectralNormalization"] = ("vector", () => [new Layers.SpectralNormalization(new Layers.Dense(6, activation: "tanh"), powerIterations: 2)]),
        // Self-attention on one input (a Sequential model); the two-input calls are in Pairs.
        ["MultiHeadAttentionSelf"] = ("sequence", () => [new Layers.MultiHeadAttention(2, 3, dropout: 0.2), new Layers.Flatten()]),
        // Masks: ReLU zeroes whole steps now and then, which Masking marks and the GRU skips; token 0 is padding.
        ["MelSpectrogram"] = ("vector", () => [new Layers.Dense(16), new Layers.MelSpectrogram(fftLength: 8, sequenceStride: 4, samplingRate: 800, numMelBins: 3), new Layers.Flatten()]),
        ["STFTSpectrogram"] = ("sequence", () => [new Layers.STFTSpectrogram(frameLength: 4, frameStep: 2, fftLength: 6, window: "hamming"), new Layers.Flatten()]),
        ["Masking"] = ("sequence", () => [new Layers.ReLU(), new Layers.Masking(), new Layers.GRU(3, returnSequences: true), new Layers.GlobalAveragePooling1D()]),
        ["EmbeddingMaskZero"] = ("tokens", () => [new Layers.Embedding(10, 4, maskZero: true), new Layers.Bidirectional(new Layers.LSTM(3))]),
    };

    // Layers that work on the host, which no replay can repeat (their steps run eagerly by design):
    // the string layers take host strings (no tensor holds one) and run in the input pipeline;
    // Hashing reads integer tensors to hash their decimal strings, HashedCrossing to cross them. TextPreprocessing's and KerasLoose's tests train with them.
    private static readonly Dictionary<string, string> HostPreprocessing = new()
    {
        ["StringLookup"] = "host strings",
        ["TextVectorization"] = "host strings",
        ["Hashing"] = "hashes on the host",
        ["HashedCrossing"] = "crosses host strings and integers",
    };

    // Merge layers take two branches of one input: Dense(4) and Dense(4, tanh).
    private static readonly Dictionary<string, Func<Layer>> Merges = new()
    {
        ["Add"] = () => new Layers.Add(),
        ["Subtract"] = () => new Layers.Subtract(),
        ["Multiply"] = () => new Layers.Multiply(),
        ["Average"] = () => new Layers.Average(),
        ["Maximum"] = () => new Layers.Maximum(),
        ["Minimum"] = () => new Layers.Minimum(),
        ["Concatenate"] = () => new Layers.Concatenate(),
        ["Dot"] = () => new Layers.Dot(1),
    };

    // Layers of a query and a value (the attention layers), on two branches of a sequence: Dense(4) and Dense(4, tanh).
    private static readonly Dictionary<string, Func<Layer>> Pairs = new()
    {
        ["MultiHeadAttention"] = () => new Layers.MultiHeadAttention(2, 3, valueDim: 2, dropout: 0.3, seed: 4),
        ["GroupedQueryAttention"] = () => new Layers.GroupedQueryAttention(2, 4, 2, dropout: 0.3, slidingWindow: 3, useGate: true, seed: 4),
        ["Attention"] = () => new Layers.Attention(useScale: true, scoreMode: "concat", dropout: 0.2),
        ["AdditiveAttention"] = () => new Layers.AdditiveAttention(dropout: 0.2, seed: 2),
    };

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var name in Table.Keys.Concat(Merges.Keys).Concat(Pairs.Keys)) data.Add(name);
        return data;
    }

    private static Model Make(string name)
    {
        if (Merges.TryGetValue(name, out var merge))
        {
            var input = Layers.Input([5]);
            var a = new Layers.Dense(4).Call(input);
            var b = new Layers.Dense(4, activation: "tanh").Call(input);
            var merged = merge().Call([a, b]);
            return new Model(input, new Layers.Dense(Classes).Call(merged));
        }
        if (Pairs.TryGetValue(name, out var pair))
        {
            var input = Layers.Input([8, 2]);
            var query = new Layers.Dense(4).Call(input);
            var value = new Layers.Dense(4, activation: "tanh").Call(input);
            var attended = pair().Call([query, value]);
            return new Model(input, new Layers.Dense(Classes).Call(new Layers.Flatten().Call(attended)));
        }
        return new Sequential(Table[name].Layers().Append(new Layers.Dense(Classes)).ToArray());
    }

    private static (Tensor X, Tensor Y) Batch(string name, int step)
    {
        var kind = Table.TryGetValue(name, out var entry) ? entry.Input : Pairs.ContainsKey(name) ? "sequence" : "vector";
        Tensor x = kind switch
        {
            "image" => NF.Random.Normal([4, 6, 6, 2]),
            "volume" => NF.Random.Normal([4, 4, 5, 4, 2]),
            "sequence" => NF.Random.Normal([4, 8, 2]),
            "tokens" => NF.Random.Uniform([4, 5], minval: 0, maxval: 10, dtype: DType.Int32),
            _ => NF.Random.Normal([4, 5]),
        };
        return (x, NF.Random.Uniform([4], minval: 0, maxval: Classes, dtype: DType.Int32));
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void A_replayed_training_step_matches_the_eager_one_bit_for_bit(string layer)
    {
        RequireBackend();
        Func<Losses.Loss> loss = () => new Losses.SparseCategoricalCrossentropy(fromLogits: true);
        var eager = ReplayParity.Train(() => Make(layer), loss, step => Batch(layer, step), traced: false);
        var replayed = ReplayParity.Train(() => Make(layer), loss, step => Batch(layer, step), traced: true);
        ReplayParity.AssertSame(layer, eager, replayed);
    }

    [Fact]
    public void Every_layer_class_is_in_the_table()
    {
        var covered = Table.Keys.Concat(Merges.Keys).Concat(Pairs.Keys).Concat(HostPreprocessing.Keys).ToHashSet();
        var missing = typeof(Layer).Assembly.GetTypes()
            .Where(t => t.IsPublic || t.IsNestedPublic)
            .Where(t => t.DeclaringType == typeof(Layers) && !t.IsAbstract && typeof(Layer).IsAssignableFrom(t))
            .Select(t => t.Name).Where(n => !covered.Contains(n)).ToList();
        Assert.True(missing.Count == 0, "layers without a replay parity case: " + string.Join(", ", missing));
    }
}

public sealed class ManagedLayerReplayParityTests() : LayerReplayParityTests("managed");

public sealed class NativeCpuLayerReplayParityTests() : LayerReplayParityTests("cpu");

public sealed class CudaLayerReplayParityTests() : LayerReplayParityTests("cuda");
