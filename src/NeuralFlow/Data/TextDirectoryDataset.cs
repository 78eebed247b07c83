using System.Collections;

namespace NeuralFlow.Data;

/// <summary>
/// The texts of a folder of .txt files (<c>Utils.TextDatasetFromDirectory</c>, Keras'
/// <c>text_dataset_from_directory</c>). Enumerated, a batch is host <c>string[]</c> texts with a
/// label tensor; <see cref="AsDataset"/> is the <see cref="Dataset{T}"/> of <see cref="StringTensor"/>
/// texts and labels that Keras returns. The way into a model is Keras' own:
/// <c>vectorize.Adapt(ds.Texts())</c>, then <c>ds.Map((texts, labels) =&gt; (vectorize.Call(texts), labels))</c>,
/// a <see cref="Dataset{T}"/> that <c>Fit</c> takes. Files are read when a pass reaches them, never all at once.
/// </summary>
public sealed class TextDirectoryDataset : IEnumerable<(string[] Texts, Tensor? Labels)>
{
    private readonly Dataset<(Tensor, Tensor)>? _labeled;
    private readonly Dataset<Tensor>? _unlabeled;
    private readonly Func<Tensor, string[]> _read;

    internal TextDirectoryDataset(Dataset<(Tensor, Tensor)>? labeled, Dataset<Tensor>? unlabeled, Func<Tensor, string[]> read,
                                  IReadOnlyList<string>? classNames, IReadOnlyList<string> filePaths)
    {
        (_labeled, _unlabeled, _read) = (labeled, unlabeled, read);
        (ClassNames, FilePaths) = (classNames, filePaths);
    }

    /// <summary>The class of each label id (Keras' <c>class_names</c>); null without labels.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The files, in the order of the list Keras shuffles once with the seed.</summary>
    public IReadOnlyList<string> FilePaths { get; }

    /// <summary>Whether batches carry labels (false for <c>labels: null</c> or <c>labelMode: null</c>).</summary>
    public bool HasLabels => _labeled is not null;

    /// <summary>Batches per pass (<c>cardinality()</c>).</summary>
    public long Cardinality => _labeled?.Cardinality ?? _unlabeled!.Cardinality;

    /// <summary>
    /// Each batch as (texts, labels), labels null without labels. Unbatched (<c>batchSize: null</c>)
    /// a "batch" is one text, with its label alone (a scalar, or a vector for "binary"/"categorical").
    /// </summary>
    public IEnumerator<(string[] Texts, Tensor? Labels)> GetEnumerator()
    {
        if (_labeled is not null)
            foreach (var (positions, labels) in _labeled)
            {
                string[] texts;
                using (positions) texts = _read(positions);
                yield return (texts, labels);
            }
        else
            foreach (var positions in _unlabeled!)
                using (positions) yield return (_read(positions), null);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// Every text of one pass, one after another (Keras' <c>ds.map(lambda x, y: x)</c>), for
    /// <c>TextVectorization.Adapt</c> or <c>StringLookup.Adapt</c>.
    /// </summary>
    public IEnumerable<string> Texts()
    {
        foreach (var (texts, labels) in this)
        {
            labels?.Dispose();
            foreach (var text in texts) yield return text;
        }
    }

    /// <summary>
    /// A tensor dataset made from each batch's texts and labels (Keras'
    /// <c>ds.map(lambda x, y: (vectorize_layer(x), y))</c>): <paramref name="fn"/> runs as a
    /// <see cref="Dataset{T}.Map{TResult}"/> function does, with the same tensor ownership, and the
    /// result goes to <c>Fit</c>, <c>Evaluate</c> or any further transformation.
    /// </summary>
    public Dataset<TResult> Map<TResult>(Func<string[], Tensor, TResult> fn, int parallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(fn);
        if (_labeled is null)
            throw new InvalidOperationException("TextDirectoryDataset.Map: this dataset has no labels (labels or labelMode null); map the texts alone with Map(texts => ...).");
        return _labeled.Map(e => fn(_read(e.Item1), e.Item2), parallelism);
    }

    /// <summary>
    /// The batches as a dataset of (texts, labels), what Keras' <c>text_dataset_from_directory</c>
    /// returns: each batch's texts a [batch] <see cref="StringTensor"/> (one scalar text unbatched),
    /// read when a pass reaches them, to transform as any dataset, e.g.
    /// <c>ds.AsDataset().Map((x, y) =&gt; (vectorize.Call(x), y))</c>. Without labels, see <see cref="AsTextDataset"/>.
    /// </summary>
    public Dataset<(StringTensor Texts, Tensor Labels)> AsDataset()
    {
        if (_labeled is null)
            throw new InvalidOperationException("TextDirectoryDataset.AsDataset: this dataset has no labels (labels or labelMode null); take its texts alone with AsTextDataset().");
        return _labeled.Map(e => (Texts(e.Item1), e.Item2));
    }

    /// <summary>The batches' texts alone as a dataset of <see cref="StringTensor"/>s (labels, if any, are dropped).</summary>
    public Dataset<StringTensor> AsTextDataset() => _labeled is not null ? _labeled.Map(e => Texts(e.Item1)) : _unlabeled!.Map(Texts);

    // The texts at the positions, in the positions' shape (a batch, or one text).
    private StringTensor Texts(Tensor positions) => StringTensor.Wrap(_read(positions), positions.Shape);

    /// <summary>A tensor dataset made from each batch's texts alone (labels, if any, are dropped).</summary>
    public Dataset<TResult> Map<TResult>(Func<string[], TResult> fn, int parallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return _labeled is not null ? _labeled.Map(e => fn(_read(e.Item1)), parallelism) : _unlabeled!.Map(p => fn(_read(p)), parallelism);
    }
}
