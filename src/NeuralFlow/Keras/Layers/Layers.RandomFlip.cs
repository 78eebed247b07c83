using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Flips each image left-right ("horizontal"), upside down ("vertical") or each of the two
    /// independently ("horizontal_and_vertical", the default), each with probability 1/2, while
    /// training (<c>keras.layers.RandomFlip</c>); the identity at inference.
    /// </summary>
    public sealed class RandomFlip : RandomImageLayer
    {
        /// <summary>A flip of the given <paramref name="mode"/>, drawn with <paramref name="seed"/> (null: NF.Random).</summary>
        public RandomFlip(string mode = "horizontal_and_vertical", int? seed = null, string? name = null) : base(seed, name)
        {
            Mode = mode?.ToLowerInvariant() switch
            {
                "horizontal" or "vertical" or "horizontal_and_vertical" => mode.ToLowerInvariant(),
                _ => throw new ArgumentException($"RandomFlip: mode \"{mode}\" is not supported; use \"horizontal\", \"vertical\" or \"horizontal_and_vertical\".", nameof(mode)),
            };
        }

        /// <summary>"horizontal", "vertical" or "horizontal_and_vertical".</summary>
        public string Mode { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["mode"] = Mode;
            return c;
        }

        /// <inheritdoc/>
        private protected override Tensor Augment(Tensor images)
        {
            // One draw per image; Where picks the reversed image or the image itself (gradients follow the pick).
            var y = images;
            var perImage = new Shape(images.Shape[0], 1, 1, 1);
            if (Mode != "vertical") y = NF.Where(Uniform(perImage, 0, 1) < 0.5f, NF.Reverse(y, 2), y);
            if (Mode != "horizontal") y = NF.Where(Uniform(perImage, 0, 1) < 0.5f, NF.Reverse(y, 1), y);
            return y;
        }
    }
}
