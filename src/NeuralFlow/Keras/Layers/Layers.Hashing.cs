using System.Globalization;
using System.Text.Json.Nodes;
using NeuralFlow.Data;

namespace NeuralFlow.Keras;

public partial class Layers
{
    /// <summary>
    /// Hashes strings or integers into <see cref="NumBins"/> bins (<c>keras.layers.Hashing</c>):
    /// FarmHash's Fingerprint64 of the value's UTF-8 bytes mod the bins (TensorFlow's
    /// to_hash_bucket_fast), or with a <see cref="Salt"/> keyed SipHash-2-4 (to_hash_bucket_strong),
    /// so a value lands in the bin it lands in under Keras. Integers (and floats, truncated) hash
    /// their decimal string, as Keras does. With a <see cref="MaskValue"/> bin 0 is the mask's and
    /// the others hash into bins 1..NumBins-1. "one_hot", "multi_hot" and "count" encode the bins.
    /// <para>
    /// Strings come as host arrays (a <see cref="StringTensor"/>, <see cref="Call(string[])"/>, <see cref="Call(string[,])"/>;
    /// NeuralFlow tensors hold no strings), so a string Hashing runs in the input pipeline, or first in a
    /// model that takes raw strings (<c>Sequential([hashing, ...])</c> given text, or after
    /// <c>Layers.Input(..., dtype: DType.String)</c>), which runs it on the host on each batch before its
    /// step, as TextVectorization and StringLookup. On integer tensors it is an ordinary layer, whose
    /// hashing reads the values on the host (a replayed step with it runs eagerly).
    /// </para>
    /// </summary>
    public sealed class Hashing : Layer, ITextInputLayer
    {
        /// <summary>False: this layer's inputs are values to look up or count, not activations; under a mixed global policy it keeps <see cref="Config.FloatX"/>'s (Keras sets its dtype itself).</summary>
        private protected override bool TakesMixedPolicy => false;

        private readonly (ulong, ulong)? _key;
        private readonly long[]? _salt;

        /// <summary>A hashing into <paramref name="numBins"/> bins (the mask's included, when <paramref name="maskValue"/> is given).</summary>
        public Hashing(int numBins, string? maskValue = null, long[]? salt = null, string outputMode = "int", bool sparse = false, string? name = null)
            : base(name)
        {
            if (numBins <= 0)
                throw new ArgumentOutOfRangeException(nameof(numBins), numBins, $"Hashing: the num_bins cannot be non-positive. Received: num_bins={numBins}.");
            OutputMode = CategoricalEncoding.CheckMode(nameof(Hashing), outputMode, CategoricalEncoding.Modes);
            if (sparse) throw new ArgumentException("Hashing: sparse=true is not supported: NeuralFlow has no sparse tensors.", nameof(sparse));
            _key = StringHashes.Key(nameof(Hashing), salt);
            _salt = salt?.ToArray();
            NumBins = numBins;
            MaskValue = maskValue;
        }

        /// <summary>The number of bins, the mask's included.</summary>
        public int NumBins { get; }

        /// <summary>The value that goes to bin 0 (for integer inputs, its decimal string), or null.</summary>
        public string? MaskValue { get; }

        /// <summary>The SipHash key (one number: used for both words), or null for FarmHash.</summary>
        public long[]? Salt => _salt?.ToArray();

        /// <summary>"int", "one_hot", "multi_hot" or "count".</summary>
        public string OutputMode { get; }

        /// <summary>The bins (or their encoding) of a list of strings.</summary>
        public Tensor Call(string[] values)
        {
            ArgumentNullException.ThrowIfNull(values);
            return Encoded(NF.Constant(Bins(values), [values.Length]));
        }

        /// <summary>The bins (or their encoding) of a string tensor (a dataset element's text), in the input's shape in "int" mode.</summary>
        public Tensor Call(StringTensor values)
        {
            ArgumentNullException.ThrowIfNull(values);
            return Encoded(NF.Constant(Bins(values.ToArray()), values.Shape));
        }

        /// <summary>The bins (or their encoding) of a batch of string rows (Keras' <c>[['A'], ['B']]</c>).</summary>
        public Tensor Call(string[,] values)
        {
            ArgumentNullException.ThrowIfNull(values);
            return Encoded(NF.Constant(Bins(values.Cast<string>().ToArray()), [values.GetLength(0), values.GetLength(1)]));
        }

        /// <summary>Always: it has no weights to make, so a model that starts with it (and runs it on the host) saves before any call.</summary>
        public override bool Built => true;

        Tensor ITextInputLayer.CallText(StringTensor texts) => Call(texts);

        (int?[] Shape, DType DType) ITextInputLayer.TextOutputSpec(IReadOnlyList<int?> inputShape) => ITextInputLayer.ProbedSpec(Call, inputShape, "");

        bool ITextInputLayer.TakesNumbers => true;

        /// <summary>On a text input (<c>Layers.Input(..., dtype: DType.String)</c>): the bins' (or encodings') spec, without a probe on zeros, which strings have none of.</summary>
        private protected override (int?[] Shape, DType DType)[]? OwnOutputSpec(KerasTensor[] inputs) =>
            inputs is [{ DType: DType.String } text] ? [((ITextInputLayer)this).TextOutputSpec(text.Shape)] : null;

        /// <inheritdoc/>
        protected override Tensor Forward(Tensor x)
        {
            using var ids = NF.Cast(CategoricalEncoding.AsInt64(Name, x), DType.Int64);
            var text = ids.ToArray<long>().Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray();
            return Encoded(NF.Constant(Bins(text), ids.Shape));
        }

        // Keras' _hash_values_to_bins: the mask takes bin 0 and the rest hash into the bins after it.
        private long[] Bins(string[] values)
        {
            bool masked = MaskValue is not null && NumBins > 1;
            long buckets = masked ? NumBins - 1 : NumBins;
            return values.Select((v, i) =>
            {
                if (v is null) throw new ArgumentException($"{Name}: the input holds a null string (at {i}).", "inputs");
                return masked && v == MaskValue ? 0 : StringHashes.Bucket(v, buckets, _key) + (masked ? 1 : 0);
            }).ToArray();
        }

        private Tensor Encoded(Tensor bins) =>
            OutputMode == "int" ? bins : CategoricalEncoding.Encode(Name, bins, OutputMode, NumBins, VariableDType);

        /// <summary>
        /// The layer <paramref name="config"/> (a <see cref="GetConfig"/>, vocabulary included) rebuilds
        /// (Keras' <c>from_config</c>): how to keep a layer of the input pipeline, which no model holds.
        /// </summary>
        public static Hashing FromConfig(JsonObject config) => KerasSerialization.FromConfig<Hashing>(config);

        /// <inheritdoc/>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["num_bins"] = NumBins;
            c["salt"] = _salt is null ? null : new JsonArray(_salt.Select(s => (JsonNode)s).ToArray());
            c["mask_value"] = MaskValue;
            c["output_mode"] = OutputMode;
            c["sparse"] = false;
            return c;
        }
    }
}
