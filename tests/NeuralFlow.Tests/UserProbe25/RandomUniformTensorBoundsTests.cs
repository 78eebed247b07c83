namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// <c>tf.random.uniform</c> with tensor bounds, as the Core MLP guide's xavier_init passes them
/// (<c>minval=-xavier_lim, maxval=xavier_lim</c>, the limit a tensor): the numbers are the unit draw of the same seed
/// scaled, a bound per column broadcasts, the bounds get gradients, and a traced function keeps them symbolic.
/// </summary>
public abstract class RandomUniformTensorBoundsTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Tensor_bounds_scale_the_seeded_unit_draw_and_broadcast_per_column()
    {
        RequireBackend();
        try
        {
            NF.Random.SetSeed(22);
            var unit = NF.Random.Uniform([3, 4], seed: 7).ToArray<float>();
            NF.Random.SetSeed(22);
            var lim = NF.Sqrt(6f) / NF.Sqrt(NF.Constant(7f));
            var drawn = NF.Random.Uniform([3, 4], minval: -lim, maxval: lim, seed: 7).ToArray<float>();
            float l = MathF.Sqrt(6f) / MathF.Sqrt(7f);
            Assert.Equal(unit.Select(u => u * 2 * l - l), drawn, new UserProbe24.Near(1e-6f));

            // A bound per column: column j lies in [j, j + 1).
            var low = NF.Constant(new[] { 0f, 1f, 2f, 3f });
            var columns = NF.Random.Uniform([500, 4], minval: low, maxval: low + 1, seed: 3);
            Assert.Equal(new[] { 0f, 1f, 2f, 3f }, NF.Floor(NF.ReduceMin(columns, axis: 0)).ToArray<float>());
            Assert.Equal(new[] { 0f, 1f, 2f, 3f }, NF.Floor(NF.ReduceMax(columns, axis: 0)).ToArray<float>());

            // A float64 draw casts float32 bounds; a weak C# number mixes with a tensor.
            var wide = NF.Random.Uniform([2], minval: NF.Constant(-1f), maxval: 1.0, dtype: DType.Float64, seed: 1);
            Assert.Equal(DType.Float64, wide.DType);
            Assert.All(wide.ToArray<double>(), v => Assert.InRange(v, -1.0, 1.0));
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }

    [SkippableFact]
    public void The_bounds_get_gradients_and_stay_symbolic_in_a_traced_function()
    {
        RequireBackend();
        var low = new Variable(NF.Constant(-2f));
        var high = new Variable(NF.Constant(3f));
        using (var tape = new GradientTape())
        {
            var draw = NF.Random.Uniform([1000], minval: low, maxval: high, seed: 5);
            var grads = tape.Gradient(NF.ReduceSum(draw), [low, high]);
            // d/dlow sum(u (high - low) + low) = sum(1 - u), d/dhigh = sum(u); they add up to the count.
            Assert.Equal(1000f, grads[0].Item<float>() + grads[1].Item<float>(), 1e-2f);
            Assert.InRange(grads[1].Item<float>(), 400f, 600f);
        }

        // The bound is an argument of the traced function: a new value is not the traced one.
        var scaled = NF.Function((Tensor limit) => NF.ReduceMax(NF.Abs(NF.Random.Uniform([200], minval: -limit, maxval: limit))));
        Assert.InRange(scaled(NF.Constant(1f)).Item<float>(), 0.5f, 1f);
        Assert.InRange(scaled(NF.Constant(100f)).Item<float>(), 50f, 100f);
        Assert.Equal(1, TracedFunction.Of(scaled).TraceCount);
    }

    [SkippableFact]
    public void Integer_dtypes_integer_bounds_and_bounds_larger_than_the_draw_are_refused_by_name()
    {
        RequireBackend();
        var one = NF.Constant(1f);
        var e = Assert.Throws<ArgumentException>(() => NF.Random.Uniform([2], minval: NF.Constant(0f), maxval: one, dtype: DType.Int32));
        Assert.Contains("integer draws take their bounds as numbers", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Random.Uniform([2], minval: NF.Constant(0), maxval: one));
        Assert.Equal("minval", e.ParamName);
        Assert.Contains("int32 tensor", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Random.Uniform([2, 3], minval: NF.Zeros([2]), maxval: one));
        Assert.Equal("minval", e.ParamName);
        Assert.Contains("does not broadcast to the draw's shape (2, 3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Random.Uniform([3], minval: NF.Zeros([2, 3]), maxval: NF.Ones([2, 3])));
        Assert.Contains("(2, 3) does not broadcast", e.Message);
    }
}

/// <summary>Uniform draws with tensor bounds, on the managed backend.</summary>
public sealed class ManagedRandomUniformTensorBoundsTests() : RandomUniformTensorBoundsTests("managed");

/// <summary>Uniform draws with tensor bounds, on the native CPU backend.</summary>
public sealed class NativeCpuRandomUniformTensorBoundsTests() : RandomUniformTensorBoundsTests("cpu");

/// <summary>Uniform draws with tensor bounds, on the CUDA backend.</summary>
public sealed class CudaRandomUniformTensorBoundsTests() : RandomUniformTensorBoundsTests("cuda");
