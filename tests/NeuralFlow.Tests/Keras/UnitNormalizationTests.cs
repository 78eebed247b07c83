using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.KerasLayers;

/// <summary>
/// Layers.UnitNormalization and Layers.ActivityRegularization on every engine. Keras values by
/// hand from the documented formulas: x / max(‖x‖₂, 1e-12) along the axes; the identity plus a
/// loss of l1·Σ|x| + l2·Σx².
/// </summary>
public abstract class UnitNormalizationTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Unit_normalization_divides_by_the_l2_norm_along_its_axes()
    {
        RequireBackend();
        using var x = NF.Constant(new float[] { 3, 4, 0, 0, 1, 2, 2, 0 }, [2, 2, 2]);
        // Last axis: rows (3, 4) -> (0.6, 0.8); (0, 0) stays 0 (the norm is floored at 1e-12); (1, 2) / sqrt 5; (2, 0) -> (1, 0).
        var s5 = (float)(1 / Math.Sqrt(5));
        Assert.Equal(new[] { 0.6f, 0.8f, 0, 0, s5, 2 * s5, 1, 0 }, new Layers.UnitNormalization().Call(x).ToArray<float>());
        // Axes 1 and 2 together: one norm per sample (5 and 3).
        Assert.Equal(new[] { 0.6f, 0.8f, 0, 0, 1 / 3f, 2 / 3f, 2 / 3f, 0 }, new Layers.UnitNormalization([1, 2]).Call(x).ToArray<float>());
        GradientTests.Check(t => new Layers.UnitNormalization().Call(t[0]), GradientTests.In([3, 4], 1));
        GradientTests.Check(t => new Layers.UnitNormalization([0, 2]).Call(t[0]), GradientTests.In([2, 3, 2], 2));
        Assert.Contains("axis [3]", Assert.Throws<ArgumentException>(() => new Layers.UnitNormalization(3).Call(x)).Message);
        Assert.Contains("distinct", Assert.Throws<ArgumentException>(() => new Layers.UnitNormalization([1, -2]).Call(x)).Message);
    }

    [SkippableFact]
    public void Activity_regularization_passes_its_input_and_adds_its_penalty()
    {
        RequireBackend();
        using var x = NF.Constant(new float[] { 1, -2, 3, -0.5f }, [2, 2]);
        var layer = new Layers.ActivityRegularization(l1: 0.1, l2: 0.01);
        Assert.Equal(x.ToArray<float>(), layer.Call(x).ToArray<float>());
        // 0.1 * 6.5 + 0.01 * 14.25
        Assert.Equal(0.7925f, Assert.Single(layer.Losses).ToArray<float>()[0], 1e-6f);
        var config = layer.GetConfig();
        Assert.Equal(0.1, config["l1"]!.GetValue<double>());
        Assert.Null(config["activity_regularizer"]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.ActivityRegularization(l1: -1));
        // In a model the penalty joins the training loss, as any activity regularizer's.
        var model = new Sequential([new Layers.InputLayer([2]), new Layers.ActivityRegularization(l2: 1), new Layers.Dense(1)]);
        model.Call(x);
        AssertClose([14.25], [model.Losses.Sum(l => l.ToArray<float>()[0])], 1e-6, 1e-6);
    }
}

public sealed class ManagedUnitNormalizationTests() : UnitNormalizationTests("managed");

public sealed class NativeCpuUnitNormalizationTests() : UnitNormalizationTests("cpu");

public sealed class CudaUnitNormalizationTests() : UnitNormalizationTests("cuda");
