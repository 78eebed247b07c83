using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public partial class Model
{
    // The image layers in ONNX. NeuralFlow is NHWC, ONNX's Conv and pools NCHW: each such layer is
    // wrapped in Transposes (NHWC -> NCHW -> NHWC), so every tensor between layers keeps
    // NeuralFlow's layout and Flatten, Dense and Reshape see the same element order as in Predict.
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
                throw new NotSupportedException($"ExportOnnx: layer {layer.Name} needs NHWC inputs, but its input has trailing dims ({string.Join(", ", shape)}).");
            var input = new Shape(1, (int)shape[0], (int)shape[1], (int)shape[2]);
            if (layer is Layers.GlobalAveragePooling2D or Layers.GlobalMaxPooling2D)
            {
                shape.RemoveRange(0, 2);
                return Node(layer is Layers.GlobalMaxPooling2D ? "ReduceMax" : "ReduceMean", layer.Name, [x],
                    OnnxWriter.IntsAttribute("axes", [1, 2]), OnnxWriter.IntAttribute("keepdims", 0));
            }
            string nchw = Node("Transpose", $"{layer.Name}/ToNCHW", [x], OnnxWriter.IntsAttribute("perm", ToNchw));
            string y;
            if (layer is Layers.Conv2D conv)
            {
                var attributes = WindowAttributes(conv.Name, input, conv.KernelSize, conv.Strides, conv.Padding, conv.DilationRate, shape);
                shape[2] = conv.Filters;
                string kernel = OihwWeight(conv.Kernel!);
                string[] inputs = conv.Bias is null ? [nchw, kernel] : [nchw, kernel, Weight(conv.Bias)];
                y = Node("Conv", layer.Name, inputs, [.. attributes, OnnxWriter.IntsAttribute("dilations", conv.DilationRate.Select(d => (long)d))]);
            }
            else
            {
                var pool = (Layers.Pooling2D)layer;
                var attributes = WindowAttributes(pool.Name, input, pool.PoolSize, pool.Strides, pool.Padding, [1, 1], shape);
                // ONNX AveragePool's count_include_pad = 0 (the default) is TensorFlow's rule too.
                y = Node(layer is Layers.MaxPooling2D ? "MaxPool" : "AveragePool", layer.Name, [nchw], attributes);
            }
            string nhwc = Node("Transpose", $"{layer.Name}/ToNHWC", [y], OnnxWriter.IntsAttribute("perm", ToNhwc));
            return layer is Layers.Conv2D { Activation: { } activation } ? Activation(activation, layer, nhwc) : nhwc;
        }

        /// <summary>kernel_shape, strides and explicit pads [top, left, bottom, right]; sets the output's H and W in <paramref name="shape"/>.</summary>
        private static byte[][] WindowAttributes(string layer, Shape input, int[] k, int[] strides, string padding, int[] dilations, List<long> shape)
        {
            var (w, oh, ow) = NF.WindowFor(layer, input, k[0], k[1], strides, padding, dilations);
            long bottom = Math.Max(0, (oh - 1L) * w.StrideH + (k[0] - 1L) * w.DilationH + 1 - input[1] - w.PadTop);
            long right = Math.Max(0, (ow - 1L) * w.StrideW + (k[1] - 1L) * w.DilationW + 1 - input[2] - w.PadLeft);
            shape[0] = oh;
            shape[1] = ow;
            return
            [
                OnnxWriter.IntsAttribute("kernel_shape", [k[0], k[1]]),
                OnnxWriter.IntsAttribute("strides", [w.StrideH, w.StrideW]),
                OnnxWriter.IntsAttribute("pads", [w.PadTop, w.PadLeft, bottom, right]),
            ];
        }

        /// <summary>An HWIO kernel as ONNX's OIHW initializer.</summary>
        private string OihwWeight(Variable kernel)
        {
            if (_weightNames.TryGetValue(kernel, out var known)) return known;
            string name = WeightName(kernel);
            using var oihw = NF.Transpose(kernel, [3, 2, 0, 1]);
            long[] dims = [.. oihw.Shape.ToArray().Select(d => (long)d)];
            Initializers.Add(kernel.DType == DType.Float64
                ? OnnxWriter.Tensor(name, dims, oihw.ToArray<double>())
                : OnnxWriter.Tensor(name, dims, oihw.ToArray<float>()));
            return name;
        }
    }
}
