namespace NeuralFlow.Keras;

/// <summary>
/// A layer whose inference output is one window of each image resized to Height x Width
/// (Resizing, CenterCrop, RandomCrop at inference). The layer's Forward and its ONNX export both
/// read the window and method from here, so the exported graph resamples exactly what Predict does.
/// </summary>
internal interface IResizingLayer
{
    /// <summary>Rows of the output.</summary>
    int Height { get; }

    /// <summary>Columns of the output.</summary>
    int Width { get; }

    /// <summary>
    /// For an image of <paramref name="height"/> x <paramref name="width"/>: the canonical method
    /// (<see cref="ImageResampling.Methods"/>), antialias, and the window (top, left, rows, columns) resized.
    /// </summary>
    (string Method, bool Antialias, (int Top, int Left, int Rows, int Columns) Window) InferenceResize(int height, int width);
}

public partial class Layers
{
    /// <summary>The inference output of a resizing layer on float images (rank 3 or 4).</summary>
    private static Tensor InferResized(IResizingLayer layer, Tensor images)
    {
        var (method, antialias, window) = layer.InferenceResize(images.Shape[images.Rank - 3], images.Shape[images.Rank - 2]);
        return NF.Image.ResizeWindow($"{((Layer)layer).Name} ({layer.GetType().Name})", images, layer.Height, layer.Width, method, antialias, window);
    }
}
