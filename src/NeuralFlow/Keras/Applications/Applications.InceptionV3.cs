namespace NeuralFlow.Keras;

public static partial class Applications
{
    private const string InceptionV3Weights = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/";

    /// <summary>
    /// Inception v3 (Szegedy et al. 2015) as Keras builds it (<c>keras.applications.InceptionV3</c>,
    /// keras/src/applications/inception_v3.py): a stem of five convolutions and two 3x3 max poolings, eleven inception
    /// modules whose concatenations Keras names 'mixed0' to 'mixed10' (with 'mixed9_0' and 'mixed9_1' inside the last two),
    /// and with <paramref name="includeTop"/> 'avg_pool' and the 'predictions' Dense (23,851,784 parameters; 21,802,784
    /// without). Every convolution is Keras' conv2d_bn: a Conv2D without bias, a BatchNormalization without scale
    /// (epsilon 1e-3) and a ReLU, all three with Keras' automatic names, so a feature extractor reads
    /// <c>model.GetLayer("mixed3").Output</c> as the DeepDream tutorial does. A weights file is loaded as Keras'
    /// <c>model.load_weights</c> loads it (<see cref="Model.LoadWeights"/>: a legacy .h5 in layer order, since Keras' own
    /// ImageNet files name the layers conv2d_1, ..., after the counters of the session that wrote them; a .weights.h5 or
    /// .keras by the object tree). Its inputs are what <see cref="InceptionV3PreprocessInput(Tensor)"/> makes of RGB pixels.
    /// </summary>
    /// <param name="includeTop">Whether to end with 'avg_pool' and the 'predictions' classifier.</param>
    /// <param name="weights">null: random weights; the path of a Keras weights file (.h5, .weights.h5, .keras) to load;
    /// "imagenet" (Keras' default) is refused, naming the file to fetch.</param>
    /// <param name="inputTensor">Symbolic images to build the network on (Keras' input_tensor): a <c>Layers.Input</c> or
    /// the output of layers called on one, whose inputs become the model's.</param>
    /// <param name="inputShape">(height, width, channels); null: 299x299x3 with the classifier, any size
    /// ([null, null, 3]) without. At least 75x75.</param>
    /// <param name="pooling">Without the classifier: null (the 4-D feature map), "avg" or "max" global pooling.</param>
    /// <param name="classes">The classifier's width (with <paramref name="includeTop"/>).</param>
    /// <param name="classifierActivation">The classifier's activation ("softmax"; null gives logits).</param>
    /// <param name="name">The model's name ("inception_v3").</param>
    public static Model InceptionV3(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                    string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", string name = "inception_v3")
    {
        const string app = "InceptionV3";
        string file = $"inception_v3_weights_tf_dim_ordering_tf_kernels{(includeTop ? "" : "_notop")}.h5";
        var (imgInput, _) = ImageInput(app, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, _ => file,
                                       InceptionV3Weights, defaultSize: 299, minSize: 75);

        var x = ConvBn(imgInput, 32, 3, 3, strides: 2, padding: "valid");
        x = ConvBn(x, 32, 3, 3, padding: "valid");
        x = ConvBn(x, 64, 3, 3);
        x = new Layers.MaxPooling2D(3, strides: 2).Call(x);
        x = ConvBn(x, 80, 1, 1, padding: "valid");
        x = ConvBn(x, 192, 3, 3, padding: "valid");
        x = new Layers.MaxPooling2D(3, strides: 2).Call(x);

        // mixed0..2: 35x35 modules, the pooled branch 32 filters wide in the first, 64 after.
        for (int i = 0; i < 3; i++)
        {
            var b1 = ConvBn(x, 64, 1, 1);
            var b5 = ConvBn(ConvBn(x, 48, 1, 1), 64, 5, 5);
            var b3 = ConvBn(ConvBn(ConvBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3);
            var bp = ConvBn(AvgPool3x3(x), i == 0 ? 32 : 64, 1, 1);
            x = Concat([b1, b5, b3, bp], $"mixed{i}");
        }

        // mixed3: down to 17x17.
        {
            var b3 = ConvBn(x, 384, 3, 3, strides: 2, padding: "valid");
            var bd = ConvBn(ConvBn(ConvBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, strides: 2, padding: "valid");
            var bp = new Layers.MaxPooling2D(3, strides: 2).Call(x);
            x = Concat([b3, bd, bp], "mixed3");
        }

        // mixed4..7: 17x17 modules of factorized 7x7 convolutions, 128, 160, 160 and 192 filters inside.
        int[] inner = [128, 160, 160, 192];
        for (int i = 0; i < 4; i++)
        {
            int f = inner[i];
            var b1 = ConvBn(x, 192, 1, 1);
            var b7 = ConvBn(ConvBn(ConvBn(x, f, 1, 1), f, 1, 7), 192, 7, 1);
            var bd = ConvBn(x, f, 1, 1);
            bd = ConvBn(ConvBn(bd, f, 7, 1), f, 1, 7);
            bd = ConvBn(ConvBn(bd, f, 7, 1), 192, 1, 7);
            var bp = ConvBn(AvgPool3x3(x), 192, 1, 1);
            x = Concat([b1, b7, bd, bp], $"mixed{4 + i}");
        }

        // mixed8: down to 8x8.
        {
            var b3 = ConvBn(ConvBn(x, 192, 1, 1), 320, 3, 3, strides: 2, padding: "valid");
            var b7 = ConvBn(ConvBn(ConvBn(x, 192, 1, 1), 192, 1, 7), 192, 7, 1);
            b7 = ConvBn(b7, 192, 3, 3, strides: 2, padding: "valid");
            var bp = new Layers.MaxPooling2D(3, strides: 2).Call(x);
            x = Concat([b3, b7, bp], "mixed8");
        }

        // mixed9, mixed10: 8x8 modules with split 1x3 / 3x1 branches ('mixed9_0', 'mixed9_1' and an unnamed concatenation).
        for (int i = 0; i < 2; i++)
        {
            var b1 = ConvBn(x, 320, 1, 1);
            var b3 = ConvBn(x, 384, 1, 1);
            b3 = Concat([ConvBn(b3, 384, 1, 3), ConvBn(b3, 384, 3, 1)], $"mixed9_{i}");
            var bd = ConvBn(ConvBn(x, 448, 1, 1), 384, 3, 3);
            bd = Concat([ConvBn(bd, 384, 1, 3), ConvBn(bd, 384, 3, 1)], null);
            var bp = ConvBn(AvgPool3x3(x), 192, 1, 1);
            x = Concat([b1, b3, bd, bp], $"mixed{9 + i}");
        }

        x = includeTop ? AvgPoolClassifier(x, classes, classifierActivation) : Pool(x, pooling);
        return Finish(app, imgInput, inputTensor, x, name, weights, byName: false);
    }

    /// <summary>
    /// Keras' <c>keras.applications.inception_v3.preprocess_input</c> (imagenet_utils' "tf" mode): pixels in [0, 255]
    /// scaled to [-1, 1], x / 127.5 - 1, what InceptionV3's ImageNet weights expect. Integer images are taken as floatx first.
    /// </summary>
    public static Tensor InceptionV3PreprocessInput(Tensor x) => ImagenetUtils.PreprocessInput(x, mode: "tf");

    /// <summary><see cref="InceptionV3PreprocessInput(Tensor)"/> inside a functional model.</summary>
    public static KerasTensor InceptionV3PreprocessInput(KerasTensor x) => ImagenetUtils.PreprocessInput(x, mode: "tf");

    // inception_v3.py's conv2d_bn: Conv2D (no bias), BatchNormalization (no scale: a ReLU follows), ReLU. Keras names the
    // three '{name}_conv', '{name}_bn' and '{name}' when given a name, else automatically (InceptionV3 gives none;
    // InceptionResNetV2 names some).
    internal static KerasTensor ConvBn(KerasTensor x, int filters, int rows, int cols, int strides = 1, string padding = "same",
                                       string? name = null, bool activation = true, bool useBias = false)
    {
        x = new Layers.Conv2D(filters, [rows, cols], strides: [strides, strides], padding: padding, useBias: useBias,
                              name: name is null ? null : $"{name}_conv").Call(x);
        x = new Layers.BatchNormalization(axis: 3, scale: false, name: name is null ? null : $"{name}_bn").Call(x);
        return activation ? new Layers.Activation("relu", name: name).Call(x) : x;
    }

    private static KerasTensor AvgPool3x3(KerasTensor x) => new Layers.AveragePooling2D(3, strides: 1, padding: "same").Call(x);

    private static KerasTensor Concat(KerasTensor[] parts, string? name) => new Layers.Concatenate(axis: 3, name: name).Call(parts);
}
