namespace NeuralFlow.Keras;

public static partial class Applications
{
    private const string ResNetWeights = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/";

    /// <summary>
    /// ResNet50 (He et al. 2015) as Keras builds it (<c>keras.applications.ResNet50</c>, keras/src/applications/resnet.py):
    /// 'conv1_pad' and the 7x7 stride-2 'conv1_conv', 'pool1_pad' and 3x3 max pooling, then four stacks of bottleneck
    /// blocks (3, 4, 6 and 3 blocks of 64, 128, 256 and 512 filters, named 'conv2_block1_1_conv' ... 'conv5_block3_out'),
    /// each block's first with a 1x1 convolution shortcut ('_0_conv'); with <paramref name="includeTop"/> 'avg_pool'
    /// and the 'predictions' Dense. Convolutions have biases; every BatchNormalization has epsilon 1.001e-5 and Keras'
    /// default momentum 0.99. Each layer has Keras' name, so a Keras .h5 weights file loads by name.
    /// </summary>
    /// <param name="includeTop">Whether to end with 'avg_pool' and the 'predictions' classifier.</param>
    /// <param name="weights">null: random weights; the path of a Keras weights file (.h5, e.g.
    /// resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5) to load by layer name; "imagenet" (Keras' default)
    /// is refused, naming the file to fetch.</param>
    /// <param name="inputTensor">Symbolic images to build the network on (Keras' input_tensor): a <c>Layers.Input</c> or
    /// the output of layers called on one, whose inputs become the model's.</param>
    /// <param name="inputShape">(height, width, channels); null: 224x224x3 with the classifier, any size
    /// ([null, null, 3]) without. At least 32x32.</param>
    /// <param name="pooling">Without the classifier: null (the 4-D feature map), "avg" or "max" global pooling.</param>
    /// <param name="classes">The classifier's width (with <paramref name="includeTop"/>).</param>
    /// <param name="classifierActivation">The classifier's activation ("softmax"; null gives logits).</param>
    /// <param name="name">The model's name ("resnet50").</param>
    public static Model ResNet50(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null, string? pooling = null,
                                 int classes = 1000, string? classifierActivation = "softmax", string name = "resnet50") =>
        ResNet("ResNet50", [3, 4, 6, 3], includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name);

    /// <summary>
    /// ResNet101 (<c>keras.applications.ResNet101</c>): <see cref="ResNet50"/> with 23 blocks in its third stack
    /// ('conv4_block23_out'), 44,707,176 parameters with the classifier. Its inputs are what
    /// <see cref="ResNet50PreprocessInput(Tensor)"/> (Keras' resnet.preprocess_input) makes of RGB pixels.
    /// </summary>
    /// <inheritdoc cref="ResNet50" path="/param"/>
    public static Model ResNet101(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null, string? pooling = null,
                                  int classes = 1000, string? classifierActivation = "softmax", string name = "resnet101") =>
        ResNet("ResNet101", [3, 4, 23, 3], includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name);

    /// <summary>
    /// ResNet152 (<c>keras.applications.ResNet152</c>): <see cref="ResNet50"/> with 8 and 36 blocks in its second and third
    /// stacks, 60,419,944 parameters with the classifier. Its inputs are what <see cref="ResNet50PreprocessInput(Tensor)"/>
    /// (Keras' resnet.preprocess_input) makes of RGB pixels.
    /// </summary>
    /// <inheritdoc cref="ResNet50" path="/param"/>
    public static Model ResNet152(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null, string? pooling = null,
                                  int classes = 1000, string? classifierActivation = "softmax", string name = "resnet152") =>
        ResNet("ResNet152", [3, 8, 36, 3], includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name);

    // resnet.py's ResNet (v1: no preactivation, biased convolutions) with its four stacks of the given block counts.
    private static Model ResNet(string app, int[] blocks, bool includeTop, string? weights, KerasTensor? inputTensor, int?[]? inputShape,
                                string? pooling, int classes, string? classifierActivation, string name)
    {
        string file = $"{app.ToLowerInvariant()}_weights_tf_dim_ordering_tf_kernels{(includeTop ? "" : "_notop")}.h5";
        var (imgInput, _) = ImageInput(app, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, _ => file, ResNetWeights);
        var x = new Layers.ZeroPadding2D(((3, 3), (3, 3)), name: "conv1_pad").Call(imgInput);
        x = new Layers.Conv2D(64, 7, strides: 2, useBias: true, name: "conv1_conv").Call(x);
        x = BatchNorm1001("conv1_bn").Call(x);
        x = new Layers.Activation("relu", name: "conv1_relu").Call(x);
        x = new Layers.ZeroPadding2D(((1, 1), (1, 1)), name: "pool1_pad").Call(x);
        x = new Layers.MaxPooling2D(3, strides: 2, name: "pool1_pool").Call(x);

        x = ResidualStack(x, 64, blocks[0], stride1: 1, "conv2");
        x = ResidualStack(x, 128, blocks[1], stride1: 2, "conv3");
        x = ResidualStack(x, 256, blocks[2], stride1: 2, "conv4");
        x = ResidualStack(x, 512, blocks[3], stride1: 2, "conv5");

        x = includeTop ? AvgPoolClassifier(x, classes, classifierActivation) : Pool(x, pooling, avgName: "avg_pool", maxName: "max_pool");
        return Finish(app, imgInput, inputTensor, x, name, weights);
    }

    /// <summary>
    /// Keras' <c>keras.applications.resnet50.preprocess_input</c> (imagenet_utils' "caffe" mode), what ResNet50's
    /// ImageNet weights expect of RGB pixels in [0, 255]: the channels reversed to BGR and ImageNet's mean pixel
    /// (103.939, 116.779, 123.68) subtracted, without scaling. Integer images are taken as floatx first.
    /// </summary>
    public static Tensor ResNet50PreprocessInput(Tensor x) => Caffe("ResNet50PreprocessInput", x);

    /// <summary><see cref="ResNet50PreprocessInput(Tensor)"/> inside a functional model.</summary>
    public static KerasTensor ResNet50PreprocessInput(KerasTensor x) => Caffe("ResNet50PreprocessInput", x);

    // resnet.py's and densenet.py's BatchNormalization: epsilon 1.001e-5, Keras' default momentum.
    private static Layers.BatchNormalization BatchNorm1001(string name) => new(epsilon: 1.001e-5, name: name);

    // resnet.py's stack_residual_blocks_v1: the first block strides and has a convolution shortcut.
    private static KerasTensor ResidualStack(KerasTensor x, int filters, int blocks, int stride1, string name)
    {
        x = ResidualBlock(x, filters, stride1, convShortcut: true, $"{name}_block1");
        for (int i = 2; i <= blocks; i++) x = ResidualBlock(x, filters, 1, convShortcut: false, $"{name}_block{i}");
        return x;
    }

    // resnet.py's residual_block_v1 (kernel size 3).
    private static KerasTensor ResidualBlock(KerasTensor x, int filters, int stride, bool convShortcut, string name)
    {
        var shortcut = x;
        if (convShortcut)
        {
            shortcut = new Layers.Conv2D(4 * filters, 1, strides: stride, name: $"{name}_0_conv").Call(x);
            shortcut = BatchNorm1001($"{name}_0_bn").Call(shortcut);
        }
        x = new Layers.Conv2D(filters, 1, strides: stride, name: $"{name}_1_conv").Call(x);
        x = BatchNorm1001($"{name}_1_bn").Call(x);
        x = new Layers.Activation("relu", name: $"{name}_1_relu").Call(x);
        x = new Layers.Conv2D(filters, 3, padding: "same", name: $"{name}_2_conv").Call(x);
        x = BatchNorm1001($"{name}_2_bn").Call(x);
        x = new Layers.Activation("relu", name: $"{name}_2_relu").Call(x);
        x = new Layers.Conv2D(4 * filters, 1, name: $"{name}_3_conv").Call(x);
        x = BatchNorm1001($"{name}_3_bn").Call(x);
        x = new Layers.Add(name: $"{name}_add").Call([shortcut, x]);
        return new Layers.Activation("relu", name: $"{name}_out").Call(x);
    }
}
