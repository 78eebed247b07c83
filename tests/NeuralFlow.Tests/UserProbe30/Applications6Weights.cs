using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe26;

namespace NeuralFlow.Tests.UserProbe30;

/// <summary>
/// applications6_references.py's weights: each variable is apps_references.py's formula at j = FNV-1a 32 of
/// "layer name/variable name" mod 1,000,000, so a network with branches (NASNet's cells) gets the same values as the
/// reference whatever order its layers are listed in.
/// </summary>
internal static class Applications6Weights
{
    public static Model Fill(Model model)
    {
        foreach (var layer in model.Layers)
            foreach (var (variable, _) in layer.WeightsAndTraining())
            {
                string name = variable.Name[(variable.Name.LastIndexOf('/') + 1)..];
                string kind = name == "pointwise_kernel" ? "kernel" : name;   // a [1, 1, in, out] kernel: the kernel formula's fan-in
                int j = (int)(Fnv($"{layer.Name}/{name}") % 1_000_000);
                using var value = NF.Constant(ApplicationsWeightsFile.Values(kind, variable.Shape.ToArray(), j), variable.Shape);
                variable.Assign(value);
            }
        return model;
    }

    private static uint Fnv(string text)
    {
        uint h = 2166136261;
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(text)) h = (h ^ b) * 16777619;
        return h;
    }
}
