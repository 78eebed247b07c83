using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public partial class Model
{
    // The volume layers in ONNX, as the image layers (Model.Onnx.Conv.cs): ONNX's Conv,
    // ConvTranspose and pools take NCDHW, so a channels_last layer is wrapped in Transposes
    // (NDHWC -> NCDHW -> NDHWC) and a channels_first one needs none. Each axis' explicit pads
    // come from the one-axis rules the sequence layers use (SequencePads: TensorFlow's "same",
    // the odd pad at the end), ONNX's order being [d, h, w begins, d, h, w ends].
    private sealed partial class OnnxGraph
    {
        private static readonly long[] ToNcdhw = [0, 4, 1, 2, 3], ToNdhwc = [0, 2, 3, 4, 1];

        private string Volume(Layer layer, string x, List<long> shape)
        {
            if (shape.Count != 4)
                throw new NotSupportedException($"ExportOnnx: layer {layer.Name} needs volume inputs, but its input has trailing dims ({string.Join(", ", shape)}).");
            bool channelsFirst = DataFormatOf(layer) == "channels_first";
            if (layer is Layers.GlobalPooling3D global) return GlobalPool(global, x, shape);
            int first = channelsFirst ? 1 : 0;
            int[] size = [(int)shape[first], (int)shape[first + 1], (int)shape[first + 2]];
            long channels = shape[channelsFirst ? 0 : 3];
            string ncdhw = channelsFirst ? x : Node("Transpose", $"{layer.Name}/ToNCDHW", [x], OnnxWriter.IntsAttribute("perm", ToNcdhw));
            string y;
            long[] outSize;
            switch (layer)
            {
                case Layers.Conv3D conv:
                {
                    (var pads, outSize) = VolumePads(conv.Name, size, conv.KernelSize, conv.Strides, conv.DilationRate, conv.Padding);
                    string kernel = OihwWeight(conv.Kernel!, conv.Kernel!); // [KD, KH, KW, I, O] -> [O, I, KD, KH, KW]
                    y = Node("Conv", conv.Name, ConvInputs(ncdhw, kernel, conv.Bias),
                        [.. WindowAttributes3D(conv.KernelSize, conv.Strides, pads), OnnxWriter.IntsAttribute("dilations", conv.DilationRate.Select(d => (long)d)),
                         OnnxWriter.IntAttribute("group", conv.Groups)]);
                    channels = conv.Filters;
                    break;
                }
                case Layers.Conv3DTranspose t:
                    (y, outSize) = ConvTranspose3D(t, ncdhw, size);
                    channels = t.Filters;
                    break;
                default:
                {
                    var pool = (Layers.Pooling3D)layer;
                    (var pads, outSize) = VolumePads(pool.Name, size, pool.PoolSize, pool.Strides, [1, 1, 1], pool.Padding);
                    // ONNX AveragePool's count_include_pad = 0 (the default) is TensorFlow's rule too.
                    y = Node(pool is Layers.MaxPooling3D ? "MaxPool" : "AveragePool", pool.Name, [ncdhw], WindowAttributes3D(pool.PoolSize, pool.Strides, pads));
                    break;
                }
            }
            shape.Clear();
            shape.AddRange(channelsFirst ? [channels, .. outSize] : [.. outSize, channels]);
            string output = channelsFirst ? y : Node("Transpose", $"{layer.Name}/ToNDHWC", [y], OnnxWriter.IntsAttribute("perm", ToNdhwc));
            return layer is Layers.Convolution3D { Activation: { } activation } ? Activation(activation, layer, output) : output;
        }

        /// <summary>ONNX's pads [d, h, w begins, d, h, w ends] of a window over a volume and the output's (depth, height, width).</summary>
        private static (long[] Pads, long[] Out) VolumePads(string layer, int[] size, int[] k, int[] strides, int[] dilations, string padding)
        {
            var pads = new long[6];
            var outSize = new long[3];
            for (int axis = 0; axis < 3; axis++)
            {
                var (p, o) = SequencePads(layer, size[axis], k[axis], strides[axis], dilations[axis], padding);
                (pads[axis], pads[axis + 3], outSize[axis]) = (p[0], p[1], o);
            }
            return (pads, outSize);
        }

        private static byte[][] WindowAttributes3D(int[] k, int[] strides, long[] pads) =>
        [
            OnnxWriter.IntsAttribute("kernel_shape", k.Select(v => (long)v)),
            OnnxWriter.IntsAttribute("strides", strides.Select(v => (long)v)),
            OnnxWriter.IntsAttribute("pads", pads),
        ];

        /// <summary>
        /// ConvTranspose with explicit pads, as the 2-D one (Model.Onnx.Conv.cs): per axis, of the
        /// full (size - 1) * stride + span cells TensorFlow's placement drops the forward pad at the
        /// front and keeps the output's length; cells past the full length (an output padding's) are
        /// ONNX's output_padding.
        /// </summary>
        private (string Y, long[] Out) ConvTranspose3D(Layers.Conv3DTranspose t, string ncdhw, int[] size)
        {
            int[] k = t.KernelSize, s = t.Strides, d = t.DilationRate;
            var pads = new long[6];
            var extra = new long[3];
            var outSize = new long[3];
            for (int axis = 0; axis < 3; axis++)
            {
                // The one-axis case of the 2-D rule: the axis as the height of a one-column image.
                int[]? outputPadding = t.OutputPadding is null ? null : [t.OutputPadding[axis], 0];
                var (w, o, _) = NF.TransposedWindow(t.Name, new Shape(1, size[axis], 1, 1), k[axis], 1, [s[axis], 1], t.Padding, outputPadding, [d[axis], 1]);
                var (end, more) = TransposedEnd(size[axis], k[axis], s[axis], d[axis], w.PadTop, o);
                (pads[axis], pads[axis + 3], extra[axis], outSize[axis]) = (w.PadTop, end, more, o);
            }
            // The [KD, KH, KW, filters, C] kernel is ONNX's [C, filters, KD, KH, KW] by the same transpose as Conv3D's.
            string kernel = OihwWeight(t.Kernel!, t.Kernel!);
            string y = Node("ConvTranspose", t.Name, ConvInputs(ncdhw, kernel, t.Bias),
                [.. WindowAttributes3D(k, s, pads), OnnxWriter.IntsAttribute("dilations", d.Select(v => (long)v)), OnnxWriter.IntsAttribute("output_padding", extra)]);
            return (y, outSize);
        }
    }
}
