using System.Globalization;

namespace NeuralFlow.Keras;

public static partial class Applications
{
    private const string MobileNetWeights = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/";
    private static readonly int[] MobileNetSizes = [128, 160, 192, 224];

    /// <summary>
    /// MobileNet (v1, Howard et al. 2017) as Keras builds it (<c>keras.applications.MobileNet</c>, keras/src/applications/mobilenet.py):
    /// a stride-2 3x3 convolution 'conv1', then thirteen depthwise separable blocks (block i: 'conv_pad_i' where it strides,
    /// the 3x3 depthwise 'conv_dw_i', the 1x1 pointwise 'conv_pw_i', each followed by BatchNormalization and ReLU(6)) of 64,
    /// 128, 128, 256, 256, 512 (six times) and 1024 (twice) filters; with <paramref name="includeTop"/> a global average pooling
    /// kept 4-D, 'dropout', the 1x1 convolution 'conv_preds', 'reshape_2' and the 'predictions' activation (4,253,864
    /// parameters at alpha 1). Convolutions have no biases but 'conv_preds'; BatchNormalization has Keras' defaults
    /// (epsilon 1e-3, momentum 0.99). Each layer has Keras' name, so a Keras .h5 weights file loads by name.
    /// Its inputs are what <see cref="MobileNetPreprocessInput(Tensor)"/> makes of RGB pixels.
    /// </summary>
    /// <param name="inputShape">(height, width, channels); null: 224x224x3 with the classifier (or the square size asked
    /// for when it is 128, 160, 192 or 224), any size ([null, null, 3]) without. At least 32x32.</param>
    /// <param name="alpha">The width multiplier: each layer's filters times alpha, truncated (Python's int()).</param>
    /// <param name="depthMultiplier">The depthwise convolutions' output channels per input channel (the paper's
    /// resolution multiplier in Keras' naming).</param>
    /// <param name="dropout">The rate of the 'dropout' layer before the classifier.</param>
    /// <param name="includeTop">Whether to end with the pooling, 'dropout', 'conv_preds' and 'predictions'.</param>
    /// <param name="weights">null: random weights; the path of a Keras weights file (.h5, e.g. mobilenet_1_0_224_tf_no_top.h5)
    /// to load by layer name; "imagenet" (Keras' default) is refused, naming the file to fetch.</param>
    /// <param name="inputTensor">Symbolic images to build the network on (Keras' input_tensor): a <c>Layers.Input</c> or
    /// the output of layers called on one, whose inputs become the model's.</param>
    /// <param name="pooling">Without the classifier: null (the 4-D feature map), "avg" or "max" global pooling.</param>
    /// <param name="classes">The classifier's width (with <paramref name="includeTop"/>).</param>
    /// <param name="classifierActivation">The classifier's activation ("softmax"; null gives logits).</param>
    /// <param name="name">The model's name; Keras' <c>mobilenet_{alpha:0.2f}_{rows}</c> by default.</param>
    public static Model MobileNet(int?[]? inputShape = null, double alpha = 1.0, int depthMultiplier = 1, double dropout = 1e-3, bool includeTop = true,
                                  string? weights = ImageNet, KerasTensor? inputTensor = null, string? pooling = null, int classes = 1000,
                                  string? classifierActivation = "softmax", string? name = null)
    {
        const string app = "MobileNet";
        if (!(alpha > 0) || double.IsInfinity(alpha))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"{app}: alpha must be a positive width multiplier.");
        if (depthMultiplier < 1)
            throw new ArgumentOutOfRangeException(nameof(depthMultiplier), depthMultiplier, $"{app}: depthMultiplier must be at least 1.");
        if (!(dropout >= 0 && dropout < 1))
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, $"{app}: dropout must be a rate in [0, 1).");
        if ((int)(32 * alpha) < 1)
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"{app}: alpha {alpha.ToString(CultureInfo.InvariantCulture)} leaves the first convolution without filters (int(32 * alpha) is 0).");

        // As Keras: the default size from the shape asked for only (not from inputTensor's).
        int defaultSize = inputShape is [{ } h, { } w, ..] && h == w && MobileNetSizes.Contains(h) ? h : 224;
        var (imgInput, shape) = ImageInput(app, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, obtained =>
        {
            if (depthMultiplier != 1)
                throw new ArgumentException($"{app}: ImageNet weights exist for depthMultiplier 1 only; got {depthMultiplier}.", nameof(depthMultiplier));
            string alphaText = alpha switch
            {
                1.0 => "1_0", 0.75 => "7_5", 0.5 => "5_0", 0.25 => "2_5",
                _ => throw new ArgumentException(
                    $"{app}: ImageNet weights exist for alpha 0.25, 0.50, 0.75 and 1.0 only; got alpha {alpha.ToString(CultureInfo.InvariantCulture)}.", nameof(alpha)),
            };
            // Keras loads the 224 weights for a size it has none for.
            int size = obtained[0] == obtained[1] && obtained[0] is { } r && MobileNetSizes.Contains(r) ? r : 224;
            return $"mobilenet_{alphaText}_{size}_tf{(includeTop ? "" : "_no_top")}.h5";
        }, MobileNetWeights, defaultSize);

        var x = new Layers.Conv2D((int)(32 * alpha), 3, strides: 2, padding: "same", useBias: false, name: "conv1").Call(imgInput);
        x = new Layers.BatchNormalization(name: "conv1_bn").Call(x);
        x = new Layers.ReLU(6.0, name: "conv1_relu").Call(x);

        // (pointwise filters, stride) of blocks 1 to 13, as mobilenet.py lists them.
        (int Filters, int Stride)[] blocks =
        [
            (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
            (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1),
        ];
        for (int i = 0; i < blocks.Length; i++)
            x = DepthwiseConvBlock(x, (int)(blocks[i].Filters * alpha), depthMultiplier, blocks[i].Stride, i + 1);

        if (includeTop)
        {
            x = new Layers.GlobalAveragePooling2D(keepdims: true).Call(x);
            x = new Layers.Dropout(dropout, name: "dropout").Call(x);
            x = new Layers.Conv2D(classes, 1, padding: "same", name: "conv_preds").Call(x);
            x = new Layers.Reshape([classes], name: "reshape_2").Call(x);
            x = new Layers.Activation(classifierActivation ?? "linear", name: "predictions").Call(x);
        }
        else x = Pool(x, pooling);

        return Finish(app, imgInput, inputTensor, x, name ?? $"mobilenet_{alpha.ToString("0.00", CultureInfo.InvariantCulture)}_{PythonRows(shape[0])}", weights);
    }

    /// <summary>
    /// Keras' <c>keras.applications.mobilenet.preprocess_input</c> (imagenet_utils' "tf" mode): pixels in [0, 255]
    /// scaled to [-1, 1], x / 127.5 - 1, what MobileNet's ImageNet weights expect. Integer images are taken as floatx first.
    /// </summary>
    public static Tensor MobileNetPreprocessInput(Tensor x) => ImagenetUtils.PreprocessInput(x, mode: "tf");

    /// <summary><see cref="MobileNetPreprocessInput(Tensor)"/> inside a functional model.</summary>
    public static KerasTensor MobileNetPreprocessInput(KerasTensor x) => ImagenetUtils.PreprocessInput(x, mode: "tf");

    // mobilenet.py's _depthwise_conv_block: a stride-2 block pads one row and column below and right, then convolves 'valid'.
    private static KerasTensor DepthwiseConvBlock(KerasTensor x, int pointwiseFilters, int depthMultiplier, int stride, int blockId)
    {
        if (stride != 1) x = new Layers.ZeroPadding2D(((0, 1), (0, 1)), name: $"conv_pad_{blockId}").Call(x);
        x = new Layers.DepthwiseConv2D(3, strides: stride, padding: stride == 1 ? "same" : "valid", depthMultiplier: depthMultiplier,
                                       useBias: false, name: $"conv_dw_{blockId}").Call(x);
        x = new Layers.BatchNormalization(name: $"conv_dw_{blockId}_bn").Call(x);
        x = new Layers.ReLU(6.0, name: $"conv_dw_{blockId}_relu").Call(x);
        x = new Layers.Conv2D(pointwiseFilters, 1, padding: "same", useBias: false, name: $"conv_pw_{blockId}").Call(x);
        x = new Layers.BatchNormalization(name: $"conv_pw_{blockId}_bn").Call(x);
        return new Layers.ReLU(6.0, name: $"conv_pw_{blockId}_relu").Call(x);
    }
}
