using System.Globalization;
using NeuralFlow.Data;

namespace NeuralFlow;

public static partial class NF
{
    public static partial class Strings
    {
        /// <summary>
        /// Each string as a number (<c>tf.strings.to_number</c>), a tensor of the input's shape and
        /// <paramref name="outType"/>: float32 (TF's default) or float64 from decimal or exponent notation,
        /// "inf" and "nan" in any case; int32 or int64 from whole numbers; surrounding whitespace is allowed.
        /// A string that is not such a number (or an integer out of range) is refused naming it, as TF's
        /// "StringToNumberOp could not correctly convert string: ...".
        /// </summary>
        public static Tensor ToNumber(StringTensor input, DType outType = DType.Float32)
        {
            Checked(input, nameof(input));
            var values = input.Values;
            switch (outType)
            {
                case DType.Float32:
                    return Constant(Parse<float>(values, s => TryFloat(s, out var d) ? (float)d : null), input.Shape);
                case DType.Float64:
                    return Constant(Parse<double>(values, s => TryFloat(s, out var d) ? d : null), input.Shape);
                case DType.Int32:
                    return Constant(Parse<int>(values, s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null), input.Shape);
                case DType.Int64:
                    return Constant(Parse<long>(values, s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null), input.Shape);
                default:
                    throw new ArgumentException($"Strings.ToNumber: outType {outType} is not one of float32, float64, int32, int64 (tf.strings.to_number's).", nameof(outType));
            }
        }

        private static T[] Parse<T>(IReadOnlyList<string> strings, Func<string, T?> parse) where T : struct
        {
            var result = new T[strings.Count];
            for (int i = 0; i < result.Length; i++)
                result[i] = parse(strings[i]) ?? throw new ArgumentException($"StringToNumberOp could not correctly convert string: {strings[i]}", "input");
            return result;
        }

        // TF's safe_strtod: decimal or exponent notation, "inf"/"nan" in any case, signs, surrounding whitespace.
        private static bool TryFloat(string s, out double value)
        {
            var t = s.AsSpan().Trim(AsciiWhitespace);
            var body = t.Length > 0 && t[0] is '+' or '-' ? t[1..] : t;
            double sign = t.Length > 0 && t[0] == '-' ? -1 : 1;
            if (body.Equals("inf", StringComparison.OrdinalIgnoreCase)) { value = sign * double.PositiveInfinity; return true; }
            if (body.Equals("nan", StringComparison.OrdinalIgnoreCase)) { value = double.NaN; return true; }
            // .NET also reads "Infinity" and "NaN" in other spellings: only digits, a point and an exponent go further.
            foreach (char c in body) if (!(char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '+' or '-')) { value = 0; return false; }
            return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }

        /// <summary>
        /// Each number as a string (<c>tf.strings.as_string</c>), with C's printf rules as TF: floats "%f"
        /// (3.5 is "3.500000"), or <paramref name="precision"/> digits after the point, <paramref name="scientific"/>
        /// "%e" ("3.500000e+00") or <paramref name="shortest"/> "%g" ("3.5"); integers "%d"; bools "true"/"false".
        /// <paramref name="width"/> pads to that many characters with spaces, or with <paramref name="fill"/>
        /// ("0" zeros after the sign, "-" left-aligns, "+" shows the sign of positive numbers, " " spaces).
        /// </summary>
        public static StringTensor AsString(Tensor input, int precision = -1, bool scientific = false, bool shortest = false, int width = -1, string fill = "")
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(fill);
            if (scientific && shortest) throw new ArgumentException("Strings.AsString: cannot select both scientific and shortest notation.", nameof(shortest));
            if (fill.Length > 1 || fill.Length == 1 && fill[0] is not (' ' or '0' or '-' or '+'))
                throw new ArgumentException($"Strings.AsString: fill \"{fill}\" is not supported; it must be \"\", \" \", \"0\", \"-\" or \"+\".", nameof(fill));
            bool floating = input.DType.IsFloating();
            if (!floating && (precision >= 0 || scientific || shortest))
                throw new ArgumentException($"Strings.AsString: precision, scientific and shortest apply to floats, but input is {input.DType}.", nameof(precision));
            string[] text = input.DType switch
            {
                DType.Float32 => Array.ConvertAll(input.ToArray<float>(), v => FormatFloat(v, precision, scientific, shortest)),
                DType.Float64 => Array.ConvertAll(input.ToArray<double>(), v => FormatFloat(v, precision, scientific, shortest)),
                DType.Float16 => Array.ConvertAll(input.ToArray<Half>(), v => FormatFloat((double)v, precision, scientific, shortest)),
                DType.Int32 => Array.ConvertAll(input.ToArray<int>(), v => v.ToString(CultureInfo.InvariantCulture)),
                DType.Int64 => Array.ConvertAll(input.ToArray<long>(), v => v.ToString(CultureInfo.InvariantCulture)),
                DType.UInt8 => Array.ConvertAll(input.ToArray<byte>(), v => v.ToString(CultureInfo.InvariantCulture)),
                DType.Bool => Array.ConvertAll(input.ToArray<bool>(), v => v ? "true" : "false"),
                _ => throw new ArgumentException($"Strings.AsString: input of dtype {input.DType} cannot be formatted.", nameof(input)),
            };
            if (fill == "+") text = Array.ConvertAll(text, t => t.Length > 0 && char.IsAsciiDigit(t[0]) || t == "inf" ? "+" + t : t);
            if (width > 0) text = Array.ConvertAll(text, t => Pad(t, width, fill));
            return StringTensor.Wrap(text, input.Shape);
        }

        // printf's %f / %e / %g of a double (C's default precision 6).
        private static string FormatFloat(double v, int precision, bool scientific, bool shortest)
        {
            // glibc prints "-nan" for a NaN with its sign bit set, which .NET's float.NaN has (numpy's nan has not): "nan" for either.
            if (double.IsNaN(v)) return "nan";
            if (double.IsInfinity(v)) return v > 0 ? "inf" : "-inf";
            int p = precision < 0 ? 6 : precision;
            if (scientific) return Exponent(v, p);
            if (!shortest) return v.ToString("F" + p, CultureInfo.InvariantCulture);
            // %g: P significant digits; fixed when the exponent X is in [-4, P), trailing zeros dropped.
            int g = p == 0 ? 1 : p;
            var e = Exponent(v, g - 1);
            int x = int.Parse(e[(e.IndexOf('e') + 1)..], CultureInfo.InvariantCulture);
            var s = x >= -4 && x < g ? v.ToString("F" + (g - 1 - x), CultureInfo.InvariantCulture) : e;
            int exp = s.IndexOf('e');
            var mantissa = exp < 0 ? s : s[..exp];
            if (mantissa.Contains('.')) mantissa = mantissa.TrimEnd('0').TrimEnd('.');
            return exp < 0 ? mantissa : mantissa + s[exp..];
        }

        // printf's %.pe: "3.500000e+00", the exponent signed and at least two digits.
        private static string Exponent(double v, int p)
        {
            var s = v.ToString("E" + p, CultureInfo.InvariantCulture);   // "3.500000E+000": correctly rounded, three exponent digits
            int e = s.IndexOf('E');
            var digits = s[(e + 2)..].TrimStart('0').PadLeft(2, '0');
            return s[..e] + "e" + s[e + 1] + digits;
        }

        // printf's field width: spaces before, zeros after the sign ("0"), or spaces after ("-").
        private static string Pad(string t, int width, string fill)
        {
            if (t.Length >= width) return t;
            if (fill == "-") return t.PadRight(width);
            bool number = t.Length > 0 && (char.IsAsciiDigit(t[^1]));
            if (fill == "0" && number)
            {
                int signs = t.Length > 0 && t[0] is '-' or '+' ? 1 : 0;
                return t[..signs] + new string('0', width - t.Length) + t[signs..];
            }
            return t.PadLeft(width);
        }
    }
}
