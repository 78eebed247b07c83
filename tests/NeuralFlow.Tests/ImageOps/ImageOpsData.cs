namespace NeuralFlow.Tests.ImageOps;

/// <summary>The inputs make_references.py builds, made here the same way.</summary>
internal static class ImageOpsData
{
    /// <summary>((i * 7) % 23) / scale in row-major order: values in [0, 1] with every channel different.</summary>
    public static double[] Pattern(int count, double scale = 22) => Enumerable.Range(0, count).Select(i => i * 7 % 23 / scale).ToArray();

    /// <summary>The pattern as a float64 tensor of the shape.</summary>
    public static Tensor Images(int[] shape, double scale = 22) => NF.Constant(Pattern((int)new Shape(shape).Count, scale), shape);

    /// <summary>The pattern [2, 5, 6, 3] as float32: the images the augmentation layer tests transform.</summary>
    public static Tensor Unit() => NF.Cast(Images([2, 5, 6, 3]), DType.Float32);

    /// <summary>The second image of the similarity references: pattern / 25 flipped upside down (numpy's [:, ::-1]).</summary>
    public static Tensor Other(int[] shape) => NF.Image.FlipUpDown(Images(shape, 25));

    /// <summary>TF's docstring image [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]] (float32).</summary>
    public static Tensor Docstring() => NF.Constant(Enumerable.Range(1, 12).Select(v => (float)v).ToArray(), [2, 2, 3]);

    public static double[] D(Tensor t) => NF.Cast(t, DType.Float64).ToArray<double>();
}
