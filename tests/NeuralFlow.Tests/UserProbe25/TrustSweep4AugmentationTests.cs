using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// The hostile-input sweep of the augmentation factors against Keras 3's sources
/// (keras/src/layers/preprocessing/image_preprocessing): a negative single factor is taken by its size
/// (<c>factor = abs(factor)</c>) and a reversed pair is sorted, where NeuralFlow refused both (tf.keras 2's
/// rule); RandomZoom's range is (-1, 1], where a zoom of -1 (a window of no size, a flat image) was taken;
/// RandomRotation's NaN factor read "must lie in [-1.79E+308, 1.79E+308]", before.
/// </summary>
public abstract class TrustSweep4AugmentationTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_negative_single_factor_is_taken_by_its_size_and_a_reversed_pair_sorted()
    {
        RequireBackend();
        Assert.Equal((-0.2, 0.2), new Layers.RandomRotation(-0.2).Factor);
        Assert.Equal((-0.1, 0.3), new Layers.RandomRotation((0.3, -0.1)).Factor);
        Assert.Equal((-0.5, 0.5), new Layers.RandomZoom(-0.5).HeightFactor);
        Assert.Equal((-0.25, 0.25), new Layers.RandomZoom(0.1, -0.25).WidthFactor);
        var shift = new Layers.RandomTranslation((-0.5, 0.5), (0.2, -0.1));
        Assert.Equal((-0.5, 0.5), new Layers.RandomTranslation(-0.5, 0.1).HeightFactor);
        Assert.Equal(((-0.5, 0.5), (-0.1, 0.2)), (shift.HeightFactor, shift.WidthFactor));
        Assert.Equal((-0.4, 0.4), new Layers.RandomBrightness(-0.4).Factor);
        Assert.Equal((-0.3, 0.1), new Layers.RandomBrightness((0.1, -0.3)).Factor);
        // A Keras config with a negative single factor loads as Keras builds it.
        var loaded = KerasSerialization.FromConfig<Layers.RandomRotation>(new JsonObject { ["factor"] = -0.2, ["name"] = "rot" });
        Assert.Equal((-0.2, 0.2), loaded.Factor);
        // RandomContrast keeps Keras 3's refusal of a negative factor.
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomContrast(-0.2));
    }

    [SkippableFact]
    public void A_zoom_of_minus_one_and_non_finite_factors_are_refused_by_name()
    {
        RequireBackend();
        var minusOne = Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomZoom(-1));
        Assert.Equal("heightFactor", minusOne.ParamName);
        Assert.Contains("must lie in (-1, 1]", minusOne.Message);
        Assert.Equal("widthFactor", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomZoom((-0.2, 0.2), (-1.0, 0.0))).ParamName);
        Assert.Equal((-0.99, 1.0), new Layers.RandomZoom((-0.99, 1.0)).HeightFactor);
        var nan = Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomRotation(double.NaN));
        Assert.Contains("RandomRotation: factor must be finite numbers, got (NaN, NaN)", nan.Message);
        Assert.Contains("must be finite", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.RandomTranslation(0.1, double.PositiveInfinity)).Message);
    }
}

/// <summary>The augmentation-factor sweep on the managed backend.</summary>
public sealed class ManagedTrustSweep4AugmentationTests() : TrustSweep4AugmentationTests("managed");

/// <summary>The augmentation-factor sweep on the native CPU backend.</summary>
public sealed class NativeCpuTrustSweep4AugmentationTests() : TrustSweep4AugmentationTests("cpu");

/// <summary>The augmentation-factor sweep on CUDA.</summary>
public sealed class CudaTrustSweep4AugmentationTests() : TrustSweep4AugmentationTests("cuda");
