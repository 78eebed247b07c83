namespace NeuralFlow.Tests;

/// <summary>Collects what NF.Function writes to its log (TracedFunction.Log) until disposed, then restores the log.</summary>
internal sealed class FunctionLogCapture : IDisposable
{
    private readonly TextWriter? _previous = TracedFunction.Log;
    private readonly StringWriter _writer = new();

    public FunctionLogCapture() => TracedFunction.Log = _writer;

    /// <summary>Everything written so far.</summary>
    public string Text => _writer.ToString();

    public void Dispose() => TracedFunction.Log = _previous;
}
