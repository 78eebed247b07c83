namespace NeuralFlow.Tests;

/// <summary>A test on one backend with a fresh directory for its files (deleted afterwards).</summary>
public abstract class BackendFileTest(string backend) : BackendTest(backend), IDisposable
{
    private readonly TempDirectory _temp = new();

    /// <summary>The test's directory.</summary>
    protected TempDirectory Temp => _temp;

    void IDisposable.Dispose()
    {
        Dispose();
        _temp.Dispose();
    }
}
