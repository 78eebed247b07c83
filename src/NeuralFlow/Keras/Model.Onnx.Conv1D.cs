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
            string y;
            long outLength, outChannels;
            if (layer is Layers.Conv1D or Layers.DepthwiseConv1D)
            {
                var conv = (Layers.Convolution)layer;
                int k = conv.KernelSize[0], s = conv.Strides[0], d = conv.DilationRate[0];
                var (pads, outSteps) = SequencePads(conv.Name, length, k, s, d, conv.Padding);
                // Depthwise is Conv with one group per channel and the kernel [K, C, M] as [C * M, 1, K], as DepthwiseConv2D's.
                var (weight, groups, filters) = conv switch
                {
                    Layers.DepthwiseConv1D dw => (OihwWeight(dw.Kernel!, NF.Reshape(dw.Kernel!, [k, 1, channels * dw.DepthMultiplier])), channels, channels * dw.DepthMultiplier),
                    _ => (OihwWeight(conv.Kernel!, conv.Kernel!), ((Layers.Conv1D)conv).Groups, ((Layers.Conv1D)conv).Filters),
                };
                string[] inputs = conv.Bias is null ? [ncl, weight] : [ncl, weight, Weight(conv.Bias)];
                y = Node("Conv", conv.Name, inputs,
                    OnnxWriter.IntsAttribute("kernel_shape", [k]), OnnxWriter.IntsAttribute("strides", [s]), OnnxWriter.IntsAttribute("pads", pads),
                    OnnxWriter.IntsAttribute("dilations", [d]), OnnxWriter.IntAttribute("group", groups));
                (outLength, outChannels) = (outSteps, filters);
            }
            else
            {
                var pool = (Layers.Pooling1D)layer;
                var (pads, outSteps) = SequencePads(pool.Name, length, pool.PoolSize[0], pool.Strides[0], 1, pool.Padding);
                // ONNX AveragePool's count_include_pad = 0 (the default) is TensorFlow's rule too.
                y = Node(pool is Layers.MaxPooling1D ? "MaxPool" : "AveragePool", pool.Name, [ncl],
                    OnnxWriter.IntsAttribute("kernel_shape", [pool.PoolSize[0]]), OnnxWriter.IntsAttribute("strides", [pool.Strides[0]]),
                    OnnxWriter.IntsAttribute("pads", pads));
                (outLength, outChannels) = (outSteps, channels);
            }
            shape.Clear();
            shape.AddRange(channelsFirst ? [outChannels, outLength] : [outLength, outChannels]);
            string output = channelsFirst ? y : Node("Transpose", $"{layer.Name}/ToNLC", [y], OnnxWriter.IntsAttribute("perm", SwapLastTwo));
            return layer is Layers.Convolution { Activation: { } activation } ? Activation(activation, layer, output) : output;
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
