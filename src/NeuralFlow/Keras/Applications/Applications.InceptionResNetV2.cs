namespace NeuralFlow.Keras;

public static partial class Applications
{
    private const string InceptionResNetV2Weights = "https://storage.googleapis.com/tensorflow/keras-applications/inception_resnet_v2/";

    /// <summary>
    /// Inception-ResNet-v2 (Szegedy et al. 2016) as Keras builds it (<c>keras.applications.InceptionResNetV2</c>,
    /// keras/src/applications/inception_resnet_v2.py): InceptionV3's stem, 'mixed_5b', ten 'block35_*' residual inception
    /// blocks (scale 0.17), 'mixed_6a', twenty 'block17_*' (scale 0.1), 'mixed_7a', ten 'block8_*' (scale 0.2, the last
    /// 1.0 without its ReLU), 'conv_7b', and with <paramref name="includeTop"/> 'avg_pool' and the 'predictions' Dense
    /// (55,873,736 parameters). Each block concatenates its branches ('{block}_mixed'), projects them back with a biased
    /// 1x1 convolution ('{block}_conv') and adds them, scaled, to its input (Keras' CustomScaleLayer). Like InceptionV3 its
    /// branch convolutions take Keras' automatic names, so a weights file is loaded as Keras' <c>model.load_weights</c>
    /// loads it (<see cref="Model.LoadWeights"/>). Its inputs are what <see cref="InceptionResNetV2PreprocessInput(Tensor)"/>
    /// makes of RGB pixels.
    /// </summary>
    /// <inheritdoc cref="InceptionV3" path="/param"/>
    public static Model InceptionResNetV2(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                          string? pooling = null, int classes = 1000, string? classifierActivation = "softmax",
                                          string name = "inception_resnet_v2")
    {
        const string app = "InceptionResNetV2";
        string file = $"inception_resnet_v2_weights_tf_dim_ordering_tf_kernels{(includeTop ? "" : "_notop")}.h5";
        var (imgInput, _) = ImageInput(app, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, _ => file,
                                       InceptionResNetV2Weights, defaultSize: 299, minSize: 75);

        var x = IrConvBn(imgInput, 32, 3, 3, strides: 2, padding: "valid");
        x = IrConvBn(x, 32, 3, 3, padding: "valid");
        x = IrConvBn(x, 64, 3, 3);
        x = new Layers.MaxPooling2D(3, strides: 2).Call(x);
        x = IrConvBn(x, 80, 1, 1, padding: "valid");
        x = IrConvBn(x, 192, 3, 3, padding: "valid");
        x = new Layers.MaxPooling2D(3, strides: 2).Call(x);

        // mixed_5b (Inception-A).
        {
            var b0 = IrConvBn(x, 96, 1, 1);
            var b1 = IrConvBn(IrConvBn(x, 48, 1, 1), 64, 5, 5);
            var b2 = IrConvBn(IrConvBn(IrConvBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3);
            var bp = IrConvBn(AvgPool3x3(x), 64, 1, 1);
            x = Concat([b0, b1, b2, bp], "mixed_5b");
        }
        for (int i = 1; i <= 10; i++) x = InceptionResNetBlock(x, 0.17, "block35", i);

        // mixed_6a (Reduction-A).
        {
            var b0 = IrConvBn(x, 384, 3, 3, strides: 2, padding: "valid");
            var b1 = IrConvBn(IrConvBn(IrConvBn(x, 256, 1, 1), 256, 3, 3), 384, 3, 3, strides: 2, padding: "valid");
            var bp = new Layers.MaxPooling2D(3, strides: 2).Call(x);
            x = Concat([b0, b1, bp], "mixed_6a");
        }
        for (int i = 1; i <= 20; i++) x = InceptionResNetBlock(x, 0.1, "block17", i);

        // mixed_7a (Reduction-B).
        {
            var b0 = IrConvBn(IrConvBn(x, 256, 1, 1), 384, 3, 3, strides: 2, padding: "valid");
            var b1 = IrConvBn(IrConvBn(x, 256, 1, 1), 288, 3, 3, strides: 2, padding: "valid");
            var b2 = IrConvBn(IrConvBn(IrConvBn(x, 256, 1, 1), 288, 3, 3), 320, 3, 3, strides: 2, padding: "valid");
            var bp = new Layers.MaxPooling2D(3, strides: 2).Call(x);
            x = Concat([b0, b1, b2, bp], "mixed_7a");
        }
        for (int i = 1; i <= 9; i++) x = InceptionResNetBlock(x, 0.2, "block8", i);
        x = InceptionResNetBlock(x, 1.0, "block8", 10, relu: false);

        x = IrConvBn(x, 1536, 1, 1, name: "conv_7b");
        x = includeTop ? AvgPoolClassifier(x, classes, classifierActivation) : Pool(x, pooling);
        return Finish(app, imgInput, inputTensor, x, name, weights, byName: false);
    }

    /// <summary>
    /// Keras' <c>keras.applications.inception_resnet_v2.preprocess_input</c> (imagenet_utils' "tf" mode): pixels in
    /// [0, 255] scaled to [-1, 1], x / 127.5 - 1. Integer images are taken as floatx first.
    /// </summary>
    public static Tensor InceptionResNetV2PreprocessInput(Tensor x) => ImagenetUtils.PreprocessInput(x, mode: "tf");

    /// <summary><see cref="InceptionResNetV2PreprocessInput(Tensor)"/> inside a functional model.</summary>
    public static KerasTensor InceptionResNetV2PreprocessInput(KerasTensor x) => ImagenetUtils.PreprocessInput(x, mode: "tf");

    // inception_resnet_v2.py's conv2d_bn: a Conv2D named name; without a bias a BatchNormalization without scale
    // '{name}_bn'; then the ReLU '{name}_ac' (unnamed layers when name is null).
    private static KerasTensor IrConvBn(KerasTensor x, int filters, int rows, int cols, int strides = 1, string padding = "same",
                                        bool relu = true, bool useBias = false, string? name = null)
    {
        x = new Layers.Conv2D(filters, [rows, cols], strides: [strides, strides], padding: padding, useBias: useBias, name: name).Call(x);
        if (!useBias) x = new Layers.BatchNormalization(axis: 3, scale: false, name: name is null ? null : $"{name}_bn").Call(x);
        return relu ? new Layers.Activation("relu", name: name is null ? null : $"{name}_ac").Call(x) : x;
    }

    // inception_resnet_v2.py's inception_resnet_block: the branches of blockType, concatenated, projected back to the
    // input's channels and added at `scale`; a ReLU '{block}_ac' unless relu is false.
    private static KerasTensor InceptionResNetBlock(KerasTensor x, double scale, string blockType, int blockIdx, bool relu = true)
    {
        KerasTensor[] branches = blockType switch
        {
            "block35" =>
            [
                IrConvBn(x, 32, 1, 1),
                IrConvBn(IrConvBn(x, 32, 1, 1), 32, 3, 3),
                IrConvBn(IrConvBn(IrConvBn(x, 32, 1, 1), 48, 3, 3), 64, 3, 3),
            ],
            "block17" => [IrConvBn(x, 192, 1, 1), IrConvBn(IrConvBn(IrConvBn(x, 128, 1, 1), 160, 1, 7), 192, 7, 1)],
            _ => [IrConvBn(x, 192, 1, 1), IrConvBn(IrConvBn(IrConvBn(x, 192, 1, 1), 224, 1, 3), 256, 3, 1)],
        };
        string blockName = $"{blockType}_{blockIdx}";
        var mixed = Concat(branches, $"{blockName}_mixed");
        int channels = x.Shape[3] ?? throw new ArgumentException($"InceptionResNetV2: the channels before '{blockName}' must be known.");
        var up = IrConvBn(mixed, channels, 1, 1, relu: false, useBias: true, name: $"{blockName}_conv");
        x = new CustomScaleLayer(scale).Call([x, up]);
        return relu ? new Layers.Activation("relu", name: $"{blockName}_ac").Call(x) : x;
    }

    /// <summary>
    /// inception_resnet_v2.py's CustomScaleLayer: its first input plus its second times <see cref="Scale"/>, the residual
    /// join of an Inception-ResNet block (named custom_scale_layer, _1, ... as Keras names it). Registered as
    /// "CustomScaleLayer" with its scale in the config, so a saved InceptionResNetV2 loads as Keras' does.
    /// </summary>
    internal sealed class CustomScaleLayer(double scale, string? name = null) : Layers.Merge(name)
    {
        /// <summary>The factor on the second input.</summary>
        public double Scale { get; } = scale;

        /// <inheritdoc/>
        public override System.Text.Json.Nodes.JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["scale"] = Scale;
            return c;
        }

        /// <inheritdoc/>
        protected override int MaxInputs => 2;

        /// <inheritdoc/>
        protected override Tensor Combine(IReadOnlyList<Tensor> inputs) => inputs[0] + inputs[1] * Scale;
    }
}
