using NeuralFlow.IO;

namespace NeuralFlow.Keras;

// ONNX forms of the activations issue 16 and Keras 3 added (ActivationFunction.Names; glu, which
// halves the feature axis, and sparsemax have none here). The graph is opset 17,
// which has no Gelu (opset 20) or Mish (opset 18): those are written as their formulas, with Erf
// and Softplus, which ONNX Runtime evaluates to the same values.
public partial class Model
{
    private sealed partial class OnnxGraph
    {
        // null where the name is one of Activation's own (relu, sigmoid, ...) or unknown.
        private string? KerasActivation(string keras, Layer layer, string x)
        {
            string prefix = layer is Layers.Activation ? layer.Name : $"{layer.Name}/{keras}";
            string Step(string op, string[] inputs, params byte[][] attributes) =>
                Node(op, $"{prefix}/{op}_{_nodes.Count}", inputs, attributes);
            switch (keras)
            {
                case "relu6": return Step("Clip", [x, Scalar(prefix, "min", 0), Scalar(prefix, "max", 6)]);
                case "leaky_relu": return Step("LeakyRelu", [x], OnnxWriter.FloatAttribute("alpha", 0.2));
                case "elu": return Step("Elu", [x], OnnxWriter.FloatAttribute("alpha", 1.0));
                case "selu":
                    return Step("Selu", [x], OnnxWriter.FloatAttribute("alpha", NF.SeluAlpha), OnnxWriter.FloatAttribute("gamma", NF.SeluScale));
                case "softplus": return Step("Softplus", [x]);
                case "softsign": return Step("Softsign", [x]);
                case "hard_sigmoid":
                    return Step("HardSigmoid", [x], OnnxWriter.FloatAttribute("alpha", 1.0 / 6), OnnxWriter.FloatAttribute("beta", 0.5));
                case "hard_silu" or "hard_swish": return Step("HardSwish", [x]);
                case "silu" or "swish": return Step("Mul", [x, Step("Sigmoid", [x])]);
                case "mish": return Step("Mul", [x, Step("Tanh", [Step("Softplus", [x])])]);
                case "gelu":
                {
                    // x/2 (1 + erf(x/√2)), Keras' exact default.
                    var erf = Step("Erf", [Step("Mul", [x, Scalar(prefix, "inv_sqrt2", 0.7071067811865476)])]);
                    var onePlus = Step("Add", [erf, Scalar(prefix, "one", 1)]);
                    return Step("Mul", [Step("Mul", [x, onePlus]), Scalar(prefix, "half", 0.5)]);
                }
                // The Keras 3 names of NF.ActivationsKeras3.cs, with Keras' defaults: ONNX's own op where one
                // exists for every float dtype (Shrink, Clip, Elu: celu with alpha 1 is elu), else the formula.
                case "celu": return Step("Elu", [x], OnnxWriter.FloatAttribute("alpha", 1.0));
                case "hard_shrink": return Step("Shrink", [x], OnnxWriter.FloatAttribute("lambd", 0.5), OnnxWriter.FloatAttribute("bias", 0));
                case "soft_shrink": return Step("Shrink", [x], OnnxWriter.FloatAttribute("lambd", 0.5), OnnxWriter.FloatAttribute("bias", 0.5));
                case "hard_tanh": return Step("Clip", [x, Scalar(prefix, "min", -1), Scalar(prefix, "max", 1)]);
                case "log_softmax": return Step("LogSoftmax", [x], OnnxWriter.IntAttribute("axis", -1));
                case "tanh_shrink": return Step("Sub", [x, Step("Tanh", [x])]);
                case "log_sigmoid": return Step("Neg", [Step("Softplus", [Step("Neg", [x])])]);
                case "squareplus": // (x + sqrt(x² + 4)) / 2
                    return Step("Mul", [Step("Add", [x, Step("Sqrt", [Step("Add", [Step("Mul", [x, x]), Scalar(prefix, "b", 4)])])]), Scalar(prefix, "half", 0.5)]);
                case "sparse_sigmoid": // clip((x + 1) / 2, 0, 1)
                    return Step("Clip", [Step("Mul", [Step("Add", [x, Scalar(prefix, "one", 1)]), Scalar(prefix, "half", 0.5)]), Scalar(prefix, "min", 0), Scalar(prefix, "max", 1)]);
                case "sparse_plus":
                {
                    // (c + 1)² / 4 + relu(x - 1) with c = clip(x, -1, 1): 0 below -1, the parabola between, x above 1.
                    var one = Scalar(prefix, "one", 1);
                    var c = Step("Add", [Step("Clip", [x, Scalar(prefix, "min", -1), one]), one]);
                    var parabola = Step("Mul", [Step("Mul", [c, c]), Scalar(prefix, "quarter", 0.25)]);
                    return Step("Add", [parabola, Step("Relu", [Step("Sub", [x, one])])]);
                }
                default: return null;
            }
        }

        // Plain: Relu; with only a cap: Clip(x, 0, max). Slope and threshold together have no single
        // ONNX op and are refused by name rather than exported wrong.
        private string ReLU(Layers.ReLU relu, string x)
        {
            if (relu.IsPlain) return Node("Relu", relu.Name, [x]);
            if (relu.NegativeSlope == 0 && relu.Threshold == 0)
                return Node("Clip", relu.Name, [x, Scalar(relu.Name, "min", 0), Scalar(relu.Name, "max", relu.MaxValue!.Value)]);
            throw new NotSupportedException(
                $"ExportOnnx: layer {relu.Name} is a ReLU with negativeSlope {relu.NegativeSlope} and threshold {relu.Threshold}; only maxValue exports to ONNX here.");
        }

        // A scalar initializer in the graph's dtype.
        private string Scalar(string prefix, string what, double value) => Constant($"{prefix}/{what}", [], [value]);
    }
}
