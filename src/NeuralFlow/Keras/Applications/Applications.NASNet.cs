namespace NeuralFlow.Keras;

public static partial class Applications
{
    private const string NASNetWeights = "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/";

    /// <summary>
    /// NASNet-A Mobile (Zoph et al. 2018, "Learning Transferable Architectures for Scalable Image Recognition") as Keras
    /// builds it (<c>keras.applications.NASNetMobile</c>, keras/src/applications/nasnet.py): the valid stride-2 3x3
    /// 'stem_conv1' (32 filters) and 'stem_bn1', two reduction cells 'stem_1' and 'stem_2', then three groups of four
    /// normal cells ('normal_conv_1_0' ... '_11') with the reduction cells 'reduce_4' and 'reduce_8' between, 44, 88 and
    /// 176 filters per branch; each cell first matches its previous-previous input to the current one ('adjust_*': a
    /// factorized reduction of two shifted 1x1 average poolings where the size differs, a 1x1 projection where only the
    /// width does). Every separable branch is two ReLU, SeparableConv2D (no bias), BatchNormalization (momentum 0.9997,
    /// epsilon 1e-3) steps. With <paramref name="includeTop"/> global average pooling and the 'predictions' Dense:
    /// 5,326,716 parameters (4,269,716 without). Its inputs are what <see cref="NASNetPreprocessInput(Tensor)"/> makes of
    /// RGB pixels. A weights file is loaded by layer name (every layer with weights is named).
    /// </summary>
    /// <param name="includeTop">Whether to end with global average pooling and the 'predictions' classifier.</param>
    /// <param name="weights">null: random weights; the path of a Keras weights file (.h5, e.g. NASNet-mobile-no-top.h5) to
    /// load by layer name; "imagenet" (Keras' default) is refused, naming the file to fetch.</param>
    /// <param name="inputTensor">Symbolic images to build the network on (Keras' input_tensor): a <c>Layers.Input</c> or
    /// the output of layers called on one, whose inputs become the model's.</param>
    /// <param name="inputShape">(height, width, channels); null: 224x224x3 (NASNetMobile, with or without the classifier,
    /// as Keras), 331x331x3 with the classifier and any size without (NASNetLarge). At least 32x32.</param>
    /// <param name="pooling">Without the classifier: null (the 4-D feature map), "avg" or "max" global pooling.</param>
    /// <param name="classes">The classifier's width (with <paramref name="includeTop"/>).</param>
    /// <param name="classifierActivation">The classifier's activation ("softmax"; null gives logits).</param>
    /// <param name="name">The model's name ("nasnet_mobile", "nasnet_large").</param>
    public static Model NASNetMobile(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                     string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", string name = "nasnet_mobile")
    {
        // Keras fixes the headless mobile network at 224x224 too.
        if (!includeTop && inputShape is null && inputTensor is null) inputShape = [224, 224, 3];   // a given tensor brings its own shape
        return NASNet("NASNetMobile", penultimateFilters: 1056, numBlocks: 4, stemFilters: 32, skipReduction: false, defaultSize: 224,
                      includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name);
    }

    /// <summary>
    /// NASNet-A Large (<c>keras.applications.NASNetLarge</c>): <see cref="NASNetMobile"/>'s cells with a 96-filter stem,
    /// three groups of six normal cells of 168, 336 and 672 filters per branch ('reduce_6', 'reduce_12'), whose first
    /// cell after a reduction takes the input from before it (Keras' skip_reduction), and 331x331 images:
    /// 88,949,818 parameters (84,916,818 without the classifier).
    /// </summary>
    /// <inheritdoc cref="NASNetMobile" path="/param"/>
    public static Model NASNetLarge(bool includeTop = true, string? weights = ImageNet, KerasTensor? inputTensor = null, int?[]? inputShape = null,
                                    string? pooling = null, int classes = 1000, string? classifierActivation = "softmax", string name = "nasnet_large") =>
        NASNet("NASNetLarge", penultimateFilters: 4032, numBlocks: 6, stemFilters: 96, skipReduction: true, defaultSize: 331,
               includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name);

    /// <summary>
    /// Keras' <c>keras.applications.nasnet.preprocess_input</c> (imagenet_utils' "tf" mode): pixels in [0, 255] scaled to
    /// [-1, 1], x / 127.5 - 1, what NASNet's ImageNet weights expect. Integer images are taken as floatx first.
    /// </summary>
    public static Tensor NASNetPreprocessInput(Tensor x) => ImagenetUtils.PreprocessInput(x, mode: "tf");

    /// <summary><see cref="NASNetPreprocessInput(Tensor)"/> inside a functional model.</summary>
    public static KerasTensor NASNetPreprocessInput(KerasTensor x) => ImagenetUtils.PreprocessInput(x, mode: "tf");

    // nasnet.py's NASNet(input_shape, penultimate_filters, num_blocks, stem_block_filters, skip_reduction,
    // filter_multiplier=2, ...): a cell's outputs are (its output, its input), the next cell's (x, p).
    private static Model NASNet(string app, int penultimateFilters, int numBlocks, int stemFilters, bool skipReduction, int defaultSize,
                                bool includeTop, string? weights, KerasTensor? inputTensor, int?[]? inputShape, string? pooling, int classes,
                                string? classifierActivation, string name)
    {
        string file = defaultSize == 224 ? (includeTop ? "NASNet-mobile.h5" : "NASNet-mobile-no-top.h5")
                                         : (includeTop ? "NASNet-large.h5" : "NASNet-large-no-top.h5");
        var (imgInput, _) = ImageInput(app, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, _ => file,
                                       NASNetWeights, defaultSize: defaultSize);
        int filters = penultimateFilters / 24;

        var x = new Layers.Conv2D(stemFilters, 3, strides: 2, useBias: false, kernelInitializer: "he_normal", name: "stem_conv1").Call(imgInput);
        x = NASNetBatchNorm("stem_bn1").Call(x);
        KerasTensor? p = null;
        (x, p) = NASNetReductionCell(x, p, filters / 4, "stem_1");
        (x, p) = NASNetReductionCell(x, p, filters / 2, "stem_2", afterReduction: true);
        for (int group = 0; group < 3; group++)
        {
            int width = filters << group;
            if (group > 0)
            {
                var (reduced, before) = NASNetReductionCell(x, p, width, $"reduce_{group * numBlocks}");
                x = reduced;
                // skip_reduction: the first normal cell after the reduction takes, as its p, the reduction cell's own p.
                if (!skipReduction) p = before;
            }
            for (int i = 0; i < numBlocks; i++)
                (x, p) = NASNetNormalCell(x, p, width, $"{(group == 0 ? i : group * numBlocks + 1 + i)}", afterReduction: i == 0);
        }
        x = new Layers.Activation("relu").Call(x);

        if (includeTop)
        {
            x = new Layers.GlobalAveragePooling2D().Call(x);
            x = new Layers.Dense(classes, activation: classifierActivation, name: "predictions").Call(x);
        }
        else x = Pool(x, pooling);
        return Finish(app, imgInput, inputTensor, x, name, weights);
    }

    private static Layers.BatchNormalization NASNetBatchNorm(string name) => new(momentum: 0.9997, epsilon: 1e-3, name: name);

    // nasnet.py's _normal_a_cell: five pairs of branches from h (the cell's input through ReLU, 1x1 and
    // BatchNormalization) and p (the previous cell's input, adjusted), added in pairs and concatenated with p.
    private static (KerasTensor X, KerasTensor Ip) NASNetNormalCell(KerasTensor ip, KerasTensor? p0, int filters, string id, bool afterReduction)
    {
        var p = NASNetAdjust(p0, ip, filters, id, afterReduction);
        var h = NASNetSqueeze(ip, filters, $"normal_conv_1_{id}", $"normal_bn_1_{id}");
        var x1 = new Layers.Add(name: $"normal_add_1_{id}").Call([
            NASNetSeparable(h, filters, 5, 1, $"normal_left1_{id}"), NASNetSeparable(p, filters, 3, 1, $"normal_right1_{id}")]);
        var x2 = new Layers.Add(name: $"normal_add_2_{id}").Call([
            NASNetSeparable(p, filters, 5, 1, $"normal_left2_{id}"), NASNetSeparable(p, filters, 3, 1, $"normal_right2_{id}")]);
        var x3 = new Layers.Add(name: $"normal_add_3_{id}").Call([NASNetAvgPool(h, 1, $"normal_left3_{id}"), p]);
        var x4 = new Layers.Add(name: $"normal_add_4_{id}").Call([NASNetAvgPool(p, 1, $"normal_left4_{id}"), NASNetAvgPool(p, 1, $"normal_right4_{id}")]);
        var x5 = new Layers.Add(name: $"normal_add_5_{id}").Call([NASNetSeparable(h, filters, 3, 1, $"normal_left5_{id}"), h]);
        return (new Layers.Concatenate(name: $"normal_concat_{id}").Call([p, x1, x2, x3, x4, x5]), ip);
    }

    // nasnet.py's _reduction_a_cell: its branches halve the map (stride-2 separable convolutions; 3x3 max and average
    // poolings of h padded as imagenet_utils.correct_pad pads); four sums concatenated.
    private static (KerasTensor X, KerasTensor Ip) NASNetReductionCell(KerasTensor ip, KerasTensor? p0, int filters, string id, bool afterReduction = false)
    {
        var p = NASNetAdjust(p0, ip, filters, id, afterReduction);
        var h = NASNetSqueeze(ip, filters, $"reduction_conv_1_{id}", $"reduction_bn_1_{id}");
        var h3 = new Layers.ZeroPadding2D(CorrectPad(h, 3), name: $"reduction_pad_1_{id}").Call(h);
        var x1 = new Layers.Add(name: $"reduction_add_1_{id}").Call([
            NASNetSeparable(h, filters, 5, 2, $"reduction_left1_{id}"), NASNetSeparable(p, filters, 7, 2, $"reduction_right1_{id}")]);
        var x2 = new Layers.Add(name: $"reduction_add_2_{id}").Call([
            new Layers.MaxPooling2D(3, strides: 2, name: $"reduction_left2_{id}").Call(h3), NASNetSeparable(p, filters, 7, 2, $"reduction_right2_{id}")]);
        var x3 = new Layers.Add(name: $"reduction_add3_{id}").Call([
            new Layers.AveragePooling2D(3, strides: 2, name: $"reduction_left3_{id}").Call(h3), NASNetSeparable(p, filters, 5, 2, $"reduction_right3_{id}")]);
        var x4 = new Layers.Add().Call([x2, NASNetAvgPool(x1, 1, $"reduction_left4_{id}")]);
        var x5 = new Layers.Add(name: $"reduction_add4_{id}").Call([
            NASNetSeparable(x1, filters, 3, 1, $"reduction_left4_{id}"), new Layers.MaxPooling2D(3, strides: 2, name: $"reduction_right5_{id}").Call(h3)]);
        return (new Layers.Concatenate(name: $"reduction_concat_{id}").Call([x2, x3, x4, x5]), ip);
    }

    // ReLU, a 1x1 convolution to the cell's width and BatchNormalization: the cell's h.
    private static KerasTensor NASNetSqueeze(KerasTensor x, int filters, string convName, string bnName)
    {
        x = new Layers.Activation("relu").Call(x);
        x = new Layers.Conv2D(filters, 1, padding: "same", useBias: false, kernelInitializer: "he_normal", name: convName).Call(x);
        return NASNetBatchNorm(bnName).Call(x);
    }

    // A 'same' 3x3 average pooling of the given stride (TensorFlow's: the padding is left out of each mean).
    private static KerasTensor NASNetAvgPool(KerasTensor x, int strides, string name) =>
        new Layers.AveragePooling2D(3, strides: strides, padding: "same", name: name).Call(x);

    // nasnet.py's _separable_conv_block: ReLU, SeparableConv2D '{separable_conv_1_}' (stride-2 ones 'valid' after
    // correct_pad's ZeroPadding2D), BatchNormalization, ReLU, a stride-1 'same' SeparableConv2D and BatchNormalization.
    private static KerasTensor NASNetSeparable(KerasTensor x, int filters, int kernel, int strides, string id)
    {
        x = new Layers.Activation("relu").Call(x);
        string padding = "same";
        if (strides == 2)
        {
            x = new Layers.ZeroPadding2D(CorrectPad(x, kernel), name: $"separable_conv_1_pad_{id}").Call(x);
            padding = "valid";
        }
        x = new Layers.SeparableConv2D(filters, kernel, strides: strides, padding: padding, useBias: false, name: $"separable_conv_1_{id}").Call(x);
        x = NASNetBatchNorm($"separable_conv_1_bn_{id}").Call(x);
        x = new Layers.Activation("relu").Call(x);
        x = new Layers.SeparableConv2D(filters, kernel, padding: "same", useBias: false, name: $"separable_conv_2_{id}").Call(x);
        return NASNetBatchNorm($"separable_conv_2_bn_{id}").Call(x);
    }

    // nasnet.py's _adjust_block: p made to match ip. None: ip itself. A larger map (p from before a reduction): the
    // factorized reduction, two 1x1 stride-2 average poolings, the second of the map shifted one pixel up and left,
    // each to half the width, concatenated and normalized. Only another width: a ReLU, 1x1 projection and normalization.
    private static KerasTensor NASNetAdjust(KerasTensor? p, KerasTensor ip, int filters, string id, bool afterReduction)
    {
        if (p is null) return ip;
        // Keras compares the widths; where they are unknown (NASNetLarge without an input shape) p is the larger exactly
        // when a reduction cell came between it and ip.
        if (p.Shape[2] is { } pw && ip.Shape[2] is { } iw ? pw != iw : afterReduction)
        {
            p = new Layers.Activation("relu", name: $"adjust_relu_1_{id}").Call(p);
            var p1 = new Layers.AveragePooling2D(1, strides: 2, name: $"adjust_avg_pool_1_{id}").Call(p);
            p1 = new Layers.Conv2D(filters / 2, 1, padding: "same", useBias: false, kernelInitializer: "he_normal", name: $"adjust_conv_1_{id}").Call(p1);
            var p2 = new Layers.ZeroPadding2D(((0, 1), (0, 1))).Call(p);
            p2 = new Layers.Cropping2D(((1, 0), (1, 0))).Call(p2);
            p2 = new Layers.AveragePooling2D(1, strides: 2, name: $"adjust_avg_pool_2_{id}").Call(p2);
            p2 = new Layers.Conv2D(filters / 2, 1, padding: "same", useBias: false, kernelInitializer: "he_normal", name: $"adjust_conv_2_{id}").Call(p2);
            p = new Layers.Concatenate().Call([p1, p2]);
            return NASNetBatchNorm($"adjust_bn_{id}").Call(p);
        }
        if (p.Shape[3] != filters)
        {
            p = new Layers.Activation("relu").Call(p);
            p = new Layers.Conv2D(filters, 1, padding: "same", useBias: false, kernelInitializer: "he_normal", name: $"adjust_conv_projection_{id}").Call(p);
            return NASNetBatchNorm($"adjust_bn_{id}").Call(p);
        }
        return p;
    }
}
