using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.Ctc;

/// <summary>
/// NF.CtcDecode on every engine: Keras' own nn_test values for both strategies, greedy decoding
/// against the reference rule in ctc_references.py (merged or not, another blank), beam search
/// against the exhaustive sum over every path (exact with a beam wider than the prefixes) and a
/// narrow beam against ctc_references.py's own search, the
/// output shapes, dtypes and -1 padding, and the exceptions for bad arguments.
/// </summary>
public abstract class CtcDecodeTests(string backend) : BackendTest(backend)
{
    private static Tensor KerasInputs() => NF.Constant(new[,,]
    {
        { { 0.1, 0.4, 0.2, 0.4 }, { 0.3, -0.3, 0.4, 0.2 }, { 0.3, 0.2, 0.4, 0.3 } },
        { { 0.7, 0.4, 0.3, 0.2 }, { 0.3, 0.3, 0.4, 0.1 }, { 0.6, -0.1, 0.1, 0.5 } },
        { { 0.1, 0.4, 0.2, 0.7 }, { 0.3, 0.3, -0.2, 0.7 }, { 0.3, 0.2, 0.4, 0.1 } },
    });

    [SkippableFact]
    public void Keras_greedy_values()
    {
        RequireBackend();
        using var inputs = KerasInputs();
        var (decoded, scores) = NF.CtcDecode(inputs, NF.Constant(new[] { 3, 3, 1 }));
        Assert.Equal(new Shape(1, 3, 3), decoded.Shape);
        Assert.Equal(DType.Int32, decoded.DType);
        Assert.Equal(new[] { 1, 2, -1, 2, -1, -1, 3, -1, -1 }, decoded.ToArray<int>());
        Assert.Equal(new Shape(3, 1), scores.Shape);
        Assert.Equal(DType.Float64, scores.DType);
        AssertClose([-1.2, -1.7, -0.7], scores.ToDoubleArray(), 1e-12, 1e-12, "greedy scores");
        var (repeated, repeatedScores) = NF.CtcDecode(inputs, NF.Constant(new[] { 3, 3, 1 }), mergeRepeated: false);
        Assert.Equal(new[] { 1, 2, 2, 2, -1, -1, 3, -1, -1 }, repeated.ToArray<int>());
        AssertClose([-1.2, -1.7, -0.7], repeatedScores.ToDoubleArray(), 1e-12, 1e-12, "greedy scores, not merged");
    }

    [SkippableFact]
    public void Keras_beam_search_values()
    {
        RequireBackend();
        using var inputs = NF.Cast(KerasInputs(), DType.Float32);
        var (decoded, scores) = NF.CtcDecode(inputs, NF.Constant(new[] { 3, 3, 1 }), "beam_search", beamWidth: 4, topPaths: 2);
        Assert.Equal(new Shape(2, 3, 3), decoded.Shape);
        Assert.Equal(new[] { 1, 2, -1, 2, -1, -1, 3, -1, -1, /* second best */ 2, -1, -1, 3, -1, -1, 1, -1, -1 }, decoded.ToArray<int>());
        Assert.Equal(new Shape(3, 2), scores.Shape);
        Assert.Equal(DType.Float32, scores.DType);
        AssertClose([-2.426537, -2.435596, -2.127681, -2.182338, -1.063386, -1.363386], scores.ToDoubleArray(), 1e-6, 1e-6, "beam scores");
    }

    [SkippableFact]
    public void Greedy_matches_the_reference_rule()
    {
        RequireBackend();
        // ctc_references.py "greedy": logits(2, 7, 4, 2.0), lengths [7, 5].
        using var x = NF.Constant(CtcLossTests.Logits(2, 7, 4, 2.0), [2, 7, 4]);
        using var lengths = NF.Constant(new[] { 7, 5 });
        double[] expectedScores = [-10.062562292130226, -5.605600053404785];
        void Expect(int[] labels, bool merge, int? blank)
        {
            var (decoded, scores) = NF.CtcDecode(x, lengths, mergeRepeated: merge, maskIndex: blank);
            Assert.Equal(labels, decoded.ToArray<int>());
            AssertClose(expectedScores, scores.ToDoubleArray(), 1e-12, 1e-12, $"greedy merge={merge} blank={blank}");
        }
        Expect([3, -1, -1, -1, -1, -1, -1, 3, 1, -1, -1, -1, -1, -1], true, 0);
        Expect([3, 3, 3, -1, -1, -1, -1, 3, 1, 1, 1, 1, -1, -1], false, 0);
        // maskIndex null is the last class (3), as Keras' None; -1 says the same.
        Expect([0, 0, -1, -1, -1, -1, -1, 1, -1, -1, -1, -1, -1, -1], true, null);
        Expect([0, 0, -1, -1, -1, -1, -1, 1, -1, -1, -1, -1, -1, -1], true, -1);
    }

    [SkippableFact]
    public void Beam_search_matches_exhaustive_enumeration()
    {
        RequireBackend();
        // ctc_references.py "exhaustive": logits(2, 5, 3, 3.0), lengths [5, 4]; a beam of 100 holds every prefix, so it is exact.
        using var x = NF.Constant(CtcLossTests.Logits(2, 5, 3, 3.0), [2, 5, 3]);
        using var lengths = NF.Constant(new[] { 5, 4 });
        var expected = new Dictionary<int, (int[][] Paths, double[] Scores)[]>
        {
            [0] =
            [
                ([[2, 1, 2], [2, 1], [1, 2], [1]], [-1.6313344280825568, -1.7528815995964397, -2.125249060315098, -2.3096805111475347]),
                ([[1], [1, 2], [1, 1], [2, 1]], [-1.195980784396917, -1.4606629688128412, -1.7992059265100075, -2.524848997721686]),
            ],
            [2] =
            [
                ([[1, 0], [0, 1, 0], [0, 1], [1]], [-1.7268723255699623, -1.7512885080460627, -2.1136858645834242, -2.157516791025852]),
                ([[1, 0], [0, 1, 0], [1, 0, 1], [0, 1, 0, 1]], [-0.9938827271790123, -1.48324667816417, -2.017423049882589, -2.5271414024244123]),
            ],
        };
        foreach (var (blank, perExample) in expected)
        {
            var (decoded, scores) = NF.CtcDecode(x, lengths, "beam_search", beamWidth: 100, topPaths: 4, maskIndex: blank);
            Assert.Equal(new Shape(4, 2, 5), decoded.Shape);
            var d = decoded.ToArray<int>();
            var s = scores.ToDoubleArray();
            for (int b = 0; b < 2; b++)
                for (int p = 0; p < 4; p++)
                {
                    var row = d.Skip((p * 2 + b) * 5).Take(5).ToArray();
                    var labels = perExample[b].Paths[p];
                    Assert.Equal(labels.Concat(Enumerable.Repeat(-1, 5 - labels.Length)), row);
                    Assert.Equal(perExample[b].Scores[p], s[b * 4 + p], 12);
                }
        }
    }

    [SkippableFact]
    public void Narrow_beam_matches_the_reference_search()
    {
        RequireBackend();
        // ctc_references.py "narrow beam": logits(2, 8, 5, 4.0), lengths [8, 6], 3 prefixes kept per step.
        using var x = NF.Constant(CtcLossTests.Logits(2, 8, 5, 4.0), [2, 8, 5]);
        var (decoded, scores) = NF.CtcDecode(x, NF.Constant(new[] { 8, 6 }), "beam_search", beamWidth: 3, topPaths: 3);
        int[][][] paths =
        [
            [[4, 4, 1, 2, 1], [4, 4, 1, 2, 3], [4, 4, 1, 4, 2, 1]],
            [[4, 1, 3, 1, 4], [4, 1, 3, 4], [4, 1, 3, 1, 3, 4]],
        ];
        var d = decoded.ToArray<int>();
        for (int b = 0; b < 2; b++)
            for (int p = 0; p < 3; p++)
                Assert.Equal(paths[b][p].Concat(Enumerable.Repeat(-1, 8 - paths[b][p].Length)), d.Skip((p * 2 + b) * 8).Take(8));
        AssertClose([-4.422239903576474, -4.624725785948201, -4.725749482298019, -2.0822744880729998, -2.724653565880774, -2.983668697383963],
            scores.ToDoubleArray(), 1e-12, 1e-12, "narrow beam scores");
    }

    [SkippableFact]
    public void Beam_search_edge_cases()
    {
        RequireBackend();
        // One step of two classes: only "" and [1] exist; a third path is empty with score -inf.
        using var one = NF.Constant(new[,,] { { { 0.0, Math.Log(3) } } });
        var (decoded, scores) = NF.CtcDecode(one, NF.Constant(new[] { 1 }), "beam_search", beamWidth: 5, topPaths: 3);
        Assert.Equal(new[] { 1, -1, -1 }, decoded.ToArray<int>());
        AssertClose([Math.Log(0.75), Math.Log(0.25), double.NegativeInfinity], scores.ToDoubleArray(), 1e-12, 1e-12, "one step");
        // No steps: the empty labeling, probability 1.
        var (none, noneScores) = NF.CtcDecode(one, NF.Constant(new[] { 0 }), "beam_search", beamWidth: 2, topPaths: 1);
        Assert.Equal(new[] { -1 }, none.ToArray<int>());
        Assert.Equal(0.0, noneScores.Item<double>());
        // A beam of 1 keeps only the best prefix at each step: here the best path's labels.
        using var x = NF.Constant(CtcLossTests.Logits(1, 6, 4, 0.7), [1, 6, 4]);
        var (narrow, narrowScores) = NF.CtcDecode(x, NF.Constant(new[] { 6 }), "beam_search", beamWidth: 1);
        var (wide, wideScores) = NF.CtcDecode(x, NF.Constant(new[] { 6 }), "beam_search", beamWidth: 100);
        Assert.True(narrowScores.Item<double>() <= wideScores.Item<double>() + 1e-12, "a narrower beam never finds a more probable labeling than the exact one");
        Assert.Equal(new Shape(1, 1, 6), narrow.Shape);
        Assert.Equal(new Shape(1, 1, 6), wide.Shape);
        // An empty batch.
        var (empty, emptyScores) = NF.CtcDecode(NF.Zeros(new Shape(0, 3, 2)), NF.Zeros(new Shape(0), DType.Int32), "beam_search", beamWidth: 3, topPaths: 2);
        Assert.Equal(new Shape(2, 0, 3), empty.Shape);
        Assert.Equal(new Shape(0, 2), emptyScores.Shape);
        // Integer logits decode too, with float32 scores (Keras' result_type(int, float32)).
        var (fromInts, intScores) = NF.CtcDecode(NF.Constant(new[,,] { { { 0, 5, 1 }, { 0, 5, 1 }, { 0, 1, 7 } } }), NF.Constant(new[] { 3 }));
        Assert.Equal(new[] { 1, 2, -1 }, fromInts.ToArray<int>());
        Assert.Equal(DType.Float32, intScores.DType);
        Assert.Equal(-17f, intScores.Item<float>());
    }

    [SkippableFact]
    public void Bad_arguments_throw_clear_exceptions()
    {
        RequireBackend();
        using var x = NF.Zeros(new Shape(2, 3, 4));
        using var lengths = NF.Constant(new[] { 3, 2 });
        Assert.Contains("strategy must be \"greedy\" or \"beam_search\"", Assert.Throws<ArgumentException>(() => NF.CtcDecode(x, lengths, "beam")).Message);
        Assert.Contains("inputs must be logits [batch, time, classes]", Assert.Throws<ArgumentException>(() => NF.CtcDecode(NF.Zeros(new Shape(2, 3)), lengths)).Message);
        Assert.Contains("sequenceLengths[1] is 4", Assert.Throws<ArgumentException>(() => NF.CtcDecode(x, NF.Constant(new[] { 3, 4 }))).Message);
        Assert.Contains("sequenceLengths must have shape [2]", Assert.Throws<ArgumentException>(() => NF.CtcDecode(x, NF.Constant(new[] { 3 }))).Message);
        Assert.Contains("beamWidth must be at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => NF.CtcDecode(x, lengths, "beam_search", beamWidth: 0)).Message);
        Assert.Contains("topPaths must be in [1, beamWidth = 2]", Assert.Throws<ArgumentOutOfRangeException>(() => NF.CtcDecode(x, lengths, "beam_search", beamWidth: 2, topPaths: 3)).Message);
        Assert.Contains("maskIndex (the blank class) must be in [-4, 4)", Assert.Throws<ArgumentOutOfRangeException>(() => NF.CtcDecode(x, lengths, maskIndex: 4)).Message);
    }
}

public sealed class ManagedCtcDecodeTests() : CtcDecodeTests("managed");

public sealed class NativeCpuCtcDecodeTests() : CtcDecodeTests("cpu");

public sealed class CudaCtcDecodeTests() : CtcDecodeTests("cuda");
