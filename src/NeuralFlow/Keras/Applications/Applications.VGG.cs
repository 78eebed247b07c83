namespace NeuralFlow.Keras;

public static partial class Applications
{
    private const string VGG16Weights = "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/";
    private const string VGG19Weights = "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/";

    /// <summary>
    /// VGG16 (Simonyan and Zisserman 2014) as Keras builds it (<c>keras.applications.VGG16</c>, keras/src/applications/vgg16.py):
    /// five blocks of 3x3 'same' ReLU convolutions ('block1_conv1' ... 'block5_conv3': 2, 2, 3, 3 and 3 of 64, 128, 256, 512
    /// and 512 filters), each block ending with a 2x2 max pooling ('block1_pool' ...); with <paramref name="includeTop"/>
    /// 'flatten', the 4096-wide ReLU Dense layers 'fc1' and 'fc2' and the 'predictions' Dense (138,357,544 parameters at
    /// 224x224). No BatchNormalization. Each layer has Keras' name, so a Keras .h5 weights file loads by name.
    /// Its inputs are what <see cref="VGG16PreprocessInput(Tensor)"/> makes of RGB pixels.
    /// </summary>
    /// <param name="includeTop">Whether to end with the three fully connected layers. Their first takes the flattened
    /// feature map, so a model with them needs a known input size (not only 224: any of at least 32x32).</param>
    /// <param name="weights">null: random weights; the path of a Keras weights file (.h5, e.g.
    /// vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5) to load by layer name; "imagenet" (Keras' default)
    /// is refused, naming the file to fetch.</param>
    /// <param name="inputTensor">Symbolic images to build the network on (Keras' input_tensor): a <c>Layers.Input</c> or
    /// the output of layers called on one, whose inputs become the model's.</param>
    /// <param name="inputShape">(height, width, channels); null: 224x224x3 with the classifier, any size
    /// ([null, null, 3]) without. At least 32x32.</param>
    /// <param name="pooling">Without the classifier: null (the 4-D feature map), "avg" or "max" global pooling.</param>
    /// <param name="classes">The classifier's width (with <paramref name="includeTop"/>).</param>
    /// <param name="classifierActivation">The classifier's activation ("softmax"; null gives logits).</param>
    /// <param name="name">The model's name ("vgg16").</param>
    public static Model VGG16(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null, string? pooling = null,
                              int classes = 1000, string? classifierActivation = "softmax", string name = "vgg16") =>
        VGG("VGG16", [2, 2, 3, 3, 3], includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name, VGG16Weights);

    /// <summary>
    /// VGG19 as Keras builds it (<c>keras.applications.VGG19</c>, keras/src/applications/vgg19.py): <see cref="VGG16"/>
    /// with four convolutions in each of blocks 3, 4 and 5 ('block3_conv4' ...), 143,667,240 parameters at 224x224 with
    /// the classifier. Its inputs are what <see cref="VGG19PreprocessInput(Tensor)"/> makes of RGB pixels.
    /// </summary>
    /// <inheritdoc cref="VGG16" path="/param"/>
    public static Model VGG19(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null, string? pooling = null,
                              int classes = 1000, string? classifierActivation = "softmax", string name = "vgg19") =>
        VGG("VGG19", [2, 2, 4, 4, 4], includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name, VGG19Weights);

    /// <summary>
    /// Keras' <c>keras.applications.vgg16.preprocess_input</c> (imagenet_utils' "caffe" mode), what VGG16's ImageNet
    /// weights expect of RGB pixels in [0, 255]: the channels reversed to BGR and ImageNet's mean pixel
    /// (103.939, 116.779, 123.68) subtracted, without scaling. Integer images are taken as floatx first.
    /// </summary>
    public static Tensor VGG16PreprocessInput(Tensor x) => Caffe("VGG16PreprocessInput", x);

    /// <summary><see cref="VGG16PreprocessInput(Tensor)"/> inside a functional model.</summary>
    public static KerasTensor VGG16PreprocessInput(KerasTensor x) => Caffe("VGG16PreprocessInput", x);

    /// <summary>Keras' <c>keras.applications.vgg19.preprocess_input</c>: as <see cref="VGG16PreprocessInput(Tensor)"/> ("caffe").</summary>
    public static Tensor VGG19PreprocessInput(Tensor x) => Caffe("VGG19PreprocessInput", x);

    /// <summary><see cref="VGG19PreprocessInput(Tensor)"/> inside a functional model.</summary>
    public static KerasTensor VGG19PreprocessInput(KerasTensor x) => Caffe("VGG19PreprocessInput", x);

    // vgg16.py and vgg19.py differ only in how many convolutions blocks 3 to 5 have.
    private static Model VGG(string app, int[] convolutions, bool includeTop, string? weights, KerasTensor? inputTensor, int?[]? inputShape,
                             string? pooling, int classes, string? classifierActivation, string name, string folder)
    {
        string file = $"{app.ToLowerInvariant()}_weights_tf_dim_ordering_tf_kernels{(includeTop ? "" : "_notop")}.h5";
        var (imgInput, _) = ImageInput(app, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, _ => file, folder);
        // 'fc1' takes the flattened feature map, whose length follows from the image size (Keras fails building it otherwise).
        if (includeTop && (imgInput.Shape[1] is null || imgInput.Shape[2] is null))
            throw new ArgumentException(
                $"{app}: with includeTop: true the images' height and width must be known ('fc1' takes the flattened feature map); " +
                $"inputTensor has shape {KerasTensor.Format(imgInput.Shape)}.", nameof(inputTensor));

        int[] filters = [64, 128, 256, 512, 512];
        var x = imgInput;
        for (int block = 1; block <= filters.Length; block++)
        {
            for (int conv = 1; conv <= convolutions[block - 1]; conv++)
                x = new Layers.Conv2D(filters[block - 1], 3, activation: "relu", padding: "same", name: $"block{block}_conv{conv}").Call(x);
            x = new Layers.MaxPooling2D(2, strides: 2, name: $"block{block}_pool").Call(x);
        }

        if (includeTop)
        {
            x = new Layers.Flatten(name: "flatten").Call(x);
            x = new Layers.Dense(4096, activation: "relu", name: "fc1").Call(x);
            x = new Layers.Dense(4096, activation: "relu", name: "fc2").Call(x);
            x = new Layers.Dense(classes, activation: classifierActivation, name: "predictions").Call(x);
        }
        else x = Pool(x, pooling);
        return Finish(app, imgInput, inputTensor, x, name, weights);
    }
}
