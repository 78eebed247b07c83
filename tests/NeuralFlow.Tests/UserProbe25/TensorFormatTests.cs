using System.Globalization;

namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// A scalar tensor in a .NET format string, <c>$"{loss:F3}"</c>: the Core API guides print every epoch with
/// <c>f"{train_loss:.3f}"</c>, which TensorFlow formats as the number. The format was ignored and the whole
/// <c>tensor(0.7582951, shape=(), dtype=float32)</c> printed.
/// </summary>
public abstract class TensorFormatTests(string backend) : BackendTest(backend)
{
    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [SkippableFact]
    public void A_scalar_takes_a_numeric_format_and_a_tensor_without_one_prints_whole()
    {
        RequireBackend();
        var loss = NF.ReduceMean(NF.Constant(new[] { 0.7582951f, 0.7f }));
        Assert.Equal("Epoch: 0, Training log loss: 0.729", Invariant($"Epoch: {0}, Training log loss: {loss:F3}"));
        Assert.Equal("7.29E-001", Invariant($"{loss:E2}"));
        Assert.Equal("0,729", string.Format(new NumberFormatInfo { NumberDecimalSeparator = "," }, "{0:F3}", loss));   // the caller's culture
        Assert.Equal("2.500", Invariant($"{NF.Constant(2.5):F3}"));
        Assert.Equal("0.5", Invariant($"{NF.Cast(NF.Constant(0.5f), DType.Float16):F1}"));
        Assert.Equal("007", Invariant($"{NF.Constant(7):D3}"));
        Assert.Equal("0042", Invariant($"{NF.Constant(42L):0000}"));
        Assert.Equal("255", Invariant($"{NF.Cast(NF.Constant(255), DType.UInt8):D}"));
        Assert.Equal("True", Invariant($"{NF.Constant(true):F2}"));
        Assert.Equal("1.25", Invariant($"{new Variable(1.25f):F2}"));

        // Without a format a scalar is its number (TensorFlow's f"{tf.size(A)}" prints 1200; a float as numpy's str of
        // the float32), a vector variable its own rendering.
        Assert.Equal("0.72914755", Invariant($"{loss}"));
        var v = new Variable(NF.Constant(new[] { 1f, 2f }));
        Assert.Equal(v.ToString(), Invariant($"{v}"));
    }

    [SkippableFact]
    public void A_format_for_a_tensor_that_is_not_a_scalar_is_refused_by_name()
    {
        RequireBackend();
        var e = Assert.Throws<FormatException>(() => Invariant($"{NF.Ones([2])}{NF.Ones([2]):F3}"));
        Assert.Contains("A tensor of shape (2,) cannot take the format 'F3'", e.Message);
        Assert.Throws<FormatException>(() => string.Format(CultureInfo.InvariantCulture, "{0:F1}", NF.Ones([1, 1])));
    }
}

/// <summary>Formatted scalars, on the managed backend.</summary>
public sealed class ManagedTensorFormatTests() : TensorFormatTests("managed");

/// <summary>Formatted scalars, on the native CPU backend.</summary>
public sealed class NativeCpuTensorFormatTests() : TensorFormatTests("cpu");

/// <summary>Formatted scalars, on the CUDA backend.</summary>
public sealed class CudaTensorFormatTests() : TensorFormatTests("cuda");
