using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// tf.strings.to_number and tf.strings.as_string (NF.Strings.ToNumber, AsString). Expected values:
/// strings_references.py ("to_number", and "as_string %f": C's printf through Python's % operator, the
/// formatting TF's AsString kernel uses) and the TF docs.
/// </summary>
public abstract class StringsToNumberTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void To_number_parses_floats_by_default_and_the_other_types_on_request()
    {
        RequireBackend();
        // strings_references.py "to_number": [3.5, 0.001, -inf, -17]
        var floats = NF.Strings.ToNumber(new StringTensor([" 3.5 ", "1e-3", "-inf", "NaN"]));
        Assert.Equal(DType.Float32, floats.DType);
        var f = floats.ToArray<float>();
        Assert.Equal(new[] { 3.5f, 0.001f, float.NegativeInfinity }, f[..3]);
        Assert.True(float.IsNaN(f[3]));
        var doubles = NF.Strings.ToNumber(new StringTensor(["0.1", "2"], new Shape(2)), DType.Float64);
        Assert.Equal(new[] { 0.1, 2.0 }, doubles.ToArray<double>());
        Assert.Equal(new[] { -17, 42 }, NF.Strings.ToNumber(new StringTensor([" -17 ", "+42"]), DType.Int32).ToArray<int>());
        Assert.Equal(new[] { 9007199254740993L }, NF.Strings.ToNumber(new StringTensor(["9007199254740993"]), DType.Int64).ToArray<long>());
        // The shape is the input's.
        Assert.Equal(new Shape(2, 1), NF.Strings.ToNumber(new StringTensor(["1", "2"], new Shape(2, 1))).Shape);
    }

    [SkippableFact]
    public void A_string_that_is_not_a_number_is_refused_naming_it_as_TF_does()
    {
        RequireBackend();
        // TF: InvalidArgumentError: StringToNumberOp could not correctly convert string: abc
        var e = Assert.Throws<ArgumentException>(() => NF.Strings.ToNumber(new StringTensor(["1", "abc"])));
        Assert.Equal("input", e.ParamName);
        Assert.StartsWith("StringToNumberOp could not correctly convert string: abc", e.Message);
        Assert.Throws<ArgumentException>(() => NF.Strings.ToNumber(new StringTensor(["1.5"]), DType.Int32));
        Assert.Throws<ArgumentException>(() => NF.Strings.ToNumber(new StringTensor(["3000000000"]), DType.Int32));
        Assert.Throws<ArgumentException>(() => NF.Strings.ToNumber(new StringTensor([""])));
        Assert.Throws<ArgumentException>(() => NF.Strings.ToNumber(new StringTensor(["Infinity"])));
        Assert.Equal("outType", Assert.Throws<ArgumentException>(() => NF.Strings.ToNumber(new StringTensor(["1"]), DType.UInt8)).ParamName);
    }

    [SkippableFact]
    public void As_string_formats_as_C_printf_does()
    {
        RequireBackend();
        // strings_references.py "as_string %f": ['3.500000', '0.100000', '-1.00', '3.500000e+00', '3.5', '1.23457e+06',
        //  '0.0001', '1.234e-05', '   42', '-0042', '7    |', '1.235e+04']
        Assert.Equal(["3.500000", "0.100000"], NF.Strings.AsString(NF.Constant(new[] { 3.5f, 0.1f })).ToArray());
        Assert.Equal("-1.00", NF.Strings.AsString(NF.Constant(new[] { -1.005 }), precision: 2).Item());
        Assert.Equal("3.500000e+00", NF.Strings.AsString(NF.Constant(new[] { 3.5f }), scientific: true).Item());
        Assert.Equal("1.235e+04", NF.Strings.AsString(NF.Constant(new[] { 12345.678 }), precision: 3, scientific: true).Item());
        Assert.Equal(["3.5", "1.23457e+06", "0.0001", "1.234e-05"],
            NF.Strings.AsString(NF.Constant(new[] { 3.5, 1234567.0, 0.0001, 0.00001234 }), shortest: true).ToArray());
        Assert.Equal("   42", NF.Strings.AsString(NF.Constant(new[] { 42 }), width: 5).Item());
        Assert.Equal("-0042", NF.Strings.AsString(NF.Constant(new[] { -42 }), width: 5, fill: "0").Item());
        Assert.Equal("7    ", NF.Strings.AsString(NF.Constant(new[] { 7L }), width: 5, fill: "-").Item());
        Assert.Equal(["true", "false"], NF.Strings.AsString(NF.Constant(new[] { true, false })).ToArray());
        Assert.Equal(["nan", "inf", "-inf"], NF.Strings.AsString(NF.Constant(new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })).ToArray());
        Assert.Equal(new Shape(2, 1), NF.Strings.AsString(NF.Constant(new[,] { { 1 }, { 2 } })).Shape);

        Assert.Equal("shortest", Assert.Throws<ArgumentException>(() => NF.Strings.AsString(NF.Constant(new[] { 1f }), scientific: true, shortest: true)).ParamName);
        Assert.Equal("precision", Assert.Throws<ArgumentException>(() => NF.Strings.AsString(NF.Constant(new[] { 1 }), precision: 2)).ParamName);
        Assert.Equal("fill", Assert.Throws<ArgumentException>(() => NF.Strings.AsString(NF.Constant(new[] { 1 }), width: 3, fill: "ab")).ParamName);
    }
}

/// <summary>to_number / as_string on the managed backend.</summary>
public sealed class ManagedStringsToNumberTests() : StringsToNumberTests("managed");

/// <summary>to_number / as_string on the native CPU backend.</summary>
public sealed class NativeCpuStringsToNumberTests() : StringsToNumberTests("cpu");

/// <summary>to_number / as_string on CUDA.</summary>
public sealed class CudaStringsToNumberTests() : StringsToNumberTests("cuda");
