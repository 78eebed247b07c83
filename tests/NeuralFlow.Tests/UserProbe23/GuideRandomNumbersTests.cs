using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe23;

/// <summary>
/// TensorFlow's "Random number generation" guide (guide/random_numbers.ipynb) in C#:
/// <c>tf.random.Generator</c> (<see cref="NF.Random.Generator"/>: from_seed, from_non_deterministic_state,
/// reset_from_seed, split, inside a traced function, in a checkpoint), the stateless ops with an explicit
/// seed, and tf.random.set_seed's rule for the global generator. The numbers are NeuralFlow's documented
/// Philox numbers, not TensorFlow's (NeuralFlow does not claim TensorFlow's); guide_random_references.py
/// computes them independently. The distribution-strategy and SavedModel cells have no counterpart here.
/// </summary>
public abstract class GuideRandomNumbersTests(string backend) : BackendTest(backend)
{
    // guide_random_references.py: Generator.FromSeed(1)'s first six normals.
    private static readonly float[] Seed1Normals = [-0.695556104f, 2.87159967f, -1.54639697f, -0.74879837f, 0.129403174f, 0.713746667f];

    private static void Close(float[] expected, Tensor actual)
    {
        var values = actual.ToArray<float>();
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], values[i], 5);
    }

    [SkippableFact]
    public void A_generator_from_a_seed_draws_its_own_numbers_whatever_the_global_generator_does()
    {
        RequireBackend();
        var g1 = NF.Random.Generator.FromSeed(1);
        var first = g1.Normal([2, 3]);
        Assert.Equal(new Shape(2, 3), first.Shape);
        Close(Seed1Normals, first);

        // The global generator is another stream: set to the same seed it draws other numbers, and
        // its draws do not move g2.
        NF.Random.SetSeed(1);
        var global = NF.Random.Normal([2, 3]);
        Assert.NotEqual(first.ToArray<float>(), global.ToArray<float>());
        var g2 = NF.Random.Generator.FromSeed(1);
        Close(Seed1Normals[..2], g2.Normal([2]));
        NF.Random.Normal([100]);
        Close(Seed1Normals[2..4], g2.Normal([2]));
        Assert.Equal(4, g2.Position);

        Close([7.098701f, 0.129678249f, 2.16949821f, 7.50025749f], NF.Random.Generator.FromSeed(1).Uniform([4], 0, 10));
        var ints = NF.Random.Generator.FromSeed(3).Uniform([50], 0, 10, DType.Int32).ToArray<int>();
        Assert.All(ints, v => Assert.InRange(v, 0, 9));
        var truncated = NF.Random.Generator.FromSeed(4).TruncatedNormal([200]).ToArray<float>();
        Assert.All(truncated, v => Assert.InRange(v, -2f, 2f));
        Assert.Equal(truncated, NF.Random.Generator.FromSeed(4).TruncatedNormal([200]).ToArray<float>());

        // from_non_deterministic_state: a different stream each time.
        var a = NF.Random.Generator.FromNonDeterministicState().Normal([2, 3]).ToArray<float>();
        var b = NF.Random.Generator.FromNonDeterministicState().Normal([2, 3]).ToArray<float>();
        Assert.NotEqual(a, b);
    }

    [SkippableFact]
    public void Reset_from_seed_starts_again_and_split_gives_independent_generators()
    {
        RequireBackend();
        var g = NF.Random.Generator.FromSeed(1);
        Assert.Equal(Seed1Normals[0], g.Normal([]).Item<float>(), 5);
        Assert.Equal(Seed1Normals[1], g.Normal([]).Item<float>(), 5);
        g.ResetFromSeed(1);
        Assert.Equal(Seed1Normals[0], g.Normal([]).Item<float>(), 5);

        // The guide's split cell: the parent draws, splits in three, each child draws, the parent draws.
        g = NF.Random.Generator.FromSeed(1);
        Assert.Equal(Seed1Normals[0], g.Normal([]).Item<float>(), 5);
        var children = g.Split(3);
        Assert.Equal(3, children.Length);
        Close([1.18252468f, -0.359779567f, 0.11525435f], NF.Concat(children.Select(c => NF.Reshape(c.Normal([]), [1])).ToArray(), 0));
        // Splitting moved the parent on by one number per child.
        Assert.Equal(Seed1Normals[4], g.Normal([]).Item<float>(), 5);

        Assert.Throws<ArgumentOutOfRangeException>(() => g.Split(0));
        var e = Assert.Throws<ArgumentException>(() => g.Uniform([2], 1, 1));
        Assert.Contains("maxval", e.Message);
    }

    [SkippableFact]
    public void A_generator_in_a_traced_function_advances_at_each_replay()
    {
        RequireBackend();
        var g = NF.Random.Generator.FromSeed(1);
        var foo = NF.Function(() => g.Normal([]));
        Assert.Equal(Seed1Normals[0], foo().Item<float>(), 5);
        Assert.Equal(Seed1Normals[1], foo().Item<float>(), 5);
        Assert.Equal(Seed1Normals[2], foo().Item<float>(), 5);
        Assert.Equal(1, TracedFunction.Of(foo).TraceCount);
        Assert.True(TracedFunction.Of(foo).LastCallReplayed);

        // reset_from_seed between calls reaches the traced draw too.
        g.ResetFromSeed(1);
        Assert.Equal(Seed1Normals[0], foo().Item<float>(), 5);
    }

    [SkippableFact]
    public void A_checkpoint_saves_a_generators_state_and_restores_its_stream()
    {
        RequireBackend();
        var dir = Directory.CreateTempSubdirectory("nf-guide-random-");
        try
        {
            var filename = Path.Combine(dir.FullName, "checkpoint");
            var g = NF.Random.Generator.FromSeed(1);
            var cp = new Train.Checkpoint(new Dictionary<string, object> { ["generator"] = g });
            Assert.Equal(Seed1Normals[0], g.Normal([]).Item<float>(), 5);
            cp.Write(filename);
            var fromSave = new[] { g.Normal([]).Item<float>(), g.Normal([]).Item<float>() };
            Assert.Equal(Seed1Normals[1..3], fromSave);
            cp.Read(filename);
            Assert.Equal(fromSave, new[] { g.Normal([]).Item<float>(), g.Normal([]).Item<float>() });

            // Another generator (another seed) restored from it draws the saved stream.
            var other = NF.Random.Generator.FromSeed(2);
            new Train.Checkpoint(new Dictionary<string, object> { ["generator"] = other }).Read(filename);
            Assert.Equal(fromSave, new[] { other.Normal([]).Item<float>(), other.Normal([]).Item<float>() });

            // A variable saved under that name is not taken for a generator's state.
            var v = new Variable(NF.Constant(new[] { 1L, 2L }));
            var vfile = new Train.Checkpoint(new Dictionary<string, object> { ["generator"] = v }).Write(Path.Combine(dir.FullName, "variable"));
            var e = Assert.Throws<InvalidDataException>(() => cp.Read(vfile));
            Assert.Contains("generator", e.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [SkippableFact]
    public void Stateless_ops_give_the_same_numbers_for_the_same_seed_and_move_no_generator()
    {
        RequireBackend();
        float[] expected = [-0.794882238f, -0.239091545f, 0.847610414f, 1.32580411f, -0.104389638f, 0.585750222f];
        Close(expected, NF.Random.StatelessNormal([2, 3], seed: (1, 2)));
        Close(expected, NF.Random.StatelessNormal([2, 3], seed: (1, 2)));
        Close([0.659631252f, 0.30321157f, 0.474658251f], NF.Random.StatelessUniform([3], seed: (1, 2)));
        Assert.NotEqual(expected, NF.Random.StatelessNormal([2, 3], seed: (2, 1)).ToArray<float>());

        // The global generator is where it was.
        NF.Random.SetSeed(5);
        var plain = NF.Random.Uniform([3]).ToArray<float>();
        NF.Random.SetSeed(5);
        NF.Random.StatelessUniform([7], seed: (3, 4));
        Assert.Equal(plain, NF.Random.Uniform([3]).ToArray<float>());

        // Traced: every replay gives the seed's numbers again.
        var f = NF.Function(() => NF.Random.StatelessNormal([2, 3], seed: (1, 2)));
        for (int i = 0; i < 3; i++) Close(expected, f());
        Assert.True(TracedFunction.Of(f).LastCallReplayed);

        var ints = NF.Random.StatelessUniform([20], (7, 8), 0, 10, DType.Int32).ToArray<int>();
        Assert.Equal(ints, NF.Random.StatelessUniform([20], (7, 8), 0, 10, DType.Int32).ToArray<int>());
        Assert.All(ints, v => Assert.InRange(v, 0, 9));
        Assert.Throws<ArgumentException>(() => NF.Random.StatelessNormal([2], (1, 2), dtype: DType.Int32));
    }

    [SkippableFact]
    public void The_global_seed_makes_the_sequence_of_draws_repeat()
    {
        RequireBackend();
        // tf.random.set_seed: after the same global seed the same sequence of draws comes again.
        NF.Random.SetSeed(1234);
        var a1 = NF.Random.Uniform([1]).Item<float>();
        var a2 = NF.Random.Uniform([1]).Item<float>();
        Assert.NotEqual(a1, a2);
        NF.Random.SetSeed(1234);
        Assert.Equal(a1, NF.Random.Uniform([1]).Item<float>());
        Assert.Equal(a2, NF.Random.Uniform([1]).Item<float>());
    }

    [SkippableFact]
    public void An_op_seed_gives_a_stream_of_its_own_that_the_global_seed_restarts()
    {
        RequireBackend();
        // The basics guide's tf.random.uniform(shape=[3], minval=0., maxval=5., seed=22), under tf.random.set_seed's rule:
        // the same op seed continues its own stream, no other draw moves it, and set_seed starts it again.
        float[] first = [0.80298996f, 0.971210361f, 0.812368751f], second = [0.156018436f, 0.792890549f, 0.633832872f];
        NF.Random.SetSeed(1);
        Close(first, NF.Random.Uniform([3], seed: 22));
        NF.Random.Normal([50]);
        Close(second, NF.Random.Uniform([3], seed: 22));
        NF.Random.SetSeed(1);
        NF.Random.Uniform([7]);
        Close(first.Select(v => v * 5).ToArray(), NF.Random.Uniform([3], minval: 0, maxval: 5, seed: 22));
        Assert.NotEqual(first, NF.Random.Uniform([3], seed: 23).ToArray<float>());
        NF.Random.SetSeed(2);
        Assert.NotEqual(first, NF.Random.Uniform([3], seed: 22).ToArray<float>());

        // The global generator is not moved by op-seeded draws.
        NF.Random.SetSeed(3);
        var plain = NF.Random.Normal([4]).ToArray<float>();
        NF.Random.SetSeed(3);
        NF.Random.Normal([4], seed: 5);
        NF.Random.TruncatedNormal([4], seed: 6);
        Assert.Equal(plain, NF.Random.Normal([4]).ToArray<float>());
    }
}

/// <summary>The random numbers guide, on the managed backend.</summary>
public sealed class ManagedGuideRandomNumbersTests() : GuideRandomNumbersTests("managed");

/// <summary>The random numbers guide, on the native CPU backend.</summary>
public sealed class NativeCpuGuideRandomNumbersTests() : GuideRandomNumbersTests("cpu");

/// <summary>The random numbers guide, on the CUDA backend.</summary>
public sealed class CudaGuideRandomNumbersTests() : GuideRandomNumbersTests("cuda");
