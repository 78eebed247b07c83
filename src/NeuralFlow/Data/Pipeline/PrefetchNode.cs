using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// Runs the upstream pipeline ahead of the consumer, at most <c>capacity</c> elements ahead, on a
/// background thread. <see cref="Dataset.Autotune"/> starts at 2 elements and grows (up to 16)
/// each time the consumer finds the queue empty, and lets <see cref="PrefetchTuner"/> run the
/// upstream on the consumer's thread instead while that delivers faster (a cheap producer on a
/// machine whose cores the consumer's kernels already use). Either way the elements, their order
/// and their values are those of the pipeline without Prefetch. An upstream exception reaches the
/// consumer with its original type and stack. Disposing the enumerator (a <c>break</c> out of
/// <c>foreach</c>) stops the thread, waits for it to end and disposes everything still queued.
/// </summary>
internal sealed class PrefetchNode : Node
{
    internal const int AutotuneStart = 2, AutotuneMax = 16;
    private static int _running;

    /// <summary>Tests: where each element of a pass is produced (element number -> inline), instead of the tuner's choice.</summary>
    internal static readonly AsyncLocal<Func<long, bool>?> ScheduleForTests = new();

    private readonly Node _upstream;
    private readonly int _capacity;
    // The way the last pass ended with, and the tuner's hold, for the next pass (Autotune only).
    private volatile bool _lastInline;
    private int _lastHold = PrefetchTuner.FirstHold;

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
    public override IReadOnlyList<Node> Inputs => [_upstream];
    protected override TensorSpec[] ComputeSignature() => _upstream.Signature;
    public override long Cardinality => _upstream.Cardinality;

    public override IEnumerator<Part[]> Open() => new Worker(this);

    /// <summary>
    /// One pass: the bounded queue, the background thread (started when first needed) and the
    /// consumer's side. The upstream enumerator is pulled by one side at a time: the thread while
    /// it runs, the consumer only once the queue is empty and the thread is parked.
    /// </summary>
    internal sealed class Worker : IEnumerator<Part[]>
    {
        private readonly Queue<Part[]> _queue = new();
        private readonly PrefetchNode _node;
        private readonly PrefetchTuner? _tuner;
        private readonly Func<long, bool>? _schedule;
        private readonly ExecutionContext? _context;
        private IEnumerator<Part[]>? _source;
        private int _capacity;
        // _producerIdle: the thread is not pulling (parked, ended or not started); _consumerPulling:
        // the consumer is, and the thread must not start. Both change under the queue's lock.
        // _inline: the way the consumer chose for its current request (the thread parks meanwhile).
        private bool _finished, _stopping, _producerIdle = true, _consumerPulling, _inline;
        private ExceptionDispatchInfo? _error;
        private Part[]? _current;
        private long _delivered, _lastReturn;

        public Worker(PrefetchNode node)
        {
            _node = node;
            bool autotune = node._capacity == Dataset.Autotune;
            _capacity = autotune ? AutotuneStart : node._capacity;
            _schedule = ScheduleForTests.Value;
            // Options' Autotune.Enabled false: the starting buffer on the thread, nothing tuned.
            if (autotune && _schedule is null && PipelineOptions.Current.Autotune.Enabled != false) _tuner = new PrefetchTuner(node._lastInline, node._lastHold);
            // The thread starts later (perhaps never): keep the opener's context (the NF.UseBackend
            // scope, say) for it, as Thread.Start would have flowed it from here.
            _context = ExecutionContext.Capture();
            _inline = WantInline;
            if (!_inline) StartThread();
        }

        /// <summary>Whether <see cref="MoveNext"/> would return at once: an element is queued, or the pass has ended.</summary>
        internal bool Ready
        {
            get { lock (_queue) return _queue.Count > 0 || _finished; }
        }

        /// <summary>The background thread, once started (tests check that it has ended).</summary>
        internal Thread? Thread { get; private set; }

        // Never inline under an NF.Function trace (thread-local): the pipeline's ops are not the function's.
        private bool WantInline => FunctionTrace.Current is null && (_schedule is { } s ? s(_delivered) : _tuner?.Inline ?? false);

        public Part[] Current => _current ?? throw new InvalidOperationException("MoveNext has not been called.");
        object System.Collections.IEnumerator.Current => Current;

        private void StartThread()
        {
            Interlocked.Increment(ref _running);
            Thread = new Thread(() =>
            {
                if (_context is null) Produce();
                else ExecutionContext.Run(_context, _ => Produce(), null);
            }) { IsBackground = true, Name = "NeuralFlow prefetch" };
            Thread.Start();
        }

        private void Produce()
        {
            // The thread inherits the starter's async flow, TensorScope included (it follows the
            // flow): the elements it makes must not belong to the step that happened to start it.
            TensorScope.Detach();
            try
            {
                while (true)
                {
                    lock (_queue)
                    {
                        while ((_queue.Count >= _capacity || _consumerPulling || _inline) && !_stopping)
                        {
                            _producerIdle = true;
                            Monitor.PulseAll(_queue);
                            Monitor.Wait(_queue);
                        }
                        if (_stopping || _finished) return;
                        _producerIdle = false;
                    }
                    var element = Pull();
                    lock (_queue)
                    {
                        if (element is null) return;
                        if (_stopping) { Element.Dispose(element); return; }
                        _queue.Enqueue(element);
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
                    _finished |= _error is not null || !_stopping;
                    _producerIdle = true;
                    Monitor.PulseAll(_queue);
                }
                Interlocked.Decrement(ref _running);
            }
        }

        /// <summary>
        /// The next upstream element, or null at the end (then the upstream is disposed and the pass
        /// marked finished). Called by whichever side holds the upstream.
        /// </summary>
        private Part[]? Pull()
        {
            _source ??= _node._upstream.Open();
            if (!_source.MoveNext())
            {
                _source.Dispose();
                _source = null;
                lock (_queue) _finished = true;
                return null;
            }
            return _source.Current;
        }

        public bool MoveNext()
        {
            _current = null;
            bool inline = WantInline;
            lock (_queue)
            {
                _inline = inline;
                if (inline)
                {
                    // Elements made ahead go first; then wait until the thread has let go of the upstream.
                    while (_queue.Count == 0 && !_finished && !_producerIdle) Monitor.Wait(_queue);
                }
                else
                {
                    if (Thread is null) StartThread();
                    else Monitor.PulseAll(_queue); // a parked thread resumes
                    if (_queue.Count == 0 && !_finished && _tuner is not null && _capacity < AutotuneMax) _capacity++;
                    while (_queue.Count == 0 && !_finished) Monitor.Wait(_queue);
                }
                if (_queue.Count > 0)
                {
                    _current = _queue.Dequeue();
                    Monitor.PulseAll(_queue);
                }
                else if (_finished)
                {
                    _error?.Throw();
                    return false;
                }
                else _consumerPulling = true;
            }
            if (_current is null)
            {
                // Inline: the upstream runs here, outside any scope of the consumer's (as on the thread).
                try
                {
                    using (TensorScope.Suspend()) _current = Pull();
                }
                catch (Exception e)
                {
                    lock (_queue)
                    {
                        _error = ExceptionDispatchInfo.Capture(e);
                        _finished = true;
                    }
                    throw;
                }
                finally
                {
                    lock (_queue) _consumerPulling = false;
                }
                if (_current is null) return false;
            }
            _delivered++;
            long now = Stopwatch.GetTimestamp();
            // The period between deliveries as the consumer sees it: what each way is judged by.
            if (_tuner is not null && _lastReturn != 0) _tuner.Delivered(now - _lastReturn);
            _lastReturn = now;
            return true;
        }

        public void Reset() => throw new NotSupportedException();

        public void Dispose()
        {
            lock (_queue)
            {
                _stopping = true;
                Monitor.PulseAll(_queue);
            }
            Thread?.Join();
            lock (_queue)
            {
                Element.DisposeAll(_queue);
                _queue.Clear();
            }
            _source?.Dispose();
            _source = null;
            if (_tuner is not null)
            {
                _node._lastInline = _tuner.Inline;
                _node._lastHold = _tuner.Hold;
            }
        }
    }
}
