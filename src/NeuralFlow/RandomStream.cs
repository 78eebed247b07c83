namespace NeuralFlow;

/// <summary>
/// A generator of its own (Keras' <c>SeedGenerator</c>, behind a layer's <c>seed</c> argument): the
/// Philox numbers of NF.Random, from a seed and a counter of its own, so what it draws depends on
/// neither NF.Random's seed nor its position. An NF.Function replay draws afresh from it, as an
/// eager call would (<see cref="JustDrew"/> tells the recorder where numbers came from).
/// </summary>
internal sealed class RandomStream(int seed)
{
    // Mixed, so that a layer seeded 5 does not draw the numbers of NF.Random.SetSeed(5).
    private readonly ulong _seed = ((ulong)(uint)seed + 0x5EED5EED5EEDUL) * 0x9E3779B97F4A7C15UL;
    private long _offset;

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
        _last = (this, _seed, at + (ulong)count);
        return (_seed, at);
    }

    /// <summary>The stream whose <see cref="Draw"/> on this thread just gave <paramref name="count"/> numbers at (seed, offset), or null.</summary>
    public static RandomStream? JustDrew(ulong seed, ulong offset, long count) =>
        _last is var (stream, s, end) && s == seed && end == offset + (ulong)count ? stream : null;
}
