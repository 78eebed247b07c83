using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Data;

// tf.data's rejection_resample: a dataset whose classes come out in a target distribution, by
// rejecting elements of the classes the data has too many of, as the guide balances a dataset
// of 0.2% fraud without splitting it by class first.
public partial class Dataset<T>
{
    // np.finfo(np.float32).tiny, which TensorFlow adds to the initial probabilities so that a class absent from them divides by no zero.
    private const double Tiny = 1.1754943508222875e-38;

    /// <summary>
    /// <c>rejection_resample</c>: elements resampled so that their classes
    /// (<paramref name="classFunc"/>, a scalar integer in [0, classes)) follow
    /// <paramref name="targetDist"/>, given as the data's class distribution in
    /// <paramref name="initialDist"/>. Each element comes out with its class:
    /// <c>(class, element)</c>, as in TensorFlow (drop it with <c>.Map((cls, e) =&gt; e)</c>). As
    /// TensorFlow does, it mixes the data as it is (with probability min(target / initial)) with
    /// a stream that accepts an element of class i with probability (r_i - min r) / (max r - min r),
    /// r = target / initial, and ends when either runs out. Without <paramref name="initialDist"/>
    /// the classes of one pass are counted first (TensorFlow estimates them as the data streams;
    /// an infinite dataset therefore needs <paramref name="initialDist"/>). The random draws come
    /// from <paramref name="seed"/>, else from <see cref="NF.Random.SetSeed"/>'s generator.
    /// </summary>
    public Dataset<(Tensor, T)> RejectionResample(Func<T, Tensor> classFunc, double[] targetDist, double[]? initialDist = null, int? seed = null)
    {
        const string op = nameof(RejectionResample);
        ArgumentNullException.ThrowIfNull(classFunc);
        var target = Distribution(targetDist, nameof(targetDist), op);
        var classes = target.Length;
        Tensor ClassOf(T e)
        {
            var c = classFunc(e);
            long value = IntegerOf(c, op, "class function");
            if (value < 0 || value >= classes)
                throw new InvalidOperationException($"{op}: the class function returned {value}, but targetDist has {classes} classes, so classes must be in [0, {classes}).");
            return c;
        }
        var initial = initialDist is not null ? Distribution(initialDist, nameof(initialDist), op) : CountClasses(ClassOf, classes, op);
        if (initial.Length != classes)
            throw new ArgumentException($"{op}: initialDist has {initial.Length} classes and targetDist {classes}; give one probability per class in both.", nameof(initialDist));
        var ratio = target.Select((t, i) => t / (initial[i] + Tiny)).ToArray();
        double min = ratio.Min(), max = ratio.Max();
        int baseSeed = seed ?? (int)NF.Random.NextSeed();
        var classed = Map(e => (ClassOf(e), e));
        // The data as it is already has the target distribution: nothing to reject.
        if (max - min <= 1e-12 * max) return classed;
        var accept = ratio.Select(r => (r - min) / (max - min)).ToArray();
        var uniforms = Dataset.FromGenerator(() => Uniforms(baseSeed));
        var filtered = Dataset.Zip(classed, uniforms)
            .Filter(p => p.Item2.Item<double>() < accept[IntegerOf(p.Item1.Item1, op, "class function")])
            .Map<(Tensor, T)>(p => p.Item1);
        if (min <= 0) return filtered;
        return Dataset.SampleFromDatasets<(Tensor, T)>([classed, filtered], [min, 1 - min], ShuffleNode.Mix(baseSeed, 1), stopOnEmptyDataset: true);
    }

    /// <summary>The uniform numbers in [0, 1) one pass draws to accept or reject (the same every pass, as a seeded tf.random.uniform).</summary>
    private static IEnumerable<Tensor> Uniforms(int seed)
    {
        var random = new System.Random(seed);
        while (true) yield return NF.Constant(random.NextDouble());
    }

    /// <summary>The classes' share of one pass over the data.</summary>
    private double[] CountClasses(Func<T, Tensor> classOf, int classes, string op)
    {
        if (Cardinality == Infinite)
            throw new ArgumentException($"{op}: the dataset is infinite, so its class distribution cannot be counted; give initialDist (the share of each class in the data).", "initialDist");
        var counts = new double[classes];
        foreach (var c in Map(classOf).AutoDispose()) counts[IntegerOf(c, op, "class function")]++;
        double total = counts.Sum();
        if (total == 0) throw new InvalidOperationException($"{op}: the dataset is empty, so there is nothing to resample.");
        return Array.ConvertAll(counts, c => c / total);
    }

    /// <summary>A probability per class, checked and made to sum to 1.</summary>
    private static double[] Distribution(double[]? probabilities, string name, string op)
    {
        ArgumentNullException.ThrowIfNull(probabilities, name);
        if (probabilities.Length == 0 || probabilities.Any(p => !double.IsFinite(p) || p < 0) || probabilities.Sum() <= 0)
            throw new ArgumentException($"{op}: {name} must hold one finite, non-negative probability per class, not all zero, got [{string.Join(", ", probabilities)}].", name);
        double sum = probabilities.Sum();
        return Array.ConvertAll(probabilities, p => p / sum);
    }
}
