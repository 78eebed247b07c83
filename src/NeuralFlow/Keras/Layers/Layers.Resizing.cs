using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Resizes images to height x width (<c>keras.layers.Resizing</c>) with
    /// <see cref="NF.Image.Resize"/>: "bilinear" (default), "nearest", "bicubic", "area", "lanczos3" or "lanczos5". With
    /// cropToAspectRatio the largest centred window of the target's aspect ratio is resized, so the
    /// image is not distorted. Outputs float32 for integer images, in training and inference alike.
    /// </summary>
    public sealed class Resizing : Layer, IResizingLayer
    {
        /// <summary>A resize to <paramref name="height"/> x <paramref name="width"/>.</summary>
        public Resizing(int height, int width, string interpolation = "bilinear", bool cropToAspectRatio = false, bool antialias = false, string? name = null) : base(name)
        {
            (Height, Width) = CropSize(nameof(Resizing), height, width);
            Interpolation = ImageResampling.Method(nameof(Resizing), interpolation);
            CropToAspectRatio = cropToAspectRatio;
            Antialias = antialias;
        }

        /// <summary>Rows of the output.</summary>
        public int Height { get; }

        /// <summary>Columns of the output.</summary>
        public int Width { get; }

        /// <summary>"bilinear", "nearest", "bicubic", "area", "lanczos3" or "lanczos5".</summary>
        public string Interpolation { get; }

        /// <summary>True: the largest centred window of the target's aspect ratio is resized.</summary>
        public bool CropToAspectRatio { get; }

        /// <summary>True: bilinear and bicubic downscales are low-pass filtered (tf.image.resize's antialias).</summary>
        public bool Antialias { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = SizeConfig(base.GetConfig(), Height, Width);
            c["interpolation"] = Interpolation;
            c["crop_to_aspect_ratio"] = CropToAspectRatio;
            c["antialias"] = Antialias;
            return c;
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            NF.Image.CheckImages($"{Name} (Resizing)", x);
            return InferResized(this, NF.Image.AsFloat(x));
        }

        (string, bool, (int, int, int, int)) IResizingLayer.InferenceResize(int height, int width) =>
            (Interpolation, Antialias, CropToAspectRatio ? ImageResampling.AspectWindow(height, width, Height, Width) : (0, 0, height, width));
    }
}
