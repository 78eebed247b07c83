using System.Text;
using NeuralFlow.Data;

namespace NeuralFlow;

public static partial class NF
{
    public static partial class Strings
    {
        /// <summary>
        /// Splits each string (<c>tf.strings.split</c>, Python's <c>str.split</c> rule): with <paramref name="sep"/>
        /// null or "" on runs of ASCII whitespace, no empty pieces at either end; with a <paramref name="sep"/>
        /// on each occurrence, empty pieces kept (<c>"1&lt;&gt;2&lt;&gt;&lt;&gt;3"</c> by "&lt;&gt;" is ["1", "2", "", "3"]).
        /// <paramref name="maxsplit"/> &gt; 0 splits at most that often, the rest left whole. A vector of n
        /// strings gives a ragged (n, None) result, a [n, m] tensor (n, m, None) (one more, ragged axis, as in
        /// TensorFlow); one string (a scalar) its 1-D pieces.
        /// </summary>
        public static RaggedStrings Split(StringTensor input, string? sep = null, int maxsplit = -1)
            => RaggedStrings.Of(input, PerString(input, (s, _) => string.IsNullOrEmpty(sep) ? SplitWhitespace(s, maxsplit) : SplitOn(s, sep, maxsplit)));

        /// <summary>
        /// Splits each string into its bytes, one string each (<c>tf.strings.bytes_split</c>): ASCII characters as
        /// themselves, each byte of a multi-byte character escaped (see StringTensor.FromBytes), so that the pieces
        /// joined again (Join, ReduceJoin) give the text back.
        /// </summary>
        public static RaggedStrings BytesSplit(StringTensor input)
            => RaggedStrings.Of(input, PerString(input, (s, _) =>
                Data.ByteStrings.Encode(s).Select(b => Data.ByteStrings.Decode([b])).ToList()));

        /// <summary>Splits each string into its characters (Unicode code points), one string each (<c>tf.strings.unicode_split</c>).</summary>
        public static RaggedStrings UnicodeSplit(StringTensor input, string inputEncoding = "UTF-8")
        {
            RequireUtf8(inputEncoding, nameof(inputEncoding));
            return RaggedStrings.Of(input, PerString(input, (s, _) => s.EnumerateRunes().Select(r => r.ToString()).ToList()));
        }

        /// <summary>The Unicode code points of each string, int32 (<c>tf.strings.unicode_decode</c>): "héllo" is [104, 233, 108, 108, 111].</summary>
        public static RaggedInts UnicodeDecode(StringTensor input, string inputEncoding = "UTF-8")
        {
            RequireUtf8(inputEncoding, nameof(inputEncoding));
            // A lone surrogate is text UTF-8 cannot encode: U+FFFD, as TF's errors="replace" default does to an invalid sequence.
            return RaggedInts.Of(input, PerString(input, (s, _) => s.EnumerateRunes().Select(r => r.Value).ToList()));
        }

        /// <summary>
        /// Strings from rows of code points (<c>tf.strings.unicode_encode</c>): a ragged [n, None] gives n strings,
        /// the (n, m, None) decode of a [n, m] tensor gives [n, m] strings.
        /// An invalid code point (negative, a surrogate or past U+10FFFF) becomes <paramref name="replacementChar"/>
        /// (U+FFFD), TF's errors="replace" default.
        /// </summary>
        public static StringTensor UnicodeEncode(RaggedInts input, string outputEncoding = "UTF-8", int replacementChar = 0xFFFD)
        {
            ArgumentNullException.ThrowIfNull(input);
            RequireUtf8(outputEncoding, nameof(outputEncoding));
            RequireScalarValue(replacementChar);
            if (input.Rank == 1) return new StringTensor(Encode(input.FlatValues, replacementChar));
            return StringTensor.Wrap(input.InnerRows().Select(r => Encode(r, replacementChar)).ToArray(), input.OuterShape);
        }

        /// <summary>
        /// Strings from an int32 tensor of code points (<c>tf.strings.unicode_encode</c>): its last axis is a
        /// string's characters, so a [k] tensor gives one string and an [n, k] tensor n strings.
        /// </summary>
        public static StringTensor UnicodeEncode(Tensor input, string outputEncoding = "UTF-8", int replacementChar = 0xFFFD)
        {
            ArgumentNullException.ThrowIfNull(input);
            RequireUtf8(outputEncoding, nameof(outputEncoding));
            RequireScalarValue(replacementChar);
            if (input.DType != DType.Int32)
                throw new ArgumentException($"Strings.UnicodeEncode: input must be int32 code points, but it is {input.DType}.", nameof(input));
            if (input.Rank == 0) throw new ArgumentException("Strings.UnicodeEncode: input must have at least one axis (a string's code points).", nameof(input));
            var dims = input.Shape.ToArray();
            int width = dims[^1];
            var points = input.ToArray<int>();
            var strings = new string[dims[..^1].Aggregate(1, (p, d) => p * d)];
            for (int i = 0; i < strings.Length; i++) strings[i] = Encode(points.AsSpan(i * width, width).ToArray(), replacementChar);
            return StringTensor.Wrap(strings, NeuralFlow.Shape.Create(dims.AsSpan(0, dims.Length - 1)));
        }

        private static string Encode(int[] codePoints, int replacement)
        {
            var text = new StringBuilder(codePoints.Length);
            foreach (int c in codePoints) text.Append(Rune.IsValid(c) ? new Rune(c).ToString() : new Rune(replacement).ToString());
            return text.ToString();
        }

        private static void RequireScalarValue(int replacementChar)
        {
            if (!Rune.IsValid(replacementChar))
                throw new ArgumentOutOfRangeException(nameof(replacementChar), replacementChar, "Strings.UnicodeEncode: replacementChar must be a valid Unicode code point.");
        }

        // Python's bytes.split(None, maxsplit), on ASCII whitespace.
        private static List<string> SplitWhitespace(string s, int maxsplit)
        {
            var pieces = new List<string>();
            int i = 0, n = s.Length;
            while (true)
            {
                while (i < n && IsSpace(s[i])) i++;
                if (i == n) break;
                if (maxsplit >= 0 && pieces.Count == maxsplit)
                {
                    pieces.Add(s[i..]);   // the rest, trailing whitespace and all, as Python keeps it
                    break;
                }
                int start = i;
                while (i < n && !IsSpace(s[i])) i++;
                pieces.Add(s[start..i]);
            }
            return pieces;
        }

        // Python's bytes.split(sep, maxsplit): every occurrence delimits, empty pieces kept.
        private static List<string> SplitOn(string s, string sep, int maxsplit)
        {
            var pieces = new List<string>();
            int start = 0;
            while (maxsplit < 0 || pieces.Count < maxsplit)
            {
                int at = s.IndexOf(sep, start, StringComparison.Ordinal);
                if (at < 0) break;
                pieces.Add(s[start..at]);
                start = at + sep.Length;
            }
            pieces.Add(s[start..]);
            return pieces;
        }

        private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

        private static void RequireUtf8(string encoding, string name)
        {
            ArgumentNullException.ThrowIfNull(encoding, name);
            if (encoding != "UTF-8")
                throw new ArgumentException($"Strings: unknown encoding '{encoding}'; a .NET string is text, read and written here as \"UTF-8\".", name);
        }

        // The pieces of each string (its text and index, row-major over any rank) for a ragged result, the input checked first.
        private static List<T>[] PerString<T>(StringTensor input, Func<string, int, List<T>> pieces)
        {
            Checked(input, nameof(input));
            var rows = new List<T>[input.Count];
            for (int i = 0; i < rows.Length; i++) rows[i] = pieces(input.Values[i], i);
            return rows;
        }
    }
}
