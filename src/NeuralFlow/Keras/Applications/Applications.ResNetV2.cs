namespace NeuralFlow.Keras;

public static partial class Applications
{
    /// <summary>
    /// ResNet50V2 (He et al. 2016, "Identity Mappings in Deep Residual Networks") as Keras builds it
    /// (<c>keras.applications.ResNet50V2</c>, keras/src/applications/resnet_v2.py and resnet.py's ResNet with
    /// preact=True): 'conv1_pad' and the 7x7 stride-2 'conv1_conv' (no BatchNormalization after it), 'pool1_pad' and
    /// 3x3 max pooling, four stacks of pre-activation bottleneck blocks (3, 4, 6 and 3 blocks of 64, 128, 256 and 512
    /// filters: each block starts with '_preact_bn' and '_preact_relu', its first block has a 1x1 convolution shortcut
    /// '_0_conv', the last block of the first three stacks strides by 2 in its padded 3x3 '_2_conv' with an unnamed 1x1
    /// MaxPooling2D shortcut, and each ends in the Add '{block}_out'), then 'post_bn' and 'post_relu', and with
    /// <paramref name="includeTop"/> 'avg_pool' and the 'predictions' Dense: 25,613,800 parameters (23,564,800 without).
    /// The 1x1 bottleneck and 3x3 convolutions have no bias; every BatchNormalization has epsilon 1.001e-5. Its inputs
    /// are what <see cref="ResNetV2PreprocessInput(Tensor)"/> (Keras' resnet_v2.preprocess_input) makes of RGB pixels.
    /// </summary>
    /// <param name="includeTop">Whether to end with 'avg_pool' and the 'predictions' classifier.</param>
    /// <param name="weights">null: random weights; the path of a Keras weights file (.h5, e.g.
    /// resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5) to load by layer name; "imagenet" (Keras' default)
    /// is refused, naming the file to fetch.</param>
    /// <param name="inputTensor">Symbolic images to build the network on (Keras' input_tensor): a <c>Layers.Input</c> or
    /// the output of layers called on one, whose inputs become the model's.</param>
    /// <param name="inputShape">(height, width, channels); null: 224x224x3 with the classifier, any size
    /// ([null, null, 3]) without. At least 32x32.</param>
    /// <param name="pooling">Without the classifier: null (the 4-D feature map), "avg" ('avg_pool') or "max" ('max_pool').</param>
    /// <param name="classes">The classifier's width (with <paramref name="includeTop"/>).</param>
    /// <param name="classifierActivation">The classifier's activation ("softmax"; null gives logits).</param>
    /// <param name="name">The model's name ("resnet50v2").</param>
    public static Model ResNet50V2(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null, string? pooling = null,
                                   int classes = 1000, string? classifierActivation = "softmax", string name = "resnet50v2") =>
        ResNetV2("ResNet50V2", [3, 4, 6, 3], includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name);

    /// <summary>
    /// ResNet101V2 (<c>keras.applications.ResNet101V2</c>): <see cref="ResNet50V2"/> with 23 blocks in its third stack
    /// ('conv4_block23_out'), 44,675,560 parameters with the classifier (42,626,560 without).
    /// </summary>
    /// <inheritdoc cref="ResNet50V2" path="/param"/>
    public static Model ResNet101V2(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null, string? pooling = null,
                                    int classes = 1000, string? classifierActivation = "softmax", string name = "resnet101v2") =>
        ResNetV2("ResNet101V2", [3, 4, 23, 3], includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name);

    /// <summary>
    /// ResNet152V2 (<c>keras.applications.ResNet152V2</c>): <see cref="ResNet50V2"/> with 8 and 36 blocks in its second
    /// and third stacks, 60,380,648 parameters with the classifier (58,331,648 without).
    /// </summary>
    /// <inheritdoc cref="ResNet50V2" path="/param"/>
    public static Model ResNet152V2(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null, string? pooling = null,
                                    int classes = 1000, string? classifierActivation = "softmax", string name = "resnet152v2") =>
        ResNetV2("ResNet152V2", [3, 8, 36, 3], includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name);

    /// <summary>
    /// Keras' <c>keras.applications.resnet_v2.preprocess_input</c> (imagenet_utils' "tf" mode): pixels in [0, 255]
    /// scaled to [-1, 1], x / 127.5 - 1, what the ResNetV2 ImageNet weights expect. Integer images are taken as floatx first.
    /// </summary>
    public static Tensor ResNetV2PreprocessInput(Tensor x) => ImagenetUtils.PreprocessInput(x, mode: "tf");

    /// <summary><see cref="ResNetV2PreprocessInput(Tensor)"/> inside a functional model.</summary>
    public static KerasTensor ResNetV2PreprocessInput(KerasTensor x) => ImagenetUtils.PreprocessInput(x, mode: "tf");

    // resnet.py's ResNet with preact=True and use_bias=True (the stem convolution's bias), over stack_residual_blocks_v2.
    private static Model ResNetV2(string app, int[] blocks, bool includeTop, string? weights, KerasTensor? inputTensor, int?[]? inputShape,
                                  string? pooling, int classes, string? classifierActivation, string name)
    {
        string file = $"{app.ToLowerInvariant()}_weights_tf_dim_ordering_tf_kernels{(includeTop ? "" : "_notop")}.h5";
        var (imgInput, _) = ImageInput(app, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, _ => file, ResNetWeights);
        var x = new Layers.ZeroPadding2D(((3, 3), (3, 3)), name: "conv1_pad").Call(imgInput);
        x = new Layers.Conv2D(64, 7, strides: 2, useBias: true, name: "conv1_conv").Call(x);
        // Pre-activation: the stem's normalization and ReLU are the first block's '_preact_' layers.
        x = new Layers.ZeroPadding2D(((1, 1), (1, 1)), name: "pool1_pad").Call(x);
        x = new Layers.MaxPooling2D(3, strides: 2, name: "pool1_pool").Call(x);

        x = PreactStack(x, 64, blocks[0], stride1: 2, "conv2");
        x = PreactStack(x, 128, blocks[1], stride1: 2, "conv3");
        x = PreactStack(x, 256, blocks[2], stride1: 2, "conv4");
        x = PreactStack(x, 512, blocks[3], stride1: 1, "conv5");

        x = BatchNorm1001("post_bn").Call(x);
        x = new Layers.Activation("relu", name: "post_relu").Call(x);
        x = includeTop ? AvgPoolClassifier(x, classes, classifierActivation) : Pool(x, pooling, avgName: "avg_pool", maxName: "max_pool");
        return Finish(app, imgInput, inputTensor, x, name, weights);
    }

    // resnet.py's stack_residual_blocks_v2: a convolution shortcut in the first block, the stride in the last (v2
    // downsamples at a stack's end, where v1 does at its start).
    private static KerasTensor PreactStack(KerasTensor x, int filters, int blocks, int stride1, string name)
    {
        x = PreactBlock(x, filters, 1, convShortcut: true, $"{name}_block1");
        for (int i = 2; i < blocks; i++) x = PreactBlock(x, filters, 1, convShortcut: false, $"{name}_block{i}");
        return PreactBlock(x, filters, stride1, convShortcut: false, $"{name}_block{blocks}");
    }

    // resnet.py's residual_block_v2 (kernel size 3): BatchNormalization and ReLU before the convolutions; the identity
    // shortcut of a strided block is an (unnamed) 1x1 max pooling of the block's input, which subsamples it.
    private static KerasTensor PreactBlock(KerasTensor x, int filters, int stride, bool convShortcut, string name)
    {
        var preact = BatchNorm1001($"{name}_preact_bn").Call(x);
        preact = new Layers.Activation("relu", name: $"{name}_preact_relu").Call(preact);
        var shortcut = convShortcut ? new Layers.Conv2D(4 * filters, 1, strides: stride, name: $"{name}_0_conv").Call(preact)
                     : stride > 1 ? new Layers.MaxPooling2D(1, strides: stride).Call(x)
                     : x;
        var y = new Layers.Conv2D(filters, 1, useBias: false, name: $"{name}_1_conv").Call(preact);
        y = BatchNorm1001($"{name}_1_bn").Call(y);
        y = new Layers.Activation("relu", name: $"{name}_1_relu").Call(y);
        y = new Layers.ZeroPadding2D(((1, 1), (1, 1)), name: $"{name}_2_pad").Call(y);
        y = new Layers.Conv2D(filters, 3, strides: stride, useBias: false, name: $"{name}_2_conv").Call(y);
        y = BatchNorm1001($"{name}_2_bn").Call(y);
        y = new Layers.Activation("relu", name: $"{name}_2_relu").Call(y);
        y = new Layers.Conv2D(4 * filters, 1, name: $"{name}_3_conv").Call(y);
        return new Layers.Add(name: $"{name}_out").Call([shortcut, y]);
    }
}
