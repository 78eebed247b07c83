namespace NeuralFlow.Tests.UserProbe13;

/// <summary>
/// Tiny synthetic stand-ins for the keras.io examples' data sets (nothing can be downloaded here),
/// shaped like the real ones and learnable, so a few epochs must lower the loss.
/// </summary>
internal static class ExampleData
{
    /// <summary>
    /// MNIST-shaped digits: <paramref name="count"/> 28 x 28 grey images in [0, 1] whose class is
    /// the row band (of 10) holding a bright bar, with noise; labels are int32 class ids.
    /// </summary>
    public static (Tensor Images, Tensor Labels) Digits(int count, int seed)
    {
        var rng = new Random(seed);
        var images = new float[count * 28 * 28];
        var labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            int c = labels[n] = n % 10;
            for (int i = 0; i < 28 * 28; i++) images[n * 784 + i] = 0.2f * (float)rng.NextDouble();
            for (int r = 2 + 2 * c; r < 4 + 2 * c; r++)
                for (int col = 4; col < 24; col++) images[n * 784 + r * 28 + col] = 1f;
        }
        return (NF.Constant(images, [count, 28, 28]), NF.Constant(labels, [count]));
    }
}
