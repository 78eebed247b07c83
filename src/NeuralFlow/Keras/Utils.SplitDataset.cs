using System.Globalization;
using NeuralFlow.Data;

namespace NeuralFlow.Keras;

public static partial class Utils
{
    /// <summary>
    /// Splits a finite dataset in two (<c>keras.utils.split_dataset</c>): the first
    /// <paramref name="leftSize"/> elements and the last <paramref name="rightSize"/> ones (elements
    /// in neither, when the two do not add up to all, are left out, as in Keras). A size below 1 is a
    /// fraction of the elements (rounded half to even, as Python's round), a whole number of 1 or
    /// more a count; one size may be null for "the rest", not both. With <paramref name="shuffle"/>
    /// the elements are shuffled once, by <paramref name="seed"/> (drawn from
    /// <see cref="NF.Random"/> when null), before splitting, so both sides see the same order and
    /// never share an element. A split that would be empty is an error, as in Keras.
    /// </summary>
    public static (Dataset<T> Left, Dataset<T> Right) SplitDataset<T>(Dataset<T> dataset, double? leftSize = null, double? rightSize = null,
                                                                      bool shuffle = false, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        long total = dataset.Cardinality switch
        {
            Dataset.Infinite => throw new ArgumentException("SplitDataset: the dataset is infinite (a Repeat() without a count); split it before repeating.", nameof(dataset)),
            Dataset.Unknown => CountElements(dataset),
            var n => n,
        };
        var (left, right) = SplitSizes(total, leftSize, rightSize);
        if (shuffle)
        {
            // One fixed order read by both sides: a seed, and no reshuffle between their passes.
            int s = seed ?? (int)(NF.Random.NextSeed() % int.MaxValue);
            dataset = dataset.Shuffle((int)Math.Min(total, int.MaxValue), s, reshuffleEachIteration: false);
        }
        return (dataset.Take(left), dataset.Skip(total - right));
    }

    /// <summary><see cref="SplitDataset{T}"/> of the rows of <paramref name="x"/>.</summary>
    public static (Dataset<Tensor> Left, Dataset<Tensor> Right) SplitDataset(Tensor x, double? leftSize = null, double? rightSize = null,
                                                                             bool shuffle = false, int? seed = null) =>
        SplitDataset(Dataset.FromTensorSlices(x), leftSize, rightSize, shuffle, seed);

    /// <summary><see cref="SplitDataset{T}"/> of the (x[i], y[i]) pairs (Keras' <c>split_dataset((x, y), ...)</c>).</summary>
    public static (Dataset<(Tensor, Tensor)> Left, Dataset<(Tensor, Tensor)> Right) SplitDataset(Tensor x, Tensor y, double? leftSize = null,
                                                                                                 double? rightSize = null, bool shuffle = false, int? seed = null) =>
        SplitDataset(Dataset.FromTensorSlices(x, y), leftSize, rightSize, shuffle, seed);

    // Keras counts a dataset of unknown length by reading it (split_dataset turns it into a list).
    private static long CountElements<T>(Dataset<T> dataset)
    {
        long n = 0;
        foreach (var _ in dataset)
        {
            using var scope = TensorScope.Begin();
            n++;
        }
        return n;
    }

    // Keras' _rescale_dataset_split_sizes: fractions of the total rounded, counts checked, the
    // missing side the rest, and neither side empty nor the two more than the total.
    internal static (long Left, long Right) SplitSizes(long total, double? leftSize, double? rightSize)
    {
        if (leftSize is null && rightSize is null)
            throw new ArgumentException("SplitDataset: give leftSize, rightSize or both (Keras: at least one must be specified).", nameof(leftSize));
        long? left = Size(leftSize, total, nameof(leftSize)), right = Size(rightSize, total, nameof(rightSize));
        long l = left ?? total - right!.Value, r = right ?? total - left!.Value;
        if (l + r > total)
            throw new ArgumentException($"SplitDataset: leftSize + rightSize ({l} + {r}) is more than the {total} elements of the dataset.", nameof(rightSize));
        if (l == 0 || r == 0)
            throw new ArgumentException($"SplitDataset: the split of {total} elements into {l} and {r} leaves one side empty; choose other sizes.",
                                        l == 0 ? nameof(leftSize) : nameof(rightSize));
        return (l, r);
    }

    private static long? Size(double? size, long total, string name)
    {
        if (size is not { } s) return null;
        string shown = s.ToString(CultureInfo.InvariantCulture);
        if (!double.IsFinite(s) || s <= 0)
            throw new ArgumentOutOfRangeException(name, s, $"SplitDataset: {name} must be a fraction in (0, 1) or a count of 1 or more, got {shown}.");
        if (s < 1) return (long)Math.Round(s * total, MidpointRounding.ToEven);
        if (s != Math.Floor(s))
            throw new ArgumentOutOfRangeException(name, s, $"SplitDataset: {name} = {shown} is neither a fraction below 1 nor a whole count.");
        if (s > total)
            throw new ArgumentOutOfRangeException(name, s, $"SplitDataset: {name} = {shown} is more than the {total} elements of the dataset.");
        return (long)s;
    }
}
