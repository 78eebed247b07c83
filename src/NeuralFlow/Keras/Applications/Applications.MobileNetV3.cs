using System.Globalization;

namespace NeuralFlow.Keras;

public static partial class Applications
{
    private const string MobileNetV3Weights = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/";

    // mobilenet_v3.py's stacks: (expansion, filters, kernel (null: the model's, 5 or 3 when minimalistic), stride,
    // squeeze-excite, ReLU (else the model's activation, hard_swish or ReLU when minimalistic)).
    private static readonly (double Expansion, int Filters, int? Kernel, int Stride, bool SqueezeExcite, bool Relu)[] MobileNetV3SmallStack =
    [
        (1, 16, 3, 2, true, true), (72.0 / 16, 24, 3, 2, false, true), (88.0 / 24, 24, 3, 1, false, true),
        (4, 40, null, 2, true, false), (6, 40, null, 1, true, false), (6, 40, null, 1, true, false),
        (3, 48, null, 1, true, false), (3, 48, null, 1, true, false),
        (6, 96, null, 2, true, false), (6, 96, null, 1, true, false), (6, 96, null, 1, true, false),
    ];

    private static readonly (double Expansion, int Filters, int? Kernel, int Stride, bool SqueezeExcite, bool Relu)[] MobileNetV3LargeStack =
    [
        (1, 16, 3, 1, false, true), (4, 24, 3, 2, false, true), (3, 24, 3, 1, false, true),
        (3, 40, null, 2, true, true), (3, 40, null, 1, true, true), (3, 40, null, 1, true, true),
        (6, 80, 3, 2, false, false), (2.5, 80, 3, 1, false, false), (2.3, 80, 3, 1, false, false), (2.3, 80, 3, 1, false, false),
        (6, 112, 3, 1, true, false), (6, 112, 3, 1, true, false),
        (6, 160, null, 2, true, false), (6, 160, null, 1, true, false), (6, 160, null, 1, true, false),
    ];

    /// <summary>
    /// MobileNetV3-Small (Howard et al. 2019) as Keras builds it (<c>keras.applications.MobileNetV3Small</c>,
    /// keras/src/applications/mobilenet_v3.py): with <paramref name="includePreprocessing"/> a Rescaling of pixels in
    /// [0, 255] to [-1, 1] inside the model, a stride-2 3x3 convolution 'conv', eleven inverted residual blocks
    /// 'expanded_conv_' ... 'expanded_conv_10_' (1x1 'expand', a 'depthwise' convolution after Keras' ZeroPadding2D where it
    /// strides, squeeze-and-excite 'squeeze_excite_avg_pool' ... 'squeeze_excite_mul' gated by a hard sigmoid, a 1x1
    /// 'project', an Add where shapes allow), 'conv_1', and with <paramref name="includeTop"/> a global average pooling
    /// kept 4-D, the 1x1 convolutions 'conv_2' and 'logits' (with a Dropout between) and the 'predictions' Activation:
    /// 2,554,968 parameters (939,120 without). Activations are hard_swish and ReLU (ReLU only when
    /// <paramref name="minimalistic"/>, which also drops squeeze-and-excite and 5x5 kernels). Any image size from 32x32
    /// works, with the classifier too (it follows a global pooling); <see cref="MobileNetV3PreprocessInput(Tensor)"/>
    /// passes pixels through. A weights file loads as Keras' <c>model.load_weights</c> does.
    /// </summary>
    /// <param name="inputShape">(height, width, channels); null: any size ([null, null, 3]), or the tensor's. Known
    /// lengths must be at least 32.</param>
    /// <param name="alpha">The width multiplier: each block's filters times alpha (rounded to a multiple of 8); the last
    /// 1x1 convolution of the classifier widens only when alpha &gt; 1.</param>
    /// <param name="minimalistic">Keras' minimalistic variant: 3x3 kernels, ReLU everywhere and no squeeze-and-excite.</param>
    /// <param name="includeTop">Whether to end with the classifier ('conv_2', 'logits', 'predictions').</param>
    /// <param name="weights">null: random weights; the path of a Keras weights file (.h5, .weights.h5, .keras) to load;
    /// "imagenet" (Keras' default) is refused, naming the file to fetch.</param>
    /// <param name="inputTensor">Symbolic images to build the network on (Keras' input_tensor): a <c>Layers.Input</c> or
    /// the output of layers called on one, whose inputs become the model's.</param>
    /// <param name="classes">The classifier's width (with <paramref name="includeTop"/>).</param>
    /// <param name="pooling">Without the classifier: null (the 4-D feature map), "avg" ('avg_pool') or "max" ('max_pool').</param>
    /// <param name="dropoutRate">The Dropout before 'logits' (0.2; 0 leaves it out).</param>
    /// <param name="classifierActivation">The 'predictions' activation ("softmax"; null gives logits).</param>
    /// <param name="includePreprocessing">Whether the model rescales pixels in [0, 255] itself (Keras' default); without,
    /// it takes images already in [-1, 1].</param>
    /// <param name="name">The model's name.</param>
    public static Model MobileNetV3Small(int?[]? inputShape = null, double alpha = 1.0, bool minimalistic = false, bool includeTop = true,
                                         string? weights = ImageNet, KerasTensor? inputTensor = null, int classes = 1000, string? pooling = null,
                                         double dropoutRate = 0.2, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                         string name = "MobileNetV3Small") =>
        MobileNetV3("MobileNetV3Small", "small", MobileNetV3SmallStack, 1024, inputShape, alpha, minimalistic, includeTop, weights, inputTensor,
                    classes, pooling, dropoutRate, classifierActivation, includePreprocessing, name);

    /// <summary>
    /// MobileNetV3-Large (<c>keras.applications.MobileNetV3Large</c>): <see cref="MobileNetV3Small"/>'s design with
    /// fifteen blocks 'expanded_conv_' ... 'expanded_conv_14_' and a 1280-wide 'conv_2' (5,507,432 parameters; 2,996,352
    /// without the classifier).
    /// </summary>
    /// <inheritdoc cref="MobileNetV3Small" path="/param"/>
    public static Model MobileNetV3Large(int?[]? inputShape = null, double alpha = 1.0, bool minimalistic = false, bool includeTop = true,
                                         string? weights = ImageNet, KerasTensor? inputTensor = null, int classes = 1000, string? pooling = null,
                                         double dropoutRate = 0.2, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                         string name = "MobileNetV3Large") =>
        MobileNetV3("MobileNetV3Large", "large", MobileNetV3LargeStack, 1280, inputShape, alpha, minimalistic, includeTop, weights, inputTensor,
                    classes, pooling, dropoutRate, classifierActivation, includePreprocessing, name);

    /// <summary>
    /// Keras' <c>keras.applications.mobilenet_v3.preprocess_input</c>: a pass-through (the model rescales its inputs
    /// itself), kept so that a recipe written for any application reads the same. Returns <paramref name="x"/>.
    /// </summary>
    public static Tensor MobileNetV3PreprocessInput(Tensor x) => x ?? throw new ArgumentNullException(nameof(x));

    /// <summary><see cref="MobileNetV3PreprocessInput(Tensor)"/> inside a functional model: <paramref name="x"/> itself.</summary>
    public static KerasTensor MobileNetV3PreprocessInput(KerasTensor x) => x ?? throw new ArgumentNullException(nameof(x));

    // mobilenet_v3.py's MobileNetV3(stack_fn, last_point_ch, ...).
    private static Model MobileNetV3(string app, string modelType,
                                     (double Expansion, int Filters, int? Kernel, int Stride, bool SqueezeExcite, bool Relu)[] stack, int lastPointChannels,
                                     int?[]? inputShape, double alpha, bool minimalistic, bool includeTop, string? weights, KerasTensor? inputTensor,
                                     int classes, string? pooling, double dropoutRate, string? classifierActivation, bool includePreprocessing, string name)
    {
        var imgInput = MobileNetV3Input(app, modelType, inputShape, alpha, minimalistic, includeTop, weights, inputTensor, classes, pooling, dropoutRate,
                                        classifierActivation);

        int kernel = minimalistic ? 3 : 5;
        double? seRatio = minimalistic ? null : 0.25;
        Func<KerasTensor, KerasTensor> activation = minimalistic ? MobileNetV3Relu : HardSwish;

        var x = imgInput;
        if (includePreprocessing) x = new Layers.Rescaling(1.0 / 127.5, offset: -1.0).Call(x);
        x = new Layers.Conv2D(16, 3, strides: 2, padding: "same", useBias: false, name: "conv").Call(x);
        x = BatchNorm("conv_bn").Call(x);
        x = activation(x);

        for (int i = 0; i < stack.Length; i++)
        {
            var b = stack[i];
            x = MobileNetV3Block(x, b.Expansion, MakeDivisible(b.Filters * alpha, 8), b.Kernel ?? kernel, b.Stride, b.SqueezeExcite ? seRatio : null,
                                 b.Relu ? MobileNetV3Relu : activation, i);
        }

        int lastConvChannels = MakeDivisible(x.Shape[^1]!.Value * 6, 8);
        // The classifier's 1x1 convolution widens with alpha > 1 only (the paper's).
        if (alpha > 1.0) lastPointChannels = MakeDivisible(lastPointChannels * alpha, 8);
        x = new Layers.Conv2D(lastConvChannels, 1, padding: "same", useBias: false, name: "conv_1").Call(x);
        x = BatchNorm("conv_1_bn").Call(x);
        x = activation(x);
        if (includeTop)
        {
            x = new Layers.GlobalAveragePooling2D(keepdims: true).Call(x);
            x = new Layers.Conv2D(lastPointChannels, 1, padding: "same", useBias: true, name: "conv_2").Call(x);
            x = activation(x);
            if (dropoutRate > 0) x = new Layers.Dropout(dropoutRate).Call(x);
            x = new Layers.Conv2D(classes, 1, padding: "same", name: "logits").Call(x);
            x = new Layers.Flatten().Call(x);
            x = new Layers.Activation(classifierActivation ?? "linear", name: "predictions").Call(x);
        }
        else x = Pool(x, pooling, avgName: "avg_pool", maxName: "max_pool");
        return Finish(app, imgInput, inputTensor, x, name, weights, byName: false);
    }

    // mobilenet_v3.py's opening checks, which are its own rather than imagenet_utils.obtain_input_shape's: no default
    // size (with the classifier too, any size from 32 works), and "imagenet" only for the alphas it has files of.
    private static KerasTensor MobileNetV3Input(string app, string modelType, int?[]? inputShape, double alpha, bool minimalistic, bool includeTop,
                                                string? weights, KerasTensor? inputTensor, int classes, string? pooling, double dropoutRate,
                                                string? classifierActivation)
    {
        if (!(alpha > 0) || double.IsInfinity(alpha))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"{app}: alpha must be a positive width multiplier.");
        if (includeTop && classes < 1)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, $"{app}: classes must be at least 1.");
        if (!(dropoutRate is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(dropoutRate), dropoutRate, $"{app}: dropoutRate must be in [0, 1].");
        CheckPooling(app, pooling);
        if (inputTensor is not null) CheckInputTensor(app, inputTensor, inputShape);
        int?[] shape = inputShape ?? (inputTensor is null ? [null, null, 3] : [.. inputTensor.Shape.Skip(1)]);
        if (shape.Length != 3)
            throw new ArgumentException($"{app}: inputShape must be three lengths (height, width, channels), got {KerasTensor.Format(shape)}.", nameof(inputShape));
        if (shape.Any(d => d is <= 0))
            throw new ArgumentException($"{app}: inputShape {KerasTensor.Format(shape)} has a length that is not positive.", nameof(inputShape));
        if (shape[2] is null)
            throw new ArgumentException($"{app}: inputShape's channels (its last length) must be known; got inputShape {KerasTensor.Format(shape)}.", nameof(inputShape));
        if (shape[0] is { } rows && shape[1] is { } cols && (rows < 32 || cols < 32))
            throw new ArgumentException($"{app}: the input size must be at least 32x32; got inputShape {KerasTensor.Format(shape)}.", nameof(inputShape));
        CheckWeights(app, weights, () =>
        {
            if (minimalistic ? alpha != 1.0 : alpha is not (0.75 or 1.0))
                throw new ArgumentException(
                    $"{app}: ImageNet weights exist for alpha 0.75 and 1.0 (1.0 only when minimalistic); got alpha {alpha.ToString(CultureInfo.InvariantCulture)}.",
                    nameof(alpha));
            // Keras loads the 224 weights whatever the size (they fit: the weights do not depend on it).
            string model = $"{modelType}{(minimalistic ? "_minimalistic" : "")}_224_{PythonFloat(alpha)}_float";
            return $"weights_mobilenet_v3_{model}{(includeTop ? ".h5" : "_no_top_v2.h5")}";
        }, MobileNetV3Weights);
        if (includeTop) CheckClassifierActivation(app, weights, classifierActivation);
        return inputTensor ?? Layers.Input(shape);
    }

    private static KerasTensor MobileNetV3Relu(KerasTensor x) => new Layers.ReLU().Call(x);

    // mobilenet_v3.py's hard_swish: the Keras activation, x * relu6(x + 3) / 6.
    private static KerasTensor HardSwish(KerasTensor x) => new Layers.Activation("hard_swish").Call(x);

    // mobilenet_v3.py's hard_sigmoid, built of ops as Keras builds it: relu6(x + 3) * (1 / 6).
    private static KerasTensor HardSigmoid(KerasTensor x) => new Layers.ReLU(6.0).Call(x + 3.0) * (1.0 / 6.0);

    // mobilenet_v3.py's _se_block: a 4-D global average, two 1x1 convolutions and a hard-sigmoid gate.
    private static KerasTensor MobileNetV3SqueezeExcite(KerasTensor inputs, int filters, double seRatio, string prefix)
    {
        var x = new Layers.GlobalAveragePooling2D(keepdims: true, name: $"{prefix}squeeze_excite_avg_pool").Call(inputs);
        x = new Layers.Conv2D(MakeDivisible(filters * seRatio, 8), 1, padding: "same", name: $"{prefix}squeeze_excite_conv").Call(x);
        x = new Layers.ReLU(name: $"{prefix}squeeze_excite_relu").Call(x);
        x = new Layers.Conv2D(filters, 1, padding: "same", name: $"{prefix}squeeze_excite_conv_1").Call(x);
        x = HardSigmoid(x);
        return new Layers.Multiply(name: $"{prefix}squeeze_excite_mul").Call([inputs, x]);
    }

    // mobilenet_v3.py's _inverted_res_block.
    private static KerasTensor MobileNetV3Block(KerasTensor x, double expansion, int filters, int kernelSize, int stride, double? seRatio,
                                                Func<KerasTensor, KerasTensor> activation, int blockId)
    {
        var shortcut = x;
        string prefix = "expanded_conv_";
        int inFilters = x.Shape[^1]!.Value;
        int expanded = MakeDivisible(inFilters * expansion, 8);
        if (blockId != 0)
        {
            prefix = $"expanded_conv_{blockId}_";
            x = new Layers.Conv2D(expanded, 1, padding: "same", useBias: false, name: $"{prefix}expand").Call(x);
            x = BatchNorm($"{prefix}expand_bn").Call(x);
            x = activation(x);
        }
        if (stride == 2) x = new Layers.ZeroPadding2D(CorrectPad(x, kernelSize), name: $"{prefix}depthwise_pad").Call(x);
        x = new Layers.DepthwiseConv2D(kernelSize, strides: stride, padding: stride == 1 ? "same" : "valid", useBias: false, name: $"{prefix}depthwise").Call(x);
        x = BatchNorm($"{prefix}depthwise_bn").Call(x);
        x = activation(x);
        if (seRatio is { } ratio) x = MobileNetV3SqueezeExcite(x, expanded, ratio, prefix);
        x = new Layers.Conv2D(filters, 1, padding: "same", useBias: false, name: $"{prefix}project").Call(x);
        x = BatchNorm($"{prefix}project_bn").Call(x);
        if (stride == 1 && inFilters == filters) x = new Layers.Add(name: $"{prefix}add").Call([shortcut, x]);
        return x;
    }
}
