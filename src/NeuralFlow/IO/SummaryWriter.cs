namespace NeuralFlow.IO;

/// <summary>
/// Scalars of your own for TensorBoard (<c>tf.summary.create_file_writer(logdir)</c> with
/// <c>tf.summary.scalar(name, value, step)</c>): a callback that computes a metric on the host
/// (keras.io's scikit-learn Jaccard score) writes it beside what <c>Callbacks.TensorBoard</c> logs,
/// and <c>tensorboard --logdir</c> plots both. Each writer opens a new event file in
/// <see cref="LogDir"/> (created if missing); <see cref="Flush"/> makes what was written readable
/// while training goes on, and <see cref="Dispose"/> closes the file.
/// </summary>
public sealed class SummaryWriter : IDisposable
{
    private readonly EventFileWriter _events;
    private bool _disposed;

    private SummaryWriter(string logDir)
    {
        LogDir = logDir;
        _events = new EventFileWriter(logDir);
    }

    /// <summary>A writer of a new event file in <paramref name="logDir"/> (<c>tf.summary.create_file_writer</c>).</summary>
    /// <exception cref="ArgumentException">An empty directory name.</exception>
    public static SummaryWriter Create(string logDir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(logDir);
        return new SummaryWriter(logDir);
    }

    /// <summary>The directory the event file is in.</summary>
    public string LogDir { get; }

    /// <summary>The event file's path (<c>events.out.tfevents.*</c>).</summary>
    public string EventFile => _events.Path;

    /// <summary>
    /// Writes <paramref name="value"/> under <paramref name="tag"/> at <paramref name="step"/>
    /// (<c>tf.summary.scalar</c>), as a float32 simple value as TensorFlow writes them.
    /// </summary>
    /// <exception cref="ArgumentException">An empty tag.</exception>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Scalar(string tag, double value, long step)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _events.Scalar(tag, (float)value, step);
    }

    /// <summary>
    /// <see cref="Scalar(string, double, long)"/> of tensors (<c>tf.summary.scalar(tag, loss, step=step // 1000)</c>
    /// in pix2pix's train_step): a number scalar and an integer scalar step. They are read by a host call, so
    /// inside an <c>NF.Function</c> it writes at every call with that call's values (as tf.summary in a
    /// tf.function), not once while tracing as a host read would; eagerly it writes at once.
    /// </summary>
    /// <exception cref="ArgumentException">An empty tag, value not a scalar of a number dtype, or step not an integer scalar.</exception>
    /// <exception cref="ObjectDisposedException">The writer was disposed (also when a replay runs after).</exception>
    public void Scalar(string tag, Tensor value, Tensor step)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(step);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (value.Rank != 0 || !(value.DType.IsFloating() || value.DType.IsInteger()))
            throw new ArgumentException($"SummaryWriter.Scalar: value must be a scalar number, got {value.DType.Name()} of shape {value.Shape}.", nameof(value));
        if (step.Rank != 0 || !step.DType.IsInteger())
            throw new ArgumentException($"SummaryWriter.Scalar: step must be an integer scalar, got {step.DType.Name()} of shape {step.Shape}.", nameof(step));
        FunctionTrace.RunOnHostAs([value, step], [DType.Float64, DType.Int64], null, bytes =>
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _events.Scalar(tag, (float)BitConverter.ToDouble(bytes[0]), BitConverter.ToInt64(bytes[1]));
            return null;
        }, "SummaryWriter.Scalar");
    }

    /// <summary>Writes what is buffered to the file (<c>writer.flush()</c>).</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _events.Flush();
    }

    /// <summary>Flushes and closes the event file.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _events.Flush();
        _events.Dispose();
    }
}
