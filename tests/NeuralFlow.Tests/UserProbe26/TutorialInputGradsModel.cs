using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// What the FGSM and integrated gradients tutorials download, made here instead: a small CNN with fixed weights in place
/// of MobileNetV2 and Inception, and images from formulas in place of the JPEGs (inputgrads_references.py builds the
/// same ones in PyTorch).
/// </summary>
internal static class TutorialInputGradsModel
{
    public const int Size = 8;      // the images' height and width, the tutorials' 224
    public const int Classes = 5;   // the tutorials' 1000 ImageNet classes

    /// <summary>
    /// Conv2D(4, 3, relu), MaxPooling2D, Flatten, Dense(6, relu), Dense(5): with a softmax on top for FGSM (MobileNetV2
    /// ends in one), logits for IG (the tutorial applies tf.nn.softmax itself). Weight k of tensor l is
    /// scale * sin(0.7 k + 1.3 l + 0.4), in the order of the Keras tensor.
    /// </summary>
    public static Sequential Build(bool softmax)
    {
        var model = new Sequential(
            Layers.Input(new Shape(Size, Size, 3)),
            new Layers.Conv2D(4, 3, activation: "relu"),
            new Layers.MaxPooling2D(),
            new Layers.Flatten(),
            new Layers.Dense(6, activation: "relu"),
            new Layers.Dense(Classes, activation: softmax ? "softmax" : null));
        model.SetWeights(
        [
            Weight(new Shape(3, 3, 3, 4), 0, 1.5), Weight(new Shape(4), 1, 0.1),
            Weight(new Shape(36, 6), 2, 0.8), Weight(new Shape(6), 3, 0.1),
            Weight(new Shape(6, Classes), 4, 3.0), Weight(new Shape(Classes), 5, 0.1),
        ]);
        // The tutorial's pretrained_model.trainable = False.
        model.Trainable = false;
        return model;
    }

    private static Tensor Weight(Shape shape, int layer, double scale)
    {
        var values = new float[shape.Count];
        for (int k = 0; k < values.Length; k++) values[k] = (float)(scale * Math.Sin(0.7 * k + 1.3 * layer + 0.4));
        return NF.Constant(values, shape);
    }

    /// <summary>A uint8 RGB image [height, width, 3] of floor(127.5 + 120 sin(0.9 h + 0.5 w (c + 1) + phase) cos(0.3 (h - w) + c)).</summary>
    public static Tensor ImageU8(int height, int width, double phase)
    {
        var values = new byte[height * width * 3];
        for (int h = 0; h < height; h++)
            for (int w = 0; w < width; w++)
                for (int c = 0; c < 3; c++)
                    values[(h * width + w) * 3 + c] = (byte)Math.Floor(127.5 + 120 * Math.Sin(0.9 * h + 0.5 * w * (c + 1) + phase) * Math.Cos(0.3 * (h - w) + c));
        return NF.Constant(values, new Shape(height, width, 3));
    }

    /// <summary>Each value of <paramref name="actual"/> within atol + rtol |expected| of <paramref name="expected"/>.</summary>
    public static void Close(float[] expected, Tensor actual, double rtol, double atol, string what) =>
        Reference.AssertClose([.. expected.Select(v => (double)v)], [.. actual.ToArray<float>().Select(v => (double)v)], rtol, atol, what);
}
