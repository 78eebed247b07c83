using System.Globalization;

namespace NeuralFlow.Keras;

public static partial class Applications
{
    private const string MobileNetV2Weights = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/";
    private static readonly int[] MobileNetV2Sizes = [96, 128, 160, 192, 224];
    private static readonly double[] MobileNetV2Alphas = [0.35, 0.5, 0.75, 1.0, 1.3, 1.4];

    /// <summary>
    /// MobileNetV2 (Sandler et al. 2018) as Keras builds it (<c>keras.applications.MobileNetV2</c>,
    /// keras/src/applications/mobilenet_v2.py): a stride-2 3x3 convolution 'Conv1', seventeen inverted
    /// residual blocks ('expanded_conv_*' then 'block_1_*' ... 'block_16_*': 1x1 expansion, a 3x3 depthwise
    /// convolution after Keras' ZeroPadding2D where it strides, a 1x1 projection, an Add where shapes allow),
    /// 'Conv_1' with 'out_relu', and with <paramref name="includeTop"/> a global average pooling and the
    /// 'predictions' Dense. Every BatchNormalization has epsilon 1e-3 and momentum 0.999, every activation is
    /// ReLU(6). Each layer has Keras' name, so a Keras .h5 weights file loads by name.
    /// </summary>
    /// <param name="inputShape">(height, width, channels); null: 224x224x3 with the classifier, any size
    /// ([null, null, 3]) without. At least 32x32.</param>
    /// <param name="alpha">The width multiplier: each layer's filters times alpha (rounded to a multiple of 8);
    /// the last convolution keeps 1280 unless alpha > 1.</param>
    /// <param name="includeTop">Whether to end with the global average pooling and the 'predictions' classifier.</param>
    /// <param name="weights">null: random weights; the path of a Keras weights file (.h5, e.g.
    /// mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5) to load by layer name;
    /// "imagenet" (Keras' default) is refused, naming the file to fetch.</param>
    /// <param name="inputTensor">Symbolic images to build the network on (Keras' input_tensor): a <c>Layers.Input</c> or
    /// the output of layers called on one, whose inputs become the model's.</param>
    /// <param name="pooling">Without the classifier: null (the 4-D feature map), "avg" or "max" global pooling.</param>
    /// <param name="classes">The classifier's width (with <paramref name="includeTop"/>).</param>
    /// <param name="classifierActivation">The classifier's activation ("softmax"; null gives logits).</param>
    /// <param name="name">The model's name; Keras' <c>mobilenetv2_{alpha:0.2f}_{rows}</c> by default.</param>
    public static Model MobileNetV2(int?[]? inputShape = null, double alpha = 1.0, bool includeTop = true, string? weights = ImageNet,
                                    KerasTensor? inputTensor = null, string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", string? name = null)
    {
        const string app = "MobileNetV2";
        if (!(alpha > 0) || double.IsInfinity(alpha))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"{app}: alpha must be a positive width multiplier.");
        // As Keras: the default size from the shape asked for, else from the tensor's.
        var (imgInput, shape) = ImageInput(app, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, obtained =>
        {
            if (!MobileNetV2Alphas.Contains(alpha))
                throw new ArgumentException(
                    $"{app}: ImageNet weights exist for alpha 0.35, 0.5, 0.75, 1.0, 1.3 and 1.4 only; got alpha {alpha.ToString(CultureInfo.InvariantCulture)}.", nameof(alpha));
            // Keras loads the 224 weights for any other size (they fit: the weights do not depend on it).
            int size = obtained[0] == obtained[1] && obtained[0] is { } r && MobileNetV2Sizes.Contains(r) ? r : 224;
            return $"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{PythonFloat(alpha)}_{size}{(includeTop ? "" : "_no_top")}.h5";
        }, MobileNetV2Weights, defaultSize: DefaultSize(inputShape ?? inputTensor?.Shape.Skip(1).ToArray()));
        int? rows = shape[0];

        int firstBlockFilters = MakeDivisible(32 * alpha, 8);
        var x = new Layers.Conv2D(firstBlockFilters, kernelSize: 3, strides: 2, padding: "same", useBias: false, name: "Conv1").Call(imgInput);
        x = BatchNorm("bn_Conv1").Call(x);
        x = new Layers.ReLU(6.0, name: "Conv1_relu").Call(x);

        // (filters, stride, expansion) of blocks 0 to 16, as mobilenet_v2.py lists them.
        (int Filters, int Stride, int Expansion)[] blocks =
        [
            (16, 1, 1),
            (24, 2, 6), (24, 1, 6),
            (32, 2, 6), (32, 1, 6), (32, 1, 6),
            (64, 2, 6), (64, 1, 6), (64, 1, 6), (64, 1, 6),
            (96, 1, 6), (96, 1, 6), (96, 1, 6),
            (160, 2, 6), (160, 1, 6), (160, 1, 6),
            (320, 1, 6),
        ];
        for (int i = 0; i < blocks.Length; i++)
            x = InvertedResBlock(x, blocks[i].Expansion, blocks[i].Stride, alpha, blocks[i].Filters, i);

        // No alpha on the last convolution (the paper's): wider only when alpha > 1.
        int lastBlockFilters = alpha > 1.0 ? MakeDivisible(1280 * alpha, 8) : 1280;
        x = new Layers.Conv2D(lastBlockFilters, kernelSize: 1, useBias: false, name: "Conv_1").Call(x);
        x = BatchNorm("Conv_1_bn").Call(x);
        x = new Layers.ReLU(6.0, name: "out_relu").Call(x);

        if (includeTop)
        {
            x = new Layers.GlobalAveragePooling2D().Call(x);
            x = new Layers.Dense(classes, activation: classifierActivation, name: "predictions").Call(x);
        }
        else x = Pool(x, pooling);

        return Finish(app, imgInput, inputTensor, x, name ?? $"mobilenetv2_{alpha.ToString("0.00", CultureInfo.InvariantCulture)}_{PythonRows(rows)}", weights);
    }

    /// <summary>
    /// Keras' <c>keras.applications.mobilenet_v2.preprocess_input</c> (imagenet_utils' "tf" mode): pixels in
    /// [0, 255] scaled to [-1, 1], x / 127.5 - 1, what MobileNetV2's ImageNet weights expect. Integer
    /// images are taken as floatx first (as Keras does for NumPy arrays).
    /// </summary>
    public static Tensor MobileNetV2PreprocessInput(Tensor x) => ImagenetUtils.PreprocessInput(x, mode: "tf");

    /// <summary>
    /// <see cref="MobileNetV2PreprocessInput(Tensor)"/> inside a functional model, as the transfer learning
    /// tutorial writes <c>x = preprocess_input(x)</c> between <c>keras.Input</c> and the base model.
    /// </summary>
    public static KerasTensor MobileNetV2PreprocessInput(KerasTensor x) => ImagenetUtils.PreprocessInput(x, mode: "tf");

    // mobilenet_v2.py picks the default size from a square input of a size it has weights for, else 224.
    private static int DefaultSize(int?[]? inputShape) =>
        inputShape is [{ } h, { } w, _] && h == w && MobileNetV2Sizes.Contains(h) ? h : 224;

    private static Layers.BatchNormalization BatchNorm(string name) => new(epsilon: 1e-3, momentum: 0.999, name: name);

    // mobilenet_v2.py's _inverted_res_block.
    private static KerasTensor InvertedResBlock(KerasTensor inputs, int expansion, int stride, double alpha, int filters, int blockId)
    {
        int inChannels = inputs.Shape[^1] ?? throw new ArgumentException("MobileNetV2: the number of input channels must be known.");
        int pointwiseFilters = MakeDivisible((int)(filters * alpha), 8);
        var x = inputs;
        string prefix = $"block_{blockId}_";
        if (blockId != 0)
        {
            x = new Layers.Conv2D(expansion * inChannels, kernelSize: 1, padding: "same", useBias: false, name: $"{prefix}expand").Call(x);
            x = BatchNorm($"{prefix}expand_BN").Call(x);
            x = new Layers.ReLU(6.0, name: $"{prefix}expand_relu").Call(x);
        }
        else prefix = "expanded_conv_";

        if (stride == 2) x = new Layers.ZeroPadding2D(CorrectPad(x, 3), name: $"{prefix}pad").Call(x);
        x = new Layers.DepthwiseConv2D(kernelSize: 3, strides: stride, padding: stride == 1 ? "same" : "valid", useBias: false,
                                       name: $"{prefix}depthwise").Call(x);
        x = BatchNorm($"{prefix}depthwise_BN").Call(x);
        x = new Layers.ReLU(6.0, name: $"{prefix}depthwise_relu").Call(x);

        x = new Layers.Conv2D(pointwiseFilters, kernelSize: 1, padding: "same", useBias: false, name: $"{prefix}project").Call(x);
        x = BatchNorm($"{prefix}project_BN").Call(x);
        if (inChannels == pointwiseFilters && stride == 1) return new Layers.Add(name: $"{prefix}add").Call([inputs, x]);
        return x;
    }

    /// <summary>
    /// mobilenet_v2.py's _make_divisible: <paramref name="v"/> rounded to the nearest multiple of
    /// <paramref name="divisor"/> (at least one), a multiple up when that loses more than 10%.
    /// </summary>
    internal static int MakeDivisible(double v, int divisor)
    {
        int newV = Math.Max(divisor, (int)(v + divisor / 2.0) / divisor * divisor);
        if (newV < 0.9 * v) newV += divisor;
        return newV;
    }

    // Python's "%s" of a length: None when unknown.
    internal static string PythonRows(int? rows) => rows?.ToString(CultureInfo.InvariantCulture) ?? "None";

    // Python's str(float): 1.0, 0.35, 1.4.
    private static string PythonFloat(double v)
    {
        string s = v.ToString("R", CultureInfo.InvariantCulture);
        return s.Contains('.') || s.Contains('E') ? s : s + ".0";
    }
}
