namespace NeuralFlow.Keras;

/// <summary>
/// Keras' steps_per_execution in a loop over batches (Fit, Evaluate, Predict): the steps run in
/// blocks of <c>perExecution</c>, aligned to multiples of it as Keras' EpochIterator aligns them
/// (a loop that starts mid-block, a Fit resumed at a batch, starts its first block there), and the
/// callbacks' batch hooks run once per block: the begin hook before its first step, the end hook
/// after its last. A block the data cut short ends where the loop ends (<see cref="TakeUnfinished"/>).
/// </summary>
internal sealed class ExecutionBlocks(int perExecution, int firstStep = 0)
{
    private int _unfinished = -1;

    /// <summary>Whether <paramref name="step"/> begins a block (its begin hook runs).</summary>
    public bool Begins(int step) => step == firstStep || step % perExecution == 0;

    /// <summary>
    /// After <paramref name="step"/> ran: whether it ends its block (the end hook runs now); when not,
    /// it is remembered as the block's last so far.
    /// </summary>
    public bool Ends(int step)
    {
        bool ends = EndsAt(step);
        _unfinished = ends ? -1 : step;
        return ends;
    }

    /// <summary>Whether <paramref name="step"/> will end its block (a query, asked before the step runs).</summary>
    public bool EndsAt(int step) => (step + 1) % perExecution == 0;

    /// <summary>The last step of a block the loop left before it filled (its end hook is still due), or -1.</summary>
    public int TakeUnfinished()
    {
        int step = _unfinished;
        _unfinished = -1;
        return step;
    }
}
