namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// tf.data's directed interleave, under <c>sample_from_datasets</c> and <c>choose_from_datasets</c>:
/// each output element is the next element of the input a chooser names. An input that runs out
/// ends the whole dataset with <c>stopOnEmpty</c>; otherwise it is left out from then on, and
/// the dataset ends when the chooser does or every input has run out. Every input must have the
/// same dtypes (checked when made where the specs are known, else as elements come).
/// </summary>
internal sealed class DirectedInterleaveNode : Node
{
    private readonly Node[] _inputs;
    private readonly Func<IChooser> _openChooser;
    private readonly bool _stopOnEmpty;
    private readonly long _cardinality;
    private readonly string _op;

    /// <summary>One pass's choices: the index of the input to read next, or null to end.</summary>
    internal interface IChooser : IDisposable
    {
        /// <param name="exhausted">Which inputs have run out (a sampler leaves them out; a choice may still name one).</param>
        long? Next(bool[] exhausted);
    }

    public DirectedInterleaveNode(Node[] inputs, Func<IChooser> openChooser, bool stopOnEmpty, long cardinality, string op)
    {
        _inputs = inputs;
        _openChooser = openChooser;
        _stopOnEmpty = stopOnEmpty;
        _cardinality = cardinality;
        _op = op;
        for (int i = 1; i < inputs.Length; i++)
        {
            if (inputs[i].Width != inputs[0].Width)
                throw new ArgumentException($"{op}: dataset {i} has {inputs[i].Width} components per element and dataset 0 has {inputs[0].Width}; all need the same structure.", "datasets");
            if (inputs[0].Spec is { } a && inputs[i].Spec is { } b)
                ElementTypes.Check(op, Array.ConvertAll(a, s => s.DType), Array.ConvertAll(b, s => s.DType), m => new ArgumentException(m, "datasets"));
        }
    }

    public override int Width => _inputs[0].Width;
    public override IReadOnlyList<Node> Inputs => [.._inputs];
    protected override TensorSpec[] ComputeSignature() => Signatures.Common(_inputs);

    public override long Cardinality => _cardinality;

    public override ConcreteSpec[]? Spec =>
        _inputs.All(n => n.Spec is { } s && s.SequenceEqual(_inputs[0].Spec!)) ? _inputs[0].Spec : null;

    public override IEnumerator<Part[]> Open()
    {
        var sources = new List<IEnumerator<Part[]>>(_inputs.Length);
        using var chooser = _openChooser();
        try
        {
            foreach (var input in _inputs) sources.Add(input.Open());
            var exhausted = new bool[_inputs.Length];
            int left = _inputs.Length;
            DType[]? types = null;
            while (left > 0 && chooser.Next(exhausted) is { } choice)
            {
                if (choice < 0 || choice >= _inputs.Length)
                    throw new InvalidOperationException($"{_op}: the choice {choice} names no dataset; there are {_inputs.Length}, so choices must be in [0, {_inputs.Length}).");
                int index = (int)choice;
                if (exhausted[index])
                {
                    if (_stopOnEmpty) yield break;
                    continue;
                }
                if (!sources[index].MoveNext())
                {
                    exhausted[index] = true;
                    left--;
                    if (_stopOnEmpty) yield break;
                    continue;
                }
                var element = sources[index].Current;
                if (types is null) types = ElementTypes.Of(element);
                else
                {
                    try { ElementTypes.Check(_op, types, ElementTypes.Of(element), ElementTypes.RunError); }
                    catch { Element.Dispose(element); throw; }
                }
                yield return element;
            }
        }
        finally
        {
            foreach (var s in sources) s.Dispose();
        }
    }
}
