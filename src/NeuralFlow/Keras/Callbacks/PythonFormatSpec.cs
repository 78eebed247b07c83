using System.Globalization;
using System.Text.RegularExpressions;

namespace NeuralFlow.Keras;

/// <summary>
/// Python's format specs for numbers in file-name templates (<c>"{epoch:02d}-{val_loss:.2f}"</c>),
/// the way every Keras ModelCheckpoint example writes them. .NET reads "02d" as a custom format
/// ("0", then the literals "2d": epoch 1 gave "12d"), so a Keras spec is translated first; any other
/// spec stays a .NET format.
/// </summary>
internal static partial class PythonFormatSpec
{
    // [0][width][.precision]type, for the types a number in a file name uses: d, f, e.
    [GeneratedRegex(@"^(?<zero>0)?(?<width>[1-9]\d*)?(?:\.(?<precision>\d+))?(?<type>[dfe])$")]
    private static partial Regex Spec();

    /// <summary>
    /// <paramref name="value"/> formatted by the Python spec <paramref name="spec"/>, or null when
    /// the spec is not one (then it is a .NET format). <paramref name="who"/> names the caller in errors.
    /// </summary>
    public static string? TryFormat(double value, string spec, string who)
    {
        var m = Spec().Match(spec);
        if (!m.Success) return null;
        int? precision = m.Groups["precision"].Success ? int.Parse(m.Groups["precision"].Value, CultureInfo.InvariantCulture) : null;
        string digits = m.Groups["type"].Value switch
        {
            // Python refuses 'd' for a float ("Unknown format code 'd'"); the same here, by name.
            "d" when precision is not null || value != Math.Floor(value) =>
                throw new FormatException($"{who}: the format '{spec}' is for whole numbers, but the value is {value.ToString(CultureInfo.InvariantCulture)}; use '.4f' for a decimal."),
            "d" => ((long)value).ToString(CultureInfo.InvariantCulture),
            "f" => value.ToString("F" + (precision ?? 6), CultureInfo.InvariantCulture),
            // Python's exponent has a sign and at least two digits: 1.23e-05.
            _ => value.ToString("0." + new string('0', precision ?? 6) + "e+00", CultureInfo.InvariantCulture).Replace(".e", "e"),
        };
        int width = m.Groups["width"].Success ? int.Parse(m.Groups["width"].Value, CultureInfo.InvariantCulture) : 0;
        if (digits.Length >= width) return digits;
        if (!m.Groups["zero"].Success) return digits.PadLeft(width);
        // Zero fill goes after the sign, as Python's: -0.5 in 06.2f is -00.50.
        bool negative = digits.StartsWith('-');
        return negative ? "-" + digits[1..].PadLeft(width - 1, '0') : digits.PadLeft(width, '0');
    }
}
