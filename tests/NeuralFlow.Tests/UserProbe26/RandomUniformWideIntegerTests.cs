namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// tf.random.uniform of int32/int64 over a range wider than 2^24 (tf.image.random_crop draws over the whole
/// int32 range, then takes it modulo the room): every low bit varies, so the residues modulo small numbers
/// are all reached. Before, the 24-bit float draw behind integers left [0, int.MaxValue) draws with their
/// low 7 bits all set, and every crop at the last offset.
/// </summary>
public abstract class RandomUniformWideIntegerTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Wide_integer_draws_reach_every_residue_and_stay_in_range()
    {
        RequireBackend();
        try
        {
            NF.Random.SetSeed(267);
            var ints = NF.Random.Uniform([4000], 0, int.MaxValue, DType.Int32).ToArray<int>();
            Assert.Equal(Enumerable.Range(0, 128), ints.Select(v => v % 128).Distinct().Order());
            Assert.All(ints, v => Assert.InRange(v, 0, int.MaxValue - 1));
            // The draw spans the range (not just a float32 grid), above and below the middle.
            Assert.Contains(ints, v => v > int.MaxValue / 2);
            Assert.Contains(ints, v => v < int.MaxValue / 2);

            var longs = NF.Random.Uniform([4000], -(1L << 40), 1L << 40, DType.Int64).ToArray<long>();
            Assert.Equal(Enumerable.Range(0, 64), longs.Select(v => (int)(((v % 64) + 64) % 64)).Distinct().Order());
            Assert.All(longs, v => Assert.InRange(v, -(1L << 40), (1L << 40) - 1));

            // An op seed repeats its stream after set_seed; narrow ranges draw as before.
            NF.Random.SetSeed(268);
            var a = NF.Random.Uniform([5], 0, int.MaxValue, DType.Int32, seed: 3).ToArray<int>();
            NF.Random.SetSeed(268);
            Assert.Equal(a, NF.Random.Uniform([5], 0, int.MaxValue, DType.Int32, seed: 3).ToArray<int>());
            var small = NF.Random.Uniform([2000], 0, 5, DType.Int32).ToArray<int>();
            Assert.Equal([0, 1, 2, 3, 4], small.Distinct().Order());
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }
}

/// <summary>Wide integer draws on the managed backend.</summary>
public sealed class ManagedRandomUniformWideIntegerTests() : RandomUniformWideIntegerTests("managed");

/// <summary>Wide integer draws on the native CPU backend.</summary>
public sealed class NativeCpuRandomUniformWideIntegerTests() : RandomUniformWideIntegerTests("cpu");

/// <summary>Wide integer draws on CUDA.</summary>
public sealed class CudaRandomUniformWideIntegerTests() : RandomUniformWideIntegerTests("cuda");
