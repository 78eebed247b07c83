using NeuralFlow.Keras;
using static NeuralFlow.Tests.Keras16.MetricData;

namespace NeuralFlow.Tests.Keras16;

/// <summary>
/// Metrics.R2Score against Keras 3: the docstring example and keras/src/metrics/regression_metrics_test.py
/// R2ScoreTest's numbers (their sklearn and TF-Addons comparisons); other reference values were
/// computed with numpy from Keras 3's R2Score.update_state/result formulas (sums of w*y, w*y^2,
/// w*(y - y_hat)^2 and w per output; n = every target value seen), as each test says.
/// </summary>
public abstract class R2ScoreTests(string backend) : BackendTest(backend)
{
    // Keras' R2 tests hold to 1e-6 in float32; these sums are in float64.
    private static void Close(double expected, double actual, double atol = 1e-5) => Near(expected, actual, atol);
    private static void Close(double[] expected, double[] actual) => Near(expected, actual, 1e-5);

    private static double[] Score(string? aggregation, int regressors, Tensor yTrue, Tensor yPred, Tensor? weights = null)
    {
        var m = new Metrics.R2Score(aggregation, regressors);
        m.UpdateState(yTrue, yPred, weights);
        return m.ResultValues();
    }

    // numpy, Keras' formula: a 5 x 2 regression, in two batches below.
    private static readonly double[] TrueValues = [1.0, 2.0, 2.5, 0.5, 3.0, 1.5, 0.5, 4.0, 2.0, 3.0];
    private static readonly double[] PredValues = [1.2, 1.8, 2.0, 0.9, 2.7, 1.0, 1.0, 3.5, 2.4, 2.0];
    private static readonly double[] WeightValues = [1.0, 0.5, 2.0, 1.5, 0.25];

    [SkippableFact]
    public void Matches_keras_docstring_and_tests()
    {
        RequireBackend();
        Close(0.57142854, new Metrics.R2Score().Call(T([1, 4, 3], 3, 1), T([2, 4, 4], 3, 1)));                 // docstring
        var yTrue = T([0, 0, 1, 0, 1, 0, 1, 0, 0], 3, 3);
        var sklearn = T([0.4, 0.5, 0.6, 0.1, 0.2, 0.3, 0.5, 0.8, 0.2], 3, 3);
        Close([0.37, -1.295, 0.565], Score(null, 0, yTrue, sklearn));                                             // test_r2_sklearn_comparison
        Close([-0.12], Score("uniform_average", 0, yTrue, sklearn));
        Close([-0.12], Score("variance_weighted_average", 0, yTrue, sklearn));
        var tfa = T([0.4, 0.9, 1.6, 0.1, 1.2, 0.6, 1.5, 0.8, 0.6], 3, 3);
        var w = T([0.8, 0.1, 0.4]);
        Close([0.17305559, -8.836666, -0.521], Score(null, 0, yTrue, tfa, w));                                    // test_r2_tfa_comparison
        Close([-0.65388882, -18.673332, -2.042], Score(null, 1, yTrue, tfa, w));                                   // adjusted: n = 3 examples (Keras #23334)
        Close([0.17305559, -8.836666, -0.521], Score(null, 2, yTrue, tfa, w));                                      // p = n - 1: plain R2
        Close([-3.0615367889404297], Score("uniform_average", 0, yTrue, tfa, w));
        Close([-7.123073577880859], Score("uniform_average", 1, yTrue, tfa, w));
        Close([-3.0615367889404297], Score("uniform_average", 2, yTrue, tfa, w));
        Close([-1.3710224628448486], Score("variance_weighted_average", 0, yTrue, tfa, w));
        Close([-3.742044448852539], Score("variance_weighted_average", 1, yTrue, tfa, w));
        Close([-1.3710224628448486], Score("variance_weighted_average", 2, yTrue, tfa, w));
    }

    [SkippableFact]
    public void Streams_two_updates_as_one_over_the_concatenation_and_resets()
    {
        RequireBackend();
        var (yTrue, yPred, w) = (T(TrueValues, 5, 2), T(PredValues, 5, 2), T(WeightValues));
        var whole = new Metrics.R2Score();
        whole.UpdateState(yTrue, yPred, w);
        Close(0.8561764626035022, whole.Result());                                                                // numpy, Keras' formula
        var streamed = new Metrics.R2Score();
        streamed.UpdateState(yTrue[..2], yPred[..2], w[..2]);
        streamed.UpdateState(yTrue[2..], yPred[2..], w[2..]);
        Close(whole.Result(), streamed.Result(), 1e-6);
        // Unweighted, adjusted, variance-weighted, per output: numpy, Keras' formula.
        var adjusted = new Metrics.R2Score("variance_weighted_average", 1);
        adjusted.UpdateState(yTrue[..3], yPred[..3], w[..3]);
        adjusted.UpdateState(yTrue[3..], yPred[3..], w[3..]);
        Close(0.8056598874945912, adjusted.Result());                                                             // n = 5 examples: UserProbe7/metric_edge_references.py
        var perOutput = new Metrics.R2Score(null);
        perOutput.UpdateState(yTrue[..1], yPred[..1]);
        perOutput.UpdateState(yTrue[1..], yPred[1..]);
        Close([0.81627907, 0.76712329], perOutput.ResultValues());
        Assert.Throws<InvalidOperationException>(() => perOutput.Result());   // a vector in Keras: ResultValues
        streamed.ResetState();
        Assert.Equal(0f, streamed.Result());
        Close(0.7917011787193373, streamed.Call(yTrue, yPred));                                                   // numpy, unweighted
        Assert.Equal(["num_samples", "squared_sum", "sum", "residual", "count"], streamed.Variables.Select(v => v.Name));
    }

    [SkippableFact]
    public void Sample_weights_scale_each_example_and_zero_weights_drop_it()
    {
        RequireBackend();
        var (yTrue, yPred) = (T(TrueValues, 5, 2), T(PredValues, 5, 2));
        // Weight 2 on an example counts it twice: R2 over the data with that row repeated.
        var repeated = new Metrics.R2Score();
        repeated.UpdateState(yTrue, yPred);
        repeated.UpdateState(yTrue[..1], yPred[..1]);
        var weighted = new Metrics.R2Score();
        weighted.UpdateState(yTrue, yPred, T([2, 1, 1, 1, 1]));
        Close(repeated.ResultValues()[0], weighted.ResultValues()[0], 1e-6);
        // (N, 1) and (N, outputs) weights, and a scalar, as Keras broadcasts them.
        Close(0.8561764626035022, Score("uniform_average", 0, yTrue, yPred, T(WeightValues, 5, 1))[0]);
        var perElement = NF.BroadcastTo(T(WeightValues, 5, 1), new Shape(5, 2));
        Close(0.8561764626035022, Score("uniform_average", 0, yTrue, yPred, perElement)[0]);
        Close(0.7917011787193373, Score("uniform_average", 0, yTrue, yPred, NF.Constant(3f))[0]);
        // Targets (N,) beside predictions (N, 1) are lined up, as Keras' squeeze_or_expand_to_same_rank.
        Close(0.57142854, new Metrics.R2Score().Call(T([1, 4, 3]), T([2, 4, 4], 3, 1)));
    }

    [SkippableFact]
    public void Bad_arguments_are_named()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => new Metrics.R2Score("variance_weighted"));          // Keras' test_errors
        Assert.Equal("classAggregation", e.ParamName);
        Assert.Contains("variance_weighted_average", e.Message);
        Assert.Equal("numRegressors", Assert.Throws<ArgumentOutOfRangeException>(() => new Metrics.R2Score(numRegressors: -1)).ParamName);
        var shape = Assert.Throws<ArgumentException>(() => new Metrics.R2Score().UpdateState(T([0, 1]), T([0, 1])));
        Assert.Contains("(batch_size, output_dim)", shape.Message);
        Assert.Throws<ArgumentException>(() => new Metrics.R2Score().UpdateState(T([0, 1, 2, 3], 2, 2), T([0, 1, 2, 3, 4, 5], 2, 3)));
        var weights = Assert.Throws<ArgumentException>(() => new Metrics.R2Score().UpdateState(T(TrueValues, 5, 2), T(PredValues, 5, 2), T([1, 2, 3])));
        Assert.Equal("sampleWeight", weights.ParamName);
        Assert.Contains("r2_score", weights.Message);
        var outputs = new Metrics.R2Score();
        outputs.UpdateState(T(TrueValues, 5, 2), T(PredValues, 5, 2));
        Assert.Throws<ArgumentException>(() => outputs.UpdateState(T([1, 2, 3], 1, 3), T([1, 2, 3], 1, 3)));   // 2 outputs, then 3
    }

    // Keras 3's R2Score.result warns when it cannot adjust: "More independent predictors than
    // datapoints ..." for p > n - 1, "Division by zero ..." for p == n - 1, and returns plain R2.
    // Python shows a repeated warning once: reading the result again writes nothing more.
    [SkippableFact]
    public void Adjusted_R2_that_cannot_adjust_warns_as_Keras()
    {
        RequireBackend();
        var (yTrue, yPred) = (T([1, 4, 3], 3, 1), T([2, 4, 4], 3, 1));   // n = 3, plain R2 = 4/7
        using (var log = new WarningLogCapture())
        {
            var m = new Metrics.R2Score(numRegressors: 2);
            Close(0.5714285714285716, m.Call(yTrue, yPred));
            Close(0.5714285714285716, m.Result());
            Assert.Single(log.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("r2_score: Division by zero in Adjusted R2 score. Falling back to standard R2 score.", log.Text);
        }
        using (var log = new WarningLogCapture())
        {
            Close(0.5714285714285716, new Metrics.R2Score(numRegressors: 5, name: "adj").Call(yTrue, yPred));
            Assert.Contains("adj: More independent predictors than datapoints in adjusted R2 score. Falling back to standard R2 score.", log.Text);
        }
        using (var log = new WarningLogCapture())
        {
            // p = 1 < n - 1: 1 - (1 - 4/7)(3 - 1)/(3 - 1 - 1) = 1/7, Keras' formula by hand; no warning.
            Close(1.0 / 7, new Metrics.R2Score(numRegressors: 1).Call(yTrue, yPred));
            Assert.Equal("", log.Text);
        }
    }

    [SkippableFact]
    public void Compile_by_name_logs_r2_score_over_each_epoch()
    {
        RequireBackend();
        Assert.IsType<Metrics.R2Score>(Metrics.Get("r2_score"));
        Assert.Equal("r2_score", Metrics.Get("r2_score").Name);
        var restored = Metrics.FromConfig("R2Score", System.Text.Json.Nodes.JsonNode.Parse("""{"name":"r","class_aggregation":null,"num_regressors":2}""")!.AsObject());
        Assert.Equal((null, 2, "r"), (((Metrics.R2Score)restored).ClassAggregation, ((Metrics.R2Score)restored).NumRegressors, restored.Name));
        var x = T([0.1, 0.5, 0.9, 0.3, 0.7, 0.2, 0.8, 0.4], 8, 1);
        var y = T([0.3, 1.1, 1.6, 0.5, 1.4, 0.6, 1.7, 0.7], 8, 1);
        var model = new Sequential(new Layers.Dense(1, kernelInitializer: "ones", name: "r2_dense"));
        // Learning rate 0: the weights stay, so the epoch's R2 over 4 batches is R2 of Predict over all of x.
        model.Compile(new Optimizers.SGD(0f), "mse", ["r2_score"]);
        var history = model.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, shuffle: false, validationData: (x, y));
        double expected = new Metrics.R2Score().Call(y, model.Predict(x, verbose: 0));
        Close(expected, history["r2_score"][0]);
        Close(expected, history["val_r2_score"][0]);
    }
}

public sealed class ManagedR2ScoreTests() : R2ScoreTests("managed");

public sealed class NativeCpuR2ScoreTests() : R2ScoreTests("cpu");

public sealed class CudaR2ScoreTests() : R2ScoreTests("cuda");
