namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// The elements of a C# iterator (<c>tf.data.Dataset.from_generator</c>): each pass calls the
/// factory for a fresh sequence, so the dataset restarts as every other one does. The pipeline
/// takes its own handle on each tensor the generator yields (a view, no copy), so disposing a
/// batch never disposes a tensor the generator still holds (one it yields again, a cache); a
/// tensor made only to be yielded is freed by the GC, or by the generator after the pass.
/// </summary>
/// With an output signature (tf.data's <c>output_signature</c>) every element is checked against
/// it as it comes, and the signature is the dataset's spec. <paramref name="printedClass"/> is the
/// class TensorFlow prints for the dataset (<c>_TensorDataset</c> for <c>from_tensors</c>), if not a generator's
/// (<see cref="FromGeneratorDataset"/>).
internal sealed class GeneratorNode(Func<IEnumerable<Tensor[]>> open, ElementStructure structure, long cardinality = Dataset.Unknown,
                                    TensorSpec[]? signature = null, string? printedClass = null) : Node
{
    /// <summary>The <c>_TensorDataset</c> every <c>FromTensors</c> makes (one element, the tensors themselves).</summary>
    public const string TensorDataset = "_TensorDataset";

    /// <summary>
    /// What TensorFlow prints for <c>from_generator</c>: <c>_FlatMapDataset</c>, as TF builds it as
    /// <c>Dataset.range(...).flat_map(...)</c> over a generator-state id rather than as a dataset class of its own.
    /// </summary>
    public const string FromGeneratorDataset = "_FlatMapDataset";

    public override string? PrintedClass => printedClass ?? FromGeneratorDataset;

    public override int Width => structure.Width;

    protected override TensorSpec[] ComputeSignature() => signature ?? Signatures.FromFirstElement(this);

    public override long Cardinality => cardinality;

    public override IEnumerator<Part[]> Open()
    {
        long index = 0;
        foreach (var tensors in open())
        {
            var element = new Part[tensors.Length];
            for (int c = 0; c < element.Length; c++)
            {
                if (tensors[c].IsDisposed)
                    throw new ObjectDisposedException(nameof(Tensor), $"FromGenerator: element {index} has a disposed tensor (component {c}); yield tensors that stay alive until the pipeline has read them.");
                if (signature is not null) Check(tensors[c], signature[c], index, c);
                element[c] = Part.Owned(tensors[c].View(tensors[c].Layout));
            }
            index++;
            yield return element;
        }
    }

    // TensorFlow raises the same mismatches while iterating ("`generator` yielded an element of shape (3,) where an element of shape (2,) was expected").
    private void Check(Tensor tensor, TensorSpec spec, long index, int component)
    {
        string where = Width == 1 ? $"element {index}" : $"element {index}, component {component},";
        var dtype = StringCarrier.DTypeOf(tensor);
        if (dtype != spec.DType)
            throw new InvalidOperationException(
                $"FromGenerator: {where} is a {dtype.Name()} tensor of shape {TensorSpec.Format(TensorSpec.Known(tensor.Shape))}, but the output signature expects {spec}; yield {spec.DType.Name()} tensors (NF.Cast) or change the signature.");
        if (!spec.ShapeFits(tensor.Shape))
            throw new InvalidOperationException(
                $"FromGenerator: {where} has shape {TensorSpec.Format(TensorSpec.Known(tensor.Shape))}, but the output signature expects {spec}; null dimensions in the signature may vary, the others must match.");
    }
}
