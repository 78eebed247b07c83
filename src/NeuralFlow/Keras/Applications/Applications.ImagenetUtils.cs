namespace NeuralFlow.Keras;

// keras.applications.imagenet_utils: the input scalings of Keras' ImageNet models, which each application's
// preprocess_input picks by mode ("tf" for MobileNetV2, "caffe" for ResNet50).
public static partial class Applications
{
    /// <summary><c>keras.applications.imagenet_utils</c>.</summary>
    public static class ImagenetUtils
    {
        internal static readonly double[] CaffeMean = [103.939, 116.779, 123.68];   // BGR, also ResNet50PreprocessInput's
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
}
