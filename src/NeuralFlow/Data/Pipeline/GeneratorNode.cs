namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// The elements of a C# iterator (<c>tf.data.Dataset.from_generator</c>): each pass calls the
/// factory for a fresh sequence, so the dataset restarts as every other one does. The pipeline
/// takes its own handle on each tensor the generator yields (a view, no copy), so disposing a
/// batch never disposes a tensor the generator still holds (one it yields again, a cache); a
/// tensor made only to be yielded is freed by the GC, or by the generator after the pass.
/// </summary>
internal sealed class GeneratorNode(Func<IEnumerable<Tensor[]>> open, ElementStructure structure, long cardinality = Dataset.Unknown) : Node
{
    public override int Width => structure.Width;

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
                element[c] = Part.Owned(tensors[c].View(tensors[c].Layout));
            }
            index++;
            yield return element;
        }
    }
}
