using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// Keras' "Node classification with graph neural networks" example (keras-io examples/graph/gnn_citations.py) ported as
/// a user would: a GraphConvLayer whose messages are the neighbours' prepared representations, aggregated at each node by
/// tf.math.unsorted_segment_sum, _mean or _max (the last two did not exist), combined by concatenation and an FFN, and a
/// subclassed GNNNodeClassifier holding the graph (features, edges, edge weights) and taking node indices as its input.
/// On a small synthetic citation graph (Cora is a download): Fit replays its compiled steps for every aggregation,
/// gives run-eagerly's history and weights bit for bit, and learns the classes.
/// </summary>
public abstract class KerasGnnCitationsTests(string backend) : BackendTest(backend)
{
    private const int Nodes = 60, Features = 8, Classes = 3;

    // The example's create_ffn: BatchNormalization, Dropout and a gelu Dense per unit count.
    private static Sequential Ffn(int[] units, double dropout)
    {
        var ffn = new Sequential();
        foreach (var u in units)
        {
            ffn.Add(new Layers.BatchNormalization());
            ffn.Add(new Layers.Dropout(dropout));
            ffn.Add(new Layers.Dense(u, activation: "gelu"));
        }
        return ffn;
    }

    private sealed class GraphConvLayer(int[] units, double dropout, string aggregation) : Layer
    {
        private readonly Sequential _prepare = Ffn(units, dropout), _update = Ffn(units, dropout);

        // The example's call((node_repesentations, edges, edge_weights)).
        public Tensor Apply(Tensor nodes, Tensor edges, Tensor edgeWeights)
        {
            var nodeIndices = edges[0];
            var neighbours = NF.Gather(nodes, edges[1], 0);
            // prepare: the FFN, then each message weighted by its edge.
            var messages = _prepare.Call(neighbours) * NF.ExpandDims(edgeWeights, -1);
            int count = nodes.Shape[0];
            var aggregated = aggregation switch
            {
                "sum" => NF.UnsortedSegmentSum(messages, nodeIndices, count),
                "mean" => NF.UnsortedSegmentMean(messages, nodeIndices, count),
                "max" => NF.UnsortedSegmentMax(messages, nodeIndices, count),
                _ => throw new ArgumentException(aggregation),
            };
            // update with combination_type "concat", normalize=False.
            return _update.Call(NF.Concat([nodes, aggregated], 1));
        }

        protected override Tensor Forward(Tensor inputs) => throw new NotSupportedException("call Apply");
    }

    private sealed class GnnNodeClassifier : Model
    {
        private readonly Tensor _features, _edges, _edgeWeights;
        private readonly Sequential _preprocess, _postprocess;
        private readonly GraphConvLayer _conv1, _conv2;
        private readonly Layers.Dense _logits = new(Classes);

        public GnnNodeClassifier(Tensor features, Tensor edges, string aggregation, double dropout)
        {
            (_features, _edges) = (features, edges);
            // Edge weights of ones, scaled to sum to the number of nodes, as the example does.
            var ones = NF.Ones([edges.Shape[1]]);
            _edgeWeights = ones * Nodes / NF.ReduceSum(ones);
            int[] hidden = [16, 16];
            _preprocess = Ffn(hidden, dropout);
            _conv1 = new GraphConvLayer(hidden, dropout, aggregation);
            _conv2 = new GraphConvLayer(hidden, dropout, aggregation);
            _postprocess = Ffn(hidden, dropout);
        }

        protected override Tensor Forward(Tensor inputNodeIndices)
        {
            var x = _preprocess.Call(_features);
            x = _conv1.Apply(x, _edges, _edgeWeights) + x;   // skip connections
            x = _conv2.Apply(x, _edges, _edgeWeights) + x;
            x = _postprocess.Call(x);
            return _logits.Call(NF.Gather(x, NF.Reshape(inputNodeIndices, [-1]), 0));
        }
    }

    // Three classes of 20 nodes; a node's features lean to its class, and most citations stay inside a class.
    private static (Tensor Features, Tensor Edges, Tensor Labels) Graph()
    {
        var labels = Enumerable.Range(0, Nodes).Select(i => i % Classes).ToArray();
        var features = new float[Nodes, Features];
        for (int i = 0; i < Nodes; i++)
            for (int f = 0; f < Features; f++)
                features[i, f] = (f % Classes == labels[i] ? 0.6f : 0f) + 0.5f * MathF.Sin(1.7f * i + 2.3f * f);
        var from = new List<int>();
        var to = new List<int>();
        for (int i = 0; i < Nodes; i++)
        {
            foreach (int step in new[] { Classes, 2 * Classes, i % 7 == 0 ? 1 : Nodes - Classes })
            {
                from.Add(i);
                to.Add((i + step) % Nodes);
            }
        }
        var pairs = new int[2, from.Count];
        for (int e = 0; e < from.Count; e++) (pairs[0, e], pairs[1, e]) = (to[e], from[e]);   // [target; source], as the example's edges
        return (NF.Constant(features), NF.Constant(pairs), NF.Constant(labels));
    }

    private static (History History, Model Model) Train(string aggregation, double dropout, bool eager, int epochs, int batchSize = 16)
    {
        var (features, edges, labels) = Graph();
        NF.Random.SetSeed(41);
        var model = new GnnNodeClassifier(features, edges, aggregation, dropout);
        model.Compile(new Optimizers.Adam(0.03), new Losses.SparseCategoricalCrossentropy(fromLogits: true),
                      [new Metrics.SparseCategoricalAccuracy("acc")], runEagerly: eager);
        NF.Random.SetSeed(42);
        var history = model.Fit(NF.Range(0, Nodes), labels, batchSize: batchSize, epochs: epochs, verbose: 0, validationSplit: 0.2);
        return (history, model);
    }

    [SkippableTheory]
    [InlineData("sum")]
    [InlineData("mean")]
    [InlineData("max")]
    public void Fit_replays_each_aggregation_as_run_eagerly(string aggregation)
    {
        RequireBackend();
        using var log = new WarningLogCapture();
        var (replayed, model) = Train(aggregation, dropout: 0.2, eager: false, epochs: 3);
        Assert.True(model.TrainFunction is { ReplayCount: > 0 }, $"{aggregation}: never replayed ({model.TrainFunction?.EagerReason})");
        Assert.Null(model.TrainFunction!.EagerReason);
        var (eager, eagerModel) = Train(aggregation, dropout: 0.2, eager: true, epochs: 3);
        foreach (var key in eager.Keys)
        {
            if (BackendName == "cuda") Assert.Equal(eager[key].ToArray(), replayed[key].ToArray(), new ToleranceComparer(1e-5));
            else Assert.Equal(eager[key], replayed[key]);
        }
        var weights = model.Variables.Select(v => v.ToArray<float>()).ToArray();
        var eagerWeights = eagerModel.Variables.Select(v => v.ToArray<float>()).ToArray();
        Assert.Equal(eagerWeights.Length, weights.Length);
        if (BackendName != "cuda")
            for (int i = 0; i < weights.Length; i++) Assert.True(weights[i].AsSpan().SequenceEqual(eagerWeights[i]), $"{aggregation}: variable {i} differs");
        Assert.DoesNotContain("eagerly", log.Text);
    }

    [SkippableFact]
    public void The_classifier_learns_the_classes_from_its_neighbours()
    {
        RequireBackend();
        // Full-batch steps (the 48 training nodes), as the example trains on all of Cora's at once per step of 256.
        var (history, model) = Train("mean", dropout: 0.2, eager: false, epochs: 40, batchSize: 48);
        var trace = $"loss {history["loss"][0]} -> {history["loss"][^1]}, val {history["val_loss"][0]} -> {history["val_loss"][^1]}, acc {history["acc"][^1]} val {history["val_acc"][^1]}";
        Assert.True(history["loss"][^1] < history["loss"][0] * 0.5, trace);
        var logits = model.Predict(NF.Range(0, Nodes), batchSize: 64);
        var predicted = NF.ArgMax(logits, -1).ToArray<long>();
        int correct = predicted.Where((p, i) => p == i % Classes).Count();
        // Chance is a third; the 12 validation nodes (never trained on) are classified from their neighbours too.
        Assert.True(correct >= 42 && history["val_acc"][^1] >= 0.6, $"{correct} of {Nodes} nodes classified; {trace}");
        // The model's variables: three FFNs of two blocks (BN 4 + Dense 2 each) in preprocess/postprocess and two per conv.
        Assert.Equal(6 * 2 * 6 + 2, model.Variables.Count);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Abs(b));
        public int GetHashCode(float v) => 0;
    }
}

/// <summary>Keras' GNN citations example, on the managed backend.</summary>
public sealed class ManagedKerasGnnCitationsTests() : KerasGnnCitationsTests("managed");

/// <summary>Keras' GNN citations example, on the native CPU backend.</summary>
public sealed class NativeCpuKerasGnnCitationsTests() : KerasGnnCitationsTests("cpu");

/// <summary>Keras' GNN citations example, on the CUDA backend.</summary>
public sealed class CudaKerasGnnCitationsTests() : KerasGnnCitationsTests("cuda");
