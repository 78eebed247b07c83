using NeuralFlow.Keras;
using static NeuralFlow.Tests.UserSweep.SweepFixtures;

namespace NeuralFlow.Tests.SweepLayers;

/// <summary>
/// The docstring examples of Keras 3's LayerNormalization, RMSNormalization and UnitNormalization
/// (keras/src/layers/normalization/*.py) on every engine: the published weight shapes, the
/// published RMSNormalization output (which, already of mean square 1, normalizes to itself), and
/// UnitNormalization of an <c>np.arange</c> (int64) array.
/// </summary>
public abstract class NormalizationDocstringTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void LayerNormalization_over_three_axes_has_weights_of_their_shape()
    {
        RequireBackend();
        // layer_normalization.py: LayerNormalization(axis=[1, 2, 3]).build([5, 20, 30, 40]).
        var layer = new Layers.LayerNormalization([1, 2, 3]);
        layer.EnsureBuilt([5, 20, 30, 40]);
        Assert.Equal(new Shape(20, 30, 40), layer.Beta!.Shape);
        Assert.Equal(new Shape(20, 30, 40), layer.Gamma!.Shape);
    }

    // rms_normalization.py prints the layer's output for an rand(1, 10) input it does not show.
    private static readonly double[] PublishedRms =
        [0.35098287, 1.0495652, 1.4645109, 1.2944688, 0.31124955, 1.2768592, 1.184331, 0.17474432, 0.49955517, 1.2428929];

    [SkippableFact]
    public void RMSNormalization_has_the_published_scale_and_keeps_its_published_output()
    {
        RequireBackend();
        var layer = new Layers.RMSNormalization();
        layer.EnsureBuilt([5, 20, 30, 10]);
        Assert.Equal(new Shape(10), layer.Scale!.Shape);
        // The published output has a mean square of 1 (to 1e-7), so normalizing it again gives it back:
        // x * rsqrt(mean(x^2) + 1e-6) * scale with scale ones.
        var y = layer.Call(NF.Constant(PublishedRms, [1, 10]));
        Assert.Equal(new Shape(1, 10), y.Shape);
        AssertValues(PublishedRms, Doubles(y), 2e-6, 0, "RMSNormalization");
    }

    [SkippableFact]
    public void UnitNormalization_of_an_integer_array_gives_unit_rows()
    {
        RequireBackend();
        // unit_normalization.py: UnitNormalization() on arange(6).reshape(2, 3); row 0's squares sum to 1.0.
        var y = new Layers.UnitNormalization().Call(NF.Reshape(NF.Range(0L, 6L), [2, 3]));
        Assert.Equal(DType.Float32, y.DType);
        var values = Doubles(y);
        Assert.Equal(1.0, values[..3].Sum(v => v * v), 6);
        AssertValues([0, 1 / Math.Sqrt(5), 2 / Math.Sqrt(5), 3 / Math.Sqrt(50), 4 / Math.Sqrt(50), 5 / Math.Sqrt(50)], values, 1e-6, 0, "UnitNormalization");
    }
}

public sealed class ManagedNormalizationDocstringTests() : NormalizationDocstringTests("managed");

public sealed class NativeCpuNormalizationDocstringTests() : NormalizationDocstringTests("cpu");

public sealed class CudaNormalizationDocstringTests() : NormalizationDocstringTests("cuda");
