using System.Runtime.CompilerServices;

namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// TensorFlow's buffered shuffle: fill a buffer with the first <c>bufferSize</c> elements,
/// then repeatedly yield a uniformly chosen one and put the next input element in its place.
/// A buffer at least as large as the data gives a uniform permutation. Each pass uses its
/// own seed: derived from <c>seed</c> (or one drawn from the global generator) and the pass
/// number when reshuffling, so a seeded pipeline repeats the same sequence of orders run after
/// run; the same seed every pass otherwise.
/// </summary>
internal sealed class ShuffleNode : OrderOnlyNode
{
    private readonly int _bufferSize;
    private readonly int _seed;
    private readonly bool _reshuffle;
    private readonly StrongBox<int> _pass = new(-1);

    public ShuffleNode(Node upstream, int bufferSize, int? seed, bool reshuffleEachIteration) : base(upstream)
    {
        if (bufferSize < 1)
            throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, "Shuffle: bufferSize must be at least 1 (1 leaves the order unchanged).");
        _bufferSize = bufferSize;
        // Without a seed of its own the shuffle takes one from the global generator, as tf.data's
        // takes an op seed from tf.random.set_seed: after NF.Random.SetSeed the same pipeline
        // gives the same sequence of orders, run after run; without SetSeed, a new one each run.
        _seed = seed ?? (int)NF.Random.NextSeed();
        _reshuffle = reshuffleEachIteration;
    }

    private ShuffleNode(Node upstream, ShuffleNode settings) : base(upstream)
    {
        (_bufferSize, _seed, _reshuffle, _pass) = (settings._bufferSize, settings._seed, settings._reshuffle, settings._pass);
    }

    public override Node Over(Node upstream) => new ShuffleNode(upstream, this);
    public override long Cardinality => Upstream.Cardinality;

    // Not an iterator: the pass is counted (and its seed drawn) when the pass is opened.
    protected override IEnumerator<T> Order<T>(Func<IEnumerator<T>> open, Action<T> drop)
    {
        int pass = Interlocked.Increment(ref _pass.Value);
        int seed = _reshuffle ? Mix(_seed, pass) : _seed;
        return Run(open, drop, new System.Random(seed));
    }

    /// <summary>A fixed mix of seed and pass (SplitMix64's finaliser): unlike HashCode, the same in every process.</summary>
    internal static int Mix(int seed, int pass) => (int)RandomStream.SplitMix64((ulong)(uint)seed << 32 | (uint)pass);

    private IEnumerator<T> Run<T>(Func<IEnumerator<T>> open, Action<T> drop, System.Random random)
    {
        var buffer = new List<T>(Math.Min(_bufferSize, 1 << 16));
        try
        {
            using var source = open();
            while (buffer.Count < _bufferSize && source.MoveNext()) buffer.Add(source.Current);
            while (buffer.Count > 0)
            {
                int i = random.Next(buffer.Count);
                var chosen = buffer[i];
                if (source.MoveNext())
                {
                    buffer[i] = source.Current;
                }
                else
                {
                    buffer[i] = buffer[^1];
                    buffer.RemoveAt(buffer.Count - 1);
                }
                yield return chosen;
            }
        }
        finally
        {
            foreach (var item in buffer) drop(item);
        }
    }
}
