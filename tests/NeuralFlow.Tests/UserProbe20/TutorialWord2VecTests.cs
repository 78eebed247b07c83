using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe20;

/// <summary>
/// TensorFlow's "word2vec" tutorial (site/en/tutorials/text/word2vec.ipynb) as far as its pieces go:
/// skipgrams of one sentence (the tutorial prints 26 positive pairs), make_sampling_table, negative
/// sampling with log_uniform_candidate_sampler, and the subclassed Word2Vec model of two Embeddings
/// and an einsum trained on ((target, context), label) batches. References: word2vec_references.py.
/// </summary>
public abstract class TutorialWord2VecTests(string backend) : BackendTest(backend)
{
    private const string Sentence = "The wide road shimmered in the hot sun";

    // vocab['<pad>'] = 0, then each new token its index in order of appearance.
    private static (Dictionary<string, int> Vocab, int[] Sequence) Tokenize()
    {
        var tokens = Sentence.ToLowerInvariant().Split(' ');
        var vocab = new Dictionary<string, int> { ["<pad>"] = 0 };
        foreach (var token in tokens) vocab.TryAdd(token, vocab.Count);
        return (vocab, tokens.Select(t => vocab[t]).ToArray());
    }

    [SkippableFact]
    public void Skipgrams_of_the_sentence_pair_each_word_with_its_window()
    {
        RequireBackend();
        var (vocab, sequence) = Tokenize();
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 1, 6, 7 }, sequence);
        var (positive, labels) = Utils.Skipgrams(sequence, vocabularySize: vocab.Count, windowSize: 2, negativeSamples: 0, shuffle: false);
        Assert.Equal(26, positive.Count);   // print(len(positive_skip_grams))
        Assert.All(labels, l => Assert.Equal(1, l));
        // Every ordered pair of positions at most two apart, in order of the target's position then the context's.
        var expected = from i in Enumerable.Range(0, 8)
                       from j in Enumerable.Range(0, 8)
                       where i != j && Math.Abs(i - j) <= 2
                       select (sequence[i], sequence[j]);
        Assert.Equal(expected, positive);

        var (shuffled, shuffledLabels) = Utils.Skipgrams(sequence, vocab.Count, windowSize: 2, negativeSamples: 0, seed: 42);
        Assert.Equal(positive.Order(), shuffled.Order());
        Assert.Equal(shuffled, Utils.Skipgrams(sequence, vocab.Count, windowSize: 2, negativeSamples: 0, seed: 42).Couples);

        // negative_samples=1: as many pairs again, each a target of the sentence with a random id in [1, vocab), label 0.
        var (all, allLabels) = Utils.Skipgrams(sequence, vocab.Count, windowSize: 2, negativeSamples: 1, shuffle: false, seed: 3);
        Assert.Equal(52, all.Count);
        Assert.Equal(Enumerable.Repeat(1, 26).Concat(Enumerable.Repeat(0, 26)), allLabels);
        Assert.All(all.Skip(26), c => Assert.InRange(c.Context, 1, vocab.Count - 1));
        Assert.Equal(positive.Select(c => c.Target).Order(), all.Skip(26).Select(c => c.Target).Order());

        // Padding (id 0) is never a target or a context.
        Assert.Equal(2, Utils.Skipgrams([0, 3, 0, 4], 5, windowSize: 2, negativeSamples: 0, shuffle: false).Couples.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => Utils.Skipgrams(sequence, 1, negativeSamples: 1));
    }

    [SkippableFact]
    public void Make_sampling_table_keeps_frequent_ranks_rarely_and_skipgrams_uses_it()
    {
        RequireBackend();
        double[] want = [0.0031522478751942504, 0.0031522478751942504, 0.0054759726939176976, 0.007415564097374219, 0.009128167456366161,
                         0.010684345040995184, 0.012123806302675509, 0.013471624356952072, 0.014744868825042839, 0.015955802059679332];
        var table = Utils.MakeSamplingTable(10);
        Assert.Equal(10, table.Length);
        for (int i = 0; i < 10; i++) Assert.Equal(want[i], table[i], 15);
        // A table of ones keeps every word; one of zeros none.
        var (_, sequence) = Tokenize();
        Assert.Equal(26, Utils.Skipgrams(sequence, 8, windowSize: 2, negativeSamples: 0, samplingTable: Enumerable.Repeat(1.0, 8).ToArray(), seed: 1).Couples.Count);
        Assert.Empty(Utils.Skipgrams(sequence, 8, windowSize: 2, negativeSamples: 0, samplingTable: new double[8], seed: 1).Couples);
        Assert.Throws<ArgumentException>(() => Utils.Skipgrams(sequence, 8, samplingTable: new double[4]));
    }

    [SkippableFact]
    public void Log_uniform_candidate_sampler_draws_zipfian_ids_with_tensorflows_expected_counts()
    {
        RequireBackend();
        double[] p = [0.31546487678572877, 0.18453512321427132, 0.13092975357145742, 0.10155700678750615,
                      0.08297811642676513, 0.07015699779498244, 0.06077275577647501, 0.05360536964281385];
        var contextClass = NF.Reshape(NF.Constant(new long[] { 3 }), [1, 1]);
        var (candidates, trueExpected, sampledExpected) = NF.Random.LogUniformCandidateSampler(
            contextClass, numTrue: 1, numSampled: 4, unique: true, rangeMax: 8, seed: 42);
        Assert.Equal(DType.Int64, candidates.DType);
        var ids = candidates.ToArray<long>();
        Assert.Equal(4, ids.Distinct().Count());
        Assert.All(ids, c => Assert.InRange(c, 0, 7));
        Assert.Equal(new[] { 1, 1 }, trueExpected.Shape.ToArray());
        Assert.All(sampledExpected.ToArray<float>(), e => Assert.True(e > 0));
        Assert.Equal(ids, NF.Random.LogUniformCandidateSampler(contextClass, 1, 4, true, 8, seed: 42).SampledCandidates.ToArray<long>());

        // Seven unique ids of eight take more tries than ids: each expected count is then 1 - (1 - p)^tries, one number of tries.
        var (seven, trueSeven, sevenExpected) = NF.Random.LogUniformCandidateSampler(contextClass, 1, 7, unique: true, rangeMax: 8, seed: 7);
        var sevenIds = seven.ToArray<long>();
        Assert.Equal(7, sevenIds.Distinct().Count());
        var counts = sevenExpected.ToArray<float>();
        // (Read from the counts below 0.99: nearer 1 a float32 count holds too few digits of 1 - count.)
        var tries = Enumerable.Range(0, 7).Where(k => counts[k] < 0.99).Select(k => double.LogP1(-counts[k]) / double.LogP1(-p[sevenIds[k]])).ToArray();
        Assert.NotEmpty(tries);
        double n = Math.Round(tries[0]);
        Assert.True(n > 7, $"tries {n}");
        Assert.All(tries, t => Assert.Equal(n, t, 1));
        Assert.Equal(-double.ExpM1(n * double.LogP1(-p[3])), trueSeven.Item<float>(), 5);

        // Not unique: many draws follow P, and each expected count is p * numSampled.
        NF.Random.SetSeed(61);
        var (many, _, manyExpected) = NF.Random.LogUniformCandidateSampler(contextClass, 1, 20000, unique: false, rangeMax: 8);
        var drawn = many.ToArray<long>();
        for (int c = 0; c < 8; c++) Assert.InRange(drawn.Count(d => d == c) / 20000.0, p[c] - 0.015, p[c] + 0.015);
        Assert.Equal(p[drawn[0]] * 20000, manyExpected[0].Item<float>(), tolerance: 0.01);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Random.LogUniformCandidateSampler(contextClass, 1, 9, true, 8));
        Assert.Throws<ArgumentException>(() => NF.Random.LogUniformCandidateSampler(NF.Constant(new long[] { 9 }, [1, 1]), 1, 2, true, 8));
    }

    private sealed class Word2Vec(int vocabSize, int embeddingDim) : Model
    {
        private readonly Layers.Embedding _targetEmbedding = new(vocabSize, embeddingDim, name: "w2v_embedding");
        private readonly Layers.Embedding _contextEmbedding = new(vocabSize, embeddingDim);

        public override Tensor Call(IReadOnlyList<Tensor> pair)
        {
            var (target, context) = (pair[0], pair[1]);
            if (target.Rank == 2) target = NF.Squeeze(target, 1);
            var wordEmb = _targetEmbedding.Call(target);
            var contextEmb = _contextEmbedding.Call(context);
            return NF.Einsum("be,bce->bc", wordEmb, contextEmb);
        }
    }

    [SkippableFact]
    public void The_word2vec_model_scores_the_true_context_above_the_negatives_after_training()
    {
        RequireBackend();
        NF.Random.SetSeed(62);
        var (vocab, sequence) = Tokenize();
        const int numNs = 4;
        var (positive, _) = Utils.Skipgrams(sequence, vocab.Count, windowSize: 2, negativeSamples: 0, seed: 5);
        var targets = new List<long>();
        var contexts = new List<long>();
        foreach (var (target, context) in positive)
        {
            var (negatives, _, _) = NF.Random.LogUniformCandidateSampler(NF.Constant(new long[] { context }, [1, 1]), 1, numNs, true, vocab.Count);
            targets.Add(target);
            contexts.Add(context);
            contexts.AddRange(negatives.ToArray<long>());
        }
        // label [1, 0, 0, 0, 0]: the true context first.
        var labels = NF.OneHot(NF.Zeros([positive.Count], DType.Int32), numNs + 1);
        var dataset = Dataset.Zip(Dataset.FromTensorSlices(NF.Constant(targets.ToArray()), NF.Constant(contexts.ToArray(), [positive.Count, numNs + 1])),
                                  Dataset.FromTensorSlices(labels))
            .Shuffle(100).Batch(8, dropRemainder: true);
        var word2vec = new Word2Vec(vocab.Count, 16);
        word2vec.Compile("adam", new Losses.CategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"]);
        var history = word2vec.Fit(dataset, epochs: 15, verbose: 0);
        Assert.Equal(new[] { "loss", "accuracy" }, history.Keys);
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        var weights = word2vec.GetLayer("w2v_embedding").GetWeights()[0];
        Assert.Equal(new[] { vocab.Count, 16 }, weights.Shape.ToArray());
    }
}

/// <summary>The word2vec tutorial on the managed backend.</summary>
public sealed class ManagedTutorialWord2VecTests() : TutorialWord2VecTests("managed");

/// <summary>The word2vec tutorial on the native CPU backend.</summary>
public sealed class NativeCpuTutorialWord2VecTests() : TutorialWord2VecTests("cpu");

/// <summary>The word2vec tutorial on CUDA.</summary>
public sealed class CudaTutorialWord2VecTests() : TutorialWord2VecTests("cuda");
