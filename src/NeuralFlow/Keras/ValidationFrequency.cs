using System.Runtime.CompilerServices;

namespace NeuralFlow.Keras;

/// <summary>
/// Fit's <c>validationFreq</c>, Keras' <c>validation_freq</c>: an int n validates after every n-th
/// epoch (<c>validationFreq: 2</c>: after epochs 2, 4, ...), a list of epochs after exactly those
/// (<c>validationFreq: [1, 5, 10]</c>). Epochs count from 1, as Keras' <c>_should_eval</c> counts
/// them. It converts implicitly from an int, an array, a list or a collection expression; the
/// default is every epoch.
/// </summary>
[CollectionBuilder(typeof(ValidationFrequency), nameof(Create))]
public readonly struct ValidationFrequency
{
    // Every n-th epoch; 0 (the default value) means every epoch, so that `default` validates each.
    private readonly int _every;
    private readonly bool _given;
    private readonly int[]? _epochs;

    private ValidationFrequency(int every)
    {
        _every = every;
        _given = true;
    }

    private ValidationFrequency(int[] epochs) => _epochs = epochs;

    /// <summary>Validate after every <paramref name="every"/>-th epoch.</summary>
    public static implicit operator ValidationFrequency(int every) => new(every);

    /// <summary>Validate after the listed 1-based epochs.</summary>
    public static implicit operator ValidationFrequency(int[] epochs) =>
        new((int[])(epochs ?? throw new ArgumentNullException(nameof(epochs), "Fit: validationFreq is null; give an int or a list of epochs.")).Clone());

    /// <summary>Validate after the listed 1-based epochs.</summary>
    public static implicit operator ValidationFrequency(List<int> epochs) =>
        new((epochs ?? throw new ArgumentNullException(nameof(epochs), "Fit: validationFreq is null; give an int or a list of epochs.")).ToArray());

    /// <summary>The listed epochs: what a collection expression (<c>[1, 5, 10]</c>) builds.</summary>
    public static ValidationFrequency Create(ReadOnlySpan<int> epochs) => new(epochs.ToArray());

    /// <summary>The listed epochs (none for an every-n-th-epoch frequency).</summary>
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)(_epochs ?? [])).GetEnumerator();

    /// <summary>Refuses an every-n below 1 and a listed epoch below 1 (epochs count from 1; 0 would never be validated).</summary>
    internal void Check(string method)
    {
        if (_epochs is null && _given && _every < 1)
            throw new ArgumentOutOfRangeException("validationFreq", _every, $"{method}: validationFreq must be at least 1.");
        foreach (int epoch in _epochs ?? [])
            if (epoch < 1)
                throw new ArgumentOutOfRangeException("validationFreq", epoch,
                    $"{method}: validationFreq lists epoch {epoch}, but the epochs to validate after count from 1 (Keras' validation_freq=[1, 2, 10]), so it would never be validated.");
    }

    /// <summary>Whether Fit validates after the 0-based <paramref name="epoch"/> (Keras' _should_eval).</summary>
    internal bool After(int epoch) =>
        _epochs is { } listed ? Array.IndexOf(listed, epoch + 1) >= 0 : (epoch + 1) % (_given ? _every : 1) == 0;

    /// <inheritdoc/>
    public override string ToString() => _epochs is { } listed ? $"[{string.Join(", ", listed)}]" : (_given ? _every : 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
