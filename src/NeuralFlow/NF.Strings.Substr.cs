using NeuralFlow.Data;

namespace NeuralFlow;

public static partial class NF
{
    public static partial class Strings
    {
        /// <summary>
        /// The substring of each string from <paramref name="pos"/> of at most <paramref name="len"/> units
        /// (<c>tf.strings.substr</c>): UTF-8 bytes for "BYTE", code points for "UTF8_CHAR"; a negative
        /// <paramref name="pos"/> counts from the end; a <paramref name="pos"/> past either end is refused naming
        /// the string, as TF's "pos 7 out of range"; a substring past the end stops there, and a negative
        /// <paramref name="len"/> takes the rest of the string (TF's "as many characters as possible"). A "BYTE" range
        /// that cuts a multi-byte character keeps the cut bytes escaped (see StringTensor.FromBytes), as TF keeps bytes;
        /// joined back, they are the character again.
        /// </summary>
        public static StringTensor Substr(StringTensor input, int pos, int len, string unit = "BYTE")
        {
            bool bytes = IsByteUnit(unit);
            Checked(input, nameof(input));
            return input.Apply(s => Substring(s, pos, len, bytes));
        }

        /// <summary>
        /// <see cref="Substr(StringTensor, int, int, string)"/> with a position and length per string
        /// (<c>tf.strings.substr(input, pos, len)</c> with tensors): <paramref name="pos"/> and <paramref name="len"/> are
        /// int32 or int64 tensors of one shape, broadcast against <paramref name="input"/> by NumPy's rule, so a [3] pos
        /// and len go with every row of a [4, 3] input and a scalar input gives one substring per position.
        /// </summary>
        public static StringTensor Substr(StringTensor input, Tensor pos, Tensor len, string unit = "BYTE")
        {
            bool bytes = IsByteUnit(unit);
            Checked(input, nameof(input));
            ArgumentNullException.ThrowIfNull(pos);
            ArgumentNullException.ThrowIfNull(len);
            var positions = Positions(pos, nameof(pos));
            var lengths = Positions(len, nameof(len));
            if (pos.Shape != len.Shape)
                throw new ArgumentException($"Strings.Substr: pos has shape {pos.Shape} and len {len.Shape}; they must have the same shape, as in TensorFlow.", nameof(len));
            var shape = Engine.BroadcastShapes("Strings.Substr (input against pos and len)", input.Shape, pos.Shape);
            var fromInput = BroadcastSources(input.Shape, shape);
            var fromPos = BroadcastSources(pos.Shape, shape);
            var result = new string[shape.Count];
            for (int i = 0; i < result.Length; i++)
                result[i] = Substring(input.Values[fromInput[i]], positions[fromPos[i]], lengths[fromPos[i]], bytes);
            return StringTensor.Wrap(result, shape);
        }

        // One string's substring; position and length as TF's kernel takes them, as int64.
        private static string Substring(string s, long pos, long len, bool bytes)
        {
            if (bytes)
            {
                var b = ByteStrings.Encode(s);
                var (start, count) = Window(s, b.Length, pos, len);
                return ByteStrings.Decode(b.AsSpan(start, count));
            }
            var runes = s.EnumerateRunes().ToArray();
            var (from, n) = Window(s, runes.Length, pos, len);
            return string.Concat(runes.Skip(from).Take(n).Select(r => r.ToString()));
        }

        // TF's substr window: pos in [-size, size], the length clipped at the end (a negative length: to the end).
        private static (int Start, int Count) Window(string s, int size, long pos, long len)
        {
            long start = pos < 0 ? pos + size : pos;
            if (start < 0 || start > size)
                throw new ArgumentOutOfRangeException(nameof(pos), pos, $"Strings.Substr: pos {pos} is out of range for string b'{s}' of length {size}.");
            long rest = size - start;
            return ((int)start, (int)(len < 0 ? rest : Math.Min(len, rest)));
        }

        private static long[] Positions(Tensor t, string name) => t.DType switch
        {
            DType.Int32 => Array.ConvertAll(t.ToArray<int>(), v => (long)v),
            DType.Int64 => t.ToArray<long>(),
            _ => throw new ArgumentException($"Strings.Substr: {name} must be int32 or int64, as in TensorFlow, but it is {t.DType.Name()}.", name),
        };

        // For each element of the broadcast shape, the flat index of the element of `from` it reads.
        private static int[] BroadcastSources(Shape from, Shape to)
        {
            var sources = new int[to.Count];
            int offset = to.Rank - from.Rank;
            var strides = new int[to.Rank];   // from's row-major strides on to's axes, 0 where from broadcasts
            for (int axis = to.Rank - 1, stride = 1; axis >= offset; axis--)
            {
                int d = from[axis - offset];
                strides[axis] = d == 1 ? 0 : stride;
                stride *= d;
            }
            var index = new int[to.Rank];
            for (int i = 0; i < sources.Length; i++)
            {
                int source = 0;
                for (int axis = 0; axis < to.Rank; axis++) source += index[axis] * strides[axis];
                sources[i] = source;
                for (int axis = to.Rank - 1; axis >= 0 && ++index[axis] == to[axis]; axis--) index[axis] = 0;
            }
            return sources;
        }
    }
}
