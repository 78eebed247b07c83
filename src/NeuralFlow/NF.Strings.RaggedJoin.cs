using NeuralFlow.Data;

namespace NeuralFlow;

public static partial class NF
{
    public static partial class Strings
    {
        /// <summary>
        /// Joins the pieces of each ragged row (<c>tf.strings.reduce_join(rt, axis=-1)</c>, e.g. characters back into
        /// text): a string tensor of the rows' outer shape ([n] for <c>(n, None)</c> rows, a scalar for the 1-D split of
        /// one string), with <paramref name="separator"/> between pieces; <paramref name="keepdims"/> keeps the joined
        /// axis with length 1. Only the ragged (last) axis joins: pad with <c>ToTensor()</c> to join another.
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="axis"/> is not the last axis.</exception>
        public static StringTensor ReduceJoin(RaggedStrings input, int axis = -1, bool keepdims = false, string separator = "")
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(separator);
            if (axis != -1 && axis != input.Rank - 1)
                throw new ArgumentOutOfRangeException(nameof(axis), axis,
                    $"Strings.ReduceJoin: ragged strings of shape {input.Shape} join along their ragged last axis (-1 or {input.Rank - 1}); " +
                    "pad them with ToTensor() to join along another axis.");
            var joined = input.InnerRows().Select(row => Data.ByteStrings.Canonical(string.Join(separator, row))).ToArray();
            var outer = input.OuterShape.ToArray();
            return StringTensor.Wrap(joined, new Shape(keepdims ? [.. outer, 1] : outer));
        }
    }
}
