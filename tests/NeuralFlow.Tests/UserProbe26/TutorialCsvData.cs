using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// Synthetic stand-ins for the "Load CSV data" tutorial's downloads (abalone, titanic, traffic volume,
/// fonts), same column names and kinds, made by deterministic formulas; abalone and titanic by the same
/// formulas as csv_references.py, which parses and trains on them for the tests' reference values.
/// </summary>
internal static class TutorialCsvData
{
    /// <summary>k thousandths as text with three decimals ("0.300"), exactly as csv_references.py's dec.</summary>
    public static string Dec(int k) => string.Create(CultureInfo.InvariantCulture, $"{k / 1000}.{k % 1000:D3}");

    /// <summary>abalone_train.csv: no header; Length, Diameter, Height, Whole, Shucked, Viscera, Shell weight, Age.</summary>
    public static string Abalone(int rows)
    {
        var text = new StringBuilder();
        for (int i = 0; i < rows; i++)
        {
            int length = 300 + (i * 37) % 401, whole = 100 + (i * 53) % 1800, shell = whole * 3 / 10 + (i % 7) * 5;
            int age = 4 + shell * 20 / 1000 + length * 3 / 1000 + (i * 7) % 5;
            text.Append(string.Join(",", Dec(length), Dec(length * 8 / 10), Dec(50 + (i * 11) % 150), Dec(whole), Dec(whole * 4 / 10), Dec(whole * 2 / 10), Dec(shell), age)).Append('\n');
        }
        return text.ToString();
    }

    public static readonly string[] AbaloneNames = ["Length", "Diameter", "Height", "Whole weight", "Shucked weight", "Viscera weight", "Shell weight", "Age"];

    /// <summary>titanic train.csv: a header, ints, floats (age empty every 11th row), strings, one quoted town with a comma.</summary>
    public static string Titanic(int rows)
    {
        string[] classes = ["First", "Second", "Third"], towns = ["Southampton", "Cherbourg", "\"Queenstown, Cork\""];
        var text = new StringBuilder("survived,sex,age,n_siblings_spouses,parch,fare,class,deck,embark_town,alone\n");
        for (int i = 0; i < rows; i++)
        {
            bool female = i % 3 == 1;
            int cls = (i * 7) % 3;
            int survived = (female && cls < 2) || i % 5 == 0 ? 1 : 0;
            string age = i % 11 == 4 ? "" : $"{18 + (i * 13) % 50}.0";
            string fare = string.Create(CultureInfo.InvariantCulture, $"{8 + 30 * (2 - cls) + i % 7}.{(i * 3) % 100:D2}");
            text.Append(CultureInfo.InvariantCulture,
                $"{survived},{(female ? "female" : "male")},{age},{i % 4},{(i / 3) % 3},{fare},{classes[cls]},{(cls == 0 ? "C" : "unknown")},{towns[i % 3]},{(i % 3 == 0 ? "y" : "n")}\n");
        }
        return text.ToString();
    }

    /// <summary>Metro_Interstate_Traffic_Volume.csv.gz's columns: text, floats, ints; traffic_volume grows with the hour.</summary>
    public static string Traffic(int rows)
    {
        var text = new StringBuilder("holiday,temp,rain_1h,snow_1h,clouds_all,weather_main,weather_description,date_time,traffic_volume\n");
        string[] weather = ["Clouds", "Clear", "Rain"];
        for (int i = 0; i < rows; i++)
        {
            int hour = i % 24;
            text.Append(CultureInfo.InvariantCulture,
                $"{(i % 50 == 0 ? "Columbus Day" : "None")},{Dec(270000 + (i * 37) % 30000)},{Dec((i * 7) % 3000)},0.0,{(i * 13) % 101},{weather[i % 3]},{(i % 3 == 2 ? "light rain" : "sky is clear")},2012-10-{2 + i / 24:D2} {hour:D2}:00:00,{500 + 200 * hour + (i * 31) % 97}\n");
        }
        return text.ToString();
    }

    public static void WriteGzip(string path, string text)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>The fonts' header: 12 named columns then the pixels r0c0 .. r19c19 (412 in all).</summary>
    public static readonly string[] FontNames =
        ["font", "fontVariant", "m_label", "strength", "italic", "orientation", "m_top", "m_left", "originalH", "originalW", "h", "w",
         .. Enumerable.Range(0, 400).Select(p => $"r{p / 20}c{p % 20}")];

    /// <summary>One font's file: its rows are characters (m_label a code point), pixel (r, c) of row i is (r * 20 + c + i * 7 + font) % 256.</summary>
    public static string Font(string font, int fontIndex, int rows)
    {
        var text = new StringBuilder(string.Join(",", FontNames)).Append('\n');
        for (int i = 0; i < rows; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{font},scanned,{65 + i},0.4,{i % 2},0.0,{30 + i},{20 + fontIndex},{50 + i % 9},{40 + i % 5},20,20");
            for (int p = 0; p < 400; p++) text.Append(',').Append(Pixel(fontIndex, i, p));
            text.Append('\n');
        }
        return text.ToString();
    }

    public static int Pixel(int fontIndex, int row, int p) => (p + row * 7 + fontIndex) % 256;
}
