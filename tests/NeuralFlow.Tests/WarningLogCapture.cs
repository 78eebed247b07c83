namespace NeuralFlow.Tests;

/// <summary>Collects what the library writes to its warning log (NF.WarningLog) until disposed, then restores the log.</summary>
internal sealed class WarningLogCapture : IDisposable
{
    private readonly TextWriter? _previous = NF.WarningLog;
    private readonly StringWriter _writer = new();

    public WarningLogCapture() => NF.WarningLog = _writer;

    /// <summary>Everything written so far.</summary>
    public string Text => _writer.ToString();

    public void Dispose() => NF.WarningLog = _previous;
}
