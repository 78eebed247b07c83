namespace NeuralFlow.Keras;

// keras.applications.imagenet_utils: the input scalings of Keras' ImageNet models, which each application's
// preprocess_input picks by mode ("tf" for MobileNetV2, "caffe" for ResNet50).
public static partial class Applications
{
    /// <summary><c>keras.applications.imagenet_utils</c>.</summary>
    public static class ImagenetUtils
    {
        private static readonly double[] CaffeMean = [103.939, 116.779, 123.68];   // BGR
        private static readonly double[] TorchMean = [0.485, 0.456, 0.406], TorchStd = [0.229, 0.224, 0.225];

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
            ArgumentNullException.ThrowIfNull(x);
            var dims = x.Shape.ToArray();
            int axis = ChannelAxis(mode, ref dataFormat, Array.ConvertAll(dims, d => (int?)d));
            if (!x.DType.IsFloating()) x = NF.Cast(x, Config.FloatXType);
            if (mode == "tf") return x / 127.5 - 1.0;
            if (mode == "torch") return (x / 255.0 - Channels(TorchMean, axis, x.Rank, x.DType)) / Channels(TorchStd, axis, x.Rank, x.DType);
            // 'RGB'->'BGR'
            return NF.Reverse(x, [axis]) - Channels(CaffeMean, axis, x.Rank, x.DType);
        }

        /// <summary>
        /// <see cref="PreprocessInput(Tensor, string?, string)"/> inside a functional model (Keras' tensor path,
        /// <c>_preprocess_tensor_input</c>): the same scaling recorded as operations of the graph, so it is saved with the
        /// model and runs in every call.
        /// </summary>
        /// <exception cref="ArgumentException">As the tensor form, on x's symbolic shape (a channel axis of unknown length is refused by "torch"/"caffe").</exception>
        public static KerasTensor PreprocessInput(KerasTensor x, string? dataFormat = null, string mode = "caffe")
        {
            ArgumentNullException.ThrowIfNull(x);
            int axis = ChannelAxis(mode, ref dataFormat, x.Shape.ToArray());
            if (!x.DType.IsFloating()) x = NF.Cast(x, Config.FloatXType);
            int rank = x.Shape.Count;
            if (mode == "tf") return x / 127.5 - 1.0;
            if (mode == "torch") return (x / 255.0 - Channels(TorchMean, axis, rank, x.DType)) / Channels(TorchStd, axis, rank, x.DType);
            var reversed = new TensorIndex[axis + 1];
            Array.Fill(reversed, ..);
            reversed[axis] = NF.Step(.., -1);
            return x[reversed] - Channels(CaffeMean, axis, rank, x.DType);
        }

        // The checks both forms make, and the channel axis "torch"/"caffe" work on (-1 for "tf", which has none): last
        // at any rank (as Keras' x[..., ::-1]), or the first of an image / the second of a batch.
        private static int ChannelAxis(string mode, ref string? dataFormat, int?[] dims)
        {
            const string op = "ImagenetUtils.PreprocessInput";
            if (mode is not ("caffe" or "tf" or "torch"))
                throw new ArgumentException($"{op}: Expected mode to be one of `caffe`, `tf` or `torch`. Received: mode={mode}", nameof(mode));
            dataFormat ??= "channels_last";
            if (dataFormat is not ("channels_first" or "channels_last"))
                throw new ArgumentException($"{op}: Expected data_format to be one of `channels_first` or `channels_last`. Received: data_format={dataFormat}", nameof(dataFormat));
            if (mode == "tf") return -1;
            bool first = dataFormat == "channels_first";
            string shape = "[" + string.Join(", ", dims.Select(d => d?.ToString() ?? "None")) + "]";
            if (first ? dims.Length < 3 : dims.Length < 1)
                throw new ArgumentException($"{op}: mode \"{mode}\" needs {(first ? "an image [C, H, W] or a batch [N, C, H, W]" : "pixels with channels last")}, got shape {shape}.", "x");
            int axis = first ? dims.Length == 3 ? 0 : 1 : dims.Length - 1;
            if (dims[axis] != 3)
                throw new ArgumentException($"{op}: mode \"{mode}\" needs 3 channels on axis {axis} ({dataFormat}), got shape {shape}.", "x");
            return axis;
        }

        // Per-channel constants shaped to broadcast along the channel axis.
        private static Tensor Channels(double[] values, int axis, int rank, DType dtype)
        {
            var along = Enumerable.Repeat(1, rank).ToArray();
            along[axis] = 3;
            return NF.Cast(NF.Constant(values, new Shape(along)), dtype);
        }
    }

    // The modes of imagenet_utils.preprocess_input as the applications' own preprocess_input functions use them:
    // "caffe" (RGB to BGR, less ImageNet's BGR mean pixel) and "torch" ([0, 1], then each channel less ImageNet's mean
    // and over its standard deviation) on images with three channels last, checked first so that op, the public
    // function, is named in the refusal.
    private static Tensor Caffe(string op, Tensor x) => RgbMode(op, x, "caffe");

    private static KerasTensor Caffe(string op, KerasTensor x) => RgbMode(op, x, "caffe");

    private static Tensor Torch(string op, Tensor x) => RgbMode(op, x, "torch");

    private static KerasTensor Torch(string op, KerasTensor x) => RgbMode(op, x, "torch");

    private static Tensor RgbMode(string op, Tensor x, string mode)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckChannels(op, x.Shape.Rank == 0 ? null : x.Shape[^1]);
        return ImagenetUtils.PreprocessInput(x, mode: mode);
    }

    private static KerasTensor RgbMode(string op, KerasTensor x, string mode)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckChannels(op, x.Shape.Count == 0 ? null : x.Shape[^1]);
        return ImagenetUtils.PreprocessInput(x, mode: mode);
    }

    // "caffe" and "torch" treat each RGB channel apart: three channels, last.
    private static void CheckChannels(string op, int? channels)
    {
        if (channels != 3)
            throw new ArgumentException($"{op}: images must be channels_last with 3 (RGB) channels; the last axis has {channels?.ToString() ?? "no known"} length.", "x");
    }
}
