namespace NeuralFlow.Keras;

public static partial class Applications
{
    private const string EfficientNetWeights = "https://storage.googleapis.com/keras-applications/";

    // efficientnet.py's IMAGENET_STDDEV_RGB: Keras' ImageNet files hold these as the stem Normalization's variance (where
    // their squares belong), which Keras undoes with a Rescaling by 1 / sqrt(stddev) when it loads "imagenet".
    private static readonly double[] ImageNetStddevRgb = [0.229, 0.224, 0.225];

    // efficientnet.py's DEFAULT_BLOCKS_ARGS: (kernel, repeats, filters in, filters out, expansion, strides); every
    // block has an identity skip and squeeze-excite ratio 0.25.
    private static readonly (int Kernel, int Repeats, int FiltersIn, int FiltersOut, int Expand, int Strides)[] EfficientNetBlocks =
    [
        (3, 1, 32, 16, 1, 1),
        (3, 2, 16, 24, 6, 2),
        (5, 2, 24, 40, 6, 2),
        (3, 3, 40, 80, 6, 2),
        (5, 3, 80, 112, 6, 1),
        (5, 4, 112, 192, 6, 2),
        (3, 1, 192, 320, 6, 1),
    ];

    /// <summary>
    /// EfficientNet-B0 (Tan and Le 2019) as Keras builds it (<c>keras.applications.EfficientNetB0</c>,
    /// keras/src/applications/efficientnet.py): the preprocessing inside the model (a Rescaling by 1/255 and a
    /// Normalization whose mean and variance are weights, 0 and 1 until a file sets them), a padded stride-2 'stem_conv',
    /// sixteen MBConv blocks 'block1a_' ... 'block7a_' (1x1 expansion, a depthwise convolution, squeeze-and-excite
    /// 'se_squeeze' ... 'se_excite', a 1x1 projection, and where shapes allow a Dropout 'drop' that drops whole
    /// examples (stochastic depth, at a rate growing from 0 to 0.2 over the blocks) before the Add), 'top_conv', and with
    /// <paramref name="includeTop"/> 'avg_pool', 'top_dropout' (0.2) and the 'predictions' Dense (5,330,571 parameters;
    /// 4,049,571 without). Every activation is swish. The images are RGB pixels in [0, 255]: the model's own layers scale
    /// them, and <see cref="EfficientNetPreprocessInput(Tensor)"/> passes them through. Every layer with weights has Keras'
    /// name, so a Keras weights file loads by name; a path whose file name is Keras' ImageNet file
    /// (efficientnetb0.h5, efficientnetb0_notop.h5, ...) stands for "imagenet" and gets Keras' rescaling of that file's
    /// stored variance after the Normalization.
    /// </summary>
    /// <param name="includeTop">Whether to end with 'avg_pool', 'top_dropout' and the 'predictions' classifier.</param>
    /// <param name="weights">null: random weights; the path of a Keras weights file (.h5, .weights.h5) to load by layer
    /// name; "imagenet" (Keras' default) is refused, naming the file to fetch.</param>
    /// <param name="inputTensor">Symbolic images to build the network on (Keras' input_tensor): a <c>Layers.Input</c> or
    /// the output of layers called on one, whose inputs become the model's.</param>
    /// <param name="inputShape">(height, width, channels); null: the model's default square (224 for B0 ... 600 for B7)
    /// with the classifier, any size ([null, null, 3]) without. At least 32x32.</param>
    /// <param name="pooling">Without the classifier: null (the 4-D feature map), "avg" ('avg_pool') or "max" ('max_pool').</param>
    /// <param name="classes">The classifier's width (with <paramref name="includeTop"/>).</param>
    /// <param name="classifierActivation">The classifier's activation ("softmax"; null gives logits).</param>
    /// <param name="name">The model's name ("efficientnetb0" ... "efficientnetb7").</param>
    public static Model EfficientNetB0(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                       string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", string name = "efficientnetb0") =>
        EfficientNet("EfficientNetB0", "b0", 1.0, 1.0, 224, 0.2, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name);

    /// <summary>EfficientNet-B1 (<c>keras.applications.EfficientNetB1</c>): <see cref="EfficientNetB0"/> with depth x1.1, 240x240 images (7,856,239 parameters).</summary>
    /// <inheritdoc cref="EfficientNetB0" path="/param"/>
    public static Model EfficientNetB1(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                       string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", string name = "efficientnetb1") =>
        EfficientNet("EfficientNetB1", "b1", 1.0, 1.1, 240, 0.2, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name);

    /// <summary>EfficientNet-B2 (<c>keras.applications.EfficientNetB2</c>): width x1.1, depth x1.2, 260x260 images, dropout 0.3 (9,177,569 parameters).</summary>
    /// <inheritdoc cref="EfficientNetB0" path="/param"/>
    public static Model EfficientNetB2(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                       string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", string name = "efficientnetb2") =>
        EfficientNet("EfficientNetB2", "b2", 1.1, 1.2, 260, 0.3, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name);

    /// <summary>EfficientNet-B3 (<c>keras.applications.EfficientNetB3</c>): width x1.2, depth x1.4, 300x300 images, dropout 0.3 (12,320,535 parameters).</summary>
    /// <inheritdoc cref="EfficientNetB0" path="/param"/>
    public static Model EfficientNetB3(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                       string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", string name = "efficientnetb3") =>
        EfficientNet("EfficientNetB3", "b3", 1.2, 1.4, 300, 0.3, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name);

    /// <summary>EfficientNet-B4 (<c>keras.applications.EfficientNetB4</c>): width x1.4, depth x1.8, 380x380 images, dropout 0.4 (19,466,823 parameters).</summary>
    /// <inheritdoc cref="EfficientNetB0" path="/param"/>
    public static Model EfficientNetB4(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                       string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", string name = "efficientnetb4") =>
        EfficientNet("EfficientNetB4", "b4", 1.4, 1.8, 380, 0.4, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name);

    /// <summary>EfficientNet-B5 (<c>keras.applications.EfficientNetB5</c>): width x1.6, depth x2.2, 456x456 images, dropout 0.4 (30,562,527 parameters).</summary>
    /// <inheritdoc cref="EfficientNetB0" path="/param"/>
    public static Model EfficientNetB5(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                       string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", string name = "efficientnetb5") =>
        EfficientNet("EfficientNetB5", "b5", 1.6, 2.2, 456, 0.4, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name);

    /// <summary>EfficientNet-B6 (<c>keras.applications.EfficientNetB6</c>): width x1.8, depth x2.6, 528x528 images, dropout 0.5 (43,265,143 parameters).</summary>
    /// <inheritdoc cref="EfficientNetB0" path="/param"/>
    public static Model EfficientNetB6(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                       string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", string name = "efficientnetb6") =>
        EfficientNet("EfficientNetB6", "b6", 1.8, 2.6, 528, 0.5, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name);

    /// <summary>EfficientNet-B7 (<c>keras.applications.EfficientNetB7</c>): width x2.0, depth x3.1, 600x600 images, dropout 0.5 (66,658,687 parameters).</summary>
    /// <inheritdoc cref="EfficientNetB0" path="/param"/>
    public static Model EfficientNetB7(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                       string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", string name = "efficientnetb7") =>
        EfficientNet("EfficientNetB7", "b7", 2.0, 3.1, 600, 0.5, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name);

    /// <summary>
    /// Keras' <c>keras.applications.efficientnet.preprocess_input</c>: a pass-through (the model scales its inputs
    /// itself), kept so that a recipe written for any application reads the same. Returns <paramref name="x"/>.
    /// </summary>
    public static Tensor EfficientNetPreprocessInput(Tensor x) => x ?? throw new ArgumentNullException(nameof(x));

    /// <summary><see cref="EfficientNetPreprocessInput(Tensor)"/> inside a functional model: <paramref name="x"/> itself.</summary>
    public static KerasTensor EfficientNetPreprocessInput(KerasTensor x) => x ?? throw new ArgumentNullException(nameof(x));

    // efficientnet.py's EfficientNet(width_coefficient, depth_coefficient, default_size, dropout_rate, ...), with Keras'
    // drop_connect_rate 0.2 and depth_divisor 8.
    private static Model EfficientNet(string app, string variant, double width, double depth, int defaultSize, double dropoutRate,
                                      bool includeTop, string? weights, KerasTensor? inputTensor, int?[]? inputShape, string? pooling, int classes,
                                      string? classifierActivation, string name)
    {
        const double dropConnectRate = 0.2;
        string file = $"efficientnet{variant}{(includeTop ? ".h5" : "_notop.h5")}";
        var (imgInput, _) = ImageInput(app, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, _ => file,
                                       EfficientNetWeights, defaultSize: defaultSize);

        var x = new Layers.Rescaling(1.0 / 255.0).Call(imgInput);
        x = new Layers.Normalization(axis: 3).Call(x);
        // Keras rescales after the Normalization only for "imagenet": its path here is the file it would download.
        if (weights is not null && Path.GetFileName(weights) == file)
            x = x * NF.Constant(ImageNetStddevRgb.Select(s => (float)(1 / Math.Sqrt(s))).ToArray(), new Shape(1, 1, 1, 3));

        x = new Layers.ZeroPadding2D(CorrectPad(x, 3), name: "stem_conv_pad").Call(x);
        x = new Layers.Conv2D(RoundFilters(32, width), 3, strides: 2, useBias: false, kernelInitializer: EfficientNetConvInit(), name: "stem_conv").Call(x);
        x = new Layers.BatchNormalization(axis: 3, name: "stem_bn").Call(x);
        x = new Layers.Activation("swish", name: "stem_activation").Call(x);

        double blocks = EfficientNetBlocks.Sum(a => RoundRepeats(a.Repeats, depth));
        int b = 0;
        for (int i = 0; i < EfficientNetBlocks.Length; i++)
        {
            var args = EfficientNetBlocks[i];
            int filtersIn = RoundFilters(args.FiltersIn, width), filtersOut = RoundFilters(args.FiltersOut, width);
            int repeats = RoundRepeats(args.Repeats, depth);
            for (int j = 0; j < repeats; j++)
            {
                // After the first repeat a stage keeps its size and width.
                x = MBConvBlock(x, dropConnectRate * b / blocks, $"block{i + 1}{(char)('a' + j)}_", j == 0 ? filtersIn : filtersOut, filtersOut,
                                args.Kernel, j == 0 ? args.Strides : 1, args.Expand);
                b++;
            }
        }

        x = new Layers.Conv2D(RoundFilters(1280, width), 1, padding: "same", useBias: false, kernelInitializer: EfficientNetConvInit(), name: "top_conv").Call(x);
        x = new Layers.BatchNormalization(axis: 3, name: "top_bn").Call(x);
        x = new Layers.Activation("swish", name: "top_activation").Call(x);

        if (includeTop)
        {
            x = new Layers.GlobalAveragePooling2D(name: "avg_pool").Call(x);
            if (dropoutRate > 0) x = new Layers.Dropout(dropoutRate, name: "top_dropout").Call(x);
            x = new Layers.Dense(classes, activation: classifierActivation, kernelInitializer: Initializer.VarianceScaling(1.0 / 3.0, "fan_out", "uniform"),
                                 name: "predictions").Call(x);
        }
        else x = Pool(x, pooling, avgName: "avg_pool", maxName: "max_pool");
        return Finish(app, imgInput, inputTensor, x, name, weights);
    }

    // efficientnet.py's CONV_KERNEL_INITIALIZER.
    private static Initializer EfficientNetConvInit() => Initializer.VarianceScaling(2.0, "fan_out", "truncated_normal");

    // efficientnet.py's round_filters: the width multiplier, rounded to a multiple of 8 as MobileNetV2's _make_divisible.
    private static int RoundFilters(int filters, double width) => MakeDivisible(filters * width, 8);

    // efficientnet.py's round_repeats.
    private static int RoundRepeats(int repeats, double depth) => (int)Math.Ceiling(depth * repeats);

    // efficientnet.py's block: an inverted residual block with squeeze-and-excitation, and stochastic depth (a Dropout
    // whose noise shape keeps or drops each example's whole residual) before the identity Add.
    private static KerasTensor MBConvBlock(KerasTensor inputs, double dropRate, string name, int filtersIn, int filtersOut,
                                           int kernelSize, int strides, int expandRatio)
    {
        int filters = filtersIn * expandRatio;
        var x = inputs;
        if (expandRatio != 1)
        {
            x = new Layers.Conv2D(filters, 1, padding: "same", useBias: false, kernelInitializer: EfficientNetConvInit(), name: $"{name}expand_conv").Call(x);
            x = new Layers.BatchNormalization(axis: 3, name: $"{name}expand_bn").Call(x);
            x = new Layers.Activation("swish", name: $"{name}expand_activation").Call(x);
        }
        string convPad = "same";
        if (strides == 2)
        {
            x = new Layers.ZeroPadding2D(CorrectPad(x, kernelSize), name: $"{name}dwconv_pad").Call(x);
            convPad = "valid";
        }
        x = new Layers.DepthwiseConv2D(kernelSize, strides: strides, padding: convPad, useBias: false, depthwiseInitializer: EfficientNetConvInit(),
                                       name: $"{name}dwconv").Call(x);
        x = new Layers.BatchNormalization(axis: 3, name: $"{name}bn").Call(x);
        x = new Layers.Activation("swish", name: $"{name}activation").Call(x);

        // Squeeze and excitation (se_ratio 0.25 of the block's input width).
        int filtersSe = Math.Max(1, (int)(filtersIn * 0.25));
        var se = new Layers.GlobalAveragePooling2D(name: $"{name}se_squeeze").Call(x);
        se = new Layers.Reshape([1, 1, filters], name: $"{name}se_reshape").Call(se);
        se = new Layers.Conv2D(filtersSe, 1, padding: "same", activation: "swish", kernelInitializer: EfficientNetConvInit(), name: $"{name}se_reduce").Call(se);
        se = new Layers.Conv2D(filters, 1, padding: "same", activation: "sigmoid", kernelInitializer: EfficientNetConvInit(), name: $"{name}se_expand").Call(se);
        x = new Layers.Multiply(name: $"{name}se_excite").Call([x, se]);

        x = new Layers.Conv2D(filtersOut, 1, padding: "same", useBias: false, kernelInitializer: EfficientNetConvInit(), name: $"{name}project_conv").Call(x);
        x = new Layers.BatchNormalization(axis: 3, name: $"{name}project_bn").Call(x);
        if (strides == 1 && filtersIn == filtersOut)
        {
            if (dropRate > 0) x = new Layers.Dropout(dropRate, name: $"{name}drop", noiseShape: [null, 1, 1, 1]).Call(x);
            x = new Layers.Add(name: $"{name}add").Call([x, inputs]);
        }
        return x;
    }
}
