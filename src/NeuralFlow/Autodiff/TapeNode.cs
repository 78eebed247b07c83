namespace NeuralFlow;

/// <summary>
/// A gradient rule: given the gradient of the loss with respect to an op's output, the
/// gradients with respect to each input (null where an input gets none).
/// </summary>
internal delegate Tensor?[] GradientRule(Tensor outputGradient, TapeNode node);

/// <summary>One recorded op: its inputs, its output, any state its rule needs, and the rule.</summary>
internal sealed class TapeNode(Tensor[] inputs, Tensor output, GradientRule rule, object? state)
{
    public Tensor[] Inputs { get; } = inputs;
    public Tensor Output { get; } = output;
    public GradientRule Rule { get; } = rule;
    public object? State { get; } = state;

    public Tensor X => Inputs[0];
    public Tensor Y => Inputs[1];

    /// <summary>Set by the tape before the rule runs: whether input i needs a gradient at all.</summary>
    internal bool[] Wanted { get; } = new bool[inputs.Length];

    /// <summary>Whether the rule should compute the gradient of input <paramref name="i"/> (others may be skipped).</summary>
    public bool Wants(int i) => Wanted[i];
}
