using System.Runtime.CompilerServices;
using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Data;

// tf.data's sample_from_datasets and choose_from_datasets: one dataset drawn from several, at
// random by weights (to balance classes, mix sources) or as a dataset of choices names.
public abstract partial class Dataset
{
    /// <summary>
    /// <c>tf.data.Dataset.sample_from_datasets</c>: each element is the next element of one of
    /// <paramref name="datasets"/>, dataset i chosen at random with probability
    /// <paramref name="weights"/>[i] / sum (equal weights when null), e.g. a class-balanced
    /// dataset from one dataset per class: <c>Dataset.SampleFromDatasets([negatives, positives], [0.5, 0.5])</c>.
    /// A dataset that runs out is left out and the weights of the rest renormalised, so every
    /// element of a dataset with a positive weight comes out once, until all have run out; with
    /// <paramref name="stopOnEmptyDataset"/> the first one to run out ends the result instead.
    /// The draws come from <paramref name="seed"/> (else from <see cref="NF.Random.SetSeed"/>'s
    /// generator, as <c>tf.random.set_seed</c>), the same in every pass unless
    /// <paramref name="rerandomizeEachIteration"/>. The datasets need the same structure and dtypes.
    /// </summary>
    public static Dataset<T> SampleFromDatasets<T>(IReadOnlyList<Dataset<T>> datasets, double[]? weights = null, int? seed = null,
        bool stopOnEmptyDataset = false, bool rerandomizeEachIteration = false)
    {
        const string op = nameof(SampleFromDatasets);
        var inputs = Inputs(datasets, op);
        var w = weights is null ? Enumerable.Repeat(1.0, datasets.Count).ToArray() : (double[])weights.Clone();
        if (w.Length != datasets.Count)
            throw new ArgumentException($"{op}: {w.Length} weights for {datasets.Count} datasets; give one weight per dataset.", nameof(weights));
        if (w.Any(x => !double.IsFinite(x) || x < 0) || w.Sum() <= 0)
            throw new ArgumentException($"{op}: the weights must be finite, non-negative and not all zero, got [{string.Join(", ", w)}].", nameof(weights));
        // Relative to the largest: finite weights near double.MaxValue would sum to infinity, and
        // every draw would then land on the first dataset.
        double largest = w.Max();
        for (int i = 0; i < w.Length; i++) w[i] /= largest;
        int baseSeed = seed ?? (int)NF.Random.NextSeed();
        var pass = new StrongBox<int>(-1);
        Func<DirectedInterleaveNode.IChooser> open = () =>
        {
            int p = Interlocked.Increment(ref pass.Value);
            return new WeightedChooser(w, new System.Random(rerandomizeEachIteration ? ShuffleNode.Mix(baseSeed, p) : baseSeed));
        };
        var sampled = Enumerable.Range(0, w.Length).Where(i => w[i] > 0).Select(i => inputs[i].Cardinality).ToArray();
        long cardinality = stopOnEmptyDataset
            ? sampled.Contains(0) ? 0 : sampled.All(c => c == Infinite) ? Infinite : Unknown
            // Without stopping, every element of a dataset with a positive weight is drawn in the end.
            : sampled.Contains(Infinite) ? Infinite : sampled.Contains(Unknown) ? Unknown : sampled.Sum();
        return new Dataset<T>(new DirectedInterleaveNode(inputs, open, stopOnEmptyDataset, cardinality, op), datasets[0].Elements);
    }

    /// <summary>
    /// <c>tf.data.Dataset.choose_from_datasets</c>: element k is the next element of
    /// <c>datasets[choice k]</c>, the choices being the scalar integers of
    /// <paramref name="choiceDataset"/> (<c>Dataset.Range(3).Repeat(3)</c> takes one element of
    /// each of three datasets in turn). A choice outside [0, datasets.Count) fails naming it. When a
    /// chosen dataset has run out, the result ends (<paramref name="stopOnEmptyDataset"/>, TensorFlow's
    /// default) or skips that choice; it ends too when the choices do or every dataset has run out.
    /// </summary>
    public static Dataset<T> ChooseFromDatasets<T>(IReadOnlyList<Dataset<T>> datasets, Dataset<Tensor> choiceDataset, bool stopOnEmptyDataset = true)
    {
        const string op = nameof(ChooseFromDatasets);
        var inputs = Inputs(datasets, op);
        ArgumentNullException.ThrowIfNull(choiceDataset);
        var choices = choiceDataset.Node;
        long cardinality = choices.Cardinality == 0 ? 0
            : choices.Cardinality == Infinite && inputs.All(n => n.Cardinality == Infinite) ? Infinite
            : Unknown;
        return new Dataset<T>(new DirectedInterleaveNode(inputs, () => new ChoiceReader(choices.Open(), op), stopOnEmptyDataset, cardinality, op), datasets[0].Elements);
    }

    /// <summary>The datasets' pipelines laid out as the first one's (a dictionary's keys checked).</summary>
    private static Node[] Inputs<T>(IReadOnlyList<Dataset<T>> datasets, string op)
    {
        ArgumentNullException.ThrowIfNull(datasets);
        if (datasets.Count == 0) throw new ArgumentException($"{op}: give at least one dataset.", nameof(datasets));
        for (int i = 0; i < datasets.Count; i++)
            if (datasets[i] is null) throw new ArgumentNullException(nameof(datasets), $"{op}: dataset {i} is null.");
        return datasets.Select(d => datasets[0].Relayout(d, op)).ToArray();
    }

    /// <summary>Random choices by weight among the datasets that have not run out.</summary>
    private sealed class WeightedChooser(double[] weights, System.Random random) : DirectedInterleaveNode.IChooser
    {
        public long? Next(bool[] exhausted)
        {
            double total = 0;
            for (int i = 0; i < weights.Length; i++)
                if (!exhausted[i]) total += weights[i];
            if (total <= 0) return null;   // only datasets of weight 0 left: none can be drawn
            double u = random.NextDouble() * total;
            int last = -1;
            for (int i = 0; i < weights.Length; i++)
            {
                if (exhausted[i] || weights[i] == 0) continue;
                last = i;
                u -= weights[i];
                if (u < 0) return i;
            }
            return last;   // u at the very top of the range after rounding
        }

        public void Dispose() { }
    }

    /// <summary>The choices of a choice dataset, read one scalar integer at a time.</summary>
    private sealed class ChoiceReader(IEnumerator<Part[]> choices, string op) : DirectedInterleaveNode.IChooser
    {
        public long? Next(bool[] exhausted)
        {
            if (!choices.MoveNext()) return null;
            var element = Element.Take(choices.Current);
            try
            {
                return Dataset<Tensor>.IntegerOf(element[0], op, "choice dataset");
            }
            finally
            {
                foreach (var t in element) t.Dispose();
            }
        }

        public void Dispose() => choices.Dispose();
    }
}
