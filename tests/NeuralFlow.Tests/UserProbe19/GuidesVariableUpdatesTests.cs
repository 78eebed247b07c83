namespace NeuralFlow.Tests.UserProbe19;

/// <summary>
/// Writing part of a variable, as TensorFlow's variables do: <c>v.scatter_nd_update/add/sub/max/min</c>
/// (<c>v.ScatterNdUpdate(...)</c>) and sliced assignment <c>v[0, 1:].assign(x)</c> (<c>v[0, 1..] = x</c>).
/// Before, a variable could only be assigned whole (its indexer was read-only).
/// </summary>
public abstract class GuidesVariableUpdatesTests(string backend) : BackendTest(backend)
{
    private static Variable Fresh() => new(new[,] { { 1f, 2f, 3f }, { 4f, 5f, 6f } }, name: "v");

    [SkippableFact]
    public void Scatter_nd_updates_write_in_place()
    {
        RequireBackend();
        var tuples = NF.Constant(new[,] { { 0, 1 }, { 1, 2 } });
        var v = Fresh();
        Assert.Same(v, v.ScatterNdUpdate(tuples, NF.Constant(new[] { 10f, 20f })));
        Assert.Equal(new[] { 1f, 10f, 3f, 4f, 5f, 20f }, v.ToArray<float>());
        var twice = NF.Constant(new[,] { { 0, 0 }, { 0, 0 } });
        Assert.Equal(new[] { 3f, 10f, 3f, 4f, 5f, 20f }, v.ScatterNdAdd(twice, NF.Constant(new[] { 1f, 1f })).ToArray<float>());
        Assert.Equal(new[] { 3f, 10f, 3f, 4f, 5f, 15f }, v.ScatterNdSub(NF.Constant(new[,] { { 1, 2 } }), NF.Constant(new[] { 5f })).ToArray<float>());
        Assert.Equal(new[] { 3f, 10f, 3f, 4f, 9f, 15f }, v.ScatterNdMax(NF.Constant(new[,] { { 1, 1 }, { 0, 1 } }), NF.Constant(new[] { 9f, 1f })).ToArray<float>());
        Assert.Equal(new[] { 3f, 10f, 3f, 4f, 9f, 15f }, v.ScatterNdMin(NF.Constant(new[,] { { 1, 1 } }), NF.Constant(new[] { 12f })).ToArray<float>());
        // Whole rows: index tuples shorter than the rank.
        Assert.Equal(new[] { 0f, 0f, 0f, 4f, 9f, 15f }, v.ScatterNdUpdate(NF.Constant(new[,] { { 0 } }), NF.Zeros([1, 3])).ToArray<float>());
        Assert.Throws<ArgumentException>(() => v.ScatterNdUpdate(NF.Constant(new[,] { { 2, 0 } }), NF.Constant(new[] { 1f })));
        Assert.Equal(new[] { 0f, 0f, 0f, 4f, 9f, 15f }, v.ToArray<float>());
    }

    [SkippableFact]
    public void Sliced_assignment_writes_the_part()
    {
        RequireBackend();
        var v = Fresh();
        v[0, 1..] = NF.Constant(new[] { 7f, 8f });
        Assert.Equal(new[] { 1f, 7f, 8f, 4f, 5f, 6f }, v.ToArray<float>());
        v[.., NF.Step(.., -2)] = NF.Constant(new[,] { { 30f, 10f }, { 60f, 40f } });
        Assert.Equal(new[] { 10f, 7f, 30f, 40f, 5f, 60f }, v.ToArray<float>());
        v[1] = 0f;   // a C# number broadcasts over the part, in the variable's dtype
        Assert.Equal(new[] { 10f, 7f, 30f, 0f, 0f, 0f }, v.ToArray<float>());
        v[NF.Ellipsis, 1] = NF.Constant(new[] { -1f, -2f });
        Assert.Equal(new[] { 10f, -1f, 30f, 0f, -2f, 0f }, v.ToArray<float>());
        v[^1, ^1] = 5;
        Assert.Equal(5f, v[1, 2].Item<float>());
        var e = Assert.Throws<ArgumentException>(() => v[0] = NF.Constant(new[] { 1f, 2f }));
        Assert.Contains("shape (2", e.Message);
        Assert.Throws<ArgumentException>(() => v[0] = NF.Constant(new[] { 1, 2, 3 }));
        // The value may be a view of the variable itself.
        var w = Fresh();
        w[0] = w[1];
        w[.., 1..] = w[.., ..2];
        Assert.Equal(new[] { 4f, 4f, 5f, 4f, 4f, 5f }, w.ToArray<float>());
        var counts = new Variable(new[] { 1, 2, 3, 4 });
        counts[1..3] = 9;
        Assert.Equal(new[] { 1, 9, 9, 4 }, counts.ToArray<int>());
        Assert.Throws<ArgumentException>(() => counts[0] = 1.5);
    }

    [SkippableFact]
    public void Updates_are_not_recorded_and_later_reads_see_them()
    {
        RequireBackend();
        var v = Fresh();
        using var tape = new GradientTape(persistent: true);
        var before = NF.ReduceSum(v * v);
        v[0, 0] = 10f;
        v.ScatterNdAdd(NF.Constant(new[,] { { 1, 0 } }), NF.Constant(new[] { 1f }));
        var after = NF.ReduceSum(v * v);
        // The gradient of the earlier read uses the values it read, the later one the new values.
        Assert.Equal(new[] { 2f, 4f, 6f, 8f, 10f, 12f }, tape.Gradient(before, v).ToArray<float>());
        Assert.Equal(new[] { 20f, 4f, 6f, 10f, 10f, 12f }, tape.Gradient(after, v).ToArray<float>());
    }
}

/// <summary>Partial variable updates, on the managed backend.</summary>
public sealed class ManagedGuidesVariableUpdatesTests() : GuidesVariableUpdatesTests("managed");

/// <summary>Partial variable updates, on the native CPU backend.</summary>
public sealed class NativeCpuGuidesVariableUpdatesTests() : GuidesVariableUpdatesTests("cpu");

/// <summary>Partial variable updates, on the CUDA backend.</summary>
public sealed class CudaGuidesVariableUpdatesTests() : GuidesVariableUpdatesTests("cuda");
