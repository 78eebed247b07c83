using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public partial class Model
{
    // The image layers in ONNX. NeuralFlow is NHWC, ONNX's Conv and pools NCHW: each channels_last
    // layer is wrapped in Transposes (NHWC -> NCHW -> NHWC), so every tensor between layers keeps
    // NeuralFlow's layout and Flatten, Dense and Reshape see the same element order as in Predict;
    // a channels_first layer is NCHW on both sides and needs none.
    private sealed partial class OnnxGraph
    {
        private static readonly long[] ToNchw = [0, 3, 1, 2], ToNhwc = [0, 2, 3, 1];

        private string Spatial(Layer layer, string x, List<long> shape)
        {
            if (layer is Layers.Reshape reshape)
            {
                var target = reshape.TargetShape.Select(d => (long)d).ToArray();
                long known = target.Where(d => d != -1).Aggregate(1L, (a, d) => a * d);
                long total = shape.Aggregate(1L, (a, d) => a * d);
                shape.Clear();
                shape.AddRange(target.Select(d => d == -1 ? total / known : d));
                string dims = $"{Scope}{layer.Name}/shape";
                // 0 keeps the (symbolic) batch dimension.
                Initializers.Add(OnnxWriter.Tensor(dims, [target.Length + 1], [0L, .. target]));
                return Node("Reshape", layer.Name, [x, dims]);
            }
            if (shape.Count != 3)
                throw new NotSupportedException($"ExportOnnx: layer {layer.Name} needs image inputs, but its input has trailing dims ({string.Join(", ", shape)}).");
            // A channels_first layer reads and writes NCHW, ONNX's own layout: no Transposes.
            bool channelsFirst = DataFormatOf(layer) == "channels_first";
            var input = channelsFirst
                ? new Shape(1, (int)shape[1], (int)shape[2], (int)shape[0])
                : new Shape(1, (int)shape[0], (int)shape[1], (int)shape[2]);
            if (layer is Layers.GlobalPooling2D global) return GlobalPool(global, x, shape);
            string nchw = channelsFirst ? x : Node("Transpose", $"{layer.Name}/ToNCHW", [x], OnnxWriter.IntsAttribute("perm", ToNchw));
            var (y, oh, ow, channels) = layer switch
            {
                Layers.Conv2D conv => Conv(conv, conv.Name, nchw, input, conv.Groups, OihwWeight(conv.Kernel!, conv.Kernel!), conv.Filters, conv.Bias),
                Layers.DepthwiseConv2D dw => Conv(dw, dw.Name, nchw, input, input[3], DepthwiseWeight(dw.Kernel!), input[3] * dw.DepthMultiplier, dw.Bias),
                Layers.SeparableConv2D sep => SeparableConv(sep, nchw, input),
                Layers.Conv2DTranspose t => ConvTranspose(t, nchw, input),
                _ => Pool((Layers.Pooling2D)layer, nchw, input),
            };
            shape.Clear();
            shape.AddRange(channelsFirst ? [channels, oh, ow] : [oh, ow, channels]);
            string output = channelsFirst ? y : Node("Transpose", $"{layer.Name}/ToNHWC", [y], OnnxWriter.IntsAttribute("perm", ToNhwc));
            return layer is Layers.Convolution { Activation: { } activation } ? Activation(activation, layer, output) : output;
        }

        /// <summary>
        /// A global pool of any rank: ReduceMax or ReduceMean over its spatial axes (ONNX's axes
        /// count the batch), the trailing <paramref name="shape"/> losing them or, with keepdims, keeping them as 1.
        /// </summary>
        private string GlobalPool(Layers.GlobalPooling global, string x, List<long> shape)
        {
            int first = global.DataFormat == "channels_first" ? 1 : 0, rank = global.SpatialRank;
            if (global.Keepdims)
                for (int i = 0; i < rank; i++) shape[first + i] = 1;
            else shape.RemoveRange(first, rank);
            return Node(global.TakesMax ? "ReduceMax" : "ReduceMean", global.Name, [x],
                OnnxWriter.IntsAttribute("axes", Enumerable.Range(first + 1, rank).Select(a => (long)a)), OnnxWriter.IntAttribute("keepdims", global.Keepdims ? 1 : 0));
        }

        private static string? DataFormatOf(Layer layer) => layer switch
        {
            Layers.Convolution c => c.DataFormat,
            Layers.Pooling p => p.DataFormat,
            Layers.GlobalPooling g => g.DataFormat,
            _ => null,
        };

        /// <summary>
        /// A Conv node named <paramref name="node"/> over NCHW <paramref name="nchw"/> with the layer's
        /// window, strides, padding and dilation (a separable layer's depthwise step passes no bias:
        /// its pointwise step adds it).
        /// </summary>
        private (string Y, long OH, long OW, long Channels) Conv(Layers.Convolution conv, string node, string nchw, Shape input, int groups, string kernel,
                                                                 int channels, Variable? bias)
        {
            var (attributes, oh, ow) = WindowAttributes(conv.Name, input, conv.KernelSize, conv.Strides, conv.Padding, conv.DilationRate);
            string y = Node("Conv", node, ConvInputs(nchw, kernel, bias),
                [.. attributes, OnnxWriter.IntsAttribute("dilations", conv.DilationRate.Select(d => (long)d)), OnnxWriter.IntAttribute("group", groups)]);
            return (y, oh, ow, channels);
        }

        /// <summary>
        /// ConvTranspose with explicit pads: of the full (H - 1) * stride + span rows, TensorFlow's
        /// placement drops PadTop at the top and keeps OH; rows past the full length, which only
        /// an output padding makes, are ONNX's output_padding (zeros before the bias).
        /// </summary>
        private (string Y, long OH, long OW, long Channels) ConvTranspose(Layers.Conv2DTranspose t, string nchw, Shape input)
        {
            int[] k = t.KernelSize, s = t.Strides, d = t.DilationRate;
            var (w, oh, ow) = NF.TransposedWindow(t.Name, input, k[0], k[1], s, t.Padding, t.OutputPadding, d);
            var (bottom, extraH) = TransposedEnd(input[1], k[0], s[0], d[0], w.PadTop, oh);
            var (right, extraW) = TransposedEnd(input[2], k[1], s[1], d[1], w.PadLeft, ow);
            // The [KH, KW, filters, C] kernel is ONNX's [C, filters, KH, KW] by the same transpose as HWIO to OIHW.
            string kernel = OihwWeight(t.Kernel!, t.Kernel!);
            string y = Node("ConvTranspose", t.Name, ConvInputs(nchw, kernel, t.Bias),
                OnnxWriter.IntsAttribute("kernel_shape", [k[0], k[1]]),
                OnnxWriter.IntsAttribute("strides", [s[0], s[1]]),
                OnnxWriter.IntsAttribute("dilations", [d[0], d[1]]),
                OnnxWriter.IntsAttribute("pads", [w.PadTop, w.PadLeft, bottom, right]),
                OnnxWriter.IntsAttribute("output_padding", [extraH, extraW]));
            return (y, oh, ow, t.Filters);
        }

        /// <summary>
        /// Of one axis of a transposed convolution: the full (length - 1) * stride + span outputs
        /// less <paramref name="begin"/> and the <paramref name="output"/> kept leave the pad to drop
        /// at the end, or, when negative, the output_padding rows beyond the full length.
        /// </summary>
        private static (long End, long OutputPadding) TransposedEnd(long length, int k, int stride, int dilation, long begin, long output)
        {
            long end = (length - 1L) * stride + (k - 1L) * dilation + 1 - begin - output;
            return (Math.Max(end, 0), Math.Max(-end, 0));
        }

        /// <summary>
        /// A depthwise kernel (spatial axes, then [C, M]) as ONNX's Conv weight with one group per
        /// channel, [C * M, 1, spatial...]: output channel c * M + m, TensorFlow's order.
        /// </summary>
        private string DepthwiseWeight(Variable kernel)
        {
            int[] dims = kernel.Shape.ToArray();
            int rank = dims.Length;
            return OihwWeight(kernel, NF.Reshape(kernel, [.. dims[..(rank - 2)], 1, dims[rank - 2] * dims[rank - 1]]));
        }

        private (string Y, long OH, long OW, long Channels) Pool(Layers.Pooling2D pool, string nchw, Shape input)
        {
            var (attributes, oh, ow) = WindowAttributes(pool.Name, input, pool.PoolSize, pool.Strides, pool.Padding, [1, 1]);
            // ONNX AveragePool's count_include_pad = 0 (the default) is TensorFlow's rule too.
            string y = Node(pool is Layers.MaxPooling2D ? "MaxPool" : "AveragePool", pool.Name, [nchw], attributes);
            return (y, oh, ow, input[3]);
        }

        /// <summary>kernel_shape, strides and explicit pads [top, left, bottom, right] of a window over NHWC <paramref name="input"/>, and the output's H and W.</summary>
        private static (byte[][] Attributes, long OH, long OW) WindowAttributes(string layer, Shape input, int[] k, int[] strides, string padding, int[] dilations)
        {
            var (w, oh, ow) = NF.WindowFor(layer, input, k[0], k[1], strides, padding, dilations);
            long bottom = Math.Max(0, (oh - 1L) * w.StrideH + (k[0] - 1L) * w.DilationH + 1 - input[1] - w.PadTop);
            long right = Math.Max(0, (ow - 1L) * w.StrideW + (k[1] - 1L) * w.DilationW + 1 - input[2] - w.PadLeft);
            byte[][] attributes =
            [
                OnnxWriter.IntsAttribute("kernel_shape", [k[0], k[1]]),
                OnnxWriter.IntsAttribute("strides", [w.StrideH, w.StrideW]),
                OnnxWriter.IntsAttribute("pads", [w.PadTop, w.PadLeft, bottom, right]),
            ];
            return (attributes, oh, ow);
        }

        /// <summary>
        /// A Keras kernel, spatial axes first ([K, I, O] or HWIO; <paramref name="hwio"/> is the
        /// variable or a reshape of it), as ONNX's [O, I, spatial...] initializer named after <paramref name="kernel"/>.
        /// </summary>
        private string OihwWeight(Variable kernel, Tensor hwio)
        {
            if (_weightNames.TryGetValue(kernel, out var known)) return known;
            string name = WeightName(kernel);
            int rank = hwio.Rank;
            using var oihw = NF.Transpose(hwio, [rank - 1, rank - 2, .. Enumerable.Range(0, rank - 2)]);
            long[] dims = [.. oihw.Shape.ToArray().Select(d => (long)d)];
            Initializers.Add(kernel.DType == DType.Float64
                ? OnnxWriter.Tensor(name, dims, oihw.ToArray<double>())
                : OnnxWriter.Tensor(name, dims, oihw.ToArray<float>()));
            return name;
        }
    }
}
