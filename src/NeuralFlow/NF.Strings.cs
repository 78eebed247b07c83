using System.Text;
using NeuralFlow.Data;

namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// TensorFlow's <c>tf.strings</c> on host text (<see cref="StringTensor"/>). A TF string is
    /// bytes; here a string is .NET text whose bytes are its UTF-8 encoding (what <c>tf.constant("é")</c>
    /// holds), so byte counts and byte offsets ("BYTE" units) count UTF-8 bytes, and "UTF8_CHAR"
    /// units count Unicode code points. Ops that give each string several pieces return a
    /// <see cref="RaggedStrings"/> or <see cref="RaggedInts"/> (TF's <c>tf.RaggedTensor</c>).
    /// </summary>
    public static partial class Strings
    {
        /// <summary>
        /// Lowercases each string (<c>tf.strings.lower</c>): with <paramref name="encoding"/> "" (TF's
        /// default) only ASCII A-Z change, as TF does on bytes; with "utf-8" every Unicode letter.
        /// </summary>
        public static StringTensor Lower(StringTensor input, string encoding = "") =>
            Checked(input, nameof(input)).Apply(IsUtf8Case(encoding) ? s => s.ToLowerInvariant() : AsciiLower);

        /// <summary>Uppercases each string (<c>tf.strings.upper</c>), ASCII only unless <paramref name="encoding"/> is "utf-8".</summary>
        public static StringTensor Upper(StringTensor input, string encoding = "") =>
            Checked(input, nameof(input)).Apply(IsUtf8Case(encoding) ? s => s.ToUpperInvariant() : AsciiUpper);

        /// <summary>Drops leading and trailing ASCII whitespace from each string (<c>tf.strings.strip</c>).</summary>
        public static StringTensor Strip(StringTensor input) => Checked(input, nameof(input)).Apply(s => s.Trim(AsciiWhitespace));

        /// <summary>
        /// The length of each string, an int32 tensor of the input's shape (<c>tf.strings.length</c>):
        /// in UTF-8 bytes for <paramref name="unit"/> "BYTE" (TF's default), in code points for "UTF8_CHAR".
        /// </summary>
        public static Tensor Length(StringTensor input, string unit = "BYTE")
        {
            bool bytes = IsByteUnit(unit);
            var values = Checked(input, nameof(input)).Values;
            var lengths = new int[values.Count];
            for (int i = 0; i < lengths.Length; i++) lengths[i] = bytes ? Data.ByteStrings.ByteCount(values[i]) : CodePoints(values[i]);
            return Constant(lengths, input.Shape);
        }

        /// <summary>
        /// Joins the strings of <paramref name="inputs"/> element by element with <paramref name="separator"/>
        /// (<c>tf.strings.join</c>): all of one shape, or scalars, which go with every element.
        /// </summary>
        public static StringTensor Join(IReadOnlyList<StringTensor> inputs, string separator = "")
        {
            ArgumentNullException.ThrowIfNull(inputs);
            ArgumentNullException.ThrowIfNull(separator);
            if (inputs.Count == 0) throw new ArgumentException("Strings.Join: inputs is empty; give at least one string tensor.", nameof(inputs));
            Shape? shape = null;
            for (int i = 0; i < inputs.Count; i++)
            {
                var t = inputs[i] ?? throw new ArgumentNullException(nameof(inputs), $"Strings.Join: input {i} is null.");
                if (t.Rank == 0) continue;
                if (shape is not null && shape != t.Shape)
                    throw new ArgumentException($"Strings.Join: input {i} has shape {t.Shape}, but an earlier input has shape {shape}; inputs must be of one shape, or scalars.", nameof(inputs));
                shape ??= t.Shape;
            }
            shape ??= NeuralFlow.Shape.Scalar;
            var joined = new string[shape.Count];
            for (int j = 0; j < joined.Length; j++)
                joined[j] = Data.ByteStrings.Canonical(string.Join(separator, inputs.Select(t => t.Values[t.Rank == 0 ? 0 : j])));
            return StringTensor.Wrap(joined, shape);
        }

        /// <summary>
        /// Joins the strings along <paramref name="axis"/> (<c>tf.strings.reduce_join</c>; null joins every
        /// string in row-major order, a negative axis counts from the end), with <paramref name="separator"/>
        /// between them; <paramref name="keepdims"/> keeps the joined axis with length 1.
        /// </summary>
        public static StringTensor ReduceJoin(StringTensor input, int? axis = null, bool keepdims = false, string separator = "")
        {
            Checked(input, nameof(input));
            ArgumentNullException.ThrowIfNull(separator);
            var dims = input.Shape.ToArray();
            if (axis is null)
            {
                var all = Data.ByteStrings.Canonical(string.Join(separator, input.Values));
                return StringTensor.Wrap([all], keepdims ? new Shape(Enumerable.Repeat(1, dims.Length).ToArray()) : NeuralFlow.Shape.Scalar);
            }
            int a = axis.Value < 0 ? axis.Value + dims.Length : axis.Value;
            if (a < 0 || a >= dims.Length)
                throw new ArgumentOutOfRangeException(nameof(axis), axis, $"Strings.ReduceJoin: axis {axis} is out of range for a string tensor of rank {dims.Length}.");
            int outer = dims[..a].Aggregate(1, (p, d) => p * d), n = dims[a], inner = dims[(a + 1)..].Aggregate(1, (p, d) => p * d);
            var joined = new string[outer * inner];
            var parts = new string[n];
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    for (int k = 0; k < n; k++) parts[k] = input.Values[(o * n + k) * inner + i];
                    joined[o * inner + i] = Data.ByteStrings.Canonical(string.Join(separator, parts));
                }
            var kept = dims.ToList();
            if (keepdims) kept[a] = 1; else kept.RemoveAt(a);
            return StringTensor.Wrap(joined, new Shape(kept.ToArray()));
        }

        /// <summary>ASCII lowercase (TF's bytes rule, Keras' "lower" standardize): only A-Z change.</summary>
        internal static string AsciiLower(string s) =>
            string.Create(s.Length, s, (span, t) => { for (int i = 0; i < t.Length; i++) span[i] = t[i] is >= 'A' and <= 'Z' ? (char)(t[i] + 32) : t[i]; });

        private static string AsciiUpper(string s) =>
            string.Create(s.Length, s, (span, t) => { for (int i = 0; i < t.Length; i++) span[i] = t[i] is >= 'a' and <= 'z' ? (char)(t[i] - 32) : t[i]; });

        /// <summary>C's isspace in the "C" locale: what TF's whitespace split and strip break on.</summary>
        internal static readonly char[] AsciiWhitespace = [' ', '\t', '\n', '\v', '\f', '\r'];

        private static int CodePoints(string s)
        {
            int n = 0;
            foreach (var _ in s.EnumerateRunes()) n++;
            return n;
        }

        private static bool IsUtf8Case(string encoding) => encoding switch
        {
            null => throw new ArgumentNullException(nameof(encoding)),
            "" => false,
            _ when encoding.Equals("utf-8", StringComparison.OrdinalIgnoreCase) => true,
            _ => throw new ArgumentException($"Strings: unknown encoding '{encoding}'; it must be \"\" (ASCII, TF's default) or \"utf-8\".", nameof(encoding)),
        };

        private static bool IsByteUnit(string unit) => unit switch
        {
            "BYTE" => true,
            "UTF8_CHAR" => false,
            null => throw new ArgumentNullException(nameof(unit)),
            _ => throw new ArgumentException($"Strings: unknown unit '{unit}'; it must be \"BYTE\" or \"UTF8_CHAR\", as in TensorFlow.", nameof(unit)),
        };

        private static StringTensor Checked(StringTensor input, string name) => input ?? throw new ArgumentNullException(name);
    }
}
