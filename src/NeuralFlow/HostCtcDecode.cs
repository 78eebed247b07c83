namespace NeuralFlow;

/// <summary>
/// CTC decoding of one example on the host, in double (NF.CtcDecode reads the logits back):
/// the greedy best path and the prefix beam search. Both return label sequences without blanks
/// and the score Keras gives them.
/// </summary>
internal static class HostCtcDecode
{
    /// <summary>
    /// The best path: the arg max class of each of the first <paramref name="steps"/> rows
    /// (the first on ties, NaN counting as the largest as in NumPy), a class equal to the one
    /// before it dropped when <paramref name="mergeRepeated"/>, then blanks dropped. The score is
    /// minus the sum of the chosen logits (tf.nn.ctc_greedy_decoder's, which Keras returns).
    /// </summary>
    public static (List<int> Labels, double Score) Greedy(double[] logits, long offset, int steps, int classes, int blank, bool mergeRepeated)
    {
        var labels = new List<int>();
        double sum = 0;
        int previous = -1;
        for (int t = 0; t < steps; t++)
        {
            long row = offset + (long)t * classes;
            int best = 0;
            for (int k = 1; k < classes && !double.IsNaN(logits[row + best]); k++)
                if (double.IsNaN(logits[row + k]) || logits[row + k] > logits[row + best]) best = k;
            sum += logits[row + best];
            bool repeat = mergeRepeated && best == previous;
            previous = best;
            if (best != blank && !repeat) labels.Add(best);
        }
        return (labels, -sum);
    }

    /// <summary>
    /// The CTC prefix beam search (Hannun et al. 2014; Keras' JAX and PyTorch backends): each
    /// prefix keeps two log probabilities, of the paths ending in a blank and of those ending in
    /// its last label, over the log-softmax of the logits; every step extends each prefix by
    /// every class and keeps the <paramref name="beamWidth"/> most probable prefixes. The
    /// <paramref name="topPaths"/> best are returned with their log probability (the sum of both
    /// tracks), best first, ties broken by the order the prefixes were first reached; missing
    /// paths (fewer prefixes than asked for) are empty with score -infinity.
    /// With a beam at least as wide as the number of prefixes, the scores are exact: the log of
    /// the summed probability of every path that collapses to the prefix.
    /// </summary>
    public static (List<int> Labels, double Score)[] BeamSearch(double[] logits, long offset, int steps, int classes, int blank, int beamWidth, int topPaths)
    {
        var logProbs = HostCtc.LogSoftmaxRows(logits, offset, steps, classes);
        var trie = new PrefixTrie();
        // The empty prefix, before any step: probability 1, all of it "ending in a blank".
        var beam = new List<Beam> { new(PrefixTrie.Root, 0, double.NegativeInfinity) };
        for (int t = 0; t < steps; t++)
        {
            var next = new Dictionary<int, int>();  // prefix -> its index in extended
            var extended = new List<Beam>();
            void Add(int prefix, double blankScore, double labelScore)
            {
                if (!next.TryGetValue(prefix, out int at))
                {
                    next[prefix] = extended.Count;
                    extended.Add(new Beam(prefix, blankScore, labelScore));
                    return;
                }
                var b = extended[at];
                extended[at] = b with { Blank = HostCtc.LogAdd(b.Blank, blankScore), Label = HostCtc.LogAdd(b.Label, labelScore) };
            }
            int row = t * classes;
            foreach (var b in beam)
            {
                double total = HostCtc.LogAdd(b.Blank, b.Label);
                int last = trie.Last(b.Prefix);
                for (int k = 0; k < classes; k++)
                {
                    double p = logProbs[row + k];
                    if (k == blank) Add(b.Prefix, total + p, double.NegativeInfinity);
                    else if (k == last)
                    {
                        // A repeat collapses into the prefix unless a blank separates it.
                        Add(b.Prefix, double.NegativeInfinity, b.Label + p);
                        Add(trie.Child(b.Prefix, k), double.NegativeInfinity, b.Blank + p);
                    }
                    else Add(trie.Child(b.Prefix, k), double.NegativeInfinity, total + p);
                }
            }
            beam = Best(extended, beamWidth);
        }
        var top = Best(beam, topPaths);
        var result = new (List<int>, double)[topPaths];
        for (int i = 0; i < topPaths; i++)
            result[i] = i < top.Count ? (trie.Labels(top[i].Prefix), top[i].Total) : ([], double.NegativeInfinity);
        return result;
    }

    // The count most probable beams, best first; a stable sort keeps first-reached prefixes first on ties.
    private static List<Beam> Best(List<Beam> beams, int count) =>
        beams.OrderByDescending(b => double.IsNaN(b.Total) ? double.NegativeInfinity : b.Total).Take(count).ToList();

    private readonly record struct Beam(int Prefix, double Blank, double Label)
    {
        public double Total => HostCtc.LogAdd(Blank, Label);
    }

    /// <summary>Label prefixes as nodes of a trie: a prefix is its node, extending it is one dictionary look-up.</summary>
    private sealed class PrefixTrie
    {
        public const int Root = 0;
        private readonly List<(int Parent, int Label)> _nodes = [(-1, -1)];
        private readonly Dictionary<(int, int), int> _children = [];

        public int Child(int prefix, int label)
        {
            if (_children.TryGetValue((prefix, label), out int child)) return child;
            _nodes.Add((prefix, label));
            return _children[(prefix, label)] = _nodes.Count - 1;
        }

        /// <summary>The prefix's last label, -1 for the empty one.</summary>
        public int Last(int prefix) => _nodes[prefix].Label;

        public List<int> Labels(int prefix)
        {
            var labels = new List<int>();
            for (int n = prefix; n != Root; n = _nodes[n].Parent) labels.Add(_nodes[n].Label);
            labels.Reverse();
            return labels;
        }
    }
}
