namespace NeuralFlow;

// tf.math.confusion_matrix: a segment sum of ones (or of the weights) into label * n + prediction,
// so every engine runs it with the kernel that Bincount and Embedding's gradient already use.
public static partial class NF
{
    /// <summary>
    /// The confusion matrix of class ids (<c>tf.math.confusion_matrix</c>): entry [i, j] counts the
    /// examples whose label is i and whose prediction is j (rows the labels, columns the predictions,
    /// as TensorFlow and sklearn), or sums their <paramref name="weights"/>. For a binary classifier
    /// <c>NF.ConfusionMatrix(labels, NF.Greater(probabilities, 0.5f))</c> is [[tn, fp], [fn, tp]].
    /// </summary>
    /// <param name="labels">The true class ids: integer, bool, or float holding whole numbers; 1-D, or (N, 1) as a model's targets are (read as N ids, as sklearn reads a column).</param>
    /// <param name="predictions">The predicted class ids, of the same kinds and length as <paramref name="labels"/>.</param>
    /// <param name="numClasses">The matrix's size; null: one more than the largest label or prediction, as TensorFlow.</param>
    /// <param name="weights">A weight per example (the shape of <paramref name="predictions"/>), summed instead of counting ones.</param>
    /// <param name="dtype">The result's dtype (TensorFlow's default int32); the weights are cast to it.</param>
    /// <returns>A [numClasses, numClasses] tensor.</returns>
    /// <exception cref="ArgumentException">
    /// labels or predictions is not 1-D (or (N, 1)), their lengths or the weights' shape differ, a dtype is not a class id's,
    /// an id is negative, not a whole number, or not below <paramref name="numClasses"/>.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException">numClasses is negative.</exception>
    public static Tensor ConfusionMatrix(Tensor labels, Tensor predictions, int? numClasses = null, Tensor? weights = null, DType dtype = DType.Int32)
    {
        const string op = nameof(ConfusionMatrix);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(predictions);
        if (numClasses is < 0)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, $"{op}: numClasses must be non-negative, got {numClasses}.");
        var ids = ClassIds(op, labels, nameof(labels));
        var guesses = ClassIds(op, predictions, nameof(predictions));
        if (ids.Shape != guesses.Shape)
            throw new ArgumentException($"{op}: labels (shape {labels.Shape}) and predictions (shape {predictions.Shape}) must hold one id per example, as many of each.", nameof(predictions));
        int n = ids.Shape[0];
        Tensor? weightColumn = null;
        if (weights is not null)
        {
            weightColumn = weights.Rank == 2 && weights.Shape[1] == 1 ? Reshape(weights, [-1]) : weights;
            if (weightColumn.Shape != ids.Shape)
                throw new ArgumentException($"{op}: weights has shape {weights.Shape}; it needs one weight per example, the shape of predictions {predictions.Shape}.", nameof(weights));
        }
        int size = numClasses ?? 0;
        if (n > 0)
        {
            using var paused = Tape.Pause();
            using var scope = TensorScope.Begin();
            long labelLow = ReduceMin(ids).Item<long>(), guessLow = ReduceMin(guesses).Item<long>();
            long labelHigh = ReduceMax(ids).Item<long>(), guessHigh = ReduceMax(guesses).Item<long>();
            if (Math.Min(labelLow, guessLow) < 0)
            {
                var (which, id) = labelLow < 0 ? (nameof(labels), labelLow) : (nameof(predictions), guessLow);
                throw new ArgumentException($"{op}: {which} contains the negative id {id}; class ids count from 0.", which);
            }
            if (numClasses is { } given && Math.Max(labelHigh, guessHigh) >= given)
            {
                var (which, id) = labelHigh >= given ? (nameof(labels), labelHigh) : (nameof(predictions), guessHigh);
                throw new ArgumentException($"{op}: {which} holds the id {id}, out of bound for numClasses = {given} (ids 0 to {given - 1}).", which);
            }
            if (numClasses is null)
            {
                long needed = Math.Max(labelHigh, guessHigh) + 1;
                if (needed * needed > Array.MaxLength)
                    throw new ArgumentException($"{op}: an id of {needed - 1} would need a {needed} x {needed} matrix, more than one tensor holds; pass numClasses or check the ids.", nameof(labels));
                size = (int)needed;
            }
        }
        // Sums in a dtype the segment-sum kernel takes, then the dtype asked for.
        DType sumType = dtype is DType.Float32 or DType.Float64 or DType.Int32 or DType.Int64 ? dtype : dtype.IsFloating() ? DType.Float32 : DType.Int64;
        var values = weightColumn is null ? Fill(ids.Shape, 1, sumType, ids.Backend) : Cast(weightColumn, sumType);
        var cells = ids * (long)size + guesses;
        var matrix = Reshape(UnsortedSegmentSum(values, cells, checked(size * size)), [size, size]);
        return matrix.DType == dtype ? matrix : Cast(matrix, dtype);
    }

    // Class ids as 1-D int64: a (N, 1) column read as N ids; bools as 0 and 1; floats only when whole.
    private static Tensor ClassIds(string op, Tensor t, string name)
    {
        var column = t.Rank == 2 && t.Shape[1] == 1 ? Reshape(t, [-1]) : t;
        if (column.Rank != 1)
            throw new ArgumentException($"{op}: {name} must be 1-D class ids (or an (N, 1) column), got shape {t.Shape}.", name);
        if (column.DType.IsFloating())
        {
            using (Tape.Pause())
            using (var whole = ReduceAll(Equal(column, Floor(column))))
                if (!whole.Item<bool>())
                    throw new ArgumentException($"{op}: {name} is {t.DType.Name()} with a fractional value; class ids are whole numbers (threshold probabilities first, e.g. NF.Greater(p, 0.5f)).", name);
        }
        else if (!column.DType.IsInteger() && column.DType != DType.Bool)
            throw new ArgumentException($"{op}: {name} is {t.DType.Name()}; class ids are integer, bool or whole-number float tensors.", name);
        return Cast(column, DType.Int64);
    }
}
