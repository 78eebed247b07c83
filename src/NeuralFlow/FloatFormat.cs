using System.Globalization;

namespace NeuralFlow;

/// <summary>
/// Floating-point values as NumPy prints them (and so TensorFlow, whose tensors print through
/// NumPy): a scalar by its shortest round-trip digits in Python's <c>repr</c> form
/// (<c>1.5081716</c>, <c>1e-08</c>, <c>123456790.0</c>); the elements of an array with at most 8
/// fractional digits (NumPy's default precision, "maxprec"), positional unless the magnitudes
/// call for scientific notation, decimal points aligned across the array
/// (<c>[  1.5 ,   2.  , -10.  ]</c>). A float32 value uses float32's shortest digits
/// (<c>0.33333334</c>), not those of the double that carries it.
/// </summary>
internal static class FloatFormat
{
    private const int Precision = 8;

    /// <summary>The shortest round-trip decimal digits of <paramref name="v"/> (finite, nonzero): digits without a point, and the decimal exponent of the first digit.</summary>
    private static (string Digits, int Exponent) Shortest(double v, DType dtype)
    {
        string r = dtype switch
        {
            DType.Float32 => ((float)Math.Abs(v)).ToString("R", CultureInfo.InvariantCulture),
            DType.Float16 => ((Half)Math.Abs(v)).ToString("R", CultureInfo.InvariantCulture),   // np.float16(0.1) prints 0.1
            _ => Math.Abs(v).ToString("R", CultureInfo.InvariantCulture),
        };
        int e = 0;
        int ePos = r.IndexOfAny(['E', 'e']);
        if (ePos >= 0)
        {
            e = int.Parse(r[(ePos + 1)..], CultureInfo.InvariantCulture);
            r = r[..ePos];
        }
        int point = r.IndexOf('.');
        string intPart = point >= 0 ? r[..point] : r, frac = point >= 0 ? r[(point + 1)..] : "";
        string all = (intPart + frac).TrimStart('0');
        int lead = (intPart + frac).Length - all.Length;          // zeros before the first digit
        int exponent = intPart.Length - 1 - lead + e;
        return (all.TrimEnd('0') is { Length: > 0 } d ? d : "0", exponent);
    }

    /// <summary>A scalar as Python's repr prints it: positional for 1e-4 &lt;= |v| &lt; 1e16, else scientific.</summary>
    public static string Scalar(double v, DType dtype)
    {
        if (NonFinite(v) is { } special) return special;
        if (v == 0) return double.IsNegative(v) ? "-0.0" : "0.0";
        var (digits, exp) = Shortest(v, dtype);
        string sign = v < 0 ? "-" : "";
        if (exp >= -4 && exp < 16)
        {
            var (i, f) = Positional(digits, exp);
            return sign + i + "." + (f.Length == 0 ? "0" : f);
        }
        string mantissa = digits.Length == 1 ? digits : digits[..1] + "." + digits[1..];
        return $"{sign}{mantissa}e{(exp < 0 ? "-" : "+")}{Math.Abs(exp):00}";
    }

    /// <summary>The cells of an array, all of one width, as NumPy's array printing aligns them.</summary>
    public static string[] Array(IReadOnlyList<double> values, DType dtype)
    {
        double max = 0, min = double.PositiveInfinity;
        foreach (var v in values)
            if (double.IsFinite(v) && v != 0)
            {
                double a = dtype == DType.Float32 ? Math.Abs((double)(float)v) : Math.Abs(v);
                max = Math.Max(max, a);
                min = Math.Min(min, a);
            }
        // NumPy's rule (suppress=False): scientific when a magnitude is >= 1e8 or < 1e-4, or they span more than 1e3.
        bool scientific = max > 0 && (max >= 1e8 || min < 1e-4 || max / min > 1e3);
        var parts = new (string Sign, string Int, string Frac, int Exp, string? Special)[values.Count];
        for (int k = 0; k < values.Count; k++)
        {
            double v = values[k];
            string sign = double.IsNegative(v) && !double.IsNaN(v) ? "-" : "";
            if (NonFinite(v) is { } special) { parts[k] = ("", "", "", 0, special); continue; }
            if (v == 0) { parts[k] = (sign, "0", "", 0, null); continue; }
            var (digits, exp) = Rounded(Shortest(v, dtype), scientific);
            if (scientific) parts[k] = (sign, digits[..1], digits[1..], exp, null);
            else
            {
                var (i, f) = Positional(digits, exp);
                parts[k] = (sign, i, f, 0, null);
            }
        }
        int padLeft = 0, padRight = 0, expDigits = 2;
        foreach (var p in parts)
            if (p.Special is null)
            {
                padLeft = Math.Max(padLeft, p.Sign.Length + p.Int.Length);
                padRight = Math.Max(padRight, p.Frac.Length);
                expDigits = Math.Max(expDigits, Math.Abs(p.Exp).ToString(CultureInfo.InvariantCulture).Length);
            }
        foreach (var p in parts)
            if (p.Special is not null) padLeft = Math.Max(padLeft, p.Special.Length - padRight - 1);
        var cells = new string[parts.Length];
        for (int k = 0; k < parts.Length; k++)
        {
            var p = parts[k];
            if (p.Special is not null) { cells[k] = p.Special.PadLeft(padLeft + padRight + 1 + (scientific ? 2 + expDigits : 0)); continue; }
            string head = (p.Sign + p.Int).PadLeft(padLeft) + ".";
            cells[k] = scientific
                ? head + p.Frac.PadRight(padRight, '0') + (p.Exp < 0 ? "e-" : "e+") + Math.Abs(p.Exp).ToString(CultureInfo.InvariantCulture).PadLeft(expDigits, '0')
                : head + p.Frac.PadRight(padRight);
        }
        return cells;
    }

    private static string? NonFinite(double v) =>
        double.IsNaN(v) ? "nan" : double.IsPositiveInfinity(v) ? "inf" : double.IsNegativeInfinity(v) ? "-inf" : null;

    // The integer and fractional digits of 0.d1d2d3... x 10^(exp + 1).
    private static (string Int, string Frac) Positional(string digits, int exp)
    {
        if (exp < 0) return ("0", new string('0', -exp - 1) + digits);
        if (digits.Length <= exp + 1) return (digits + new string('0', exp + 1 - digits.Length), "");
        return (digits[..(exp + 1)], digits[(exp + 1)..]);
    }

    // Keeps at most Precision digits after the point (positional) or after the first digit
    // (scientific), rounding half to even on the decimal digits, and drops trailing zeros.
    private static (string Digits, int Exp) Rounded((string Digits, int Exp) d, bool scientific)
    {
        int keep = scientific ? Precision + 1 : d.Exp + 1 + Precision;
        if (d.Digits.Length <= keep) return d;
        if (keep <= 0) return keep == 0 && d.Digits[0] >= '5' ? ("1", d.Exp + 1) : ("0", 0);
        var kept = d.Digits[..keep].ToCharArray();
        int next = d.Digits[keep] - '0';
        bool beyond = d.Digits[(keep + 1)..].Any(c => c != '0');
        bool up = next > 5 || (next == 5 && (beyond || (kept[^1] - '0') % 2 == 1));
        int exp = d.Exp;
        if (up)
        {
            int i = kept.Length - 1;
            while (i >= 0 && kept[i] == '9') kept[i--] = '0';
            if (i >= 0) kept[i]++;
            else { kept = ['1', .. kept[..^1]]; exp++; }
        }
        string s = new string(kept).TrimEnd('0');
        return (s.Length == 0 ? "0" : s, exp);
    }
}
