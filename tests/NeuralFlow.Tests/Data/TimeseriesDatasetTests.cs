using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Data;

/// <summary>
/// Keras.Utils.TimeseriesDatasetFromArray against the three examples of Keras'
/// <c>timeseries_dataset_from_array</c> docstring (their indices and asserts, written out here),
/// Keras' start/end rules and checks, shuffling, and a Fit fed by it.
/// </summary>
public class TimeseriesDatasetTests
{
    private static Tensor Steps(int n, float scale = 1) => NF.Constant(Enumerable.Range(0, n).Select(i => i * scale).ToArray());

    private static float[][] Rows(Tensor batch) =>
        Enumerable.Range(0, batch.Shape[0]).Select(i => batch[i].ToArray<float>()).ToArray();

    [Fact]
    public void Docstring_example_1_windows_of_every_other_step_every_third_start()
    {
        using var data = Steps(99);
        var windows = Utils.TimeseriesDatasetFromArray(data, sequenceLength: 10, sequenceStride: 3, samplingRate: 2).SelectMany(Rows).ToList();
        Assert.Equal([0f, 2, 4, 6, 8, 10, 12, 14, 16, 18], windows[0]);
        Assert.Equal([3f, 5, 7, 9, 11, 13, 15, 17, 19, 21], windows[1]);
        Assert.Equal([6f, 8, 10, 12, 14, 16, 18, 20, 22, 24], windows[2]);
        Assert.Equal([78f, 80, 82, 84, 86, 88, 90, 92, 94, 96], windows[^1]); // the last two steps fit no window
        Assert.Equal(27, windows.Count);
    }

    [Fact]
    public void Docstring_example_2_the_past_ten_steps_predict_the_next()
    {
        using var data = Steps(50, 0.5f);
        using var inputs = data[..^10];
        using var targets = data[10..];
        var (x, y) = Utils.TimeseriesDatasetFromArray(inputs, targets, sequenceLength: 10).First();
        Assert.Equal(new Shape(31, 10), x.Shape); // 40 - 9 windows, one batch of at most 128
        Assert.Equal(data[..10].ToArray<float>(), x[0].ToArray<float>());
        Assert.Equal(data[10].Item<float>(), y[0].Item<float>());
        Assert.Equal(data[30..40].ToArray<float>(), x[30].ToArray<float>());
        Assert.Equal(data[40].Item<float>(), y[30].Item<float>());
    }

    [Fact]
    public void Docstring_example_3_non_overlapping_samples_of_twenty()
    {
        using var xs = Steps(100);
        using var ys = Steps(100, 2);
        var inputs = Utils.TimeseriesDatasetFromArray(xs, sequenceLength: 20, sequenceStride: 20).First();
        var targets = Utils.TimeseriesDatasetFromArray(ys, sequenceLength: 20, sequenceStride: 20).First();
        Assert.Equal(new Shape(5, 20), inputs.Shape);
        Assert.Equal(xs[..20].ToArray<float>(), inputs[0].ToArray<float>());
        Assert.Equal(ys[20..40].ToArray<float>(), targets[1].ToArray<float>());
    }

    [Fact]
    public void Start_and_end_bound_the_windows_and_the_targets_follow_the_start()
    {
        using var data = NF.Reshape(Steps(60), [30, 2]);   // two features per step
        using var targets = Steps(30, -1);
        var batches = Utils.TimeseriesDatasetFromArray(data, targets, sequenceLength: 4, batchSize: 5, startIndex: 10, endIndex: 25).ToList();
        Assert.Equal([5, 5, 2], batches.Select(b => b.Item1.Shape[0]));            // 25 - 10 - 3 = 12 windows
        Assert.Equal(new Shape(5, 4, 2), batches[0].Item1.Shape);
        Assert.Equal(data[10..14].ToArray<float>(), batches[0].Item1[0].ToArray<float>());
        Assert.Equal(-10f, batches[0].Item2[0].Item<float>());                      // targets[start_index + 0]
        Assert.Equal(data[21..25].ToArray<float>(), batches[2].Item1[1].ToArray<float>());
        Assert.Equal(-21f, batches[2].Item2[1].Item<float>());
        // Single windows when batchSize is null.
        var single = Utils.TimeseriesDatasetFromArray(data, targets, sequenceLength: 4, batchSize: null).First();
        Assert.Equal(new Shape(4, 2), single.Item1.Shape);
        Assert.Equal(Shape.Scalar, single.Item2.Shape);
    }

    [Fact]
    public void Shuffled_windows_keep_their_targets_and_cover_every_start()
    {
        using var data = Steps(200);
        using var targets = Steps(200, 10);
        var pairs = Utils.TimeseriesDatasetFromArray(data, targets, sequenceLength: 5, batchSize: 16, shuffle: true, seed: 3)
            .SelectMany(b => Rows(b.Item1).Zip(b.Item2.ToArray<float>())).ToList();
        Assert.Equal(196, pairs.Count);
        Assert.All(pairs, p => Assert.Equal(p.First[0] * 10, p.Second));
        Assert.All(pairs, p => Assert.Equal(Enumerable.Range(0, 5).Select(i => p.First[0] + i), p.First));
        var starts = pairs.Select(p => p.First[0]).ToList();
        Assert.Equal(Enumerable.Range(0, 196).Select(i => (float)i), starts.Order());
        Assert.NotEqual(starts.Order(), starts);
    }

    [Fact]
    public void Keras_checks_come_with_its_words()
    {
        using var data = Steps(20);
        Assert.Contains("lower than the length", Assert.Throws<ArgumentOutOfRangeException>(() => Utils.TimeseriesDatasetFromArray(data, 3, endIndex: 20)).Message);
        Assert.Contains("higher than `start_index`", Assert.Throws<ArgumentOutOfRangeException>(() => Utils.TimeseriesDatasetFromArray(data, 3, startIndex: 5, endIndex: 5)).Message);
        Assert.Equal("samplingRate", Assert.Throws<ArgumentOutOfRangeException>(() => Utils.TimeseriesDatasetFromArray(data, 3, samplingRate: 0)).ParamName);
        Assert.Equal("sequenceStride", Assert.Throws<ArgumentOutOfRangeException>(() => Utils.TimeseriesDatasetFromArray(data, 3, sequenceStride: 20)).ParamName);
        Assert.Equal("targets", Assert.Throws<ArgumentNullException>(() => Utils.TimeseriesDatasetFromArray(data, null!, 3)).ParamName);
    }

    [Fact]
    public void Data_shorter_than_a_window_gives_an_empty_dataset_as_Keras()
    {
        // Keras: num_seqs = 20 - (30 - 1) < 0, np.arange(0, num_seqs) is empty, so is the dataset (no error).
        using var data = Steps(20);
        using var targets = Steps(20);
        var windows = Utils.TimeseriesDatasetFromArray(data, 30, batchSize: 4);
        Assert.Equal(0, windows.Cardinality);
        Assert.Empty(windows);
        Assert.Equal("TensorSpec(shape=(None, 30), dtype=tf.float32, name=None)", windows.ElementSpec.ToString());
        var pairs = Utils.TimeseriesDatasetFromArray(data, targets, sequenceLength: 21, batchSize: null, shuffle: true, seed: 3);
        Assert.Equal(0, pairs.Cardinality);
        Assert.Empty(pairs);
        Assert.Equal("(TensorSpec(shape=(21,), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None))", pairs.ElementSpec.ToString());
        // Exactly one window still fits at length 20.
        Assert.Single(Utils.TimeseriesDatasetFromArray(data, 20, batchSize: null));
    }

    [Fact]
    public void An_lstm_learns_a_sine_wave_from_its_windows()
    {
        NF.Random.SetSeed(5);
        using var wave = NF.Constant(Enumerable.Range(0, 400).Select(i => MathF.Sin(i * 0.2f)).ToArray(), [400, 1]);
        var train = Utils.TimeseriesDatasetFromArray(wave[..^8], wave[8..], sequenceLength: 8, batchSize: 32, shuffle: true, seed: 1);
        var model = new Sequential(Layers.Input([8, 1]), new Layers.LSTM(8), new Layers.Dense(1));
        model.Compile("adam", "mse");
        var history = model.Fit(train, epochs: 6, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0] * 0.8, $"loss {history["loss"][0]} -> {history["loss"][^1]}");
    }
}
