using NeuralFlow.Data;

namespace NeuralFlow.Keras;

public static partial class Utils
{
    /// <summary>
    /// Sliding windows over a time series (<c>keras.utils.timeseries_dataset_from_array</c>): batches
    /// of (windows, targets), each window <paramref name="sequenceLength"/> steps of
    /// <paramref name="data"/> (axis 0 is time) taken every <paramref name="samplingRate"/> steps,
    /// windows starting every <paramref name="sequenceStride"/> steps; the target of the window that
    /// starts at step i (counted from <paramref name="startIndex"/>) is targets[startIndex + i], as
    /// in Keras. Windows are gathered batch by batch, never all at once. With
    /// <paramref name="shuffle"/>, the window order is shuffled once (by <paramref name="seed"/>) and
    /// then within a buffer of 8 batches each pass, as Keras does. <paramref name="batchSize"/> null
    /// yields single windows.
    /// </summary>
    public static Dataset<(Tensor, Tensor)> TimeseriesDatasetFromArray(
        Tensor data, Tensor targets, int sequenceLength, int sequenceStride = 1, int samplingRate = 1,
        int? batchSize = 128, bool shuffle = false, int? seed = null, int? startIndex = null, int? endIndex = null)
    {
        if (targets is null)
            throw new ArgumentNullException(nameof(targets), "TimeseriesDatasetFromArray: targets is null; for windows without targets (Keras' targets=None) call the overload without targets.");
        var (starts, window) = Windows(data, targets, sequenceLength, sequenceStride, samplingRate, batchSize, shuffle, seed, startIndex, endIndex);
        // Keras reads targets[start_index:end_index] at each window's start.
        int first = startIndex ?? 0;
        var targetSlice = targets[first..Math.Max(first, Math.Min(endIndex ?? data.Shape[0], targets.Shape[0]))];
        return starts.Map(p => (window(p), NF.Gather(targetSlice, p, 0)));
    }

    /// <summary>
    /// Sliding windows over a time series without targets (<c>timeseries_dataset_from_array(data, None, ...)</c>):
    /// batches of windows; see <see cref="TimeseriesDatasetFromArray(Tensor, Tensor, int, int, int, int?, bool, int?, int?, int?)"/>.
    /// </summary>
    public static Dataset<Tensor> TimeseriesDatasetFromArray(
        Tensor data, int sequenceLength, int sequenceStride = 1, int samplingRate = 1,
        int? batchSize = 128, bool shuffle = false, int? seed = null, int? startIndex = null, int? endIndex = null)
    {
        var (starts, window) = Windows(data, null, sequenceLength, sequenceStride, samplingRate, batchSize, shuffle, seed, startIndex, endIndex);
        return starts.Map(window);
    }

    // The window starts (shuffled and batched as asked) and the gather that turns starts into windows.
    private static (Dataset<Tensor> Starts, Func<Tensor, Tensor> Window) Windows(
        Tensor data, Tensor? targets, int sequenceLength, int sequenceStride, int samplingRate,
        int? batchSize, bool shuffle, int? seed, int? startIndex, int? endIndex)
    {
        const string op = "TimeseriesDatasetFromArray";
        ArgumentNullException.ThrowIfNull(data);
        if (data.Rank == 0) throw new ArgumentException($"{op}: data must have a time axis (axis 0), got a scalar.", nameof(data));
        int length = data.Shape[0];
        // Keras' checks, in its words.
        if (startIndex is < 0) throw new ArgumentOutOfRangeException(nameof(startIndex), startIndex, $"{op}: `start_index` must be 0 or greater.");
        if (startIndex >= length) throw new ArgumentOutOfRangeException(nameof(startIndex), startIndex, $"{op}: `start_index` must be lower than the length of the data ({length}).");
        if (endIndex is { } end)
        {
            if (startIndex is { } s && end <= s) throw new ArgumentOutOfRangeException(nameof(endIndex), end, $"{op}: `end_index` must be higher than `start_index` ({s}).");
            if (end >= length) throw new ArgumentOutOfRangeException(nameof(endIndex), end, $"{op}: `end_index` must be lower than the length of the data ({length}).");
            if (end <= 0) throw new ArgumentOutOfRangeException(nameof(endIndex), end, $"{op}: `end_index` must be higher than 0.");
        }
        if (samplingRate <= 0 || samplingRate >= length)
            throw new ArgumentOutOfRangeException(nameof(samplingRate), samplingRate, $"{op}: `sampling_rate` must be higher than 0 and lower than the length of the data ({length}).");
        if (sequenceStride <= 0 || sequenceStride >= length)
            throw new ArgumentOutOfRangeException(nameof(sequenceStride), sequenceStride, $"{op}: `sequence_stride` must be higher than 0 and lower than the length of the data ({length}).");
        if (sequenceLength <= 0) throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, $"{op}: `sequence_length` must be at least 1.");
        if (batchSize is <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"{op}: `batch_size` must be at least 1, or null for single windows.");
        if (targets is not null && targets.Rank == 0) throw new ArgumentException($"{op}: targets must have a time axis (axis 0), got a scalar.", nameof(targets));

        int first = startIndex ?? 0, stop = endIndex ?? length;
        long count = stop - first - (long)(sequenceLength - 1) * samplingRate;
        if (targets is not null) count = Math.Min(count, targets.Shape[0]);
        // Data shorter than one window gives no starts and an empty dataset, as Keras' np.arange(0, num_seqs) does
        // (the time series tutorial's WindowGenerator over a short split); Fit on it then says the data is empty.
        var positions = new List<long>();
        for (long p = 0; p < count; p += sequenceStride) positions.Add(p);
        // Keras shuffles the starts once, then within a buffer each pass.
        var order = positions.ToArray();
        if (shuffle) new Random(seed ?? Random.Shared.Next()).Shuffle(order);

        using var _ = NF.UseBackend(data.Backend);
        var starts = Dataset.FromTensorSlices(NF.Constant(order));
        if (shuffle) starts = starts.Shuffle(batchSize is { } b ? b * 8 : 1024, seed);
        if (batchSize is { } size) starts = starts.Batch(size);
        var slice = data[first..stop];
        var offsets = NF.Constant(Enumerable.Range(0, sequenceLength).Select(i => (long)i * samplingRate).ToArray());
        if (order.Length == 0)
            // No window to gather: the function only runs when ElementSpec traces it, where a gather of the
            // placeholder starts would reach past the short data; zeros of the window's shape tell the spec.
            return (starts, p => NF.Zeros([.. p.Shape.Dims, sequenceLength, .. data.Shape.Dims[1..]], data.DType));
        return (starts, p => NF.Gather(slice, NF.ExpandDims(p, -1) + offsets, 0));
    }
}
