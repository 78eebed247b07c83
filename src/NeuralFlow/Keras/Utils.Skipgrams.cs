namespace NeuralFlow.Keras;

public static partial class Utils
{
    /// <summary>
    /// The probability of keeping a word of each rank (Keras' <c>keras.preprocessing.sequence.make_sampling_table</c>,
    /// for <see cref="Skipgrams"/>): word2vec's min(1, sqrt(f / s) / (f / s)) with Zipf's frequency
    /// f(rank) ~ 1 / (rank (ln rank + gamma) + 1/2 - 1 / (12 rank)), gamma = 0.577 as Keras rounds it; rank 0 counts as 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative size, or a sampling factor that is not positive.</exception>
    public static double[] MakeSamplingTable(int size, double samplingFactor = 1e-5)
    {
        if (size < 0) throw new ArgumentOutOfRangeException(nameof(size), size, "MakeSamplingTable: size must be at least 0.");
        if (!(samplingFactor > 0)) throw new ArgumentOutOfRangeException(nameof(samplingFactor), samplingFactor, "MakeSamplingTable: samplingFactor must be positive.");
        const double gamma = 0.577;
        var table = new double[size];
        for (int i = 0; i < size; i++)
        {
            double rank = Math.Max(i, 1);
            double f = samplingFactor * (rank * (Math.Log(rank) + gamma) + 0.5 - 1.0 / (12.0 * rank));
            table[i] = Math.Min(1.0, f / Math.Sqrt(f));
        }
        return table;
    }

    /// <summary>
    /// Skip-gram pairs of a sequence of word ids (Keras' <c>keras.preprocessing.sequence.skipgrams</c>): each
    /// word i (id 0 is padding, skipped; with <paramref name="samplingTable"/>, kept with probability table[id])
    /// paired with every non-padding word within <paramref name="windowSize"/> of it, label 1, in Keras' order;
    /// then <c>int(count * negativeSamples)</c> pairs of a shuffled target and a random id in [1, vocabularySize), label 0;
    /// then, with <paramref name="shuffle"/>, pairs and labels shuffled together. Draws come from a generator of
    /// <paramref name="seed"/>, or of a seed drawn from <see cref="NF.Random"/> (so <c>NF.Random.SetSeed</c> repeats them).
    /// Keras' <c>categorical=True</c> labels ([0, 1] for a pair, [1, 0] for a negative) are
    /// <c>NF.OneHot(NF.Constant(labels.ToArray()), 2)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A vocabulary below 2 with negative samples, a negative window or rate, a table shorter than an id.</exception>
    public static (IReadOnlyList<(int Target, int Context)> Couples, IReadOnlyList<int> Labels) Skipgrams(
        IReadOnlyList<int> sequence, int vocabularySize, int windowSize = 4, double negativeSamples = 1.0, bool shuffle = true,
        IReadOnlyList<double>? samplingTable = null, int? seed = null)
    {
        const string op = "Skipgrams";
        ArgumentNullException.ThrowIfNull(sequence);
        if (windowSize < 0) throw new ArgumentOutOfRangeException(nameof(windowSize), windowSize, $"{op}: windowSize must be at least 0.");
        if (!(negativeSamples >= 0) || double.IsInfinity(negativeSamples))
            throw new ArgumentOutOfRangeException(nameof(negativeSamples), negativeSamples, $"{op}: negativeSamples must be a finite number >= 0.");
        if (negativeSamples > 0 && vocabularySize < 2)
            throw new ArgumentOutOfRangeException(nameof(vocabularySize), vocabularySize, $"{op}: negative samples are ids in [1, vocabularySize), so vocabularySize must be at least 2.");
        int drawnSeed;
        if (seed is { } given) drawnSeed = given;
        else using (var draw = NF.Random.Uniform([], 0, int.MaxValue, DType.Int32)) drawnSeed = draw.Item<int>();
        var random = new System.Random(drawnSeed);
        var couples = new List<(int, int)>();
        var labels = new List<int>();
        for (int i = 0; i < sequence.Count; i++)
        {
            int wi = sequence[i];
            if (wi == 0) continue;
            if (samplingTable is not null)
            {
                if (wi < 0 || wi >= samplingTable.Count)
                    throw new ArgumentException($"{op}: word id {wi} at position {i} has no entry in the sampling table of {samplingTable.Count}.", nameof(samplingTable));
                if (samplingTable[wi] < random.NextDouble()) continue;
            }
            // In long: a window of int.MaxValue (every word) must not wrap around to none.
            for (int j = (int)Math.Max(0, (long)i - windowSize); j < Math.Min(sequence.Count, (long)i + windowSize + 1); j++)
            {
                if (j == i || sequence[j] == 0) continue;
                couples.Add((wi, sequence[j]));
                labels.Add(1);
            }
        }
        if (negativeSamples > 0 && couples.Count > 0)
        {
            double wanted = labels.Count * negativeSamples;
            if (wanted > Array.MaxLength)
                throw new ArgumentOutOfRangeException(nameof(negativeSamples), negativeSamples,
                    $"{op}: {labels.Count} positive couples x negativeSamples = {negativeSamples} asks for {wanted:g4} negative couples, more than a list holds.");
            int negatives = (int)wanted;
            var words = couples.Select(c => c.Item1).ToArray();
            random.Shuffle(words);
            for (int i = 0; i < negatives; i++)
            {
                couples.Add((words[i % words.Length], random.Next(1, vocabularySize)));
                labels.Add(0);
            }
        }
        if (shuffle)
        {
            // One permutation for both, as Keras reseeds before shuffling each.
            var order = Enumerable.Range(0, couples.Count).ToArray();
            random.Shuffle(order);
            return (order.Select(k => couples[k]).ToArray(), order.Select(k => labels[k]).ToArray());
        }
        return (couples, labels);
    }
}
