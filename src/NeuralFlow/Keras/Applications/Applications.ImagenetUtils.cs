namespace NeuralFlow.Keras;

// keras.applications.imagenet_utils: the input scalings of Keras' ImageNet models, which each application's
// preprocess_input picks by mode ("tf" for MobileNetV2, "caffe" for ResNet50).
public static partial class Applications
{
    /// <summary><c>keras.applications.imagenet_utils</c>.</summary>
    public static class ImagenetUtils
    {
        internal static readonly double[] CaffeMean = [103.939, 116.779, 123.68];   // BGR, also ResNet50PreprocessInput's
        internal static readonly double[] TorchMean = [0.485, 0.456, 0.406], TorchStd = [0.229, 0.224, 0.225];

        /// <summary>
        /// An image or a batch scaled as an ImageNet model expects (<c>imagenet_utils.preprocess_input(x, data_format,
        /// mode)</c>): "tf" to [-1, 1] (x / 127.5 - 1); "torch" to [0, 1], then each channel less ImageNet's mean and over
        /// its standard deviation; "caffe" (Keras' default) RGB to BGR, then each channel less ImageNet's BGR mean.
        /// Integer images become <see cref="Config.FloatX"/> first, as Keras' NumPy path; float images keep their dtype.
        /// <paramref name="dataFormat"/> null is "channels_last". A new tensor: Keras' in-place NumPy update has no
        /// C# counterpart.
        /// </summary>
        /// <exception cref="ArgumentException">mode or dataFormat is unknown, or "torch"/"caffe" get images without 3 channels on the channel axis or of rank below 3.</exception>
        public static Tensor PreprocessInput(Tensor x, string? dataFormat = null, string mode = "caffe")
        {
            const string op = "ImagenetUtils.PreprocessInput";
            ArgumentNullException.ThrowIfNull(x);
            if (mode is not ("caffe" or "tf" or "torch"))
                throw new ArgumentException($"{op}: Expected mode to be one of `caffe`, `tf` or `torch`. Received: mode={mode}", nameof(mode));
            dataFormat ??= "channels_last";
            if (dataFormat is not ("channels_first" or "channels_last"))
                throw new ArgumentException($"{op}: Expected data_format to be one of `channels_first` or `channels_last`. Received: data_format={dataFormat}", nameof(dataFormat));
            if (!x.DType.IsFloating()) x = NF.Cast(x, Config.FloatXType);
            if (mode == "tf") return x / 127.5 - 1.0;

            // The channel axis: last (any rank, as Keras' x[..., ::-1]), or the first of an image / the second of a batch.
            bool first = dataFormat == "channels_first";
            if (first ? x.Rank < 3 : x.Rank < 1)
                throw new ArgumentException($"{op}: mode \"{mode}\" needs {(first ? "an image [C, H, W] or a batch [N, C, H, W]" : "pixels with channels last")}, got shape {x.Shape}.", nameof(x));
            int axis = first ? x.Rank == 3 ? 0 : 1 : x.Rank - 1;
            if (x.Shape[axis] != 3)
                throw new ArgumentException($"{op}: mode \"{mode}\" needs 3 channels on axis {axis} ({dataFormat}), got shape {x.Shape}.", nameof(x));
            var along = Enumerable.Repeat(1, x.Rank).ToArray();
            along[axis] = 3;
            Tensor Channels(double[] values) => NF.Cast(NF.Constant(values, new Shape(along)), x.DType);
            if (mode == "torch") return (x / 255.0 - Channels(TorchMean)) / Channels(TorchStd);
            // 'RGB'->'BGR'
            return NF.Reverse(x, [axis]) - Channels(CaffeMean);
        }
    }

    // The modes of imagenet_utils.preprocess_input as the applications' own preprocess_input functions use them,
    // on images with channels last; op names the public function in refusals. The KerasTensor forms are the same
    // arithmetic inside a functional model.

    // "caffe": RGB to BGR, less ImageNet's BGR mean pixel.
    private static Tensor Caffe(string op, Tensor x) => RgbMode(op, x, "caffe");

    private static KerasTensor Caffe(string op, KerasTensor x)
    {
        x = FloatChannels(op, x);
        return x[NF.Ellipsis, NF.Step(.., -1)] - NF.Cast(NF.Constant(ImagenetUtils.CaffeMean), x.DType);
    }

    // "tf": [0, 255] to [-1, 1].
    private static KerasTensor Tf(KerasTensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!x.DType.IsFloating()) x = NF.Cast(x, Config.FloatXType);
        return x / 127.5 - 1.0;
    }

    // "torch": [0, 255] to [0, 1], then each RGB channel less ImageNet's mean and over its standard deviation.
    private static Tensor Torch(string op, Tensor x) => RgbMode(op, x, "torch");

    private static KerasTensor Torch(string op, KerasTensor x)
    {
        x = FloatChannels(op, x);
        return (x / 255.0 - NF.Cast(NF.Constant(ImagenetUtils.TorchMean), x.DType)) / NF.Cast(NF.Constant(ImagenetUtils.TorchStd), x.DType);
    }

    // The modes that treat each channel apart, on channels-last images whose last axis op checks first.
    private static Tensor RgbMode(string op, Tensor x, string mode)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckChannels(op, x.Shape.Rank == 0 ? null : x.Shape[^1]);
        return ImagenetUtils.PreprocessInput(x, mode: mode);
    }

    private static KerasTensor FloatChannels(string op, KerasTensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckChannels(op, x.Shape.Count == 0 ? null : x.Shape[^1]);
        return x.DType.IsFloating() ? x : NF.Cast(x, Config.FloatXType);
    }

    // "caffe" and "torch" treat each RGB channel apart: three channels, last.
    private static void CheckChannels(string op, int? channels)
    {
        if (channels != 3)
            throw new ArgumentException($"{op}: images must be channels_last with 3 (RGB) channels; the last axis has {channels?.ToString() ?? "no known"} length.", "x");
    }
}
