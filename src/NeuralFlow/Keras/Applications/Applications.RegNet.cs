namespace NeuralFlow.Keras;

public static partial class Applications
{
    private const string RegNetWeights = "https://storage.googleapis.com/tensorflow/keras-applications/regnet/";

    // One RegNet's design (regnet.py's MODEL_CONFIGS): blocks and output width per stage, and the group width of every
    // grouped 3x3 convolution. The block type is the variant's first letter; every default size is 224.
    private readonly record struct RegNetConfig(int[] Depths, int[] Widths, int GroupWidth);

    // regnet.py's MODEL_CONFIGS, keyed as Keras keys it ("x002" ... "y320").
    private static readonly Dictionary<string, RegNetConfig> RegNetConfigs = new()
    {
        ["x002"] = new([1, 1, 4, 7], [24, 56, 152, 368], 8),
        ["x004"] = new([1, 2, 7, 12], [32, 64, 160, 384], 16),
        ["x006"] = new([1, 3, 5, 7], [48, 96, 240, 528], 24),
        ["x008"] = new([1, 3, 7, 5], [64, 128, 288, 672], 16),
        ["x016"] = new([2, 4, 10, 2], [72, 168, 408, 912], 24),
        ["x032"] = new([2, 6, 15, 2], [96, 192, 432, 1008], 48),
        ["x040"] = new([2, 5, 14, 2], [80, 240, 560, 1360], 40),
        ["x064"] = new([2, 4, 10, 1], [168, 392, 784, 1624], 56),
        ["x080"] = new([2, 5, 15, 1], [80, 240, 720, 1920], 120),
        ["x120"] = new([2, 5, 11, 1], [224, 448, 896, 2240], 112),
        ["x160"] = new([2, 6, 13, 1], [256, 512, 896, 2048], 128),
        ["x320"] = new([2, 7, 13, 1], [336, 672, 1344, 2520], 168),
        ["y002"] = new([1, 1, 4, 7], [24, 56, 152, 368], 8),
        ["y004"] = new([1, 3, 6, 6], [48, 104, 208, 440], 8),
        ["y006"] = new([1, 3, 7, 4], [48, 112, 256, 608], 16),
        ["y008"] = new([1, 3, 8, 2], [64, 128, 320, 768], 16),
        ["y016"] = new([2, 6, 17, 2], [48, 120, 336, 888], 24),
        ["y032"] = new([2, 5, 13, 1], [72, 216, 576, 1512], 24),
        ["y040"] = new([2, 6, 12, 2], [128, 192, 512, 1088], 64),
        ["y064"] = new([2, 7, 14, 2], [144, 288, 576, 1296], 72),
        ["y080"] = new([2, 4, 10, 1], [168, 448, 896, 2016], 56),
        ["y120"] = new([2, 5, 11, 1], [224, 448, 896, 2240], 112),
        ["y160"] = new([2, 4, 11, 1], [224, 448, 1232, 3024], 112),
        ["y320"] = new([2, 5, 12, 1], [232, 696, 1392, 3712], 232),
    };

    /// <summary>
    /// Keras' <c>keras.applications.regnet.preprocess_input</c>: a pass-through (a RegNet rescales its pixels itself, in
    /// its '_prestem_rescaling' layer), kept so that a recipe written for any application reads the same. Returns <paramref name="x"/>.
    /// </summary>
    public static Tensor RegNetPreprocessInput(Tensor x) => x ?? throw new ArgumentNullException(nameof(x));

    /// <summary><see cref="RegNetPreprocessInput(Tensor)"/> inside a functional model: <paramref name="x"/> itself.</summary>
    public static KerasTensor RegNetPreprocessInput(KerasTensor x) => x ?? throw new ArgumentNullException(nameof(x));

    // regnet.py's RegNet(depths, widths, group_width, block_type, default_size=224, model_name, ...): every layer is named
    // after the model ('{name}_stem_conv', '{name}_Stage_0_XBlock_0_conv_3x3', ...). Keras loads a file by layer order
    // (model.load_weights), so a renamed model still takes Keras' files.
    private static Model RegNet(string app, string variant, bool includeTop, string? weights, KerasTensor? inputTensor, int?[]? inputShape,
                                string? pooling, int classes, string? classifierActivation, bool includePreprocessing, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var config = RegNetConfigs[variant];
        bool y = variant[0] == 'y';
        string file = $"regnet{variant}{(includeTop ? ".h5" : "_notop.h5")}";
        var (imgInput, _) = ImageInput(app, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, _ => file, RegNetWeights);

        var x = imgInput;
        if (includePreprocessing) x = new Layers.Rescaling(1.0 / 255.0, name: $"{name}_prestem_rescaling").Call(x);
        x = new Layers.Conv2D(32, 3, strides: 2, padding: "same", useBias: false, kernelInitializer: "he_normal", name: $"{name}_stem_conv").Call(x);
        x = RegNetBatchNorm($"{name}_stem_bn").Call(x);
        x = new Layers.ReLU(name: $"{name}_stem_relu").Call(x);

        int filtersIn = 32;   // the stem's width
        for (int stage = 0; stage < 4; stage++)
        {
            int width = config.Widths[stage];
            // Each stage halves the map in its first block, which also changes the width.
            for (int i = 0; i < config.Depths[stage]; i++)
                x = RegNetBlock(x, i == 0 ? filtersIn : width, width, config.GroupWidth, i == 0 ? 2 : 1, y, $"{name}_Stage_{stage}_{(y ? 'Y' : 'X')}Block_{i}");
            filtersIn = width;
        }

        if (includeTop)
        {
            // regnet.py's Head takes its names from Keras' session counter: '1_head_gap' and '1head_dense' in a fresh session.
            x = new Layers.GlobalAveragePooling2D(name: "1_head_gap").Call(x);
            x = new Layers.Dense(classes, activation: classifierActivation, name: "1head_dense").Call(x);
        }
        else x = Pool(x, pooling);
        return Finish(app, imgInput, inputTensor, x, name, weights, byName: false);
    }

    private static Layers.BatchNormalization RegNetBatchNorm(string name) => new(momentum: 0.9, epsilon: 1e-5, name: name);

    // regnet.py's XBlock and YBlock (Y adds squeeze-and-excite after the grouped convolution): 1x1, grouped 3x3 (the
    // stride), 1x1, each with a BatchNormalization, added to the input (or, where the block strides, to its 1x1
    // projection '_skip_1x1') and through the ReLU '_exit_relu'.
    private static KerasTensor RegNetBlock(KerasTensor inputs, int filtersIn, int filtersOut, int groupWidth, int stride, bool squeezeExcite, string name)
    {
        // tf-keras' Conv2D takes groups 0 as 1: RegNetX080's first stage is narrower (80) than its group width (120).
        int groups = Math.Max(1, filtersOut / groupWidth);
        var skip = inputs;
        if (stride != 1)
        {
            skip = new Layers.Conv2D(filtersOut, 1, strides: stride, useBias: false, kernelInitializer: "he_normal", name: $"{name}_skip_1x1").Call(inputs);
            skip = RegNetBatchNorm($"{name}_skip_bn").Call(skip);
        }
        var x = new Layers.Conv2D(filtersOut, 1, useBias: false, kernelInitializer: "he_normal", name: $"{name}_conv_1x1_1").Call(inputs);
        x = RegNetBatchNorm($"{name}_conv_1x1_1_bn").Call(x);
        x = new Layers.ReLU(name: $"{name}_conv_1x1_1_relu").Call(x);
        x = new Layers.Conv2D(filtersOut, 3, strides: stride, padding: "same", useBias: false, kernelInitializer: "he_normal", groups: groups,
                              name: $"{name}_conv_3x3").Call(x);
        x = RegNetBatchNorm($"{name}_conv_3x3_bn").Call(x);
        x = new Layers.ReLU(name: $"{name}_conv_3x3_relu").Call(x);
        if (squeezeExcite)
        {
            // A quarter of the block's input width.
            var se = new Layers.GlobalAveragePooling2D(name: $"{name}_squeeze_and_excite_gap", keepdims: true).Call(x);
            se = new Layers.Conv2D(filtersIn / 4, 1, activation: "relu", kernelInitializer: "he_normal", name: $"{name}_squeeze_and_excite_squeeze").Call(se);
            se = new Layers.Conv2D(filtersOut, 1, activation: "sigmoid", kernelInitializer: "he_normal", name: $"{name}_squeeze_and_excite_excite").Call(se);
            x = new Layers.Multiply().Call([se, x]);
        }
        x = new Layers.Conv2D(filtersOut, 1, useBias: false, kernelInitializer: "he_normal", name: $"{name}_conv_1x1_2").Call(x);
        x = RegNetBatchNorm($"{name}_conv_1x1_2_bn").Call(x);
        x = new Layers.Add().Call([x, skip]);
        return new Layers.ReLU(name: $"{name}_exit_relu").Call(x);
    }
}
