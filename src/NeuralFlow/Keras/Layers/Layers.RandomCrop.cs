using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Crops a random height x width window of each image while training (<c>keras.layers.RandomCrop</c>).
    /// At inference, and in training when an image is smaller than the window, the largest centred
    /// window with the target's aspect ratio is resized (bilinear) to height x width, as Keras
    /// documents, so both modes give the same output shape. Unlike Keras 3, which crops a whole
    /// batch at one place, each image gets its own window.
    /// </summary>
    public sealed class RandomCrop : RandomImageLayer, IResizingLayer
    {
        /// <summary>A crop to <paramref name="height"/> x <paramref name="width"/>, drawn with <paramref name="seed"/>.</summary>
        public RandomCrop(int height, int width, int? seed = null, string? name = null) : base(seed, name)
        {
            (Height, Width) = CropSize(nameof(RandomCrop), height, width);
        }

        /// <summary>Rows of the output.</summary>
        public int Height { get; }

        /// <summary>Columns of the output.</summary>
        public int Width { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig() => SizeConfig(base.GetConfig(), Height, Width);

        /// <inheritdoc/>
        private protected override Tensor Infer(Tensor images) => InferResized(this, images);

        (string, bool, (int, int, int, int)) IResizingLayer.InferenceResize(int height, int width) =>
            ("bilinear", false, ImageResampling.AspectWindow(height, width, Height, Width));

        /// <inheritdoc/>
        private protected override Tensor Augment(Tensor images)
        {
            int n = images.Shape[0], h = images.Shape[1], w = images.Shape[2], c = images.Shape[3];
            if (h < Height || w < Width) return Infer(images);
            // One gather of computed indices: image b's pixel (top_b + i, left_b + j), so the
            // window may move each step of a replayed NF.Function.
            var top = Uniform(new Shape(n, 1, 1), 0, h - Height + 1, DType.Int32);
            var left = Uniform(new Shape(n, 1, 1), 0, w - Width + 1, DType.Int32);
            Tensor rows, columns, batchBase;
            using (NF.UseBackend(images.Backend))
            {
                rows = NF.Reshape(NF.Range(Height), [1, Height, 1]);
                columns = NF.Reshape(NF.Range(Width), [1, 1, Width]);
                batchBase = NF.Reshape(NF.Range(0, checked(n * h * w), h * w), [n, 1, 1]);
            }
            var index = batchBase + (top + rows) * w + left + columns;
            return NF.Gather(NF.Reshape(images, [n * h * w, c]), index, 0);
        }
    }

    /// <summary>
    /// Crops the centre height x width window of each image (<c>keras.layers.CenterCrop</c>), in
    /// training and inference alike; an image smaller than the window has its largest centred
    /// window of the target's aspect ratio resized (bilinear) to height x width, as Keras does.
    /// </summary>
    public sealed class CenterCrop : Layer, IResizingLayer
    {
        /// <summary>A centre crop to <paramref name="height"/> x <paramref name="width"/>.</summary>
        public CenterCrop(int height, int width, string? name = null) : base(name)
        {
            (Height, Width) = CropSize(nameof(CenterCrop), height, width);
        }

        /// <summary>Rows of the output.</summary>
        public int Height { get; }

        /// <summary>Columns of the output.</summary>
        public int Width { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig() => SizeConfig(base.GetConfig(), Height, Width);

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            NF.Image.CheckImages($"{Name} (CenterCrop)", x);
            return InferResized(this, NF.Image.AsFloat(x));
        }

        (string, bool, (int, int, int, int)) IResizingLayer.InferenceResize(int height, int width) =>
            ("bilinear", false, height >= Height && width >= Width
                ? ((height - Height) / 2, (width - Width) / 2, Height, Width)
                : ImageResampling.AspectWindow(height, width, Height, Width));
    }

    private static JsonObject SizeConfig(JsonObject c, int height, int width)
    {
        c["height"] = height;
        c["width"] = width;
        return c;
    }

    // The output size of the crop and resize layers, checked.
    private static (int Height, int Width) CropSize(string layer, int height, int width) =>
        height >= 1 && width >= 1 ? (height, width)
            : throw new ArgumentOutOfRangeException(height < 1 ? nameof(height) : nameof(width), $"{layer}: height and width must be positive, got {height} x {width}.");
}
