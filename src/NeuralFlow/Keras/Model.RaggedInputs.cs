using NeuralFlow.Data;
using NeuralFlow.Data.Pipeline;

namespace NeuralFlow.Keras;

/// <summary>
/// Models with ragged inputs (<c>Layers.Input([null], DType.Int64, ragged: true)</c>, tf.keras 2's
/// <c>ragged=True</c>): Fit, Evaluate and Predict take a <see cref="RaggedTensor"/> x (sliced by rows into
/// ragged batches) or a dataset of ragged batches; each batch is padded with its row lengths riding along
/// (<see cref="RaggedInputs"/>), and its steps run eagerly.
/// </summary>
public partial class Model
{
    /// <summary>Whether one of the model's inputs takes ragged rows.</summary>
    internal bool HasRaggedInputs
    {
        get
        {
            foreach (var input in Inputs)
                if (input.Layer is Layers.InputLayer { Ragged: true }) return true;
            return false;
        }
    }

    /// <summary>
    /// <paramref name="inputs"/> with the batch of each ragged input padded, carrying its row lengths: a
    /// <see cref="RaggedTensor"/> (as a dataset or Fit hands it over) or a dense tensor (every row full, as tf.keras 2
    /// converts one with <c>RaggedTensor.from_tensor</c>), in the input's dtype. A RaggedTensor for an input
    /// that is not ragged is refused by name.
    /// </summary>
    private Tensor[] FeedRagged(string method, IReadOnlyList<KerasTensor> fed, IReadOnlyList<Tensor> inputs)
    {
        Tensor[]? result = null;
        for (int i = 0; i < inputs.Count && i < fed.Count; i++)
        {
            var x = inputs[i];
            if (x is null) continue;
            var carried = RaggedCarrier.Of(x);
            var layer = fed[i].Layer;
            if (layer is not Layers.InputLayer { Ragged: true })
            {
                if (carried is not null)
                    throw new ArgumentException(
                        $"{method}: {Name}'s input '{layer.Name}' was given a RaggedTensor {carried.Shape}, but it takes dense tensors; declare it " +
                        "Layers.Input(shape, dtype, ragged: true) (as Keras' ragged=True), or pad the rows first (RaggedTensor.ToTensor()).");
                continue;
            }
            if (carried is null && RaggedInputs.Of(x) is not null && x.DType == fed[i].DType) continue;   // padded already
            var rows = carried ?? RaggedInputs.RowsOf(x);
            if (rows.DType != fed[i].DType) rows = rows.WithFlatValues(NF.Cast(rows.FlatValues, fed[i].DType));
            if (rows.FlatValues.Rank != fed[i].Shape.Count - 1)
                throw new ArgumentException(
                    $"{method}: {Name}'s ragged input '{layer.Name}' takes rows of shape {KerasTensor.Format([.. fed[i].Shape.Skip(1)])}, but was given a RaggedTensor {rows.Shape}.");
            (result ??= [.. inputs])[i] = RaggedInputs.Pad(rows, $"{method}: input '{layer.Name}'");
        }
        return result ?? (inputs as Tensor[] ?? [.. inputs]);
    }

    /// <summary>
    /// Trains on ragged rows (tf.keras 2's <c>model.fit(ragged_x, y)</c>) for a model with a ragged input: each epoch
    /// cuts x's rows (shuffled unless <paramref name="shuffle"/> is false) into ragged batches of
    /// <paramref name="batchSize"/>, with y's rows. The other arguments are those of Fit(x, y).
    /// </summary>
    /// <exception cref="ArgumentException">y does not have one row per row of x, or the model has no ragged input.</exception>
    public History Fit(RaggedTensor x, Tensor y, int batchSize = 32, int epochs = 1, int verbose = 1, (RaggedTensor X, Tensor Y)? validationData = null,
                       bool shuffle = true, IEnumerable<Callbacks.Callback>? callbacks = null, int initialEpoch = 0)
    {
        RequireRaggedInput(nameof(Fit));
        var batches = RaggedBatches(nameof(Fit), x, y, batchSize, shuffle);
        var validation = validationData is { } v ? RaggedBatches(nameof(Fit), v.X, v.Y, batchSize, shuffle: false) : null;
        return Fit(batches, epochs, verbose, validation, callbacks, initialEpoch: initialEpoch);
    }

    /// <summary>Evaluates on ragged rows and their targets, in ragged batches of <paramref name="batchSize"/> (tf.keras 2's <c>evaluate(ragged_x, y)</c>).</summary>
    public EvaluationResult Evaluate(RaggedTensor x, Tensor y, int batchSize = 32, int verbose = 0)
    {
        RequireRaggedInput(nameof(Evaluate));
        return Evaluate(RaggedBatches(nameof(Evaluate), x, y, batchSize, shuffle: false), verbose);
    }

    /// <summary>Predicts for ragged rows, in ragged batches of <paramref name="batchSize"/> (tf.keras 2's <c>predict(ragged_x)</c>); the model's output must be dense (pooled or a recurrent layer's last output).</summary>
    public Tensor Predict(RaggedTensor x, int batchSize = 32, int verbose = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        RequireRaggedInput(nameof(Predict));
        CheckBatchSize(nameof(Predict), batchSize);
        return Predict(Dataset.FromTensorSlices(x).RaggedBatch(batchSize), verbose: verbose);
    }

    private static Dataset RaggedBatches(string method, RaggedTensor x, Tensor y, int batchSize, bool shuffle)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        CheckBatchSize(method, batchSize);
        var rows = Dataset.FromTensorSlices(x, y);
        if (shuffle) rows = rows.Shuffle(Math.Max(1, x.NRows), seed: unchecked((int)NF.Random.NextSeed()));
        return rows.RaggedBatch(batchSize);
    }

    private static void CheckBatchSize(string method, int batchSize)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"{method}: batchSize must be at least 1.");
    }

    // A dataset of ragged batches for a model none of whose inputs is ragged: named by the model's inputs, with
    // both ways out (declare the input ragged, or pad the rows), before the generic refusal of ragged elements.
    private void RefuseRaggedData(string method, Dataset dataset)
    {
        if (HasRaggedInputs || !dataset.Schema.HasRagged) return;
        string inputs = Inputs.Count == 0 ? "inputs" : (Inputs.Count == 1 ? "input " : "inputs ") + string.Join(", ", Inputs.Select(i => $"'{i.Layer.Name}'"));
        throw new ArgumentException(
            $"{method}: the dataset's elements {dataset.Schema} hold a RaggedTensor, but {Name}'s {inputs} take dense tensors; build the model on " +
            "Layers.Input([null], dtype, ragged: true) (Keras' ragged=True), or pad the rows first (ds.Map((x, y) => (x.ToTensor(), y)), or PaddedBatch).", "dataset");
    }

    private void RequireRaggedInput(string method)
    {
        if (!HasRaggedInputs)
            throw new ArgumentException(
                $"{method}: {Name} was given a RaggedTensor, but none of its inputs is ragged; build it on Layers.Input([null], dtype, ragged: true) " +
                "(Keras' ragged=True), or pad the rows (RaggedTensor.ToTensor()) for a dense input.", "x");
    }
}
