namespace NeuralFlow.Keras;

public static partial class Applications
{
    /// <summary>
    /// RegNetX002 (Radosavovic et al. 2020, "Designing Network Design Spaces") as tf.keras builds it
    /// (<c>keras.applications.RegNetX002</c>, tf_keras/applications/regnet.py; Keras 3 no longer ships RegNet): with
    /// <paramref name="includePreprocessing"/> a Rescaling by 1/255 '{name}_prestem_rescaling', the 'same' stride-2 3x3 stem
    /// '{name}_stem_conv' (32 filters), four stages '{name}_Stage_0' to '_3' of X blocks ('_XBlock_0' ...: 1x1, grouped 3x3,
    /// 1x1 convolutions without bias, each with a BatchNormalization of momentum 0.9 and epsilon 1e-5, added to the input
    /// or, in each stage's first, stride-2 block, to its 1x1 projection '_skip_1x1', then the ReLU '_exit_relu'), and with
    /// <paramref name="includeTop"/> the head '1_head_gap' and '1head_dense' (the names a fresh Keras session gives them):
    /// 2,705,640 parameters (2,336,640 without). The RegNetY variants add squeeze-and-excite (a quarter of the block's input
    /// width) after the grouped convolution. The images are RGB pixels in [0, 255]; a weights file loads as Keras'
    /// <c>model.load_weights</c> loads it (by layer order). Unlike tf.keras, whose head always gives logits,
    /// <paramref name="classifierActivation"/> is applied, as Keras documents it.
    /// </summary>
    /// <param name="includeTop">Whether to end with '1_head_gap' and the '1head_dense' classifier.</param>
    /// <param name="weights">null: random weights; the path of a Keras weights file (.h5, .weights.h5, .keras) to load;
    /// "imagenet" (Keras' default) is refused, naming the file to fetch.</param>
    /// <param name="inputTensor">Symbolic images to build the network on (Keras' input_tensor): a <c>Layers.Input</c> or
    /// the output of layers called on one, whose inputs become the model's.</param>
    /// <param name="inputShape">(height, width, channels); null: 224x224x3 with the classifier, any size ([null, null, 3])
    /// without. At least 32x32.</param>
    /// <param name="pooling">Without the classifier: null (the 4-D feature map), "avg" or "max" global pooling.</param>
    /// <param name="classes">The classifier's width (with <paramref name="includeTop"/>).</param>
    /// <param name="classifierActivation">The classifier's activation ("softmax"; null gives logits).</param>
    /// <param name="includePreprocessing">Whether the model scales pixels in [0, 255] itself (Keras' default).</param>
    /// <param name="name">The model's name ("regnetx002"), which prefixes every layer's name but the head's.</param>
    public static Model RegNetX002(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnetx002") =>
        RegNet("RegNetX002", "x002", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetX004 (<c>keras.applications.RegNetX004</c>): X blocks, 0.4 GFLOPs, 5,194,184 parameters (4,809,184 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetX004(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnetx004") =>
        RegNet("RegNetX004", "x004", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetX006 (<c>keras.applications.RegNetX006</c>): X blocks, 0.6 GFLOPs, 6,229,320 parameters (5,700,320 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetX006(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnetx006") =>
        RegNet("RegNetX006", "x006", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetX008 (<c>keras.applications.RegNetX008</c>): X blocks, 0.8 GFLOPs, 7,296,968 parameters (6,623,968 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetX008(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnetx008") =>
        RegNet("RegNetX008", "x008", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetX016 (<c>keras.applications.RegNetX016</c>): X blocks, 1.6 GFLOPs, 9,233,640 parameters (8,320,640 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetX016(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnetx016") =>
        RegNet("RegNetX016", "x016", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetX032 (<c>keras.applications.RegNetX032</c>): X blocks, 3.2 GFLOPs, 15,359,112 parameters (14,350,112 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetX032(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnetx032") =>
        RegNet("RegNetX032", "x032", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetX040 (<c>keras.applications.RegNetX040</c>): X blocks, 4 GFLOPs, 22,194,312 parameters (20,833,312 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetX040(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnetx040") =>
        RegNet("RegNetX040", "x040", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetX064 (<c>keras.applications.RegNetX064</c>): X blocks, 6.4 GFLOPs, 26,283,464 parameters (24,658,464 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetX064(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnetx064") =>
        RegNet("RegNetX064", "x064", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetX080 (<c>keras.applications.RegNetX080</c>): X blocks, 8 GFLOPs, 39,663,112 parameters (37,742,112 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetX080(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnetx080") =>
        RegNet("RegNetX080", "x080", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetX120 (<c>keras.applications.RegNetX120</c>): X blocks, 12 GFLOPs, 46,202,440 parameters (43,961,440 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetX120(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnetx120") =>
        RegNet("RegNetX120", "x120", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetX160 (<c>keras.applications.RegNetX160</c>): X blocks, 16 GFLOPs, 54,389,704 parameters (52,340,704 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetX160(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnetx160") =>
        RegNet("RegNetX160", "x160", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetX320 (<c>keras.applications.RegNetX320</c>): X blocks, 32 GFLOPs, 107,973,576 parameters (105,452,576 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetX320(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnetx320") =>
        RegNet("RegNetX320", "x320", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetY002 (<c>keras.applications.RegNetY002</c>): Y (squeeze-and-excite) blocks, 0.2 GFLOPs, 3,183,844 parameters (2,814,844 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetY002(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnety002") =>
        RegNet("RegNetY002", "y002", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetY004 (<c>keras.applications.RegNetY004</c>): Y (squeeze-and-excite) blocks, 0.4 GFLOPs, 4,371,296 parameters (3,930,296 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetY004(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnety004") =>
        RegNet("RegNetY004", "y004", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetY006 (<c>keras.applications.RegNetY006</c>): Y (squeeze-and-excite) blocks, 0.6 GFLOPs, 6,084,920 parameters (5,475,920 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetY006(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnety006") =>
        RegNet("RegNetY006", "y006", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetY008 (<c>keras.applications.RegNetY008</c>): Y (squeeze-and-excite) blocks, 0.8 GFLOPs, 6,293,056 parameters (5,524,056 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetY008(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnety008") =>
        RegNet("RegNetY008", "y008", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetY016 (<c>keras.applications.RegNetY016</c>): Y (squeeze-and-excite) blocks, 1.6 GFLOPs, 11,255,102 parameters (10,366,102 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetY016(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnety016") =>
        RegNet("RegNetY016", "y016", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetY032 (<c>keras.applications.RegNetY032</c>): Y (squeeze-and-excite) blocks, 3.2 GFLOPs, 19,502,498 parameters (17,989,498 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetY032(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnety032") =>
        RegNet("RegNetY032", "y032", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetY040 (<c>keras.applications.RegNetY040</c>): Y (squeeze-and-excite) blocks, 4 GFLOPs, 20,708,928 parameters (19,619,928 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetY040(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnety040") =>
        RegNet("RegNetY040", "y040", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetY064 (<c>keras.applications.RegNetY064</c>): Y (squeeze-and-excite) blocks, 6.4 GFLOPs, 30,665,684 parameters (29,368,684 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetY064(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnety064") =>
        RegNet("RegNetY064", "y064", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetY080 (<c>keras.applications.RegNetY080</c>): Y (squeeze-and-excite) blocks, 8 GFLOPs, 39,265,812 parameters (37,248,812 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetY080(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnety080") =>
        RegNet("RegNetY080", "y080", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetY120 (<c>keras.applications.RegNetY120</c>): Y (squeeze-and-excite) blocks, 12 GFLOPs, 51,918,928 parameters (49,677,928 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetY120(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnety120") =>
        RegNet("RegNetY120", "y120", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetY160 (<c>keras.applications.RegNetY160</c>): Y (squeeze-and-excite) blocks, 16 GFLOPs, 83,712,956 parameters (80,687,956 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetY160(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnety160") =>
        RegNet("RegNetY160", "y160", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);

    /// <summary>RegNetY320 (<c>keras.applications.RegNetY320</c>): Y (squeeze-and-excite) blocks, 32 GFLOPs, 145,205,058 parameters (141,492,058 without the classifier).</summary>
    /// <inheritdoc cref="RegNetX002" path="/param"/>
    public static Model RegNetY320(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                  string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", bool includePreprocessing = true,
                                  string name = "regnety320") =>
        RegNet("RegNetY320", "y320", includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, includePreprocessing, name);
}
