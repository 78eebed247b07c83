namespace NeuralFlow;

/// <summary>
/// A gradient rule: given the gradient of the loss with respect to an op's output, the
/// gradients with respect to each input (null where an input gets none).
/// </summary>
internal delegate Tensor?[] GradientRule(Tensor outputGradient, TapeNode node);

/// <summary>
/// One recorded op: its inputs, its output, any state its rule needs, and the rule. The node
/// keeps the values the op read, not just the tensors: a variable assigned after the op ran
/// moves to a fresh buffer (copy-on-write, see <see cref="Variable.BeginWrite"/>) and the rule
/// still sees the old value, as in TensorFlow. It also records each buffer's version, so a write
/// that could not be diverted is reported by <see cref="CheckVersions"/> instead of giving a
/// wrong gradient.
/// </summary>
internal sealed class TapeNode
{
    private readonly (Storage Storage, long Version)[] _saved;
    private int _holders;

    [MethodImpl(Hot)]
    public TapeNode(Tensor[] inputs, Tensor output, GradientRule rule, object? state, string op)
    {
        Inputs = inputs;
        Output = output;
        Rule = rule;
        State = state;
        Op = op;
        Wanted = new bool[inputs.Length];
        _values = new Tensor[inputs.Length];
        _saved = new (Storage, long)[inputs.Length + 1];
        for (int i = 0; i < inputs.Length; i++)
        {
            // A variable's buffer may be swapped by a later assign: hold on to the current one.
            _values[i] = inputs[i] is Variable v ? v.UntrackedView() : inputs[i];
            _saved[i] = Save(inputs[i]);
        }
        _saved[^1] = Save(output);
    }

    private static (Storage, long) Save(Tensor t)
    {
        var storage = t.Storage;
        storage.AddTapeSave();
        return (storage, storage.Version);
    }

    /// <summary>The tensors the op was called with: gradients are routed to these (a variable is its own key).</summary>
    public Tensor[] Inputs { get; }
    public Tensor Output { get; }
    public GradientRule Rule { get; }
    public object? State { get; }
    /// <summary>The op's name, for error messages.</summary>
    public string Op { get; }

    // Per input: the input itself, or for a variable a view of the buffer it had when the op ran.
    private readonly Tensor[] _values;

    public Tensor X => Value(0);
    public Tensor Y => Value(1);

    /// <summary>Input <paramref name="i"/>'s value when the op ran: what rules read.</summary>
    [MethodImpl(Hot)]
    public Tensor Value(int i)
    {
        var saved = _values[i];
        if (Inputs[i] is not Variable v || v.IsDisposed) return saved;
        // Still in that buffer: the variable itself, so that an outer tape differentiating this
        // rule (a higher-order gradient) sees the variable it watches.
        if (ReferenceEquals(v.Storage, _saved[i].Storage)) return v;
        // Moved since: the old value, as a read of the variable recorded for outer tapes.
        return GradientHelpers.Identity(saved, v, "ReadVariable");
    }

    /// <summary>Set by the tape before the rule runs: whether input i needs a gradient at all.</summary>
    internal bool[] Wanted { get; }

    /// <summary>Whether the rule should compute the gradient of input <paramref name="i"/> (others may be skipped).</summary>
    [MethodImpl(Hot)]
    public bool Wants(int i) => Wanted[i];

    /// <summary>
    /// Throws when a buffer this op read (or wrote) was written in place since it was recorded:
    /// the rule would compute from values the op never saw (PyTorch's in-place check).
    /// </summary>
    [MethodImpl(Hot)]
    public void CheckVersions()
    {
        for (int i = 0; i < _saved.Length; i++)
        {
            var (storage, version) = _saved[i];
            long now = storage.Version;
            if (now == version) continue;
            var tensor = i < Inputs.Length ? Inputs[i] : Output;
            string what = i < Inputs.Length ? $"input {i}" : "the output";
            throw new InvalidOperationException(
                $"Gradient: {what} of {Op} ({tensor.DType.Name()} {tensor.Shape}) was modified in place after the tape recorded {Op}: " +
                $"its buffer is at version {now}, the tape saved version {version}. The gradient would be computed from a value {Op} never saw; " +
                "compute the gradient before writing into that tensor, or write into a copy.");
        }
    }

    /// <summary>A tape starts holding this record (a record is shared by every tape recording at the time).</summary>
    [MethodImpl(Hot)]
    internal void Hold() => _holders++;

    /// <summary>A tape lets go; the last one frees the saved values, so later writes need no copy.</summary>
    [MethodImpl(Hot)]
    internal void Release()
    {
        if (--_holders > 0) return;
        foreach (var (storage, _) in _saved) storage.RemoveTapeSave();
        for (int i = 0; i < _values.Length; i++)
            if (!ReferenceEquals(_values[i], Inputs[i])) _values[i].Dispose();
    }
}
