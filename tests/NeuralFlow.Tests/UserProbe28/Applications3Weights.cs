using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe26;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// The deterministic weights of apps_references.py assigned straight to a model, in Keras' layer order (each layer's
/// trained weights, then its others), as applications3_references.py makes them: a Normalization's mean and variance
/// take the moving_mean and moving_variance formulas and its int64 count keeps its position but stays 0; a
/// SeparableConv2D's pointwise_kernel takes the kernel formula. Saved with
/// SaveWeights, they make the file an application's <c>weights:</c> then loads.
/// </summary>
internal static class Applications3Weights
{
    public static Model Fill(Model model)
    {
        int j = 0;
        foreach (var layer in model.Graph!.KerasOrder)
            foreach (var variable in layer.WeightsAndTraining().OrderBy(p => p.Trained ? 0 : 1).Select(p => p.Variable))
            {
                string kind = variable.Name[(variable.Name.LastIndexOf('/') + 1)..] switch
                {
                    "mean" => "moving_mean",
                    "variance" => "moving_variance",
                    "pointwise_kernel" => "kernel",   // a SeparableConv2D's 1x1 [1, 1, in, out]: the kernel formula's fan-in
                    var k => k,
                };
                if (kind != "count")
                    using (var value = NF.Constant(ApplicationsWeightsFile.Values(kind, variable.Shape.ToArray(), j), variable.Shape))
                        variable.Assign(value);
                j++;
            }
        return model;
    }
}
