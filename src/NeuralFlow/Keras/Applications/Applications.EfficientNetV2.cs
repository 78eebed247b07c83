namespace NeuralFlow.Keras;

public static partial class Applications
{
    private const string EfficientNetV2Weights = "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/";

    // efficientnet_v2.py's DEFAULT_BLOCKS_ARGS: (kernel, repeats, filters in, filters out, expansion, squeeze-excite
    // ratio, strides, fused). B0 to B3 share one list (their width and depth coefficients scale it).
    private static readonly (int Kernel, int Repeats, int FiltersIn, int FiltersOut, int Expand, double SeRatio, int Strides, bool Fused)[] EfficientNetV2BBlocks =
    [
        (3, 1, 32, 16, 1, 0, 1, true), (3, 2, 16, 32, 4, 0, 2, true), (3, 2, 32, 48, 4, 0, 2, true),
        (3, 3, 48, 96, 4, 0.25, 2, false), (3, 5, 96, 112, 6, 0.25, 1, false), (3, 8, 112, 192, 6, 0.25, 2, false),
    ];

    private static readonly (int Kernel, int Repeats, int FiltersIn, int FiltersOut, int Expand, double SeRatio, int Strides, bool Fused)[] EfficientNetV2SBlocks =
    [
        (3, 2, 24, 24, 1, 0, 1, true), (3, 4, 24, 48, 4, 0, 2, true), (3, 4, 48, 64, 4, 0, 2, true),
        (3, 6, 64, 128, 4, 0.25, 2, false), (3, 9, 128, 160, 6, 0.25, 1, false), (3, 15, 160, 256, 6, 0.25, 2, false),
    ];

    private static readonly (int Kernel, int Repeats, int FiltersIn, int FiltersOut, int Expand, double SeRatio, int Strides, bool Fused)[] EfficientNetV2MBlocks =
    [
        (3, 3, 24, 24, 1, 0, 1, true), (3, 5, 24, 48, 4, 0, 2, true), (3, 5, 48, 80, 4, 0, 2, true),
        (3, 7, 80, 160, 4, 0.25, 2, false), (3, 14, 160, 176, 6, 0.25, 1, false), (3, 18, 176, 304, 6, 0.25, 2, false),
        (3, 5, 304, 512, 6, 0.25, 1, false),
    ];

    private static readonly (int Kernel, int Repeats, int FiltersIn, int FiltersOut, int Expand, double SeRatio, int Strides, bool Fused)[] EfficientNetV2LBlocks =
    [
        (3, 4, 32, 32, 1, 0, 1, true), (3, 7, 32, 64, 4, 0, 2, true), (3, 7, 64, 96, 4, 0, 2, true),
        (3, 10, 96, 192, 4, 0.25, 2, false), (3, 19, 192, 224, 6, 0.25, 1, false), (3, 25, 224, 384, 6, 0.25, 2, false),
        (3, 7, 384, 640, 6, 0.25, 1, false),
    ];

    // efficientnet_v2.py's stem Normalization of B0 to B3 (EfficientNet V1's ImageNet statistics, fixed in the config).
    private static readonly double[] ImageNetMeanRgb = [0.485, 0.456, 0.406];

    /// <summary>
    /// EfficientNetV2-B0 (Tan and Le 2021) as Keras builds it (<c>keras.applications.EfficientNetV2B0</c>,
    /// keras/src/applications/efficientnet_v2.py): with <paramref name="includePreprocessing"/> the preprocessing inside
    /// the model (for B0 to B3 on 3 channels a Rescaling by 1/255 and a Normalization by ImageNet's fixed mean and
    /// variance; otherwise, and for S, M and L, a Rescaling by 1/128 with offset -1), a 'same' stride-2 'stem_conv', Fused-MBConv
    /// blocks (one full convolution in place of expansion and depthwise) then MBConv blocks with squeeze-and-excite,
    /// named 'block1a_' ... 'block6h_', each with an identity skip where shapes allow behind a Dropout 'drop' that drops
    /// whole examples (stochastic depth, at a rate growing from 0 to 0.2 over the blocks), 'top_conv', and with
    /// <paramref name="includeTop"/> 'avg_pool', 'top_dropout' (0.2) and the 'predictions' Dense (7,200,312 parameters;
    /// 5,919,312 without). Every activation is swish, every BatchNormalization has momentum 0.9. The images are RGB
    /// pixels in [0, 255]: <see cref="EfficientNetV2PreprocessInput(Tensor)"/> passes them through. A weights file loads
    /// as Keras' <c>model.load_weights</c> does.
    /// </summary>
    /// <param name="includeTop">Whether to end with 'avg_pool', 'top_dropout' and the 'predictions' classifier.</param>
    /// <param name="weights">null: random weights; the path of a Keras weights file (.h5, .weights.h5, .keras) to load;
    /// "imagenet" (Keras' default) is refused, naming the file to fetch.</param>
    /// <param name="inputTensor">Symbolic images to build the network on (Keras' input_tensor): a <c>Layers.Input</c> or
    /// the output of layers called on one, whose inputs become the model's.</param>
    /// <param name="inputShape">(height, width, channels); null: the model's default square (224 for B0, 240, 260, 300,
    /// 384 for S, 480 for M and L) with the classifier, any size ([null, null, 3]) without. At least 32x32.</param>
    /// <param name="pooling">Without the classifier: null (the 4-D feature map), "avg" ('avg_pool') or "max" ('max_pool').</param>
    /// <param name="classes">The classifier's width (with <paramref name="includeTop"/>).</param>
    /// <param name="classifierActivation">The classifier's activation ("softmax"; null gives logits).</param>
    /// <param name="includePreprocessing">Whether the model scales pixels in [0, 255] itself (Keras' default).</param>
    /// <param name="name">The model's name ("efficientnetv2-b0" ... "efficientnetv2-l").</param>
    public static Model EfficientNetV2B0(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                         string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                         string name = "efficientnetv2-b0") =>
        EfficientNetV2("EfficientNetV2B0", "-b0", EfficientNetV2BBlocks, 1.0, 1.0, 224, includeTop, weights, inputTensor, inputShape, pooling, classes,
                       classifierActivation, includePreprocessing, name);

    /// <summary>EfficientNetV2-B1 (<c>keras.applications.EfficientNetV2B1</c>): <see cref="EfficientNetV2B0"/> with depth x1.1, 240x240 images (8,212,124 parameters).</summary>
    /// <inheritdoc cref="EfficientNetV2B0" path="/param"/>
    public static Model EfficientNetV2B1(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                         string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                         string name = "efficientnetv2-b1") =>
        EfficientNetV2("EfficientNetV2B1", "-b1", EfficientNetV2BBlocks, 1.0, 1.1, 240, includeTop, weights, inputTensor, inputShape, pooling, classes,
                       classifierActivation, includePreprocessing, name);

    /// <summary>EfficientNetV2-B2 (<c>keras.applications.EfficientNetV2B2</c>): width x1.1, depth x1.2, 260x260 images (10,178,374 parameters).</summary>
    /// <inheritdoc cref="EfficientNetV2B0" path="/param"/>
    public static Model EfficientNetV2B2(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                         string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                         string name = "efficientnetv2-b2") =>
        EfficientNetV2("EfficientNetV2B2", "-b2", EfficientNetV2BBlocks, 1.1, 1.2, 260, includeTop, weights, inputTensor, inputShape, pooling, classes,
                       classifierActivation, includePreprocessing, name);

    /// <summary>EfficientNetV2-B3 (<c>keras.applications.EfficientNetV2B3</c>): width x1.2, depth x1.4, 300x300 images (14,467,622 parameters).</summary>
    /// <inheritdoc cref="EfficientNetV2B0" path="/param"/>
    public static Model EfficientNetV2B3(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                         string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                         string name = "efficientnetv2-b3") =>
        EfficientNetV2("EfficientNetV2B3", "-b3", EfficientNetV2BBlocks, 1.2, 1.4, 300, includeTop, weights, inputTensor, inputShape, pooling, classes,
                       classifierActivation, includePreprocessing, name);

    /// <summary>EfficientNetV2-S (<c>keras.applications.EfficientNetV2S</c>): its own blocks, 384x384 images, the Rescaling(1/128, offset -1) stem (21,612,360 parameters).</summary>
    /// <inheritdoc cref="EfficientNetV2B0" path="/param"/>
    public static Model EfficientNetV2S(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                        string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                        string name = "efficientnetv2-s") =>
        EfficientNetV2("EfficientNetV2S", "-s", EfficientNetV2SBlocks, 1.0, 1.0, 384, includeTop, weights, inputTensor, inputShape, pooling, classes,
                       classifierActivation, includePreprocessing, name);

    /// <summary>EfficientNetV2-M (<c>keras.applications.EfficientNetV2M</c>): seven stages, 480x480 images (54,431,388 parameters).</summary>
    /// <inheritdoc cref="EfficientNetV2B0" path="/param"/>
    public static Model EfficientNetV2M(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                        string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                        string name = "efficientnetv2-m") =>
        EfficientNetV2("EfficientNetV2M", "-m", EfficientNetV2MBlocks, 1.0, 1.0, 480, includeTop, weights, inputTensor, inputShape, pooling, classes,
                       classifierActivation, includePreprocessing, name);

    /// <summary>EfficientNetV2-L (<c>keras.applications.EfficientNetV2L</c>): seven wider, deeper stages, 480x480 images (119,027,848 parameters).</summary>
    /// <inheritdoc cref="EfficientNetV2B0" path="/param"/>
    public static Model EfficientNetV2L(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                        string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                        string name = "efficientnetv2-l") =>
        EfficientNetV2("EfficientNetV2L", "-l", EfficientNetV2LBlocks, 1.0, 1.0, 480, includeTop, weights, inputTensor, inputShape, pooling, classes,
                       classifierActivation, includePreprocessing, name);

    /// <summary>
    /// Keras' <c>keras.applications.efficientnet_v2.preprocess_input</c>: a pass-through (the model scales its inputs
    /// itself), kept so that a recipe written for any application reads the same. Returns <paramref name="x"/>.
    /// </summary>
    public static Tensor EfficientNetV2PreprocessInput(Tensor x) => x ?? throw new ArgumentNullException(nameof(x));

    /// <summary><see cref="EfficientNetV2PreprocessInput(Tensor)"/> inside a functional model: <paramref name="x"/> itself.</summary>
    public static KerasTensor EfficientNetV2PreprocessInput(KerasTensor x) => x ?? throw new ArgumentNullException(nameof(x));

    // efficientnet_v2.py's EfficientNetV2(width_coefficient, depth_coefficient, default_size, ...) with Keras' defaults:
    // dropout 0.2, drop_connect_rate 0.2, depth_divisor and min_depth 8, bn_momentum 0.9, swish. The blocks come from the
    // variant (Keras looks them up by the model's name, so a renamed model there fails to build).
    private static Model EfficientNetV2(string app, string variant,
                                        (int Kernel, int Repeats, int FiltersIn, int FiltersOut, int Expand, double SeRatio, int Strides, bool Fused)[] blocksArgs,
                                        double width, double depth, int defaultSize, bool includeTop, string? weights, KerasTensor? inputTensor,
                                        int?[]? inputShape, string? pooling, int classes, string? classifierActivation, bool includePreprocessing, string name)
    {
        const double dropoutRate = 0.2, dropConnectRate = 0.2;
        string file = $"efficientnetv2{variant}{(includeTop ? ".h5" : "_notop.h5")}";
        var (imgInput, shape) = ImageInput(app, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, _ => file,
                                           EfficientNetV2Weights, defaultSize: defaultSize);

        var x = imgInput;
        if (includePreprocessing)
        {
            // B0 to B3 keep EfficientNet V1's preprocessing where the images have 3 channels (its statistics are RGB's).
            if (variant.StartsWith("-b") && (inputTensor?.Shape[^1] ?? shape[2]) == 3)
            {
                x = new Layers.Rescaling(1.0 / 255).Call(x);
                x = new Layers.Normalization(axis: 3, mean: ImageNetMeanRgb, variance: [.. ImageNetStddevRgb.Select(s => s * s)]).Call(x);
            }
            else x = new Layers.Rescaling(1.0 / 128.0, offset: -1).Call(x);
        }

        x = new Layers.Conv2D(EfficientNetV2RoundFilters(blocksArgs[0].FiltersIn, width), 3, strides: 2, padding: "same", useBias: false,
                              kernelInitializer: EfficientNetConvInit(), name: "stem_conv").Call(x);
        x = EfficientNetV2BatchNorm("stem_bn").Call(x);
        x = new Layers.Activation("swish", name: "stem_activation").Call(x);

        double blocks = blocksArgs.Sum(a => a.Repeats);   // Keras' rates run over the unscaled count
        int b = 0;
        for (int i = 0; i < blocksArgs.Length; i++)
        {
            var args = blocksArgs[i];
            int filtersIn = EfficientNetV2RoundFilters(args.FiltersIn, width), filtersOut = EfficientNetV2RoundFilters(args.FiltersOut, width);
            int repeats = RoundRepeats(args.Repeats, depth);
            for (int j = 0; j < repeats; j++)
            {
                // After the first repeat a stage keeps its size and width.
                var block = new EfficientNetV2BlockArgs(j == 0 ? filtersIn : filtersOut, filtersOut, args.Expand, args.Kernel, j == 0 ? args.Strides : 1,
                                                        args.SeRatio, dropConnectRate * b / blocks, $"block{i + 1}{(char)('a' + j)}_");
                x = args.Fused ? FusedMBConvV2(x, block) : MBConvV2(x, block);
                b++;
            }
        }

        x = new Layers.Conv2D(EfficientNetV2RoundFilters(1280, width), 1, padding: "same", useBias: false, kernelInitializer: EfficientNetConvInit(),
                              name: "top_conv").Call(x);
        x = EfficientNetV2BatchNorm("top_bn").Call(x);
        x = new Layers.Activation("swish", name: "top_activation").Call(x);

        if (includeTop)
        {
            x = new Layers.GlobalAveragePooling2D(name: "avg_pool").Call(x);
            x = new Layers.Dropout(dropoutRate, name: "top_dropout").Call(x);
            x = new Layers.Dense(classes, activation: classifierActivation, kernelInitializer: Initializer.VarianceScaling(1.0 / 3.0, "fan_out", "uniform"),
                                 name: "predictions").Call(x);
        }
        else x = Pool(x, pooling, avgName: "avg_pool", maxName: "max_pool");
        return Finish(app, imgInput, inputTensor, x, name, weights, byName: false);
    }

    // efficientnet_v2.py's round_filters: to a multiple of 8, at least 8, without efficientnet.py's 10% rule.
    private static int EfficientNetV2RoundFilters(int filters, double width) => Math.Max(8, (int)(filters * width + 4) / 8 * 8);

    private static Layers.BatchNormalization EfficientNetV2BatchNorm(string name) => new(axis: 3, momentum: 0.9, name: name);

    // One block's arguments after efficientnet_v2.py's rounding; DropRate is what it calls survival_probability, which
    // is the Dropout's rate.
    private readonly record struct EfficientNetV2BlockArgs(int FiltersIn, int FiltersOut, int Expand, int Kernel, int Strides, double SeRatio,
                                                           double DropRate, string Name);

    // efficientnet_v2.py's MBConvBlock: 1x1 expansion, a 'same' depthwise convolution, squeeze-and-excite, 1x1 projection.
    private static KerasTensor MBConvV2(KerasTensor inputs, EfficientNetV2BlockArgs a)
    {
        int filters = a.FiltersIn * a.Expand;
        var x = inputs;
        if (a.Expand != 1) x = EfficientNetV2ConvBnSwish(x, filters, 1, 1, a.Name, "expand");
        x = new Layers.DepthwiseConv2D(a.Kernel, strides: a.Strides, padding: "same", useBias: false, depthwiseInitializer: EfficientNetConvInit(),
                                       name: $"{a.Name}dwconv2").Call(x);
        x = EfficientNetV2BatchNorm($"{a.Name}bn").Call(x);
        x = new Layers.Activation("swish", name: $"{a.Name}activation").Call(x);
        x = EfficientNetV2SqueezeExcite(x, filters, a);
        x = new Layers.Conv2D(a.FiltersOut, 1, padding: "same", useBias: false, kernelInitializer: EfficientNetConvInit(), name: $"{a.Name}project_conv").Call(x);
        x = EfficientNetV2BatchNorm($"{a.Name}project_bn").Call(x);
        return EfficientNetV2Skip(inputs, x, a);
    }

    // efficientnet_v2.py's FusedMBConvBlock: the expansion and depthwise convolutions fused into one full convolution
    // (with no expansion, the projection itself takes the kernel and stride, then a swish).
    private static KerasTensor FusedMBConvV2(KerasTensor inputs, EfficientNetV2BlockArgs a)
    {
        int filters = a.FiltersIn * a.Expand;
        var x = inputs;
        if (a.Expand != 1) x = EfficientNetV2ConvBnSwish(x, filters, a.Kernel, a.Strides, a.Name, "expand");
        x = EfficientNetV2SqueezeExcite(x, filters, a);
        bool expanded = a.Expand != 1;
        x = new Layers.Conv2D(a.FiltersOut, expanded ? 1 : a.Kernel, strides: expanded ? 1 : a.Strides, padding: "same", useBias: false,
                              kernelInitializer: EfficientNetConvInit(), name: $"{a.Name}project_conv").Call(x);
        x = EfficientNetV2BatchNorm($"{a.Name}project_bn").Call(x);
        if (!expanded) x = new Layers.Activation("swish", name: $"{a.Name}project_activation").Call(x);
        return EfficientNetV2Skip(inputs, x, a);
    }

    private static KerasTensor EfficientNetV2ConvBnSwish(KerasTensor x, int filters, int kernel, int strides, string name, string part)
    {
        x = new Layers.Conv2D(filters, kernel, strides: strides, padding: "same", useBias: false, kernelInitializer: EfficientNetConvInit(),
                              name: $"{name}{part}_conv").Call(x);
        x = EfficientNetV2BatchNorm($"{name}{part}_bn").Call(x);
        return new Layers.Activation("swish", name: $"{name}{part}_activation").Call(x);
    }

    // Squeeze-and-excite where the block has a ratio in (0, 1], its width a ratio of the block's input width.
    private static KerasTensor EfficientNetV2SqueezeExcite(KerasTensor x, int filters, EfficientNetV2BlockArgs a)
    {
        if (!(a.SeRatio > 0 && a.SeRatio <= 1)) return x;
        int filtersSe = Math.Max(1, (int)(a.FiltersIn * a.SeRatio));
        var se = new Layers.GlobalAveragePooling2D(name: $"{a.Name}se_squeeze").Call(x);
        se = new Layers.Reshape([1, 1, filters], name: $"{a.Name}se_reshape").Call(se);
        se = new Layers.Conv2D(filtersSe, 1, padding: "same", activation: "swish", kernelInitializer: EfficientNetConvInit(), name: $"{a.Name}se_reduce").Call(se);
        se = new Layers.Conv2D(filters, 1, padding: "same", activation: "sigmoid", kernelInitializer: EfficientNetConvInit(), name: $"{a.Name}se_expand").Call(se);
        return new Layers.Multiply(name: $"{a.Name}se_excite").Call([x, se]);
    }

    // The identity skip where shapes allow, behind stochastic depth (a Dropout whose noise shape keeps or drops each
    // example's whole residual; none at rate 0, the first block).
    private static KerasTensor EfficientNetV2Skip(KerasTensor inputs, KerasTensor x, EfficientNetV2BlockArgs a)
    {
        if (a.Strides != 1 || a.FiltersIn != a.FiltersOut) return x;
        if (a.DropRate > 0) x = new Layers.Dropout(a.DropRate, name: $"{a.Name}drop", noiseShape: [null, 1, 1, 1]).Call(x);
        return new Layers.Add(name: $"{a.Name}add").Call([x, inputs]);
    }
}
