using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// What Keras' image augmentation layers share (<c>RandomFlip</c>, <c>RandomRotation</c>, ...,
    /// Keras 3's BaseImagePreprocessingLayer): NHWC images [N, H, W, C] or one image [H, W, C],
    /// integer images computed as float32; the identity at inference (Predict, Evaluate, training
    /// false) and a fresh random draw per image in training (Fit, training true, or a call with no
    /// phase set, as Keras' training=True default). Draws come from
    /// NF.Random, or with a seed from the layer's own generator (as Dropout's), so that a replayed
    /// NF.Function step draws new numbers each step, the same numbers as its eager twin.
    /// </summary>
    public abstract partial class RandomImageLayer : Layer, ILabelledAugmentation
    {
        private readonly RandomStream? _stream;

        private protected RandomImageLayer(int? seed, string? name) : base(name)
        {
            Seed = seed;
            _stream = seed is { } s ? new RandomStream(s) : null;
        }

        /// <summary>The seed of the layer's own generator, or null (NF.Random's).</summary>
        public int? Seed { get; }

        /// <summary>
        /// "channels_last" (NHWC, the default) or "channels_first" (NCHW): Keras' data_format, which
        /// the layers that take it (MixUp, CutMix, RandomGaussianBlur, ...) write into their config.
        /// </summary>
        public string DataFormat { get; private set; } = "channels_last";

        private bool _takesDataFormat;

        /// <summary>Sets Keras' data_format (checked) for a layer that takes it.</summary>
        private protected void SetDataFormat(string dataFormat)
        {
            DataFormat = PoolingArgs.DataFormat(GetType().Name, dataFormat);
            _takesDataFormat = true;
        }

        private protected override RandomStream? OwnStream => _stream;

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["seed"] = Seed;
            if (_takesDataFormat) c["data_format"] = DataFormat;
            return c;
        }

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            string op = $"{Name} ({GetType().Name})";
            var images = NF.Image.AsFloat(ImageDataFormat.ToChannelsLast(op, x, DataFormat));
            NF.Image.CheckImages(op, images);
            // Keras' image preprocessing layers default to training=True: called with no phase set
            // (data_augmentation(images) in a tutorial cell) they augment; Predict and Evaluate set inference.
            if (!TrainingOr(callDefault: true)) return ImageDataFormat.FromChannelsLast(Infer(images), DataFormat);
            bool single = images.Rank == 3;
            var y = Augment(single ? NF.ExpandDims(images, 0) : images);
            return ImageDataFormat.FromChannelsLast(single ? NF.Squeeze(y, 0) : y, DataFormat);
        }

        /// <summary>The inference output of float images (rank 3 or 4): the images themselves, but for RandomCrop.</summary>
        private protected virtual Tensor Infer(Tensor images) => images;

        /// <summary>The training output of a float batch [N, H, W, C].</summary>
        private protected abstract Tensor Augment(Tensor images);

        /// <summary>The training output of a float batch [N, H, W, C] (what RandAugment and AugMix compose).</summary>
        internal Tensor AugmentBatch(Tensor images) => Augment(images);

        /// <summary>Uniform numbers in [low, high) from the layer's generator, float32; low == high gives that constant without a draw.</summary>
        private protected Tensor Uniform(Shape shape, double low, double high, DType dtype = DType.Float32) =>
            low == high ? NF.Fill(shape, low, dtype) : NF.Random.Uniform(shape, low, high, dtype, _stream);

        /// <summary>Standard normal numbers from the layer's generator, float32 (RandomErasing's noise).</summary>
        private protected Tensor Normal(Shape shape) => NF.Random.Normal(shape, 0, 1, DType.Float32, _stream);

        /// <summary>One draw per image in [low, high), shaped [N, 1, 1, 1] in the images' dtype.</summary>
        private protected Tensor PerImage(Tensor images, double low, double high) =>
            NF.Cast(Uniform(new Shape(images.Shape[0], 1, 1, 1), low, high), images.DType);

        /// <summary>
        /// RandomHue's deltas [N, 1, 1, 1] (turns): a magnitude drawn from [lower, upper], halved, with a
        /// random sign (Keras' invert draw: negative when a uniform draw exceeds 0.5).
        /// </summary>
        private protected Tensor HueDeltas(Tensor images, (double Lower, double Upper) factor)
        {
            var negative = NF.Cast(NF.Greater(PerImage(images, 0, 1), 0.5), images.DType);
            return (1.0 - 2.0 * negative) * PerImage(images, factor.Lower, factor.Upper) * 0.5;
        }

        /// <summary>
        /// A Keras factor as (lower, upper): a single number f stands for (-f, f); both must lie in
        /// [min, max] with lower &lt;= upper, or an exception names the argument.
        /// </summary>
        private protected static (double Lower, double Upper) CheckedFactor(string layer, string argument, (double Lower, double Upper) factor, double min, double max)
        {
            var (lower, upper) = factor;
            // NaN or an infinity named as such: RandomRotation's unbounded range read [-1.79E+308, 1.79E+308].
            if (!double.IsFinite(lower) || !double.IsFinite(upper))
                throw new ArgumentOutOfRangeException(argument, factor, $"{layer}: {argument} must be finite numbers, got ({lower}, {upper}).");
            if (lower < min || upper > max)
                throw new ArgumentOutOfRangeException(argument, factor, $"{layer}: {argument} must lie in [{min}, {max}], got ({lower}, {upper}).");
            if (lower > upper)
                throw new ArgumentException($"{layer}: {argument} must have lower <= upper (a single factor must not be negative), got ({lower}, {upper}).", argument);
            return (lower, upper);
        }

        /// <summary>
        /// Keras 3's single factor of the symmetric layers (RandomRotation, RandomZoom, RandomTranslation,
        /// RandomBrightness): f stands for (-|f|, |f|), so a negative f is taken by its size (its
        /// <c>factor = abs(factor)</c>; tf.keras 2 refused one). NaN stays NaN, for the range check to name.
        /// </summary>
        private protected static (double Lower, double Upper) Symmetric(double factor) => (-Math.Abs(factor), Math.Abs(factor));

        /// <summary>A (lower, upper) factor in order: Keras 3 sorts a reversed pair (<c>sorted(factor)</c>) rather than refusing it.</summary>
        private protected static (double Lower, double Upper) Sorted((double Lower, double Upper) factor) =>
            factor.Lower > factor.Upper ? (factor.Upper, factor.Lower) : factor;

        /// <summary>
        /// A Keras value_range (default (0, 255)): two finite numbers, low &lt; high, or an exception naming the layer.
        /// With <paramref name="sorted"/> a reversed pair is put in order first, as the Keras 3 layers that write
        /// <c>self.value_range = sorted(value_range)</c> do (RandomBrightness, RandomSaturation, RandomSharpness,
        /// RandomColorDegeneration, RandomPosterization, Solarization); the others take the pair as given, where a
        /// reversed one would clip every pixel to one bound, so it is refused there.
        /// </summary>
        private protected static (double Low, double High) CheckedValueRange(string layer, (double Low, double High)? valueRange, bool sorted = false)
        {
            var (low, high) = valueRange ?? (0, 255);
            if (sorted && low > high) (low, high) = (high, low);
            return double.IsFinite(low) && double.IsFinite(high) && low < high ? (low, high)
                : throw new ArgumentException($"{layer}: valueRange must be two finite numbers, low < high, got ({low}, {high}).", nameof(valueRange));
        }

        /// <summary>A (lower, upper) pair as Keras writes a tuple in a config.</summary>
        private protected static JsonArray Json((double Lower, double Upper) pair) => new(pair.Lower, pair.Upper);

        /// <summary>Pieces [N, 1] of an affine transform joined into rows [N, 8] (Keras' [a0, a1, a2, b0, b1, b2, c0, c1]).</summary>
        private protected static Tensor Transform(Tensor a0, Tensor a1, Tensor a2, Tensor b0, Tensor b1, Tensor b2)
        {
            var zero = NF.ZerosLike(a0);
            return NF.Concat([a0, a1, a2, b0, b1, b2, zero, zero], 1);
        }
    }

    /// <summary>
    /// What RandomRotation, RandomZoom and RandomTranslation share: an affine transform per image
    /// read through <see cref="NF.Image.AffineTransform"/> with Keras' fill_mode (default "reflect"),
    /// interpolation ("bilinear" or "nearest") and fill_value (for "constant").
    /// </summary>
    public abstract class RandomAffineLayer : RandomImageLayer
    {
        private protected RandomAffineLayer(string fillMode, string interpolation, double fillValue, int? seed, string? name) : base(seed, name)
        {
            FillMode = NF.Image.FillMode(GetType().Name, fillMode);
            Interpolation = NF.Image.TransformInterpolation(GetType().Name, interpolation);
            FillValue = double.IsFinite(fillValue) ? fillValue : throw new ArgumentOutOfRangeException(nameof(fillValue), fillValue, $"{GetType().Name}: fillValue must be a finite number.");
        }

        /// <summary>"reflect", "wrap", "mirror", "nearest" or "constant": how points outside the image are read.</summary>
        public string FillMode { get; }

        /// <summary>"bilinear" or "nearest".</summary>
        public string Interpolation { get; }

        /// <summary>The value outside the image with FillMode "constant".</summary>
        public double FillValue { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["fill_mode"] = FillMode;
            c["interpolation"] = Interpolation;
            c["fill_value"] = FillValue;
            return c;
        }

        /// <inheritdoc/>
        private protected override Tensor Augment(Tensor images) =>
            NF.Image.AffineTransform(images, Transforms(images.Shape[0], images.Shape[1], images.Shape[2]), Interpolation, FillMode, FillValue);

        /// <summary>Rows [N, 8] of random transforms for N images of height x width.</summary>
        private protected abstract Tensor Transforms(int n, int height, int width);
    }
}
