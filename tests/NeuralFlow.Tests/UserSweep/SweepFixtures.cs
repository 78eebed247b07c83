using System.Text.Json.Nodes;

namespace NeuralFlow.Tests.UserSweep;

/// <summary>
/// Reads UserSweep/usersweep_fixtures.json (made by make_usersweep_fixtures.py with PyTorch 1.13
/// and NumPy): arrays as {values, shape, dtype}, with NaN and infinities written as strings.
/// </summary>
internal static class SweepFixtures
{
    private static readonly Lazy<JsonObject> Root = new(() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "UserSweep", "usersweep_fixtures.json")))!.AsObject());

    public static JsonArray Section(string name) => Root.Value[name]!.AsArray();

    public static JsonObject Object(string name) => Root.Value[name]!.AsObject();

    /// <summary>Case <paramref name="index"/> of an op section ("ops", "grads"): the case, its op's name, its inputs.</summary>
    public static (JsonNode Case, string Op, Tensor[] Inputs) OpCase(string section, int index)
    {
        var c = Section(section)[index]!;
        return (c, c["op"]!.GetValue<string>(), c["inputs"]!.AsArray().Select(a => Tensor(a!)).ToArray());
    }

    public static double Number(JsonNode? v) => v switch
    {
        null => double.NaN,
        _ when v.GetValueKind() == System.Text.Json.JsonValueKind.String => v.GetValue<string>() switch
        {
            "nan" => double.NaN,
            "inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            var s => throw new InvalidDataException($"unknown number {s}"),
        },
        _ when v.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => v.GetValue<bool>() ? 1 : 0,
        _ => v.GetValue<double>(),
    };

    public static double[] Values(JsonNode array) => array["values"]!.AsArray().Select(Number).ToArray();

    public static Shape ShapeOf(JsonNode array) => new(array["shape"]!.AsArray().Select(v => v!.GetValue<int>()).ToArray());

    public static DType DTypeOf(JsonNode array) => array["dtype"]!.GetValue<string>() switch
    {
        "float32" => DType.Float32,
        "float64" => DType.Float64,
        "int32" => DType.Int32,
        "int64" => DType.Int64,
        "uint8" => DType.UInt8,
        "bool" => DType.Bool,
        var d => throw new InvalidDataException($"unknown dtype {d}"),
    };

    /// <summary>The array as a tensor of its own dtype (built from exact values, not via a cast from float).</summary>
    public static Tensor Tensor(JsonNode array)
    {
        var v = Values(array);
        var shape = ShapeOf(array);
        return DTypeOf(array) switch
        {
            DType.Float32 => NF.Constant(v.Select(x => (float)x).ToArray(), shape),
            DType.Float64 => NF.Constant(v, shape),
            DType.Int32 => NF.Constant(v.Select(x => (int)x).ToArray(), shape),
            DType.Int64 => NF.Constant(array["values"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray(), shape),
            DType.UInt8 => NF.Constant(v.Select(x => (byte)x).ToArray(), shape),
            _ => NF.Constant(v.Select(x => x != 0).ToArray(), shape),
        };
    }

    /// <summary>Any tensor's values as doubles (bools as 0/1).</summary>
    public static double[] Doubles(Tensor t) => t.DType switch
    {
        DType.Bool => t.ToArray<bool>().Select(b => b ? 1.0 : 0.0).ToArray(),
        DType.Int64 => t.ToArray<long>().Select(x => (double)x).ToArray(),
        _ => NF.Cast(t, DType.Float64).ToArray<double>(),
    };

    /// <summary>
    /// Within rtol/atol, NaN where NaN is expected, infinities of the same sign, and zeros with
    /// the expected sign where <paramref name="signedZeros"/>.
    /// </summary>
    public static void AssertValues(double[] expected, double[] actual, double rtol, double atol, string what, bool signedZeros = false)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            bool ok = double.IsNaN(e) ? double.IsNaN(a)
                : double.IsInfinity(e) ? e == a
                : Math.Abs(a - e) <= atol + rtol * Math.Abs(e);
            if (ok && signedZeros && e == 0 && a == 0) ok = double.IsNegative(e) == double.IsNegative(a);
            Assert.True(ok, $"{what} [{i}]: expected {e:R}, got {a:R}");
        }
    }
}
