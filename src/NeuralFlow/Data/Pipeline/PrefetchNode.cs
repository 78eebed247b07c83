using System.Runtime.ExceptionServices;

namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// Runs the upstream pipeline on a background thread, at most <c>capacity</c> elements ahead
/// of the consumer. <see cref="Dataset.Autotune"/> starts at 2 and grows (up to 16) each time
/// the consumer finds the queue empty. An upstream exception reaches the consumer with its
/// original type and stack. Disposing the enumerator (a <c>break</c> out of <c>foreach</c>)
/// stops the thread, waits for it to end and disposes everything still queued.
/// </summary>
internal sealed class PrefetchNode : Node
{
    internal const int AutotuneStart = 2, AutotuneMax = 16;
    private static int _running;

    private readonly Node _upstream;
    private readonly int _capacity;

    public PrefetchNode(Node upstream, int bufferSize)
    {
        if (bufferSize < 1 && bufferSize != Dataset.Autotune)
            throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, "Prefetch: bufferSize must be at least 1, or Dataset.Autotune.");
        _upstream = upstream;
        _capacity = bufferSize;
    }

    /// <summary>Prefetch threads alive in this process (for tests: 0 once every loop has ended).</summary>
    internal static int RunningWorkers => Volatile.Read(ref _running);

    public Node Upstream => _upstream;
    public override int Width => _upstream.Width;
    public override long Cardinality => _upstream.Cardinality;

    public override IEnumerator<Part[]> Open() => new Worker(_upstream, _capacity);

    /// <summary>One pass: the background thread, its bounded queue and the consumer's side.</summary>
    internal sealed class Worker : IEnumerator<Part[]>
    {
        private readonly Queue<Part[]> _queue = new();
        private readonly bool _autotune;
        private readonly Node _upstream;
        private int _capacity;
        private bool _finished, _stopping;
        private ExceptionDispatchInfo? _error;
        private Part[]? _current;

        public Worker(Node upstream, int capacity)
        {
            _upstream = upstream;
            _autotune = capacity == Dataset.Autotune;
            _capacity = _autotune ? AutotuneStart : capacity;
            Interlocked.Increment(ref _running);
            // Thread.Start flows the ExecutionContext, so the NF.UseBackend scope comes along.
            Thread = new Thread(Produce) { IsBackground = true, Name = "NeuralFlow prefetch" };
            Thread.Start();
        }

        /// <summary>The background thread (tests check that it has ended).</summary>
        internal Thread Thread { get; }

        public Part[] Current => _current ?? throw new InvalidOperationException("MoveNext has not been called.");
        object System.Collections.IEnumerator.Current => Current;

        private void Produce()
        {
            // The thread inherits the starter's async flow, TensorScope included (it follows the
            // flow): the elements it makes must not belong to the step that happened to start it.
            TensorScope.Detach();
            try
            {
                using var source = _upstream.Open();
                while (true)
                {
                    lock (_queue)
                    {
                        while (_queue.Count >= _capacity && !_stopping) Monitor.Wait(_queue);
                        if (_stopping) return;
                    }
                    if (!source.MoveNext()) return;
                    lock (_queue)
                    {
                        if (_stopping) { Element.Dispose(source.Current); return; }
                        _queue.Enqueue(source.Current);
                        Monitor.PulseAll(_queue);
                    }
                }
            }
            catch (Exception e)
            {
                _error = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                lock (_queue)
                {
                    _finished = true;
                    Monitor.PulseAll(_queue);
                }
                Interlocked.Decrement(ref _running);
            }
        }

        public bool MoveNext()
        {
            _current = null;
            lock (_queue)
            {
                if (_queue.Count == 0 && !_finished && _autotune && _capacity < AutotuneMax) _capacity++;
                while (_queue.Count == 0 && !_finished) Monitor.Wait(_queue);
                if (_queue.Count > 0)
                {
                    _current = _queue.Dequeue();
                    Monitor.PulseAll(_queue);
                    return true;
                }
            }
            _error?.Throw();
            return false;
        }

        public void Reset() => throw new NotSupportedException();

        public void Dispose()
        {
            lock (_queue)
            {
                _stopping = true;
                Monitor.PulseAll(_queue);
            }
            Thread.Join();
            lock (_queue)
            {
                Element.DisposeAll(_queue);
                _queue.Clear();
            }
        }
    }
}
