namespace NeuralFlow.Keras;

/// <summary>
/// Keras' ready-made image networks (<c>keras.applications</c>): each method builds the
/// functional <see cref="Model"/> that Keras builds, layer for layer and name for name
/// (<c>Applications.MobileNetV2(inputShape: [160, 160, 3], includeTop: false, weights: null)</c>),
/// so that a Keras weights file loads into it and a transfer-learning recipe reads as in Python.
/// The preprocessing each network's weights expect is beside it
/// (<see cref="MobileNetV2PreprocessInput(Tensor)"/> is Keras' <c>mobilenet_v2.preprocess_input</c>), and
/// <see cref="DecodePredictions"/> names an ImageNet classifier's top classes.
/// NeuralFlow downloads nothing: <c>weights: "imagenet"</c> (Keras' default) is refused with the
/// name and address of the file Keras would fetch; pass that file's path instead.
/// Images are channels_last ([N, H, W, C]), NeuralFlow's only image data format.
/// </summary>
public static partial class Applications
{
    /// <summary>Keras' default for every application's <c>weights</c>: ImageNet weights, which are refused here (see the class remarks).</summary>
    public const string ImageNet = "imagenet";

    /// <summary>
    /// imagenet_utils.obtain_input_shape: the input shape (channels_last) an application is built for, with
    /// Keras' checks. Without a shape, a model with its classifier takes <paramref name="defaultSize"/>
    /// squares, and one without takes any size (null, Keras' None); a model with its classifier
    /// needs every length known.
    /// </summary>
    internal static int?[] ObtainInputShape(string app, int?[]? inputShape, int defaultSize, int minSize, bool requireFlatten)
    {
        if (inputShape is null || inputShape.Length == 0)
        {
            if (requireFlatten) return [defaultSize, defaultSize, 3];
            return [null, null, 3];
        }
        if (inputShape.Length != 3)
            throw new ArgumentException(
                $"{app}: inputShape must be three lengths (height, width, channels), got {KerasTensor.Format(inputShape)}.", nameof(inputShape));
        if (inputShape[0] < minSize || inputShape[1] < minSize)
            throw new ArgumentException(
                $"{app}: the input size must be at least {minSize}x{minSize}; got inputShape {KerasTensor.Format(inputShape)}.", nameof(inputShape));
        if (inputShape.Any(d => d is <= 0))
            throw new ArgumentException($"{app}: inputShape {KerasTensor.Format(inputShape)} has a length that is not positive.", nameof(inputShape));
        // The first convolution's kernel depends on the channels (Keras' Conv2D refuses an undefined channel dimension).
        if (inputShape[2] is null)
            throw new ArgumentException(
                $"{app}: inputShape's channels (its last length) must be known; got inputShape {KerasTensor.Format(inputShape)}.", nameof(inputShape));
        if (requireFlatten && inputShape.Any(d => d is null))
            throw new ArgumentException(
                $"{app}: with includeTop: true the input shape must be fully known; got inputShape {KerasTensor.Format(inputShape)}.", nameof(inputShape));
        return [.. inputShape];
    }

    /// <summary>
    /// The opening every application shares, with Keras' checks: the classifier's width, the pooling, the input
    /// (<paramref name="inputTensor"/> or an Input of the shape imagenet_utils.obtain_input_shape gives), the weights
    /// (<paramref name="imageNetFile"/> names, from the obtained shape, the file "imagenet" would download) and the
    /// classifier's activation; returns the images the network starts from and their (height, width, channels).
    /// </summary>
    internal static (KerasTensor Images, int?[] Shape) ImageInput(
        string app, bool includeTop, string? weights, KerasTensor? inputTensor, int?[]? inputShape, string? pooling, int classes,
        string? classifierActivation, Func<int?[], string> imageNetFile, string imageNetFolder, int defaultSize = 224, int minSize = 32)
    {
        if (includeTop && classes < 1)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, $"{app}: classes must be at least 1.");
        CheckPooling(app, pooling);
        if (inputTensor is not null) CheckInputTensor(app, inputTensor, inputShape);
        var shape = ObtainInputShape(app, inputShape, defaultSize, minSize, requireFlatten: includeTop);
        CheckWeights(app, weights, () => imageNetFile(shape), imageNetFolder);
        if (includeTop) CheckClassifierActivation(app, weights, classifierActivation);
        return (inputTensor ?? Layers.Input(shape), shape);
    }

    /// <summary>
    /// The closing every application shares: the model from the images' source inputs (Keras' get_source_inputs of
    /// <paramref name="inputTensor"/>, else <paramref name="images"/>) to <paramref name="outputs"/>, its weights loaded
    /// (<paramref name="byName"/>: see <see cref="LoadWeights"/>).
    /// </summary>
    internal static Model Finish(string app, KerasTensor images, KerasTensor? inputTensor, KerasTensor outputs, string name, string? weights, bool byName = true)
    {
        var model = new Model(inputTensor is null ? [images] : SourceInputs(inputTensor), [outputs], name);
        LoadWeights(app, model, weights, byName);
        return model;
    }

    /// <summary>
    /// Keras' <c>input_tensor</c>: the symbolic images an application is built on (<paramref name="inputTensor"/>, a
    /// <c>Layers.Input</c> or the output of layers called on one), [batch, height, width, channels] with the channels
    /// known, and agreeing with <paramref name="inputShape"/> where both give a length.
    /// </summary>
    internal static void CheckInputTensor(string app, KerasTensor inputTensor, int?[]? inputShape)
    {
        var shape = inputTensor.Shape;
        if (shape.Count != 4 || shape[3] is null)
            throw new ArgumentException(
                $"{app}: inputTensor must be images [batch, height, width, channels] with known channels; got shape {KerasTensor.Format(shape)}.", nameof(inputTensor));
        if (inputShape is { Length: 3 } && Enumerable.Range(0, 3).Any(i => inputShape[i] is { } d && shape[i + 1] is { } t && d != t))
            throw new ArgumentException(
                $"{app}: inputShape {KerasTensor.Format(inputShape)} does not match inputTensor's shape {KerasTensor.Format(shape)}.", nameof(inputShape));
    }

    /// <summary>
    /// Keras' operation_utils.get_source_inputs: the <c>Layers.Input</c> tensors <paramref name="x"/> is computed from,
    /// which become the application model's inputs when it is built on an <c>inputTensor</c>.
    /// </summary>
    internal static List<KerasTensor> SourceInputs(KerasTensor x)
    {
        var found = new List<KerasTensor>();
        var seen = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<KerasTensor>([x]);
        while (pending.Count > 0)
        {
            var t = pending.Pop();
            if (!seen.Add(t.Node)) continue;
            if (t.Layer is Layers.InputLayer) found.Add(t);
            else for (int i = t.Node.Inputs.Count - 1; i >= 0; i--) pending.Push(t.Node.Inputs[i]);
        }
        return found;
    }

    /// <summary>
    /// imagenet_utils.correct_pad: the ZeroPadding2D ((top, bottom), (left, right)) before a
    /// stride-2 'valid' convolution of a square <paramref name="kernelSize"/> window, so that it sees
    /// the pixels a 'same' convolution would: one row/column less at the top/left of an even length
    /// (and of an unknown one, as Keras assumes).
    /// </summary>
    internal static ((int, int), (int, int)) CorrectPad(KerasTensor x, int kernelSize)
    {
        int? height = x.Shape[1], width = x.Shape[2];
        int adjustH = height is { } h ? 1 - h % 2 : 1, adjustW = width is { } w ? 1 - w % 2 : 1;
        int correct = kernelSize / 2;
        return ((correct - adjustH, correct), (correct - adjustW, correct));
    }

    /// <summary>
    /// Keras' check of the <c>weights</c> argument: null (random weights), a file that exists, or
    /// "imagenet", which is refused naming <paramref name="imageNetFile"/>, the file Keras would download
    /// from <paramref name="imageNetFolder"/>.
    /// </summary>
    internal static void CheckWeights(string app, string? weights, Func<string> imageNetFile, string imageNetFolder)
    {
        if (weights is null) return;
        if (weights == ImageNet)
        {
            string file = imageNetFile();
            throw new ArgumentException(
                $"{app}: weights: \"imagenet\" would download {file} from {imageNetFolder}{file}, and NeuralFlow downloads nothing. " +
                "Fetch that file yourself (it is Keras' own) and pass its path as weights, or pass weights: null for random weights.", nameof(weights));
        }
        if (!File.Exists(weights))
            throw new ArgumentException(
                $"{app}: weights must be null (random weights), \"imagenet\" or the path of a weights file; no file is at '{weights}'.", nameof(weights));
    }

    /// <summary>imagenet_utils.validate_activation: pretrained classifier weights go with softmax or no activation.</summary>
    internal static void CheckClassifierActivation(string app, string? weights, string? classifierActivation)
    {
        if (weights is null || classifierActivation is null || classifierActivation == "softmax" || classifierActivation == "linear") return;
        throw new ArgumentException(
            $"{app}: with pretrained weights the classifier's activation must be \"softmax\" or null (its logits); got \"{classifierActivation}\".",
            nameof(classifierActivation));
    }

    /// <summary>
    /// The model's weights from <paramref name="weights"/> (a path CheckWeights accepted), matched by layer name; or, for
    /// the applications whose layers Keras leaves unnamed (InceptionV3, Xception: a legacy file's names depend on the
    /// counters of the session that wrote it), as Keras' <c>model.load_weights</c> does: <see cref="Model.LoadWeights"/>
    /// (a legacy .h5 in layer order, a Keras 3 .weights.h5 or .keras by the object tree, NeuralFlow's safetensors).
    /// </summary>
    internal static void LoadWeights(string app, Model model, string? weights, bool byName = true)
    {
        if (weights is null) return;
        if (byName) Saving.KerasH5Weights.LoadByName(model, weights, app);
        else model.LoadWeights(weights);
    }

    /// <summary>Keras' pooling argument: null, "avg" or "max" (checked before the network is built).</summary>
    internal static void CheckPooling(string app, string? pooling)
    {
        if (pooling is not (null or "avg" or "max"))
            throw new ArgumentException($"{app}: pooling must be null, \"avg\" or \"max\"; got \"{pooling}\".", nameof(pooling));
    }

    /// <summary>The classifier of ResNet and DenseNet: 'avg_pool' (global average pooling) and the 'predictions' Dense.</summary>
    internal static KerasTensor AvgPoolClassifier(KerasTensor x, int classes, string? classifierActivation)
    {
        x = new Layers.GlobalAveragePooling2D(name: "avg_pool").Call(x);
        return new Layers.Dense(classes, activation: classifierActivation, name: "predictions").Call(x);
    }

    /// <summary>
    /// The head of a model without its classifier: the feature map, or its global "avg" or "max" pooling
    /// (named <paramref name="avgName"/> / <paramref name="maxName"/> where the application names them);
    /// <paramref name="pooling"/> passed <see cref="CheckPooling"/>.
    /// </summary>
    internal static KerasTensor Pool(KerasTensor x, string? pooling, string? avgName = null, string? maxName = null) => pooling switch
    {
        "avg" => new Layers.GlobalAveragePooling2D(name: avgName).Call(x),
        "max" => new Layers.GlobalMaxPooling2D(name: maxName).Call(x),
        _ => x,
    };
}
