using NeuralFlow.IO;

namespace NeuralFlow.Keras;

public partial class Model
{
    // SimpleRNN, LSTM and GRU as ONNX's RNN, LSTM and GRU ops. Those take time-major
    // [steps, batch, features] and weights [directions, gates * units, features] with their own
    // gate order (LSTM i, o, f, c; GRU z, r, h as Keras; RNN one block) and a bias of the input
    // and the recurrent halves; GRU's linear_before_reset is Keras' reset_after. go_backwards
    // reverses the steps first (a Slice of step -1), so the sequence comes out in the order read,
    // as Keras returns it. Dropout is a training-time mask: nothing at inference.
    private sealed partial class OnnxGraph
    {
        private string Recurrent(Layers.RNN layer, string x, List<long> shape)
        {
            var cell = BuiltInCell(layer);
            if (shape.Count != 2)
                throw new NotSupportedException($"ExportOnnx: layer {layer.Name} needs sequence inputs [batch, timesteps, features], but its input has trailing dims ({string.Join(", ", shape)}).");
            if (layer.Stateful)
                throw new NotSupportedException($"ExportOnnx: layer {layer.Name} is stateful: it carries its states from one call to the next, which an exported graph (starting each call from zero states) cannot; export a twin built with stateful: false and the same weights.");
            long units = cell.Units;
            if (layer.GoBackwards)
                x = ReverseSteps($"{layer.Name}/Reverse", layer.Name, x);
            string timeMajor = Node("Transpose", $"{layer.Name}/ToTimeMajor", [x], OnnxWriter.IntsAttribute("perm", [1, 0, 2]));

            var (op, order, activations) = cell switch
            {
                Layers.LSTMCell lstm => ("LSTM", new[] { 0, 3, 1, 2 }, new[] { lstm.RecurrentActivation, lstm.Activation, lstm.Activation }),
                Layers.GRUCell gru => ("GRU", new[] { 0, 1, 2 }, new[] { gru.RecurrentActivation, gru.Activation }),
                _ => ("RNN", new[] { 0 }, new[] { cell.Activation }),
            };
            int features = cell.Kernel!.Shape[0];
            string w = Constant($"{layer.Name}/W", [1, order.Length * units, features], GateRows(cell.Kernel!, order, (int)units));
            string r = Constant($"{layer.Name}/R", [1, order.Length * units, units], GateRows(cell.RecurrentKernel!, order, (int)units));
            var inputs = new List<string> { timeMajor, w, r };
            if (cell.Bias is { } bias) inputs.Add(Constant($"{layer.Name}/B", [1, 2 * order.Length * units], GateBias(cell, bias, order)));
            var attributes = new List<byte[]>
            {
                OnnxWriter.IntAttribute("hidden_size", units),
                OnnxWriter.StringsAttribute("activations", activations.Select(a => OnnxActivation(layer, a))),
            };
            if (cell is Layers.GRUCell g) attributes.Add(OnnxWriter.IntAttribute("linear_before_reset", g.ResetAfter ? 1 : 0));
            // Y: [steps, 1 direction, batch, units].
            string y = Node(op, layer.Name, [.. inputs], [.. attributes]);
            if (layer.ReturnSequences)
            {
                shape[1] = units;
                string batchMajor = Node("Transpose", $"{layer.Name}/ToBatchMajor", [y], OnnxWriter.IntsAttribute("perm", [2, 0, 1, 3]));
                // 0 copies the batch and step lengths, which may be unknown (None) in the graph.
                return Node("Reshape", $"{layer.Name}/Sequence", [batchMajor, Ints($"{layer.Name}/sequence_shape", [0, 0, units])]);
            }
            shape.Clear();
            shape.Add(units);
            string last = Node("Gather", $"{layer.Name}/LastStep", [y, Ints($"{layer.Name}/last_step", [-1])], OnnxWriter.IntAttribute("axis", 0));
            return Node("Reshape", $"{layer.Name}/Last", [last, Ints($"{layer.Name}/last_shape", [-1, units])]);
        }

        // [batch, steps, ...] with the steps last to first: a Slice of step -1 (its constants under prefix/reverse_*).
        private string ReverseSteps(string node, string prefix, string x) =>
            Node("Slice", node, [x, Ints($"{prefix}/reverse_starts", [-1]), Ints($"{prefix}/reverse_ends", [long.MinValue]),
                Ints($"{prefix}/reverse_axes", [1]), Ints($"{prefix}/reverse_steps", [-1])]);

        // ONNX has ops for the SimpleRNN, LSTM and GRU cells, whether their layers' (LSTM) or an RNN's
        // of one such cell (keras.layers.RNN(LSTMCell(4))); an RNN of other (user or stacked) cells is C# code.
        private static Layers.RecurrentCell BuiltInCell(Layers.RNN rnn) => rnn.Cell as Layers.RecurrentCell ?? throw new NotSupportedException(
            $"ExportOnnx: layer {rnn.Name} is an RNN of {rnn.Cell.GetType().Name} cells, which has no ONNX form here; SimpleRNN, LSTM and GRU, and an RNN of one SimpleRNNCell, LSTMCell or GRUCell, export.");

        // ONNX's activation names for the ones a recurrent op takes; others are refused by name.
        private static string OnnxActivation(Layer layer, ActivationFunction f) => f.Name.ToLowerInvariant() switch
        {
            "tanh" => "Tanh",
            "sigmoid" => "Sigmoid",
            "relu" => "Relu",
            _ => throw new NotSupportedException(
                $"ExportOnnx: layer {layer.Name} uses the activation '{f.Name}', which ONNX's recurrent ops here take only as tanh, sigmoid or relu."),
        };

        // A Keras kernel [in, gates * units] as ONNX's [gates * units, in], its gate blocks in ONNX's order.
        private static double[] GateRows(Variable kernel, int[] order, int units)
        {
            int rows = kernel.Shape[0], cols = kernel.Shape[1];
            var k = Values(kernel);
            var result = new double[rows * cols];
            for (int g = 0; g < order.Length; g++)
                for (int u = 0; u < units; u++)
                    for (int i = 0; i < rows; i++)
                        result[((g * units) + u) * rows + i] = k[i * cols + order[g] * units + u];
            return result;
        }

        // ONNX's bias [Wb, Rb]: Keras' one bias as Wb with Rb zero, or GRU reset_after's two rows; gate blocks reordered.
        private static double[] GateBias(Layers.RecurrentCell cell, Variable bias, int[] order)
        {
            int width = order.Length * cell.Units, units = cell.Units;
            var b = Values(bias);
            var result = new double[2 * width];
            for (int half = 0; half < b.Length / width; half++)
                for (int g = 0; g < order.Length; g++)
                    Array.Copy(b, half * width + order[g] * units, result, half * width + g * units, units);
            return result;
        }

        private static double[] Values(Variable v)
        {
            using var asDouble = NF.Cast(v, DType.Float64);
            return asDouble.ToArray<double>();
        }
    }
}
