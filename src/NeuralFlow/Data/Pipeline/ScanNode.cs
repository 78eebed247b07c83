namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// <c>scan</c>: carries a state through the elements, <c>fn(state, element) = (newState, output)</c>,
/// and delivers each output. Every pass starts again from the initial state, which stays the
/// caller's. The state and the output may share tensors (both get their own handles), and what
/// the function makes but neither keeps is freed when it returns.
/// </summary>
internal sealed class ScanNode(Node upstream, Tensor[] initial, Func<Tensor[], Tensor[], (Tensor[] State, Tensor[] Output)> fn, int width) : Node
{
    public override int Width => width;
    public override IReadOnlyList<Node> Inputs => [upstream];
    public override long Cardinality => upstream.Cardinality;

    // The function traced once on the initial state and placeholder elements (the state's shapes are fixed).
    protected override TensorSpec[] ComputeSignature() => Signatures.Traced(this, upstream.Signature, args =>
    {
        var state = Array.ConvertAll(initial, t => t.View(t.Layout));
        var (next, output) = Step(state, args);
        foreach (var t in state.Concat(next)) t.Dispose();
        try { return Signatures.Of(output); }
        finally { Element.Dispose(output); }
    });

    public override IEnumerator<Part[]> Open()
    {
        var state = Array.ConvertAll(initial, t => t.View(t.Layout));
        try
        {
            using var source = upstream.Open();
            while (source.MoveNext())
            {
                var args = Element.Take(source.Current);
                var (next, output) = Step(state, args);
                foreach (var t in state) t.Dispose();
                state = next;
                yield return output;
            }
        }
        finally
        {
            foreach (var t in state) t.Dispose();
        }
    }

    private (Tensor[] State, Part[] Output) Step(Tensor[] state, Tensor[] args)
    {
        var scope = TensorScope.Begin();
        try
        {
            var (next, output) = fn(state, args);
            if (next.Length != state.Length)
                throw new InvalidOperationException($"Scan: the function returned a state of {next.Length} tensors, but the initial state has {state.Length}; the state must keep its structure.");
            for (int i = 0; i < next.Length; i++)
                if (next[i].DType != state[i].DType || next[i].Shape != state[i].Shape)
                    throw new InvalidOperationException(
                        $"Scan: state component {i} changed from {state[i].DType} {state[i].Shape} to {next[i].DType} {next[i].Shape}; tf.data's scan keeps each state component's dtype and shape.");
            var keptState = Array.ConvertAll(next, t => t.View(t.Layout));
            var keptOutput = Array.ConvertAll(output, t => t.View(t.Layout));
            scope.DisposeExcept([.. keptState, .. keptOutput]);
            return (keptState, Element.Own(keptOutput));
        }
        catch
        {
            scope.Dispose();
            throw;
        }
        finally
        {
            foreach (var a in args) a.Dispose();
        }
    }
}
