using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public partial class Model
{
    // The normalization layers in ONNX. BatchNormalization exports in its inference form as one
    // Mul and one Add with per-feature scale = gamma / sqrt(moving_variance + epsilon) and shift =
    // beta - moving_mean * scale, computed here in double and shaped [C, 1, ...] to broadcast
    // along the feature axis: no NHWC/NCHW transposes, whatever the axis. LayerNormalization is
    // opset 17's LayerNormalization over the trailing axes it normalizes.
    private sealed partial class OnnxGraph
    {
        private string Normalization(Layer layer, string x, List<long> shape)
        {
            int rank = shape.Count + 1;
            if (layer is Layers.BatchNormalization bn)
            {
                int axis = bn.Axis < 0 ? bn.Axis + rank : bn.Axis;
                if (axis == 0)
                    throw new NotSupportedException($"ExportOnnx: layer {bn.Name} normalizes over the batch axis (axis {bn.Axis}), which has no fixed size in the exported graph.");
                var mean = bn.MovingMean!.ToDoubleArray();
                var variance = bn.MovingVariance!.ToDoubleArray();
                var gamma = bn.Gamma?.ToDoubleArray();
                var beta = bn.Beta?.ToDoubleArray();
                var scale = new double[mean.Length];
                var shift = new double[mean.Length];
                for (int c = 0; c < mean.Length; c++)
                {
                    scale[c] = (gamma?[c] ?? 1.0) / Math.Sqrt(variance[c] + bn.Epsilon);
                    shift[c] = (beta?[c] ?? 0.0) - mean[c] * scale[c];
                }
                long[] dims = [mean.Length, .. Enumerable.Repeat(1L, rank - 1 - axis)];
                string y = Node("Mul", $"{bn.Name}/Scale", [x, Constant($"{bn.Name}/scale", dims, scale)]);
                return Node("Add", bn.Name, [y, Constant($"{bn.Name}/shift", dims, shift)]);
            }
            var ln = (Layers.LayerNormalization)layer;
            var axes = ln.Axis.Select(a => a < 0 ? a + rank : a).OrderBy(a => a).ToArray();
            int first = axes[0];
            if (first == 0 || !axes.Select((a, i) => a == first + i).All(b => b) || axes[^1] != rank - 1)
                throw new NotSupportedException(
                    $"ExportOnnx: layer {ln.Name} normalizes over axes [{string.Join(", ", ln.Axis)}]; ONNX's LayerNormalization needs the trailing axes (and not the batch axis).");
            var paramDims = shape.Skip(first - 1).ToArray();
            long count = paramDims.Aggregate(1L, (a, d) => a * d);
            string gammaName = ln.Gamma is { } g ? Weight(g) : Constant($"{ln.Name}/ones", paramDims, Enumerable.Repeat(1.0, (int)count).ToArray());
            string[] inputs = ln.Beta is { } b ? [x, gammaName, Weight(b)] : [x, gammaName];
            return Node("LayerNormalization", ln.Name, inputs,
                OnnxWriter.IntAttribute("axis", first), OnnxWriter.FloatAttribute("epsilon", (float)ln.Epsilon));
        }

        /// <summary>An initializer of the graph's element type from double values.</summary>
        private string Constant(string name, long[] dims, double[] values)
        {
            Initializers.Add(ElemType == OnnxWriter.Double
                ? OnnxWriter.Tensor(name, dims, values)
                : OnnxWriter.Tensor(name, dims, values.Select(v => (float)v).ToArray()));
            return name;
        }
    }
}
