namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Einstein summation (<c>tf.einsum</c> / <c>np.einsum</c>): <paramref name="equation"/> names
    /// each operand's axes with letters, "->" names the output's (without it, the output is the
    /// letters used once, in alphabetical order); letters missing from the output are summed.
    /// Matrix products ("ij,jk->ik", "bij,bjk->bik"), transposes ("ij->ji"), sums ("ij->i",
    /// "ij->"), outer ("i,j->ij") and elementwise ("ij,ij->ij") products, dots ("i,i->"), several
    /// operands ("bi,ij,bj->b", contracted left to right) and "..." for broadcast leading axes all
    /// work. Built from Transpose, Reshape, BroadcastTo, ReduceSum, Multiply and MatMul, so the
    /// gradient is theirs. A letter repeated within one operand (a diagonal, "ii->i") is not
    /// supported and says so.
    /// </summary>
    /// <exception cref="ArgumentException">The equation is malformed or unsupported, or does not fit the operands' shapes.</exception>
    public static Tensor Einsum(string equation, params Tensor[] operands)
    {
        ArgumentNullException.ThrowIfNull(equation);
        ArgumentNullException.ThrowIfNull(operands);
        var owned = new List<Tensor>();   // intermediates (see ReleaseIntermediates)
        (equation, operands) = TakeRepeatedDiagonals(equation, operands, owned);
        var (inputs, output) = EinsumLabels(equation, operands);
        var terms = operands.Select((t, i) => (T: t, L: inputs[i])).ToList();
        Tensor? result = null;
        Tensor Own(Tensor t)
        {
            owned.Add(t);
            return t;
        }
        try
        {
            while (terms.Count > 1)
            {
                // Letters still needed after this pair: the output's and the later operands'.
                var needed = new HashSet<char>(output);
                foreach (var t in terms.Skip(2)) needed.UnionWith(t.L);
                var b = SumUnneeded(terms[1], needed, terms[0].L, owned);
                var a = SumUnneeded(terms[0], needed, b.L, owned);
                var pair = Contract(a, b, needed, owned);
                terms.RemoveRange(0, 2);
                terms.Insert(0, pair);
            }
            var last = SumUnneeded(terms[0], new HashSet<char>(output), [], owned);
            var perm = output.Select(c => last.L.IndexOf(c)).ToArray();
            // Reshape packs a transposed view into a fresh tensor and, unlike a bare copy, is on the tape.
            var arranged = perm.SequenceEqual(Enumerable.Range(0, perm.Length)) ? last.T : Own(Transpose(last.T, perm));
            result = Reshape(arranged, arranged.Shape.ToArray());
            return result;
        }
        finally
        {
            ReleaseIntermediates(owned, result);
        }
    }

    // A letter repeated within one operand ("ii" a trace, "ii->i" a diagonal, "bii->bi" one per
    // batch, as in tf.einsum's docstring): that operand's diagonal over the two axes is taken
    // first (DiagPart, differentiable), leaving an equation without repeats. Implicit mode keeps
    // its meaning: the output is written out from the original letters (those used once, sorted).
    private static (string Equation, Tensor[] Operands) TakeRepeatedDiagonals(string equation, Tensor[] operands, List<Tensor> owned)
    {
        var sides = equation.Replace(" ", "").Split("->");
        var specs = sides[0].Split(',');
        if (sides.Length > 2 || specs.Length != operands.Length) return (equation, operands);   // EinsumLabels says what is wrong
        var result = (Tensor[])operands.Clone();
        bool changed = false;
        for (int i = 0; i < specs.Length; i++)
        {
            string spec = specs[i];
            if (spec.Contains('.') || result[i] is null || spec.Length != result[i].Rank) continue;
            while (spec.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1) is { } repeated)
            {
                char c = repeated.Key;
                int p = spec.IndexOf(c), q = spec.IndexOf(c, p + 1);
                if (result[i].Shape[p] != result[i].Shape[q])
                    throw new ArgumentException(
                        $"Einsum: \"{equation}\": operand {i} repeats '{c}' over axes of sizes {result[i].Shape[p]} and {result[i].Shape[q]}; a diagonal needs equal sizes.", nameof(equation));
                var perm = Enumerable.Range(0, spec.Length).Where(d => d != p && d != q).Append(p).Append(q).ToArray();
                var moved = Transpose(result[i], perm);
                owned.Add(moved);
                result[i] = DiagPart(moved);
                if (!ReferenceEquals(result[i], operands[i])) owned.Add(result[i]);
                spec = new string(spec.Where((_, d) => d != p && d != q).ToArray()) + c;
                changed = true;
            }
            specs[i] = spec;
        }
        if (!changed) return (equation, operands);
        string output = sides.Length == 2 ? sides[1]
            : new string(sides[0].Where(char.IsAsciiLetter).GroupBy(c => c).Where(g => g.Count() == 1).Select(g => g.Key).Order().ToArray());
        return ($"{string.Join(",", specs)}->{output}", result);
    }

    // Frees a composite op's intermediates, unless a tape is recording: gradient rules (MatMul's,
    // Gather's) read their inputs' values, so recorded intermediates live as long as the tape.
    private static void ReleaseIntermediates(List<Tensor> owned, Tensor? result)
    {
        if (Tape.AnyRecording) return;
        foreach (var t in owned) if (!ReferenceEquals(t, result)) t.Dispose();
    }

    // Sums the axes whose letters appear neither in `needed` nor in the other operand's letters.
    private static (Tensor T, List<char> L) SumUnneeded((Tensor T, List<char> L) term, HashSet<char> needed, List<char> other, List<Tensor> owned)
    {
        var axes = Enumerable.Range(0, term.L.Count).Where(d => !needed.Contains(term.L[d]) && !other.Contains(term.L[d])).ToArray();
        if (axes.Length == 0) return term;
        var summed = ReduceSum(term.T, axes);
        owned.Add(summed);
        return (summed, term.L.Where((_, d) => !axes.Contains(d)).ToList());
    }

    // One product of two terms: shared letters still needed are batch axes, shared letters not
    // needed are contracted, the rest belong to one side. [batch, m, k] @ [batch, k, n] by MatMul,
    // or a broadcast Multiply when nothing is contracted (outer and elementwise products, integers).
    private static (Tensor T, List<char> L) Contract((Tensor T, List<char> L) a, (Tensor T, List<char> L) b, HashSet<char> needed, List<Tensor> owned)
    {
        var batch = a.L.Where(c => b.L.Contains(c) && needed.Contains(c)).ToList();
        var contracted = a.L.Where(c => b.L.Contains(c) && !needed.Contains(c)).ToList();
        var left = a.L.Where(c => !b.L.Contains(c)).ToList();
        var right = b.L.Where(c => !a.L.Contains(c)).ToList();
        // Shared letters of size 1 on one side broadcast: both sides get the larger size.
        var size = new Dictionary<char, int>();
        foreach (var (t, l) in new[] { (a.T, a.L), (b.T, b.L) })
            for (int d = 0; d < l.Count; d++) size[l[d]] = Math.Max(size.GetValueOrDefault(l[d]), t.Shape[d]);
        Tensor Own(Tensor t)
        {
            owned.Add(t);
            return t;
        }
        var ta = Arrange(a.T, a.L, [.. batch, .. left, .. contracted], size, owned);
        var tb = Arrange(b.T, b.L, [.. batch, .. contracted, .. right], size, owned);
        int Prod(List<char> ls) => checked(ls.Aggregate(1, (p, c) => p * size[c]));
        int nb = Prod(batch), m = Prod(left), k = Prod(contracted), n = Prod(right);
        var ma = Own(Reshape(ta, [nb, m, k]));
        var mb = Own(Reshape(tb, [nb, k, n]));
        var product = Own(contracted.Count == 0 ? Multiply(ma, Own(Reshape(mb, [nb, 1, n]))) : MatMul(ma, mb));
        var dims = batch.Concat(left).Concat(right).Select(c => size[c]).ToArray();
        return (Own(Reshape(product, dims)), [.. batch, .. left, .. right]);
    }

    // The term with its axes in `order` (a view), shared size-1 axes broadcast to `size`.
    private static Tensor Arrange(Tensor t, List<char> labels, List<char> order, Dictionary<char, int> size, List<Tensor> owned)
    {
        var perm = order.Select(c => labels.IndexOf(c)).ToArray();
        var moved = Transpose(t, perm);
        owned.Add(moved);
        var target = order.Select(c => size[c]).ToArray();
        if (target.SequenceEqual(moved.Shape.ToArray())) return moved;
        var wide = BroadcastTo(moved, new Shape(target));
        owned.Add(wide);
        return wide;
    }

    // Parses the equation into each operand's letters and the output's, "..." expanded into
    // letters of its own (digits, aligned from the right as NumPy broadcasting aligns shapes).
    private static (List<char>[] Inputs, List<char> Output) EinsumLabels(string equation, Tensor[] operands)
    {
        string eq = equation.Replace(" ", "");
        string Fail(string why) => throw new ArgumentException($"Einsum: \"{equation}\": {why}", nameof(equation));
        var sides = eq.Split("->");
        if (sides.Length > 2) Fail("\"->\" appears more than once.");
        var specs = sides[0].Split(',');
        if (specs.Length != operands.Length)
            Fail($"the equation names {specs.Length} operand(s) but {operands.Length} were given.");
        int ellipsisRank = 0;
        for (int i = 0; i < specs.Length; i++)
            if (specs[i].Contains("..."))
                ellipsisRank = Math.Max(ellipsisRank, operands[i].Rank - (specs[i].Length - 3));
        var ell = Enumerable.Range(0, ellipsisRank).Select(d => (char)('0' + d)).ToList();
        List<char> Expand(string spec, int rank, string what)
        {
            int dots = spec.IndexOf("...", StringComparison.Ordinal);
            if (dots >= 0 && spec.IndexOf("...", dots + 3, StringComparison.Ordinal) >= 0) Fail($"{what} \"{spec}\" has \"...\" twice.");
            string letters = dots >= 0 ? spec.Remove(dots, 3) : spec;
            foreach (char c in letters)
                if (!char.IsAsciiLetter(c)) Fail($"{what} \"{spec}\" has '{c}'; axes are named by the letters a-z and A-Z.");
            foreach (var g in letters.GroupBy(c => c).Where(g => g.Count() > 1))
                Fail(rank < 0 ? $"{what} \"{spec}\" repeats '{g.Key}'; each output axis is named once."
                    : $"{what} \"{spec}\" repeats '{g.Key}' beside \"...\"; write the diagonal's axes out instead of \"...\".");
            if (dots < 0) return [.. letters];
            int e = rank < 0 ? ellipsisRank : rank - letters.Length;
            if (e < 0) Fail($"{what} \"{spec}\" has more letters than the operand's rank {rank}.");
            return [.. letters[..dots], .. ell.Skip(ellipsisRank - e), .. letters[dots..]];
        }
        var inputs = new List<char>[specs.Length];
        for (int i = 0; i < specs.Length; i++)
        {
            inputs[i] = Expand(specs[i], operands[i].Rank, $"operand {i}");
            if (inputs[i].Count != operands[i].Rank)
                Fail($"operand {i} \"{specs[i]}\" names {inputs[i].Count} axes but has shape {operands[i].Shape}.");
        }
        // Each letter has one size, or size 1 in some operands, which broadcasts as np.einsum and
        // torch.einsum broadcast it ("i,i->" of [1, 2] and [3] is 9); Contract widens those axes.
        var sizes = new Dictionary<char, int>();
        for (int i = 0; i < inputs.Length; i++)
            for (int d = 0; d < inputs[i].Count; d++)
            {
                char c = inputs[i][d];
                int s = operands[i].Shape[d];
                if (sizes.TryGetValue(c, out int seen) && seen != s && seen != 1 && s != 1)
                    Fail($"'{c}' has size {seen} in one operand and {s} in operand {i} (shape {operands[i].Shape}).");
                sizes[c] = Math.Max(seen, s);
            }
        List<char> output;
        if (sides.Length == 2)
        {
            output = Expand(sides[1], -1, "the output");
            foreach (char c in output)
                if (!sizes.ContainsKey(c)) Fail($"the output's '{c}' is in no operand.");
        }
        else
        {
            // Implicit output: "..." axes first, then the letters used exactly once, alphabetically.
            var once = inputs.SelectMany(l => l).Where(char.IsAsciiLetter).GroupBy(c => c).Where(g => g.Count() == 1).Select(g => g.Key);
            output = [.. ell, .. once.OrderBy(c => c)];  // by code point: 'A' < 'Z' < 'a', as NumPy
        }
        return (inputs, output);
    }
}
