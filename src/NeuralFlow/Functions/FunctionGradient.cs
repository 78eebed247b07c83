namespace NeuralFlow;

/// <summary>
/// The gradient of an NF.Function called while a GradientTape records (<c>tf.function</c>'s: the call
/// is one op on the tape with a gradient function). The call replays its plan and is recorded as one
/// op whose inputs are the function's arguments and the floating-point variables the trace read
/// (those not passed as arguments), and whose outputs are its floating-point outputs (an integer
/// output has no gradient). The op's gradient is a second compiled function, traced once per
/// signature, of the arguments and one upstream gradient per floating output: it runs the C# body
/// again under a GradientTape of its own and returns the gradients of the arguments and the
/// variables. So the backward recomputes the forward (it keeps none of the forward's
/// intermediates), with the random numbers the forward drew (<see cref="RandomReuse"/>: a Dropout
/// mask is the forward's), and reads the variables as they are at the gradient: a variable assigned
/// between the call and the gradient is refused by name rather than differentiated at its new value.
/// An argument or variable the outputs do not depend on gets no gradient, as eagerly.
/// </summary>
/// <remarks>
/// When a tape records the gradient's own computation (a tape created after the call that watches
/// what the gradient reads, <see cref="NF.Jvp(Func{Tensor[], Tensor}, Tensor[], Tensor[])"/>), the gradient runs the C# body
/// eagerly under that tape instead, still with the forward's random numbers, so a higher order is
/// right; calls under a persistent tape or under several tapes run eagerly from the start
/// (TracedFunction.Tape.cs).
/// </remarks>
internal sealed class FunctionGradient
{
    private readonly Func<Tensor[], Tensor[]> _body;
    private readonly string _name;
    private readonly int _arguments;
    private readonly int[] _floatInputs;
    private readonly int[] _floatOutputs;
    private readonly Variable[] _variables;
    private readonly TracedFunction _backward;
    // Per source (floating argument, then variable): whether the backward's last trace found it
    // connected; a traced function returns tensors only, so the unconnected ones are left out.
    private bool[] _connected = [];
    private bool _backwardEager;

    public FunctionGradient(Func<Tensor[], Tensor[]> body, string name, ReplayPlan plan, Tensor[] inputs, bool jitCompile, bool cudaGraphs)
    {
        _body = body;
        _name = name;
        _arguments = inputs.Length;
        _floatInputs = Enumerable.Range(0, inputs.Length).Where(i => inputs[i].DType.IsFloating()).ToArray();
        _floatOutputs = Enumerable.Range(0, plan.OutputSlots.Length).Where(i => plan.OutputSlots[i].DType.IsFloating()).ToArray();
        var variables = new List<Variable>();
        foreach (var (_, v) in plan.VariableSlots)
            if (v.DType.IsFloating() && !variables.Contains(v) && Array.IndexOf(inputs, v) < 0) variables.Add(v);
        _variables = variables.ToArray();
        _backward = new TracedFunction(Compact, name + " (gradient)", maxTraces: 2) { JitCompile = jitCompile, CudaGraphs = cudaGraphs };
    }

    /// <summary>The compiled backward (tests read its statistics).</summary>
    internal TracedFunction Backward => _backward;

    /// <summary>
    /// The outputs of a replay of the function on <paramref name="inputs"/>, recorded on the tapes
    /// that watch an input or a variable; <paramref name="draws"/> are the replay's random numbers.
    /// </summary>
    public Tensor[] Record(Tensor[] inputs, Tensor[] outputs, RandomReuse.Draws draws)
    {
        if (_floatOutputs.Length == 0) return outputs;
        Tensor[] xs = [.. inputs, .. _variables];
        if (!Tape.AnyWatches(xs)) return outputs;
        var ys = Array.ConvertAll(_floatOutputs, i => outputs[i]);
        var storages = Array.ConvertAll(_variables, v => v.Storage);
        var recorded = NF.RecordOutputs(ys, xs, dys => Gradients(inputs, dys, draws, storages));
        var result = (Tensor[])outputs.Clone();
        for (int k = 0; k < _floatOutputs.Length; k++) result[_floatOutputs[k]] = recorded[k];
        return result;
    }

    // One gradient per argument and variable, from the upstream gradients of the floating outputs.
    private Tensor?[] Gradients(Tensor[] inputs, Tensor[] dys, RandomReuse.Draws draws, Storage[] storages)
    {
        for (int i = 0; i < _variables.Length; i++)
            if (_variables[i].IsDisposed || !ReferenceEquals(_variables[i].Storage, storages[i]))
                throw new InvalidOperationException(
                    $"NF.Function '{_name}': variable '{_variables[i].Name ?? "?"}' was assigned or disposed after the call the GradientTape recorded " +
                    "and before its gradient; the function's gradient reads the variables as they are now, so take the gradient before updating them " +
                    "(or set NF.RunFunctionsEagerly).");
        Tensor[] args = [.. inputs, .. dys];
        Tensor?[] sources;
        if (_backwardEager || Tape.AnyRecording || NF.RunFunctionsEagerly || FunctionTrace.Current is not null)
            sources = Traced(args, draws);
        else
        {
            Tensor[] compact;
            using (RandomReuse.Reuse(draws))
                compact = _backward.Call(args);
            // A backward that cannot replay ran as a failed trace, which still reused the forward's numbers;
            // a later call would run it plainly eagerly, with fresh ones, so those go through Traced.
            _backwardEager = _backward.EagerReason is not null;
            sources = new Tensor?[_connected.Length];
            for (int s = 0, k = 0; s < sources.Length; s++)
                if (_connected[s]) sources[s] = compact[k++];
        }
        var grads = new Tensor?[_arguments + _variables.Length];
        for (int k = 0; k < _floatInputs.Length; k++) grads[_floatInputs[k]] = sources[k];
        for (int k = 0; k < _variables.Length; k++) grads[_arguments + k] = sources[_floatInputs.Length + k];
        return grads;
    }

    // The backward run eagerly, as the C# body under a trace that is thrown away: the trace is what
    // hands the forward's random numbers to the draws (RandomReuse.AtTrace), and the tapes that record
    // now see every op, for a higher order. Inside another function's trace that one records the draws,
    // so only a function that drew none can be recomputed there.
    private Tensor?[] Traced(Tensor[] args, RandomReuse.Draws draws)
    {
        if (FunctionTrace.Current is not null)
        {
            if (draws.Count > 0)
                throw new InvalidOperationException(
                    $"NF.Function '{_name}': the gradient of a call that drew random numbers is taken inside another NF.Function's trace; " +
                    "take it in the function that made the call, or outside.");
            return Sources(args);
        }
        var trace = new FunctionTrace(args);
        using (RandomReuse.Reuse(draws))
        using (trace.Begin())
            return Sources(args);
    }

    private Tensor[] Compact(Tensor[] args)
    {
        var sources = Sources(args);
        _connected = Array.ConvertAll(sources, g => g is not null);
        return sources.Where(g => g is not null).ToArray()!;
    }

    // The body on the arguments under a tape of its own, and the gradients of its floating outputs
    // (weighted by the upstream ones) with respect to the floating arguments and the variables.
    private Tensor?[] Sources(Tensor[] args)
    {
        var xs = args[.._arguments];
        var dys = args[_arguments..];
        // One tensor passed as two arguments is one source to a tape: each argument gets a copy of its own,
        // so that each gets the gradient of its own uses (the tape that recorded the call adds them up).
        for (int i = 0; i < xs.Length; i++)
            if (xs[i] is not Variable && Array.FindIndex(xs, 0, i, t => ReferenceEquals(t, xs[i])) >= 0) xs[i] = NF.Identity(xs[i]);
        Tensor[] sources = [.. Array.ConvertAll(_floatInputs, i => xs[i]), .. _variables];
        using var tape = new GradientTape(watchAccessedVariables: false);
        tape.Watch(sources);
        var outputs = _body(xs);
        var targets = new Tensor[_floatOutputs.Length];
        var upstream = new Tensor?[_floatOutputs.Length];
        for (int k = 0; k < targets.Length; k++)
        {
            var (y, dy) = (outputs[_floatOutputs[k]], dys[k]);
            // Gradient takes float32 and float64 targets; a half-precision output's upstream is exact in float32.
            if (y.DType is not (DType.Float32 or DType.Float64)) (y, dy) = (NF.Cast(y, DType.Float32), NF.Cast(dy, DType.Float32));
            (targets[k], upstream[k]) = (y, dy);
        }
        return tape.Gradient(targets, sources, upstream);
    }
}
