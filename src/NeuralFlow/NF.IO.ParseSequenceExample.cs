using NeuralFlow.Data;
using NeuralFlow.Train;

namespace NeuralFlow;

public static partial class NF
{
    public static partial class IO
    {
        /// <summary>
        /// The features of one serialized <see cref="SequenceExample"/> (<c>tf.io.parse_single_sequence_example(serialized,
        /// context_features, sequence_features)</c>) as tensors, in two dictionaries as TF returns them:
        /// <paramref name="contextFeatures"/> (FixedLenFeature or VarLenFeature) read from the context exactly as
        /// <see cref="ParseSingleExample(StringTensor, IReadOnlyDictionary{string, FeatureSpec})"/> reads an Example's, and
        /// <paramref name="sequenceFeatures"/> read from the feature lists: a FixedLenSequenceFeature of shape S gives
        /// [steps, ...S] (each step's feature holds exactly S's count of values), a VarLenFeature gives [steps, longest]
        /// padded with 0 or "" (TF's SparseTensor through <c>tf.sparse.to_dense</c>). A missing list is an error unless its
        /// FixedLenSequenceFeature allows it missing (then 0 steps); a missing VarLen list is [0, 0].
        /// </summary>
        /// <exception cref="ArgumentException">The record is not a SequenceExample, or does not fit the specs (the message names the feature).</exception>
        public static (Dictionary<string, object> Context, Dictionary<string, object> Sequence) ParseSingleSequenceExample(
            StringTensor serialized, IReadOnlyDictionary<string, FeatureSpec>? contextFeatures = null, IReadOnlyDictionary<string, FeatureSpec>? sequenceFeatures = null)
        {
            ArgumentNullException.ThrowIfNull(serialized);
            if (serialized.Count != 1)
                throw new ArgumentException($"ParseSingleSequenceExample: serialized must be one string (a scalar); it has shape {serialized.Shape}.", nameof(serialized));
            return ParseSingleSequenceExample(serialized.ToBytes(), contextFeatures, sequenceFeatures);
        }

        /// <summary><see cref="ParseSingleSequenceExample(StringTensor, IReadOnlyDictionary{string, FeatureSpec}?, IReadOnlyDictionary{string, FeatureSpec}?)"/> of the bytes of a serialized SequenceExample.</summary>
        public static (Dictionary<string, object> Context, Dictionary<string, object> Sequence) ParseSingleSequenceExample(
            byte[] serialized, IReadOnlyDictionary<string, FeatureSpec>? contextFeatures = null, IReadOnlyDictionary<string, FeatureSpec>? sequenceFeatures = null)
        {
            const string op = nameof(ParseSingleSequenceExample);
            ArgumentNullException.ThrowIfNull(serialized);
            contextFeatures ??= new Dictionary<string, FeatureSpec>();
            sequenceFeatures ??= new Dictionary<string, FeatureSpec>();
            // TF's allowed kinds: context features are fixed or var-len; sequence features fixed-len-sequence or var-len.
            foreach (var (name, spec) in contextFeatures)
                if (spec is not (FixedLenFeature or VarLenFeature))
                    throw new ArgumentException($"{op}: context feature '{name}' is a {spec?.GetType().Name ?? "null"}; context features are FixedLenFeature or VarLenFeature.", nameof(contextFeatures));
            foreach (var (name, spec) in sequenceFeatures)
                if (spec is not (FixedLenSequenceFeature or VarLenFeature))
                    throw new ArgumentException($"{op}: sequence feature '{name}' is a {spec?.GetType().Name ?? "null"}; sequence features are FixedLenSequenceFeature or VarLenFeature.", nameof(sequenceFeatures));
            foreach (var name in contextFeatures.Keys)
                if (sequenceFeatures.ContainsKey(name))
                    throw new ArgumentException($"{op}: '{name}' is both a context and a sequence feature; give each name once.", nameof(sequenceFeatures));

            var record = SequenceExample.Parse(serialized);
            var context = new Dictionary<string, object>();
            foreach (var (name, spec) in contextFeatures) context[name] = ParseFeature(record.Context, name, spec, op);
            var sequence = new Dictionary<string, object>();
            foreach (var (name, spec) in sequenceFeatures) sequence[name] = ParseFeatureList(record, name, spec);
            return (context, sequence);
        }

        private static object ParseFeatureList(SequenceExample record, string name, FeatureSpec spec)
        {
            const string op = nameof(ParseSingleSequenceExample);
            if (!record.TryGetFeatureList(name, out var steps))
                return spec switch
                {
                    FixedLenSequenceFeature { AllowMissing: true } s => Values(name, [], spec.DType, [0, .. s.Shape.Dims], op),
                    VarLenFeature => Values(name, [], spec.DType, [0, 0], op),
                    _ => throw new ArgumentException($"{op}: Feature list '{name}' is required but could not be found (give its FixedLenSequenceFeature allowMissing: true to read it as 0 steps)."),
                };
            var rows = new object[steps.Count][];
            for (int i = 0; i < steps.Count; i++)
            {
                var feature = steps[i];
                if (feature.Count > 0 && feature.DType != spec.DType)
                    throw new ArgumentException($"{op}: Key: {name}, Index: {i}. Data types don't match. Data type: {FeatureTypeName(feature.DType)} but expected type: {FeatureTypeName(spec.DType)}.");
                rows[i] = ValuesOf(feature);
                if (spec is FixedLenSequenceFeature fixedLen && rows[i].Length != fixedLen.Shape.Count)
                    throw new ArgumentException($"{op}: Key: {name}, Index: {i}. Number of {FeatureTypeName(spec.DType)} values != expected. values size: {rows[i].Length} but output shape: {fixedLen.Shape}.");
            }
            if (spec is FixedLenSequenceFeature s2)
                return Values(name, rows.SelectMany(r => r).ToArray(), spec.DType, [steps.Count, .. s2.Shape.Dims], op);
            // VarLen: each step's values, padded to the longest step with 0 or "".
            int width = rows.Length == 0 ? 0 : rows.Max(r => r.Length);
            object fill = spec.DType switch { DType.String => "", DType.Float32 => 0f, _ => 0L };
            var padded = rows.SelectMany(r => r.Concat(Enumerable.Repeat(fill, width - r.Length))).ToArray();
            return Values(name, padded, spec.DType, [steps.Count, width], op);
        }
    }
}
