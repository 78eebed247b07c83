using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe21;

/// <summary>
/// The deterministic weights the PyTorch reference scripts of this folder write too (their weight()): value k of
/// weight v, in Keras' layout, is 0.3 sin(0.37 k + 1.1 v) for a kernel and 0.05 sin(0.37 k + 1.1 v) for a bias,
/// v counting the weights of the layers in order.
/// </summary>
internal static class SineWeights
{
    public static void Write(IEnumerable<Layer> layers)
    {
        int v = 0;
        foreach (var layer in layers)
        {
            var values = new List<Tensor>();
            foreach (var w in layer.Variables)
            {
                double scale = w.Rank == 1 ? 0.05 : 0.3;
                int index = v++;
                var data = Enumerable.Range(0, (int)w.Count).Select(k => (float)(scale * Math.Sin(0.37 * k + 1.1 * index))).ToArray();
                values.Add(NF.Constant(data, w.Shape));
            }
            if (values.Count > 0) layer.SetWeights(values);
        }
    }
}
