namespace NeuralFlow.Tests.KerasLayers;

/// <summary>The fixed inputs and weights of layer_reference.py: round(0.5·sin(0.37·i + seed), 6).</summary>
internal static class ReferenceValues
{
    public static double[] Vals(int[] shape, int seed) =>
        Enumerable.Range(0, (int)new Shape(shape).Count).Select(i => Math.Round(0.5 * Math.Sin(0.37 * i + seed), 6)).ToArray();

    /// <summary>A float32 tensor of <see cref="Vals"/>.</summary>
    public static Tensor F32(int[] shape, int seed) => NF.Constant(Vals(shape, seed).Select(v => (float)v).ToArray(), shape);

    /// <summary>A float32 tensor's values as doubles, for <see cref="Reference.AssertClose"/>.</summary>
    public static double[] D(Tensor t) => t.ToArray<float>().Select(v => (double)v).ToArray();

    /// <summary>A bool tensor of 0/1 values.</summary>
    public static Tensor Bools(int[] values, int[] shape) => NF.Cast(NF.Constant(values, shape), DType.Bool);
}
