namespace NeuralFlow.Keras;

public static partial class Applications
{
    private const string XceptionWeights = "https://storage.googleapis.com/tensorflow/keras-applications/xception/";

    /// <summary>
    /// Xception (Chollet 2017) as Keras builds it (<c>keras.applications.Xception</c>, keras/src/applications/xception.py):
    /// the entry flow ('block1_conv1', 'block1_conv2', then blocks 2 to 4 of two 3x3 separable convolutions and a stride-2
    /// max pooling, each added to a stride-2 1x1 convolution of its input), the middle flow (blocks 5 to 12: three separable
    /// convolutions of 728 filters with an identity shortcut), the exit flow ('block13_*' and 'block14_*' up to 2048
    /// channels) and with <paramref name="includeTop"/> 'avg_pool' and the 'predictions' Dense (22,910,480 parameters;
    /// 20,861,480 without). No convolution has a bias; every BatchNormalization has Keras' defaults. The shortcuts' layers
    /// and the Adds take Keras' automatic names, so a weights file is loaded as Keras' <c>model.load_weights</c> loads it
    /// (<see cref="Model.LoadWeights"/>: a legacy .h5 in layer order, a .weights.h5 or .keras by the object tree). Its inputs are what <see cref="XceptionPreprocessInput(Tensor)"/> makes of RGB pixels.
    /// </summary>
    /// <param name="includeTop">Whether to end with 'avg_pool' and the 'predictions' classifier.</param>
    /// <param name="weights">null: random weights; the path of a Keras weights file (.h5, .weights.h5, .keras) to load;
    /// "imagenet" (Keras' default) is refused, naming the file to fetch.</param>
    /// <param name="inputTensor">Symbolic images to build the network on (Keras' input_tensor): a <c>Layers.Input</c> or
    /// the output of layers called on one, whose inputs become the model's.</param>
    /// <param name="inputShape">(height, width, channels); null: 299x299x3 with the classifier, any size
    /// ([null, null, 3]) without. At least 71x71.</param>
    /// <param name="pooling">Without the classifier: null (the 4-D feature map), "avg" or "max" global pooling.</param>
    /// <param name="classes">The classifier's width (with <paramref name="includeTop"/>).</param>
    /// <param name="classifierActivation">The classifier's activation ("softmax"; null gives logits).</param>
    /// <param name="name">The model's name ("xception").</param>
    public static Model Xception(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                 string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", string name = "xception")
    {
        const string app = "Xception";
        string file = $"xception_weights_tf_dim_ordering_tf_kernels{(includeTop ? "" : "_notop")}.h5";
        var (imgInput, _) = ImageInput(app, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, _ => file,
                                       XceptionWeights, defaultSize: 299, minSize: 71);

        var x = new Layers.Conv2D(32, 3, strides: 2, useBias: false, name: "block1_conv1").Call(imgInput);
        x = new Layers.BatchNormalization(name: "block1_conv1_bn").Call(x);
        x = new Layers.Activation("relu", name: "block1_conv1_act").Call(x);
        x = new Layers.Conv2D(64, 3, useBias: false, name: "block1_conv2").Call(x);
        x = new Layers.BatchNormalization(name: "block1_conv2_bn").Call(x);
        x = new Layers.Activation("relu", name: "block1_conv2_act").Call(x);

        // Entry flow: block 2 starts from block 1's ReLU, blocks 3 and 4 put their own ReLU first.
        x = XceptionDownBlock(x, 128, 128, "block2", reluFirst: false);
        x = XceptionDownBlock(x, 256, 256, "block3", reluFirst: true);
        x = XceptionDownBlock(x, 728, 728, "block4", reluFirst: true);

        // Middle flow.
        for (int i = 0; i < 8; i++)
        {
            var residual = x;
            string prefix = $"block{i + 5}";
            for (int k = 1; k <= 3; k++)
            {
                x = new Layers.Activation("relu", name: $"{prefix}_sepconv{k}_act").Call(x);
                x = SepConvBn(x, 728, $"{prefix}_sepconv{k}");
            }
            x = new Layers.Add().Call([x, residual]);
        }

        // Exit flow.
        x = XceptionDownBlock(x, 728, 1024, "block13", reluFirst: true);
        x = SepConvBn(x, 1536, "block14_sepconv1");
        x = new Layers.Activation("relu", name: "block14_sepconv1_act").Call(x);
        x = SepConvBn(x, 2048, "block14_sepconv2");
        x = new Layers.Activation("relu", name: "block14_sepconv2_act").Call(x);

        x = includeTop ? AvgPoolClassifier(x, classes, classifierActivation) : Pool(x, pooling);
        return Finish(app, imgInput, inputTensor, x, name, weights, byName: false);
    }

    /// <summary>
    /// Keras' <c>keras.applications.xception.preprocess_input</c> (imagenet_utils' "tf" mode): pixels in [0, 255] scaled
    /// to [-1, 1], x / 127.5 - 1, what Xception's ImageNet weights expect. Integer images are taken as floatx first.
    /// </summary>
    public static Tensor XceptionPreprocessInput(Tensor x) => ImagenetUtils.PreprocessInput(x, mode: "tf");

    /// <summary><see cref="XceptionPreprocessInput(Tensor)"/> inside a functional model.</summary>
    public static KerasTensor XceptionPreprocessInput(KerasTensor x) => ImagenetUtils.PreprocessInput(x, mode: "tf");

    // A block that halves the map: the shortcut (an unnamed stride-2 1x1 convolution and BatchNormalization, made first as
    // Keras makes it), two separable convolutions with a ReLU between (and before, in blocks 3, 4 and 13), a stride-2
    // 3x3 'same' max pooling '{prefix}_pool', and the unnamed Add.
    private static KerasTensor XceptionDownBlock(KerasTensor x, int filters1, int filters2, string prefix, bool reluFirst)
    {
        var residual = new Layers.Conv2D(filters2, 1, strides: 2, padding: "same", useBias: false).Call(x);
        residual = new Layers.BatchNormalization().Call(residual);
        if (reluFirst) x = new Layers.Activation("relu", name: $"{prefix}_sepconv1_act").Call(x);
        x = SepConvBn(x, filters1, $"{prefix}_sepconv1");
        x = new Layers.Activation("relu", name: $"{prefix}_sepconv2_act").Call(x);
        x = SepConvBn(x, filters2, $"{prefix}_sepconv2");
        x = new Layers.MaxPooling2D(3, strides: 2, padding: "same", name: $"{prefix}_pool").Call(x);
        return new Layers.Add().Call([x, residual]);
    }

    // A 3x3 'same' SeparableConv2D without bias named name, and its BatchNormalization '{name}_bn'.
    private static KerasTensor SepConvBn(KerasTensor x, int filters, string name)
    {
        x = new Layers.SeparableConv2D(filters, 3, padding: "same", useBias: false, name: name).Call(x);
        return new Layers.BatchNormalization(name: $"{name}_bn").Call(x);
    }
}
