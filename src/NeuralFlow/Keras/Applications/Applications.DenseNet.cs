namespace NeuralFlow.Keras;

public static partial class Applications
{
    private const string DenseNetWeights = "https://storage.googleapis.com/tensorflow/keras-applications/densenet/";

    /// <summary>
    /// DenseNet121 (Huang et al. 2016) as Keras builds it (<c>keras.applications.DenseNet121</c>, keras/src/applications/densenet.py):
    /// a padded 7x7 stride-2 'conv1_conv' and 3x3 max pooling 'pool1', four dense blocks of 6, 12, 24 and 16 convolution
    /// blocks ('conv2_block1_0_bn' ... 'conv5_block16_concat': BatchNormalization, ReLU, a 1x1 convolution of 128 filters,
    /// BatchNormalization, ReLU, a 3x3 convolution of 32 filters, concatenated to the block's input), transitions 'pool2' to
    /// 'pool4' between them (BatchNormalization, ReLU, a 1x1 convolution halving the channels, 2x2 average pooling), then 'bn'
    /// and 'relu'; with <paramref name="includeTop"/> 'avg_pool' and the 'predictions' Dense (8,062,504 parameters).
    /// Convolutions have no biases; every BatchNormalization has epsilon 1.001e-5. Each layer has Keras' name (the two
    /// ZeroPadding2D layers take Keras' automatic names), so a Keras .h5 weights file loads by name.
    /// Its inputs are what <see cref="DenseNetPreprocessInput(Tensor)"/> makes of RGB pixels.
    /// </summary>
    /// <param name="includeTop">Whether to end with 'avg_pool' and the 'predictions' classifier.</param>
    /// <param name="weights">null: random weights; the path of a Keras weights file (.h5, e.g.
    /// densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5) to load by layer name; "imagenet" (Keras' default)
    /// is refused, naming the file to fetch.</param>
    /// <param name="inputTensor">Symbolic images to build the network on (Keras' input_tensor): a <c>Layers.Input</c> or
    /// the output of layers called on one, whose inputs become the model's.</param>
    /// <param name="inputShape">(height, width, channels); null: 224x224x3 with the classifier, any size
    /// ([null, null, 3]) without. At least 32x32.</param>
    /// <param name="pooling">Without the classifier: null (the 4-D feature map), "avg" ('avg_pool') or "max" ('max_pool').</param>
    /// <param name="classes">The classifier's width (with <paramref name="includeTop"/>).</param>
    /// <param name="classifierActivation">The classifier's activation ("softmax"; null gives logits).</param>
    /// <param name="name">The model's name ("densenet121").</param>
    public static Model DenseNet121(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                    string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", string name = "densenet121") =>
        DenseNet("DenseNet121", [6, 12, 24, 16], includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name);

    /// <summary>DenseNet169 (<c>keras.applications.DenseNet169</c>): <see cref="DenseNet121"/> with dense blocks of 6, 12, 32 and 32 (14,307,880 parameters).</summary>
    /// <inheritdoc cref="DenseNet121" path="/param"/>
    public static Model DenseNet169(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                    string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", string name = "densenet169") =>
        DenseNet("DenseNet169", [6, 12, 32, 32], includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name);

    /// <summary>DenseNet201 (<c>keras.applications.DenseNet201</c>): <see cref="DenseNet121"/> with dense blocks of 6, 12, 48 and 32 (20,242,984 parameters).</summary>
    /// <inheritdoc cref="DenseNet121" path="/param"/>
    public static Model DenseNet201(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                    string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", string name = "densenet201") =>
        DenseNet("DenseNet201", [6, 12, 48, 32], includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name);

    /// <summary>
    /// Keras' <c>keras.applications.densenet.preprocess_input</c> (imagenet_utils' "torch" mode), what DenseNet's ImageNet
    /// weights expect of RGB pixels in [0, 255]: scaled to [0, 1], then each channel less ImageNet's mean
    /// (0.485, 0.456, 0.406) and over its standard deviation (0.229, 0.224, 0.225). Integer images are taken as floatx first.
    /// </summary>
    public static Tensor DenseNetPreprocessInput(Tensor x) => Torch("DenseNetPreprocessInput", x);

    /// <summary><see cref="DenseNetPreprocessInput(Tensor)"/> inside a functional model.</summary>
    public static KerasTensor DenseNetPreprocessInput(KerasTensor x) => Torch("DenseNetPreprocessInput", x);

    // densenet.py's DenseNet(blocks, ...).
    private static Model DenseNet(string app, int[] blocks, bool includeTop, string? weights, KerasTensor? inputTensor, int?[]? inputShape,
                                  string? pooling, int classes, string? classifierActivation, string name)
    {
        string file = $"{app.ToLowerInvariant()}_weights_tf_dim_ordering_tf_kernels{(includeTop ? "" : "_notop")}.h5";
        var (imgInput, _) = ImageInput(app, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, _ => file, DenseNetWeights);

        var x = new Layers.ZeroPadding2D(((3, 3), (3, 3))).Call(imgInput);
        x = new Layers.Conv2D(64, 7, strides: 2, useBias: false, name: "conv1_conv").Call(x);
        x = BatchNorm1001("conv1_bn").Call(x);
        x = new Layers.Activation("relu", name: "conv1_relu").Call(x);
        x = new Layers.ZeroPadding2D(((1, 1), (1, 1))).Call(x);
        x = new Layers.MaxPooling2D(3, strides: 2, name: "pool1").Call(x);

        for (int stage = 0; stage < blocks.Length; stage++)
        {
            for (int i = 1; i <= blocks[stage]; i++) x = DenseConvBlock(x, 32, $"conv{stage + 2}_block{i}");
            if (stage < blocks.Length - 1) x = TransitionBlock(x, 0.5, $"pool{stage + 2}");
        }
        x = BatchNorm1001("bn").Call(x);
        x = new Layers.Activation("relu", name: "relu").Call(x);

        x = includeTop ? AvgPoolClassifier(x, classes, classifierActivation) : Pool(x, pooling, avgName: "avg_pool", maxName: "max_pool");
        return Finish(app, imgInput, inputTensor, x, name, weights);
    }

    // densenet.py's conv_block: the block's growthRate new channels concatenated after its input's.
    private static KerasTensor DenseConvBlock(KerasTensor x, int growthRate, string name)
    {
        var x1 = BatchNorm1001($"{name}_0_bn").Call(x);
        x1 = new Layers.Activation("relu", name: $"{name}_0_relu").Call(x1);
        x1 = new Layers.Conv2D(4 * growthRate, 1, useBias: false, name: $"{name}_1_conv").Call(x1);
        x1 = BatchNorm1001($"{name}_1_bn").Call(x1);
        x1 = new Layers.Activation("relu", name: $"{name}_1_relu").Call(x1);
        x1 = new Layers.Conv2D(growthRate, 3, padding: "same", useBias: false, name: $"{name}_2_conv").Call(x1);
        return new Layers.Concatenate(axis: 3, name: $"{name}_concat").Call([x, x1]);
    }

    // densenet.py's transition_block: int(channels * reduction) 1x1 filters, then 2x2 average pooling.
    private static KerasTensor TransitionBlock(KerasTensor x, double reduction, string name)
    {
        x = BatchNorm1001($"{name}_bn").Call(x);
        x = new Layers.Activation("relu", name: $"{name}_relu").Call(x);
        int channels = x.Shape[3] ?? throw new ArgumentException($"DenseNet: the channels before '{name}' must be known.");
        x = new Layers.Conv2D((int)(channels * reduction), 1, useBias: false, name: $"{name}_conv").Call(x);
        return new Layers.AveragePooling2D(2, strides: 2, name: $"{name}_pool").Call(x);
    }
}
