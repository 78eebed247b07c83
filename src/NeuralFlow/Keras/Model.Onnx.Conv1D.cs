using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public partial class Model
{
    // The sequence layers in ONNX, as the image layers (Model.Onnx.Conv.cs): ONNX's Conv and pools
    // take [N, C, steps], so a channels_last layer is wrapped in Transposes ([N, steps, C] ->
    // [N, C, steps] -> back) and a channels_first one needs none. "same" and "causal" become
    // explicit pads [begin, end].
    private sealed partial class OnnxGraph
    {
        private static readonly long[] SwapLastTwo = [0, 2, 1];

        private string Sequence(Layer layer, string x, List<long> shape)
        {
            if (shape.Count != 2)
                throw new NotSupportedException($"ExportOnnx: layer {layer.Name} needs sequence inputs, but its input has trailing dims ({string.Join(", ", shape)}).");
            bool channelsFirst = DataFormatOf(layer) == "channels_first";
            int steps = channelsFirst ? 1 : 0;
            if (layer is Layers.GlobalPooling1D global) return GlobalPool(global, x, shape);
            int length = (int)shape[steps], channels = (int)shape[1 - steps];
            string ncl = channelsFirst ? x : Node("Transpose", $"{layer.Name}/ToNCL", [x], OnnxWriter.IntsAttribute("perm", SwapLastTwo));
            var (y, outLength, outChannels) = layer switch
            {
                Layers.Conv1D or Layers.DepthwiseConv1D => SequenceConv((Layers.Convolution)layer, ncl, length, channels),
                Layers.SeparableConv1D sep => SeparableSteps(sep, ncl, length, channels),
                Layers.Conv1DTranspose t => TransposedSteps(t, ncl, length, channels),
                _ => SequencePool((Layers.Pooling1D)layer, ncl, length, channels),
            };
            shape.Clear();
            shape.AddRange(channelsFirst ? [outChannels, outLength] : [outLength, outChannels]);
            string output = channelsFirst ? y : Node("Transpose", $"{layer.Name}/ToNLC", [y], OnnxWriter.IntsAttribute("perm", SwapLastTwo));
            return layer is Layers.Convolution { Activation: { } activation } ? Activation(activation, layer, output) : output;
        }

        private (string Y, long Steps, long Channels) SequenceConv(Layers.Convolution conv, string ncl, int length, int channels)
        {
            // Depthwise is Conv with one group per channel and the kernel [K, C, M] as [C * M, 1, K], as DepthwiseConv2D's.
            var (weight, groups, filters) = conv switch
            {
                Layers.DepthwiseConv1D dw => (DepthwiseWeight(dw.Kernel!), channels, channels * dw.DepthMultiplier),
                _ => (OihwWeight(conv.Kernel!, conv.Kernel!), ((Layers.Conv1D)conv).Groups, ((Layers.Conv1D)conv).Filters),
            };
            var (y, steps) = WindowedSteps(conv, conv.Name, ncl, length, weight, groups, conv.Bias);
            return (y, steps, filters);
        }

        /// <summary>A Conv over [N, C, steps] with <paramref name="conv"/>'s window, stride, padding and dilation; the output's length.</summary>
        private (string Y, int Steps) WindowedSteps(Layers.Convolution conv, string node, string ncl, int length, string weight, int groups, Variable? bias)
        {
            int k = conv.KernelSize[0], s = conv.Strides[0], d = conv.DilationRate[0];
            var (pads, outSteps) = SequencePads(conv.Name, length, k, s, d, conv.Padding);
            string y = Node("Conv", node, ConvInputs(ncl, weight, bias),
                OnnxWriter.IntsAttribute("kernel_shape", [k]), OnnxWriter.IntsAttribute("strides", [s]), OnnxWriter.IntsAttribute("pads", pads),
                OnnxWriter.IntsAttribute("dilations", [d]), OnnxWriter.IntAttribute("group", groups));
            return (y, outSteps);
        }

        /// <summary>
        /// ConvTranspose over [N, C, steps] with the [K, filters, C] kernel as ONNX's [C, filters, K]:
        /// the steps Keras' rule gives (NF.TransposedWindow over a sequence one row high, as
        /// NF.Conv1DTranspose runs it), placed as Conv2DTranspose's export places its rows.
        /// </summary>
        private (string Y, long Steps, long Channels) TransposedSteps(Layers.Conv1DTranspose t, string ncl, int length, int channels)
        {
            int k = t.KernelSize[0], s = t.Strides[0], d = t.DilationRate[0];
            var (w, _, outSteps) = NF.TransposedWindow(t.Name, new Shape(1, 1, length, channels), 1, k, [1, s], t.Padding,
                                                       t.OutputPadding is { } p ? [0, p] : null, [1, d]);
            var (end, extra) = TransposedEnd(length, k, s, d, w.PadLeft, outSteps);
            string kernel = OihwWeight(t.Kernel!, t.Kernel!);
            string y = Node("ConvTranspose", t.Name, ConvInputs(ncl, kernel, t.Bias),
                OnnxWriter.IntsAttribute("kernel_shape", [k]), OnnxWriter.IntsAttribute("strides", [s]), OnnxWriter.IntsAttribute("dilations", [d]),
                OnnxWriter.IntsAttribute("pads", [w.PadLeft, end]), OnnxWriter.IntsAttribute("output_padding", [extra]));
            return (y, outSteps, t.Filters);
        }

        private (string Y, long Steps, long Channels) SequencePool(Layers.Pooling1D pool, string ncl, int length, int channels)
        {
            var (pads, outSteps) = SequencePads(pool.Name, length, pool.PoolSize[0], pool.Strides[0], 1, pool.Padding);
            // ONNX AveragePool's count_include_pad = 0 (the default) is TensorFlow's rule too.
            string y = Node(pool is Layers.MaxPooling1D ? "MaxPool" : "AveragePool", pool.Name, [ncl],
                OnnxWriter.IntsAttribute("kernel_shape", [pool.PoolSize[0]]), OnnxWriter.IntsAttribute("strides", [pool.Strides[0]]),
                OnnxWriter.IntsAttribute("pads", pads));
            return (y, outSteps, channels);
        }

        /// <summary>
        /// The explicit [begin, end] pads of a window over <paramref name="length"/> steps and the
        /// output's length: "causal" is dilation * (k - 1) zeros at the beginning, then "valid"
        /// (NF.Conv1D's rule); "same" is TensorFlow's, the odd pad at the end (NF.WindowFor's rule).
        /// </summary>
        private static (long[] Pads, int Out) SequencePads(string layer, int length, int k, int stride, int dilation, string padding)
        {
            // An unknown length (None): the pads of a length the window fits, which are those of every
            // length when the padding is "valid"/"causal" or the stride 1 (TakesUnknownLengths).
            if (length == UnknownLength)
                return (SequencePads(layer, stride * (k - 1) * dilation + 1, k, stride, dilation, padding).Pads, (int)UnknownLength);
            int causal = padding == "causal" ? NF.CausalPad(k, dilation) : 0;
            int padded = length + causal;
            var (w, _, outSteps) = NF.WindowFor(layer, new Shape(1, 1, padded, 1), 1, k, [1, stride], padding == "causal" ? "valid" : padding, [1, dilation]);
            long end = Math.Max(0, (outSteps - 1L) * stride + (k - 1L) * dilation + 1 - padded - w.PadLeft);
            return ([causal + w.PadLeft, end], outSteps);
        }
    }
}
