using NeuralFlow.Data;

namespace NeuralFlow.Keras;

public partial class Layers
{
    // Ragged rows through StringLookup, as Keras' layer maps a tf.RaggedTensor of strings to one of ids with the same
    // row splits (TensorFlow's text generation tutorial: ids_from_chars(tf.strings.unicode_split(texts)), and the
    // inverted layer back to characters).
    public sealed partial class StringLookup
    {
        /// <summary>
        /// The index of every piece of ragged string rows (Keras' layer on a <c>tf.RaggedTensor</c>, e.g.
        /// <c>ids_from_chars(tf.strings.unicode_split(texts, "UTF-8"))</c>): int64 ids with the same rows ("int" mode).
        /// The 1-D split of one string is not ragged (TensorFlow gives a plain tensor there): look it up with
        /// <c>Call(tokens.ToTensor())</c>.
        /// </summary>
        /// <exception cref="ArgumentException">The rows are one string's dense split, or the output mode is not "int".</exception>
        public RaggedTensor Call(RaggedStrings tokens)
        {
            ArgumentNullException.ThrowIfNull(tokens);
            if (tokens.Rank == 1)
                throw new ArgumentException($"{Name}: tokens has shape {tokens.Shape}, the dense 1-D split of one string (tf.strings.unicode_split of a scalar " +
                                            "gives a plain tensor, not ragged rows): call Call(tokens.ToTensor()) for its ids.", nameof(tokens));
            if (OutputMode != "int")
                throw new ArgumentException($"{Name}: ragged rows are looked up in output_mode \"int\" only, but this layer's is \"{OutputMode}\"; " +
                                            "pad them first (tokens.ToTensor()) to encode them.", nameof(tokens));
            var flat = tokens.FlatValues;
            return tokens.WithFlatValues(NF.Constant(Indices(flat, flat.Length), [flat.Length]));
        }

        /// <summary>
        /// Index -> token for ragged rows of ids (<see cref="IndexLookup{TToken}.Invert"/> only; Keras' inverted layer on a
        /// <c>tf.RaggedTensor</c>, e.g. <c>chars_from_ids(ids)</c>): the strings in the same rows, which
        /// <see cref="NF.Strings.ReduceJoin(RaggedStrings, int, bool, string)"/> joins row by row.
        /// </summary>
        /// <exception cref="ArgumentException">A ragged axis other than the last varies in length (strings hold one ragged axis).</exception>
        public RaggedStrings CallInverted(RaggedTensor indices)
        {
            ArgumentNullException.ThrowIfNull(indices);
            if (indices.FlatValues.Shape.Rank != 1)
                throw new ArgumentException($"{Name}: the ragged ids have inner values of shape {indices.FlatValues.Shape}; give rows of single ids (flat values of rank 1).", nameof(indices));
            return RaggedStrings.FromNestedRowSplits(InvertedTokens(indices.FlatValues), indices.NestedRowSplits, nameof(indices));
        }
    }
}
