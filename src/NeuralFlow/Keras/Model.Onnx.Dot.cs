using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public partial class Model
{
    // The keras2 session's layers in ONNX: PReLU is ONNX's PRelu (alpha, shaped like an input
    // without its batch axis, broadcasts from the right); Dot is Keras' batch_dot as Transpose,
    // Reshape to [B, P, K] and [B, K, Q], MatMul and a Reshape to the output, with the optional
    // L2 normalization as Mul, ReduceSum, Max, Sqrt and Div.
    private sealed partial class OnnxGraph
    {
        private string PRelu(Layers.PReLU layer, string x) => Node("PRelu", layer.Name, [x, Weight(layer.Alpha!)]);

        private (string Name, List<long> Shape) Dot(Layers.Dot layer, (string Name, List<long> Shape)[] inputs)
        {
            // The shapes with a stand-in batch of 1; Reshape's 0 keeps the real (symbolic) batch.
            int[] a = [1, .. inputs[0].Shape.Select(d => (int)d)], b = [1, .. inputs[1].Shape.Select(d => (int)d)];
            var (ia, ib) = layer.AxesFor(a.Length, b.Length);
            var plan = Layers.DotPlan.For(a, ia, b, ib);
            string x = inputs[0].Name, y = inputs[1].Name;
            if (layer.Normalize)
            {
                x = L2Normalize($"{layer.Name}/normalize_0", x, ia);
                y = L2Normalize($"{layer.Name}/normalize_1", y, ib);
            }
            string left = Reshaped($"{layer.Name}/left", Node("Transpose", $"{layer.Name}/left_T", [x], OnnxWriter.IntsAttribute("perm", plan.PermA.Select(p => (long)p))), [0, -1, plan.K]);
            string right = Reshaped($"{layer.Name}/right", Node("Transpose", $"{layer.Name}/right_T", [y], OnnxWriter.IntsAttribute("perm", plan.PermB.Select(p => (long)p))), [0, plan.K, -1]);
            long[] output = [0, .. plan.Output.Skip(1).Select(d => (long)d)];
            string result = Reshaped(layer.Name, Node("MatMul", $"{layer.Name}/MatMul", [left, right]), output);
            return (result, output.Skip(1).ToList());
        }

        private string Reshaped(string name, string x, long[] dims)
        {
            string shape = $"{Scope}{name}/shape";
            Initializers.Add(OnnxWriter.Tensor(shape, [dims.Length], dims));
            return Node("Reshape", name, [x, shape]);
        }

        // x / sqrt(max(sum(x*x, axis), eps^2)), as Layers.Dot computes it.
        private string L2Normalize(string name, string x, int axis)
        {
            string axes = $"{Scope}{name}/axes", floor = $"{Scope}{name}/floor";
            Initializers.Add(OnnxWriter.Tensor(axes, [1], [(long)axis]));
            Initializers.Add(ElemType == OnnxWriter.Double
                ? OnnxWriter.Tensor(floor, [], [Layers.DotPlan.NormFloor])
                : OnnxWriter.Tensor(floor, [], [(float)Layers.DotPlan.NormFloor]));
            string sum = Node("ReduceSum", $"{name}/sum", [Node("Mul", $"{name}/square", [x, x]), axes], OnnxWriter.IntAttribute("keepdims", 1));
            string norm = Node("Sqrt", $"{name}/norm", [Node("Max", $"{name}/floored", [sum, floor])]);
            return Node("Div", name, [x, norm]);
        }
    }
}
