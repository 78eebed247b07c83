using NeuralFlow.IO;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's JaccardScoreCallback (examples/keras_recipes/sklearn_metric_callbacks.py): after
/// each epoch it predicts the test images, takes scikit-learn's per-class Jaccard score of the
/// arg-max classes against the labels (<c>jaccard_score(..., average=None)</c>), averages it with a
/// Mean metric and writes it to TensorBoard with its own summary writer.
/// </summary>
internal sealed class JaccardScoreCallback(string name, Tensor xTest, int[] yTest, string logDir) : Callbacks.Callback, IDisposable
{
    private readonly Metrics.Mean _kerasMetric = new("jaccard_score");
    private readonly SummaryWriter _summaryWriter = SummaryWriter.Create(Path.Combine(logDir, name));
    private int _epoch;

    public string EventFile => _summaryWriter.EventFile;

    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
    {
        _epoch++;
        _kerasMetric.ResetState();
        var predictions = Model!.Predict(xTest, verbose: 0);
        var predicted = NF.ArgMax(predictions, -1).ToArray<long>().Select(v => (int)v).ToArray();
        _kerasMetric.UpdateState(NF.Constant(JaccardScores(predicted, yTest)));
        _summaryWriter.Scalar(_kerasMetric.Name, _kerasMetric.Result(), _epoch);
        _summaryWriter.Flush();
    }

    /// <summary>
    /// sklearn.metrics.jaccard_score(a, b, average=None): for each label present in either, the
    /// size of the intersection over the size of the union of the positions holding it, labels sorted.
    /// </summary>
    public static double[] JaccardScores(int[] a, int[] b) =>
        a.Union(b).Order().Select(label =>
        {
            int intersection = 0, union = 0;
            for (int i = 0; i < a.Length; i++)
            {
                bool inA = a[i] == label, inB = b[i] == label;
                if (inA && inB) intersection++;
                if (inA || inB) union++;
            }
            return (double)intersection / union;
        }).ToArray();

    public void Dispose() => _summaryWriter.Dispose();
}
