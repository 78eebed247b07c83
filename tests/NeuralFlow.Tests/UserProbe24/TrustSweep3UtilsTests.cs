using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// The hostile-input sweep of the Keras utilities, constraints, WAV and categorical sampling: each
/// case hung, ran the runtime out of memory, threw a .NET runtime error, or answered differently
/// from Keras before.
/// </summary>
public abstract class TrustSweep3UtilsTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Skipgrams_refuses_an_endless_or_huge_negative_count_and_takes_any_window()
    {
        RequireBackend();
        // negativeSamples = inf drew int.MaxValue negatives (minutes, then out of memory).
        var inf = Assert.Throws<ArgumentOutOfRangeException>(() => Utils.Skipgrams([1, 2, 3], 5, 1, double.PositiveInfinity, seed: 1));
        Assert.Equal("negativeSamples", inf.ParamName);
        var huge = Assert.Throws<ArgumentOutOfRangeException>(() => Utils.Skipgrams([1, 2, 3], 5, 1, 1e12, seed: 1));
        Assert.Contains("4e+12 negative couples", huge.Message);
        // A window of int.MaxValue wrapped i + window + 1 negative: no couple at all instead of every pair.
        Assert.Equal(6, Utils.Skipgrams([1, 2, 3], 5, int.MaxValue, 0, shuffle: false, seed: 1).Couples.Count);
    }

    [SkippableFact]
    public void PadSequences_names_a_maxlen_past_one_tensor()
    {
        RequireBackend();
        // An OutOfMemoryException ("Array dimensions exceeded supported range") before.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Utils.PadSequences([new[] { 1, 2 }], int.MaxValue));
        Assert.Equal("maxlen", e.ParamName);
    }

    [SkippableFact]
    public void DecodeWav_names_desired_sizes_past_one_tensor_and_EncodeWav_wants_floats()
    {
        RequireBackend();
        var wav = NF.Audio.EncodeWav(NF.Zeros(new Shape(4, 1)), 8000);
        // OverflowException ("Arithmetic operation resulted in an overflow") from the runtime before.
        Assert.Equal("desiredChannels", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Audio.DecodeWav(wav, int.MaxValue)).ParamName);
        Assert.Equal("desiredSamples", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Audio.DecodeWav(wav, 2, int.MaxValue)).ParamName);
        // tf.audio.encode_wav takes float32 in [-1, 1]; an int tensor of 1 was written as full scale before.
        var e = Assert.Throws<ArgumentException>(() => NF.Audio.EncodeWav(NF.Constant(new int[,] { { 1 } }), 8000));
        Assert.Contains("float samples", e.Message);
    }

    [SkippableFact]
    public void Categorical_names_logits_without_classes()
    {
        RequireBackend();
        // The error came from an inner ArgMax over an axis the caller never wrote.
        var e = Assert.Throws<ArgumentException>(() => NF.Random.Categorical(NF.Zeros(new Shape(2, 0)), 3));
        Assert.Equal("logits", e.ParamName);
        Assert.Contains("no classes", e.Message);
    }

    [SkippableFact]
    public void NonNeg_keeps_a_nan_weight_as_keras_does()
    {
        RequireBackend();
        // Keras' NonNeg is w * cast(w >= 0): NaN and -inf weights give NaN (they were zeroed quietly).
        var w = NF.Constant(new float[] { float.NaN, -1, 2, float.NegativeInfinity });
        var result = new Constraints.NonNeg().Call(w).ToArray<float>();
        Assert.True(float.IsNaN(result[0]));
        Assert.Equal(0f, result[1]);
        Assert.Equal(2f, result[2]);
        Assert.True(float.IsNaN(result[3]));
    }

    [Theory]
    [InlineData("{\"class_name\":\"MaxNorm\",\"config\":{\"axis\":[null]}}", "'axis' must be an integer")]
    [InlineData("{\"class_name\":\"MaxNorm\",\"config\":{\"axis\":\"x\"}}", "'axis' must be an integer")]
    [InlineData("{\"class_name\":\"MaxNorm\",\"config\":{\"max_value\":\"big\"}}", "'max_value' must be a number")]
    [InlineData("3", "'constraint' must be a string")]
    [InlineData("[1]", "class_name")]
    public void Constraint_configs_of_the_wrong_json_kind_are_format_errors(string json, string expected)
    {
        // A NullReferenceException ([null]) or System.Text.Json's InvalidOperationException before.
        var e = Assert.Throws<FormatException>(() => Constraints.FromConfig(JsonNode.Parse(json)));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Regularizer_configs_of_the_wrong_json_kind_are_format_errors()
    {
        Assert.Contains("'l2' must be a number", Assert.Throws<FormatException>(() => Regularizers.FromConfig(JsonNode.Parse("{\"class_name\":\"L2\",\"config\":{\"l2\":\"a\"}}"))).Message);
        Assert.Contains("'regularizer' must be a string", Assert.Throws<FormatException>(() => Regularizers.FromConfig(JsonNode.Parse("3"))).Message);
    }
}

/// <summary>The sweep's utility cases on the managed backend.</summary>
public sealed class ManagedTrustSweep3UtilsTests() : TrustSweep3UtilsTests("managed");

/// <summary>The sweep's utility cases on the native CPU backend.</summary>
public sealed class NativeCpuTrustSweep3UtilsTests() : TrustSweep3UtilsTests("cpu");

/// <summary>The utilities sweep on CUDA.</summary>
public sealed class CudaTrustSweep3UtilsTests() : TrustSweep3UtilsTests("cuda");
