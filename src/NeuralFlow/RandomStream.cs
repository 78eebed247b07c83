namespace NeuralFlow;

/// <summary>
/// A generator of its own (Keras' <c>SeedGenerator</c>, behind a layer's <c>seed</c> argument): the
/// Philox numbers of NF.Random, from a seed and a counter of its own, so what it draws depends on
/// neither NF.Random's seed nor its position. An NF.Function replay draws afresh from it, as an
/// eager call would (<see cref="JustDrew"/> tells the recorder where numbers came from).
/// </summary>
internal sealed class RandomStream
{
    private ulong _seed;
    private long _offset;

    // Mixed, so that a layer seeded 5 does not draw the numbers of NF.Random.SetSeed(5).
    public RandomStream(int seed) : this(((ulong)(uint)seed + 0x5EED5EED5EEDUL) * 0x9E3779B97F4A7C15UL, 0) { }

    /// <summary>A stream at <paramref name="position"/> of the Philox key <paramref name="key"/>, taken as it is (an <see cref="NF.Random.Generator"/>'s).</summary>
    public RandomStream(ulong key, long position)
    {
        _seed = key;
        Position = position;
    }

    /// <summary>The Philox key the stream draws with.</summary>
    public ulong Key => Volatile.Read(ref _seed);

    /// <summary>
    /// Starts the stream again at <paramref name="key"/>, position 0 (<c>Generator.reset_from_seed</c>).
    /// The stream stays the same object, so an NF.Function that traced a draw from it draws from the new key.
    /// </summary>
    public void Reset(ulong key)
    {
        Volatile.Write(ref _seed, key);
        Interlocked.Exchange(ref _offset, 0);
    }

    // This thread's last draw: the stream and where its numbers ended.
    [ThreadStatic] private static (RandomStream Stream, ulong Seed, ulong End)? _last;

    /// <summary>
    /// How many numbers the stream has given: its whole state besides the seed (Keras keeps a
    /// SeedGenerator's as a variable), saved with a model and a training checkpoint so that a
    /// resumed run draws on where the interrupted one stopped.
    /// </summary>
    public long Position
    {
        get => Interlocked.Read(ref _offset);
        set => Interlocked.Exchange(ref _offset, value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "a stream position is >= 0"));
    }

    /// <summary>The (seed, offset) of <paramref name="count"/> fresh numbers, the counter advanced past them.</summary>
    public (ulong Seed, ulong Offset) Draw(long count)
    {
        var at = (ulong)(Interlocked.Add(ref _offset, count) - count);
        var key = Key;
        _last = (this, key, at + (ulong)count);
        return (key, at);
    }

    /// <summary>SplitMix64 of <paramref name="x"/> (its step and finaliser): a fixed mix, the same in every process, for deriving seeds.</summary>
    public static ulong SplitMix64(ulong x)
    {
        ulong z = x + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The stream whose <see cref="Draw"/> on this thread just gave <paramref name="count"/> numbers at (seed, offset), or null.</summary>
    public static RandomStream? JustDrew(ulong seed, ulong offset, long count) =>
        _last is var (stream, s, end) && s == seed && end == offset + (ulong)count ? stream : null;
}
