using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe9;

/// <summary>
/// Utils.PadSequences (keras.utils.pad_sequences), which was missing: the text workshop pads
/// tokenized reviews with it before an Embedding. Expected values are Keras' documented examples
/// and, for the other cases, Keras' algorithm run with numpy (pad_sequences_references.py).
/// Also Utils.SetRandomSeed (keras.utils.set_random_seed), missing before.
/// </summary>
public abstract class PadSequencesTests(string backend) : BackendTest(backend)
{
    private static int[][] Rows(Tensor t)
    {
        var flat = t.ToArray<int>();
        int n = t.Shape[0], len = t.Shape[1];
        return Enumerable.Range(0, n).Select(i => flat[(i * len)..((i + 1) * len)]).ToArray();
    }

    [SkippableFact]
    public void Keras_documented_examples()
    {
        RequireBackend();
        int[][] seqs = [[1], [2, 3], [4, 5, 6]];
        var padded = Utils.PadSequences(seqs);
        Assert.Equal(DType.Int32, padded.DType);
        Assert.Equal(new[] { 3, 3 }, padded.Shape.ToArray());
        Assert.Equal([[0, 0, 1], [0, 2, 3], [4, 5, 6]], Rows(padded));
        Assert.Equal([[-1, -1, 1], [-1, 2, 3], [4, 5, 6]], Rows(Utils.PadSequences(seqs, value: -1)));
        Assert.Equal([[1, 0, 0], [2, 3, 0], [4, 5, 6]], Rows(Utils.PadSequences(seqs, padding: "post")));
        Assert.Equal([[0, 1], [2, 3], [5, 6]], Rows(Utils.PadSequences(seqs, maxlen: 2)));
        // A collection expression picks the int overload, as a literal list does in Python.
        Assert.Equal([[0, 1], [2, 3]], Rows(Utils.PadSequences([[1], [2, 3]])));
    }

    [SkippableFact]
    public void Truncating_and_empty_sequences_follow_keras()
    {
        RequireBackend();
        var mixed = new List<List<int>> { new() { 7, 8, 9, 10, 11 }, new(), new() { 12, 13 } };
        Assert.Equal([[7, 8, 9], [0, 0, 0], [12, 13, 0]], Rows(Utils.PadSequences(mixed, maxlen: 3, padding: "post", truncating: "post")));
        Assert.Equal([[7, 8, 9, 10], [9, 9, 9, 9], [9, 9, 12, 13]], Rows(Utils.PadSequences(mixed, maxlen: 4, truncating: "post", value: 9)));
    }

    [SkippableFact]
    public void Float_sequences_keep_fractions_in_float32_and_truncate_to_int32()
    {
        RequireBackend();
        float[][] floats = [[0.5f, -1.25f, 2.75f], [3.5f]];
        var f = Utils.PadSequences(floats, dtype: DType.Float32, value: -1.5);
        Assert.Equal(DType.Float32, f.DType);
        Assert.Equal(new[] { 0.5f, -1.25f, 2.75f, -1.5f, -1.5f, 3.5f }, f.ToArray<float>());
        Assert.Equal([[0, -1, 2], [0, 0, 3]], Rows(Utils.PadSequences(floats)));
    }

    [SkippableFact]
    public void Bad_arguments_fail_naming_them()
    {
        RequireBackend();
        int[][] seqs = [[1, 2]];
        var e = Assert.Throws<ArgumentException>(() => Utils.PadSequences(seqs, padding: "middle"));
        Assert.Equal("padding", e.ParamName);
        Assert.Contains("\"middle\"", e.Message);
        Assert.Equal("truncating", Assert.Throws<ArgumentException>(() => Utils.PadSequences(seqs, truncating: "both")).ParamName);
        Assert.Equal("maxlen", Assert.Throws<ArgumentOutOfRangeException>(() => Utils.PadSequences(seqs, maxlen: -1)).ParamName);
        var nullRow = Assert.Throws<ArgumentException>(() => Utils.PadSequences(new List<int[]> { new[] { 1 }, null! }));
        Assert.Contains("sequence 1 is null", nullRow.Message);
        // No sequences: an empty (0, 0) batch, or (0, maxlen).
        Assert.Equal(new[] { 0, 5 }, Utils.PadSequences(Array.Empty<int[]>(), maxlen: 5).Shape.ToArray());
    }

    [SkippableFact]
    public void Set_random_seed_repeats_initial_weights_and_dropout()
    {
        RequireBackend();
        var first = Draw(42);
        Assert.Equal(first, Draw(42));
        Assert.NotEqual(first, Draw(43));
        Assert.Equal("seed", Assert.Throws<ArgumentOutOfRangeException>(() => Utils.SetRandomSeed(-1)).ParamName);
    }

    // A Dense kernel and a dropout mask drawn right after seeding.
    private static float[] Draw(int seed)
    {
        Utils.SetRandomSeed(seed);
        var dense = new Layers.Dense(3);
        dense.Call(NF.Ones([1, 4]));
        var dropped = new Layers.Dropout(0.5).Call(NF.Ones([16]), training: true);
        return [.. dense.Kernel!.ToArray<float>(), .. dropped.ToArray<float>()];
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedPadSequencesTests() : PadSequencesTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuPadSequencesTests() : PadSequencesTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaPadSequencesTests() : PadSequencesTests("cuda");
