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

        // GroupNormalization as NF.GroupNormalization computes it: the channel axis split into
        // [groups, channels / groups], mean and variance over every axis but the batch and the group
        // axis, then gamma and beta per channel.
        private string GroupNormalization(Layers.GroupNormalization layer, string x, List<long> shape)
        {
            int a = layer.ChannelAxis, rank = shape.Count + 1;
            long channels = shape[a - 1], groups = layer.GroupCount;
            var grouped = new List<long> { 0 };
            grouped.AddRange(shape);
            grouped[a] = channels / groups;
            grouped.Insert(a, groups);
            long[] reduce = Enumerable.Range(1, rank).Where(i => i != a).Select(i => (long)i).ToArray();
            string xg = Node("Reshape", $"{layer.Name}/Group", [x, Ints($"{layer.Name}/grouped", grouped.ToArray())]);
            string mean = Node("ReduceMean", $"{layer.Name}/Mean", [xg], OnnxWriter.IntsAttribute("axes", reduce), OnnxWriter.IntAttribute("keepdims", 1));
            string centred = Node("Sub", $"{layer.Name}/Center", [xg, mean]);
            string variance = Node("ReduceMean", $"{layer.Name}/Variance", [Node("Mul", $"{layer.Name}/Square", [centred, centred])],
                OnnxWriter.IntsAttribute("axes", reduce), OnnxWriter.IntAttribute("keepdims", 1));
            string std = Node("Sqrt", $"{layer.Name}/Std", [Node("Add", $"{layer.Name}/AddEpsilon", [variance, Scalar(layer.Name, "epsilon", layer.Epsilon)])]);
            string y = Node("Reshape", $"{layer.Name}/Ungroup", [Node("Div", $"{layer.Name}/Normalize", [centred, std]), Ints($"{layer.Name}/shape", [0, .. shape])]);
            long[] perChannel = [channels, .. Enumerable.Repeat(1L, rank - 1 - a)];
            if (layer.Gamma is { } gamma) y = Node("Mul", $"{layer.Name}/Scale", [y, Constant($"{layer.Name}/gamma", perChannel, gamma.ToDoubleArray())]);
            if (layer.Beta is { } beta) y = Node("Add", $"{layer.Name}/Shift", [y, Constant($"{layer.Name}/beta", perChannel, beta.ToDoubleArray())]);
            return y;
        }

        // UnitNormalization: x / sqrt(max(sum of squares, epsilon^2)) over its axes (Layers.L2Normalize).
        private string UnitNormalization(Layers.UnitNormalization layer, string x, List<long> shape)
        {
            int rank = shape.Count + 1;
            long[] axes = layer.Axis.Select(a => (long)(a < 0 ? a + rank : a)).ToArray();
            if (axes.Any(a => a <= 0 || a >= rank))
                throw new NotSupportedException($"ExportOnnx: layer {layer.Name} normalizes over axes [{string.Join(", ", layer.Axis)}], which include the batch axis or lie outside inputs of rank {rank}.");
            string sum = Node("ReduceSumSquare", $"{layer.Name}/SumSquares", [x], OnnxWriter.IntsAttribute("axes", axes), OnnxWriter.IntAttribute("keepdims", 1));
            string floor = Node("Max", $"{layer.Name}/Floor", [sum, Scalar(layer.Name, "floor", Layers.UnitNormalization.Epsilon * Layers.UnitNormalization.Epsilon)]);
            return Node("Div", layer.Name, [x, Node("Sqrt", $"{layer.Name}/Norm", [floor])]);
        }

        /// <summary>An initializer of the graph's element type from double values.</summary>
        private string Constant(string name, long[] dims, double[] values) => Constant(name, dims, values, FloatType);

        private string Constant(string name, long[] dims, double[] values, DType dtype)
        {
            Initializers.Add(OnnxWriter.Tensor(name, dims, dtype, values));
            return name;
        }
    }
}
