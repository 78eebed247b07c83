namespace NeuralFlow.Keras;

public static partial class Applications
{
    private const string ConvNeXtWeights = "https://storage.googleapis.com/tensorflow/keras-applications/convnext/";

    // convnext.py's PreStem: ImageNet-1k's per-channel mean and variance of pixels in [0, 255].
    private static readonly double[] ConvNeXtMean = [0.485 * 255, 0.456 * 255, 0.406 * 255];
    private static readonly double[] ConvNeXtVariance = [0.229 * 255 * (0.229 * 255), 0.224 * 255 * (0.224 * 255), 0.225 * 255 * (0.225 * 255)];

    /// <summary>
    /// ConvNeXt-T (Liu et al. 2022, "A ConvNet for the 2020s") as Keras builds it (<c>keras.applications.ConvNeXtTiny</c>,
    /// keras/src/applications/convnext.py): with <paramref name="includePreprocessing"/> (and three channels) the
    /// Normalization '{name}_prestem_normalization' by ImageNet's mean and variance of [0, 255] pixels, inside the model;
    /// the stem, a Sequential '{name}_stem' (a 4x4 stride-4 convolution and a LayerNormalization); four stages of 3, 3, 9
    /// and 3 blocks of 96, 192, 384 and 768 channels, each stage after the first opened by a Sequential
    /// '{name}_downsampling_block_{i}' (LayerNormalization, 2x2 stride-2 convolution); each block
    /// '{name}_stage_{i}_block_{j}_' a 7x7 depthwise convolution (Keras' Conv2D with groups), LayerNormalization, Dense
    /// expansion x4 with gelu, Dense back, <see cref="LayerScale"/> (1e-6) and an identity (or with a drop path rate a
    /// <see cref="StochasticDepth"/>) added to the block's input. With <paramref name="includeTop"/> the head
    /// '{name}_head_gap', '{name}_head_layernorm' and '{name}_head_dense' (28,589,128 parameters); without it the
    /// (pooled) map goes through a LayerNormalization (27,820,128). Every LayerNormalization has epsilon 1e-6. Its
    /// inputs are RGB pixels in [0, 255]: <see cref="ConvNeXtPreprocessInput(Tensor)"/> passes them through.
    /// </summary>
    /// <param name="includeTop">Whether to end with the head ('{name}_head_gap', '{name}_head_layernorm', '{name}_head_dense').</param>
    /// <param name="includePreprocessing">Whether the model normalizes its [0, 255] pixels itself (Keras' default; its
    /// ImageNet weights expect it).</param>
    /// <param name="weights">null: random weights; the path of a weights file (a Keras .h5 or .weights.h5) to load as
    /// Keras' <c>model.load_weights</c> does; "imagenet" (Keras' default) is refused, naming the file to fetch.</param>
    /// <param name="inputTensor">Symbolic images to build the network on (Keras' input_tensor): a <c>Layers.Input</c> or
    /// the output of layers called on one, whose inputs become the model's.</param>
    /// <param name="inputShape">(height, width, channels); null: 224x224x3 with the classifier, any size
    /// ([null, null, 3]) without. At least 32x32.</param>
    /// <param name="pooling">Without the classifier: null (the 4-D feature map), "avg" or "max" global pooling; either
    /// way a LayerNormalization follows, as in Keras.</param>
    /// <param name="classes">The classifier's width (with <paramref name="includeTop"/>).</param>
    /// <param name="classifierActivation">The classifier's activation ("softmax"; null gives logits).</param>
    /// <param name="name">The model's name ("convnext_tiny"), which prefixes its layers' names as in Keras.</param>
    public static Model ConvNeXtTiny(bool includeTop = true, bool includePreprocessing = true, string? weights = ImageNet, KerasTensor? inputTensor = null,
                                     int?[]? inputShape = null, string? pooling = null, int classes = 1000, string? classifierActivation = "softmax",
                                     string name = "convnext_tiny") =>
        ConvNeXt("ConvNeXtTiny", "convnext_tiny", [3, 3, 9, 3], [96, 192, 384, 768], includeTop, includePreprocessing, weights, inputTensor, inputShape,
                 pooling, classes, classifierActivation, name);

    /// <summary>ConvNeXt-S (<c>keras.applications.ConvNeXtSmall</c>): <see cref="ConvNeXtTiny"/> with 27 blocks in its third stage (50,223,688 parameters).</summary>
    /// <inheritdoc cref="ConvNeXtTiny" path="/param"/>
    public static Model ConvNeXtSmall(bool includeTop = true, bool includePreprocessing = true, string? weights = ImageNet, KerasTensor? inputTensor = null,
                                      int?[]? inputShape = null, string? pooling = null, int classes = 1000, string? classifierActivation = "softmax",
                                      string name = "convnext_small") =>
        ConvNeXt("ConvNeXtSmall", "convnext_small", [3, 3, 27, 3], [96, 192, 384, 768], includeTop, includePreprocessing, weights, inputTensor, inputShape,
                 pooling, classes, classifierActivation, name);

    /// <summary>ConvNeXt-B (<c>keras.applications.ConvNeXtBase</c>): 3, 3, 27 and 3 blocks of 128 ... 1024 channels (88,591,464 parameters).</summary>
    /// <inheritdoc cref="ConvNeXtTiny" path="/param"/>
    public static Model ConvNeXtBase(bool includeTop = true, bool includePreprocessing = true, string? weights = ImageNet, KerasTensor? inputTensor = null,
                                     int?[]? inputShape = null, string? pooling = null, int classes = 1000, string? classifierActivation = "softmax",
                                     string name = "convnext_base") =>
        ConvNeXt("ConvNeXtBase", "convnext_base", [3, 3, 27, 3], [128, 256, 512, 1024], includeTop, includePreprocessing, weights, inputTensor, inputShape,
                 pooling, classes, classifierActivation, name);

    /// <summary>ConvNeXt-L (<c>keras.applications.ConvNeXtLarge</c>): 3, 3, 27 and 3 blocks of 192 ... 1536 channels (197,767,336 parameters).</summary>
    /// <inheritdoc cref="ConvNeXtTiny" path="/param"/>
    public static Model ConvNeXtLarge(bool includeTop = true, bool includePreprocessing = true, string? weights = ImageNet, KerasTensor? inputTensor = null,
                                      int?[]? inputShape = null, string? pooling = null, int classes = 1000, string? classifierActivation = "softmax",
                                      string name = "convnext_large") =>
        ConvNeXt("ConvNeXtLarge", "convnext_large", [3, 3, 27, 3], [192, 384, 768, 1536], includeTop, includePreprocessing, weights, inputTensor, inputShape,
                 pooling, classes, classifierActivation, name);

    /// <summary>ConvNeXt-XL (<c>keras.applications.ConvNeXtXLarge</c>): 3, 3, 27 and 3 blocks of 256 ... 2048 channels (350,196,968 parameters).</summary>
    /// <inheritdoc cref="ConvNeXtTiny" path="/param"/>
    public static Model ConvNeXtXLarge(bool includeTop = true, bool includePreprocessing = true, string? weights = ImageNet, KerasTensor? inputTensor = null,
                                       int?[]? inputShape = null, string? pooling = null, int classes = 1000, string? classifierActivation = "softmax",
                                       string name = "convnext_xlarge") =>
        ConvNeXt("ConvNeXtXLarge", "convnext_xlarge", [3, 3, 27, 3], [256, 512, 1024, 2048], includeTop, includePreprocessing, weights, inputTensor, inputShape,
                 pooling, classes, classifierActivation, name);

    /// <summary>
    /// Keras' <c>keras.applications.convnext.preprocess_input</c>: a pass-through (the model normalizes its pixels
    /// itself), kept so that a recipe written for any application reads the same. Returns <paramref name="x"/>.
    /// </summary>
    public static Tensor ConvNeXtPreprocessInput(Tensor x) => x ?? throw new ArgumentNullException(nameof(x));

    /// <summary><see cref="ConvNeXtPreprocessInput(Tensor)"/> inside a functional model: <paramref name="x"/> itself.</summary>
    public static KerasTensor ConvNeXtPreprocessInput(KerasTensor x) => x ?? throw new ArgumentNullException(nameof(x));

    // convnext.py's ConvNeXt with drop_path_rate 0 and layer_scale_init_value 1e-6, as every Keras variant builds it.
    private static Model ConvNeXt(string app, string weightsName, int[] depths, int[] dims, bool includeTop, bool includePreprocessing, string? weights,
                                  KerasTensor? inputTensor, int?[]? inputShape, string? pooling, int classes, string? classifierActivation, string name,
                                  double dropPathRate = 0.0, double layerScaleInit = 1e-6)
    {
        string file = weightsName + (includeTop ? ".h5" : "_notop.h5");
        var (imgInput, shape) = ImageInput(app, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, _ => file, ConvNeXtWeights);

        var x = imgInput;
        // Keras normalizes only three-channel images (its constants are RGB's); it reads the channels from input_shape.
        if (includePreprocessing && (shape[2] ?? imgInput.Shape[3]) == 3)
            x = new Layers.Normalization(mean: ConvNeXtMean, variance: ConvNeXtVariance, name: $"{name}_prestem_normalization").Call(x);

        var downsampling = new List<Layer>
        {
            new Sequential([new Layers.Conv2D(dims[0], 4, strides: 4, name: $"{name}_stem_conv"), ConvNeXtNorm($"{name}_stem_layernorm")], name: $"{name}_stem"),
        };
        for (int i = 0; i < 3; i++)
            downsampling.Add(new Sequential([ConvNeXtNorm($"{name}_downsampling_layernorm_{i}"),
                                             new Layers.Conv2D(dims[i + 1], 2, strides: 2, name: $"{name}_downsampling_conv_{i}")],
                                            name: $"{name}_downsampling_block_{i}"));

        // The stochastic depth schedule (np.linspace(0, drop_path_rate, sum(depths))): deeper blocks drop more.
        int total = depths.Sum(), cur = 0;
        for (int i = 0; i < 4; i++)
        {
            x = downsampling[i].Call(x);
            for (int j = 0; j < depths[i]; j++)
            {
                double rate = total == 1 ? 0 : dropPathRate * (cur + j) / (total - 1);
                x = ConvNeXtBlock(x, dims[i], rate, layerScaleInit, $"{name}_stage_{i}_block_{j}");
            }
            cur += depths[i];
        }

        if (includeTop)
        {
            x = new Layers.GlobalAveragePooling2D(name: $"{name}_head_gap").Call(x);
            x = ConvNeXtNorm($"{name}_head_layernorm").Call(x);
            x = new Layers.Dense(classes, activation: classifierActivation, name: $"{name}_head_dense").Call(x);
        }
        else x = ConvNeXtNorm(null).Call(Pool(x, pooling));
        // Keras' model.load_weights: the layers Keras leaves unnamed take counter names, so a file is read in layer order.
        return Finish(app, imgInput, inputTensor, x, name, weights, byName: false);
    }

    private static Layers.LayerNormalization ConvNeXtNorm(string? name) => new(epsilon: 1e-6, name: name);

    // convnext.py's ConvNeXtBlock: the "pointwise convolutions" are Dense layers on the channels (as the paper's code).
    private static KerasTensor ConvNeXtBlock(KerasTensor inputs, int dim, double dropPathRate, double layerScaleInit, string name)
    {
        var x = new Layers.Conv2D(dim, 7, padding: "same", groups: dim, name: $"{name}_depthwise_conv").Call(inputs);
        x = ConvNeXtNorm($"{name}_layernorm").Call(x);
        x = new Layers.Dense(4 * dim, name: $"{name}_pointwise_conv_1").Call(x);
        x = new Layers.Activation("gelu", name: $"{name}_gelu").Call(x);
        x = new Layers.Dense(dim, name: $"{name}_pointwise_conv_2").Call(x);
        x = new LayerScale(layerScaleInit, dim, name: $"{name}_layer_scale").Call(x);
        x = dropPathRate > 0 ? new StochasticDepth(dropPathRate, name: $"{name}_stochastic_depth").Call(x)
                             : new Layers.Activation("linear", name: $"{name}_identity").Call(x);
        return inputs + x;
    }
}
