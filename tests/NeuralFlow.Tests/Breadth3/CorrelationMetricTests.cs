using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Breadth3;

/// <summary>
/// Keras 3's PearsonCorrelation and ConcordanceCorrelation (keras/src/metrics/correlation_metrics.py),
/// against the published numbers of their docstrings; the two-batch and axis-0 cases are Keras'
/// formulas (a mean metric wrapper over per-row values) in numpy float64 (/usr/bin/python3).
/// </summary>
public abstract class CorrelationMetricTests(string backend) : BackendFileTest(backend)
{
    private static Tensor T(float[] v) => NF.Reshape(NF.Constant(v), [2, 3]);
    private static Tensor YTrue() => T([0, 1, 0.5f, 1, 1, 0.2f]);
    private static Tensor YPred() => T([0.1f, 0.9f, 0.5f, 1, 0.9f, 0.2f]);

    [SkippableFact]
    public void Docstring_values()
    {
        RequireBackend();
        var pcc = new Metrics.PearsonCorrelation(axis: -1);
        pcc.UpdateState(YTrue(), YPred());
        Assert.Equal(0.9966996338993913, pcc.Result(), 5);
        var ccc = new Metrics.ConcordanceCorrelation(axis: -1);
        ccc.UpdateState(YTrue(), YPred());
        Assert.Equal(0.9816320385426076, ccc.Result(), 5);
    }

    [SkippableFact]
    public void Batches_average_and_axis_0_matches_numpy()
    {
        RequireBackend();
        // numpy: rows [1, 0.99339927], then [0.5, -0.59603956] for the second predictions; the metric is the mean of the four.
        // Along axis 0 the middle column is constant in both: 0 / (0 + eps) = 0, so [0.98901077, 0, 0.99999778].
        var pcc = new Metrics.PearsonCorrelation();
        pcc.UpdateState(YTrue(), YPred());
        pcc.UpdateState(YTrue(), T([0.5f, 0.9f, 0.1f, 0.2f, 0.9f, 1]));
        Assert.Equal(0.47433992677987824, pcc.Result(), 5);
        var ccc = new Metrics.ConcordanceCorrelation(axis: 0);
        ccc.UpdateState(YTrue(), YPred());
        Assert.Equal(0.6630028498095667, ccc.Result(), 5);
    }

    [SkippableFact]
    public void Names_configs_and_a_compiled_model()
    {
        RequireBackend();
        Assert.IsType<Metrics.PearsonCorrelation>(Metrics.Get("pearson_correlation"));
        Assert.IsType<Metrics.ConcordanceCorrelation>(Metrics.Get("concordance_correlation"));
        Assert.Contains("axis 2", Assert.Throws<ArgumentException>(() => new Metrics.PearsonCorrelation(axis: 2).UpdateState(YTrue(), YPred())).Message);
        NF.Random.SetSeed(4);
        var x = NF.Random.Uniform([32, 3]);
        var model = new Sequential(new Layers.Dense(3));
        model.Compile("sgd", "mse", metrics: [new Metrics.ConcordanceCorrelation(name: "ccc", axis: 0), "pearson_correlation"]);
        model.Fit(x, x, batchSize: 8, epochs: 1, verbose: 0);
        string path = Temp.File("corr.nfmodel");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(model.Evaluate(x, x, verbose: 0)["ccc"], loaded.Evaluate(x, x, verbose: 0)["ccc"]);
        Assert.Equal(model.Evaluate(x, x, verbose: 0)["pearson_correlation"], loaded.Evaluate(x, x, verbose: 0)["pearson_correlation"]);
    }
}

public sealed class ManagedCorrelationMetricTests() : CorrelationMetricTests("managed");
public sealed class NativeCpuCorrelationMetricTests() : CorrelationMetricTests("cpu");
public sealed class CudaCorrelationMetricTests() : CorrelationMetricTests("cuda");
