namespace NeuralFlow.Tests;

/// <summary>A test on one backend with a fresh directory for its files (deleted afterwards).</summary>
public abstract class BackendFileTest(string backend) : BackendTest(backend), IDisposable
{
    private readonly TempDirectory _temp = new();

    /// <summary>The test's directory.</summary>
    protected TempDirectory Temp => _temp;

    /// <summary>Saves <paramref name="model"/> to a file <paramref name="name"/> in the test's directory; returns its path.</summary>
    protected string SaveTo(Keras.Model model, string name)
    {
        var path = Temp.File(name);
        model.Save(path);
        return path;
    }

    void IDisposable.Dispose()
    {
        Dispose();
        _temp.Dispose();
    }
}
