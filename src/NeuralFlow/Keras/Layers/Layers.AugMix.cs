using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// AugMix while training (<c>keras.layers.AugMix</c>, Hendrycks et al. 2019): each image goes down
    /// <see cref="NumChains"/> chains of <see cref="ChainDepth"/> steps, each step one of the operations (or, with
    /// equal chance, none) chosen uniformly; the chains are mixed with Dirichlet(<see cref="Alpha"/>) weights and
    /// the result with the image by a Beta(<see cref="Alpha"/>, <see cref="Alpha"/>) weight m: m x + (1 - m) mix,
    /// clipped to <see cref="ValueRange"/>. The operations are RandAugment's, built from <see cref="Factor"/> as
    /// Keras builds them; <see cref="AllOps"/> false keeps the seven that do not overlap the ImageNet-C corruptions
    /// (shear, translation, rotation, posterization, solarization, auto contrast, equalization). Keras draws the
    /// weights and the steps once per batch; each image has its own here. The identity at inference.
    /// </summary>
    public sealed class AugMix : RandomImageLayer
    {
        private readonly Func<Tensor, Tensor>[] _ops;
        private readonly RandomImageLayer[] _layers;

        /// <summary>Operation strengths from [0, factor] (factor in [0, 1], Keras' default 0.3).</summary>
        public AugMix((double Low, double High)? valueRange = null, int numChains = 3, int chainDepth = 3, double factor = 0.3, double alpha = 1.0,
                      bool allOps = true, string interpolation = "bilinear", int? seed = null, string? name = null, string dataFormat = "channels_last")
            : this(valueRange, numChains, chainDepth, factor is >= 0 and <= 1 ? (0, factor)
                : throw new ArgumentOutOfRangeException(nameof(factor), factor, $"AugMix: factor must lie in [0, 1], got {factor}."), alpha, allOps, interpolation, seed, name, dataFormat) { }

        /// <summary>Operation strengths from [factor.Lower, factor.Upper], both in [0, 1].</summary>
        public AugMix((double Low, double High)? valueRange, int numChains, int chainDepth, (double Lower, double Upper) factor, double alpha = 1.0,
                      bool allOps = true, string interpolation = "bilinear", int? seed = null, string? name = null, string dataFormat = "channels_last")
            : base(seed, name)
        {
            SetDataFormat(dataFormat);
            ValueRange = CheckedValueRange(nameof(AugMix), valueRange);
            NumChains = numChains >= 1 ? numChains : throw new ArgumentOutOfRangeException(nameof(numChains), numChains, $"AugMix: numChains must be >= 1, got {numChains}.");
            ChainDepth = chainDepth >= 1 ? chainDepth : throw new ArgumentOutOfRangeException(nameof(chainDepth), chainDepth, $"AugMix: chainDepth must be >= 1, got {chainDepth}.");
            Factor = CheckedFactor(nameof(AugMix), nameof(factor), factor, 0, 1);
            Alpha = alpha > 0 && double.IsFinite(alpha) ? alpha
                : throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"AugMix: alpha must be a positive finite number (the Dirichlet and Beta parameter), got {alpha}.");
            AllOps = allOps;
            Interpolation = NF.Image.TransformInterpolation(nameof(AugMix), interpolation);
            var names = allOps ? AugmentationOps.AugMixOrder : AugmentationOps.AugMixOrder[..7];
            (_ops, _layers) = AugmentationOps.Build(names, Name, Factor, ValueRange, Interpolation, seed);
        }

        /// <inheritdoc/>
        public override IReadOnlyList<Layer> SubLayers => _layers;

        /// <summary>The pixel range of the images.</summary>
        public (double Low, double High) ValueRange { get; }

        /// <summary>How many augmentation chains are mixed.</summary>
        public int NumChains { get; }

        /// <summary>The steps per chain (each an operation or none).</summary>
        public int ChainDepth { get; }

        /// <summary>The strength range every operation is built from.</summary>
        public (double Lower, double Upper) Factor { get; }

        /// <summary>The Dirichlet and Beta parameter of the mixing weights.</summary>
        public double Alpha { get; }

        /// <summary>Whether the colour operations (brightness, colour degeneration, contrast, sharpness) are among the choices.</summary>
        public bool AllOps { get; }

        /// <summary>"bilinear" or "nearest", for the geometric operations.</summary>
        public string Interpolation { get; }

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["value_range"] = Json(ValueRange);
            c["num_chains"] = NumChains;
            c["chain_depth"] = ChainDepth;
            c["factor"] = Json(Factor);
            c["alpha"] = Alpha;
            c["all_ops"] = AllOps;
            c["interpolation"] = Interpolation;
            return c;
        }

        /// <inheritdoc/>
        private protected override Tensor Augment(Tensor images)
        {
            int n = images.Shape[0];
            // Keras' order: the chain weights, the image's weight, then the chains.
            var chainWeights = NF.Cast(Dirichlet(n, NumChains, Alpha), images.DType);
            var keep = NF.Reshape(NF.Cast(Beta(new Shape(n), Scalar(Alpha), Scalar(Alpha)), images.DType), [n, 1, 1, 1]);
            Tensor? mix = null;
            for (int chain = 0; chain < NumChains; chain++)
            {
                var y = images;
                // Choice _ops.Length (one more than the operations) is the empty step.
                for (int step = 0; step < ChainDepth; step++)
                    y = AugmentationOps.Choose(y, Choice(n, _ops.Length + 1), _ops);
                var term = y * NF.Reshape(NF.Slice(chainWeights, [0, chain], [-1, 1]), [n, 1, 1, 1]);
                mix = mix is null ? term : mix + term;
            }
            return NF.Clip(keep * images + (1.0 - keep) * mix!, ValueRange.Low, ValueRange.High);
        }
    }
}
