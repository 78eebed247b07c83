namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// Applies a function to each element, optionally on several threads at once, always
/// delivering results in input order. The function's inputs and every tensor it creates
/// but does not return are disposed as soon as it returns.
/// </summary>
/// Not <c>deterministic</c> (the argument, else the pipeline's options), parallel results are
/// delivered as they complete; the options' private threadpool size caps the parallelism.
internal sealed class MapNode(Node upstream, Func<Tensor[], Tensor[]> fn, ElementStructure output, int parallelism, bool? deterministic = null) : Node
{
    public Node Upstream => upstream;

    /// <summary>The structure of the function's results.</summary>
    public ElementStructure Output => output;

    public override int Width => output.Width;
    public override IReadOnlyList<Node> Inputs => [upstream];
    public override long Cardinality => upstream.Cardinality;

    // tf.data traces the function once; here it runs on placeholder zeros of the input's specs.
    protected override TensorSpec[] ComputeSignature() => Signatures.Traced(this, upstream.Signature, inputs =>
    {
        var outputs = Apply(Element.Own(inputs));
        try { return Signatures.Of(outputs); }
        finally { Element.Dispose(outputs); }
    });

    public override IEnumerator<Part[]> Open()
    {
        var options = PipelineOptions.Current;
        int calls = Math.Min(parallelism, options.Threading.PrivateThreadpoolSize ?? int.MaxValue);
        return calls <= 1 ? Sequential() : Parallel(calls, deterministic ?? options.Deterministic ?? true);
    }

    private IEnumerator<Part[]> Sequential()
    {
        using var source = upstream.Open();
        while (source.MoveNext()) yield return Apply(source.Current);
    }

    private IEnumerator<Part[]> Parallel(int parallelism, bool ordered)
    {
        var pending = new List<Task<Part[]>>();
        var source = upstream.Open();
        try
        {
            while (true)
            {
                while (pending.Count < parallelism && source.MoveNext())
                {
                    var element = source.Current;
                    pending.Add(Task.Run(() => Apply(element)));
                }
                if (pending.Count == 0) yield break;
                // In order: the oldest; else whichever finished first.
                int next = ordered ? 0 : Task.WaitAny([.. pending]);
                var done = pending[next];
                pending.RemoveAt(next);
                // GetResult rethrows the function's own exception with its original stack.
                yield return done.GetAwaiter().GetResult();
            }
        }
        finally
        {
            // Early exit or an error: let work in flight finish, then free what it made.
            foreach (var task in pending)
            {
                try { Element.Dispose(task.GetAwaiter().GetResult()); }
                catch (Exception) { /* the first error is already on its way to the consumer */ }
            }
            source.Dispose();
        }
    }

    /// <summary>Runs the function on one element (consumed) and returns an element the caller owns.</summary>
    internal Part[] Apply(Part[] input)
    {
        var args = Element.Take(input);
        Tensor[] outputs;
        var scope = TensorScope.Begin();
        try
        {
            outputs = fn(args);
        }
        catch
        {
            scope.Dispose();
            foreach (var a in args) a.Dispose();
            throw;
        }
        // An output the function made (or was given) is ours to hand on, once. Anything else (a
        // tensor it captured from outside, or a repeat) becomes a new view, so that disposing the
        // element downstream never frees the user's own tensor.
        var owned = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var isOwned = new bool[outputs.Length];
        for (int i = 0; i < outputs.Length; i++)
        {
            var t = outputs[i];
            isOwned[i] = (scope.Created(t) || args.Contains(t, ReferenceEqualityComparer.Instance)) && owned.Add(t);
        }
        // A RaggedTensor output travels as a carrier; the values it holds (made here, most likely) must outlive the scope too.
        var kept = new HashSet<Tensor>(owned, ReferenceEqualityComparer.Instance);
        foreach (var t in outputs)
            if (RaggedCarrier.Of(t) is { } ragged) kept.Add(ragged.FlatValues);
        scope.DisposeExcept(kept);
        foreach (var a in args)
            if (!owned.Contains(a)) a.Dispose();
        var result = new Part[outputs.Length];
        for (int i = 0; i < outputs.Length; i++)
            result[i] = Part.Owned(isOwned[i] ? outputs[i] : outputs[i].View(outputs[i].Layout));
        return result;
    }
}
