using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.KerasSmall;

/// <summary>
/// keras.layers.ReversibleEmbedding (keras/src/layers/core/reversible_embedding.py) on every
/// engine: embedding forward, the tied and untied reverse projections and the logit soft cap
/// against torch (reference_values.py beside this file), gradients into the shared table, the
/// checks on reverse inputs, and a save/load round trip of both forms.
/// </summary>
public abstract class ReversibleEmbeddingTests(string backend) : BackendFileTest(backend)
{
    // reference_values.py: E = arange(12).reshape(3, 4) / 10 - 0.5, R = arange(12).reshape(4, 3) / 7 - 0.8.
    private static Tensor Table => NF.Constant(Enumerable.Range(0, 12).Select(i => i / 10f - 0.5f).ToArray(), [3, 4]);
    private static Tensor Reverse => NF.Constant(Enumerable.Range(0, 12).Select(i => i / 7f - 0.8f).ToArray(), [4, 3]);
    private static Tensor Hidden => NF.Constant(new[] { 1f, -2f, 0.5f, 3f, 0.25f, 0f, -1f, 2f }, [2, 1, 4]);

    private static void Near(double[] expected, Tensor actual) =>
        Reference.AssertClose(expected, NF.Cast(actual, DType.Float64).ToArray<double>(), 1e-5, 1e-5);

    [SkippableFact]
    public void It_embeds_and_projects_back_through_the_transposed_or_its_own_matrix()
    {
        RequireBackend();
        var tied = new Layers.ReversibleEmbedding(3, 4);
        Assert.Equal([2, 2, 4], tied.Call(NF.Constant(new long[] { 0, 2, 1, 1 }, [2, 2])).Shape.ToArray());
        tied.Embeddings!.Assign(Table);
        Assert.Equal(Table.ToArray<float>()[8..], tied.Call(NF.Constant(new long[] { 2 })).ToArray<float>());
        Near([-0.45, 0.55, 1.55, -0.225, 0.275, 0.775], tied.Call(Hidden, reverse: true));

        var capped = new Layers.ReversibleEmbedding(3, 4, logitSoftCap: 2);
        capped.Call(NF.Constant(new long[] { 0 }));
        capped.Embeddings!.Assign(Table);
        Near([-0.44255693579688793, 0.5365423640432025, 1.299654927343841, -0.2240555621784798, 0.27327993391299227, 0.738406001293723],
             capped.Call(Hidden, reverse: true));

        var untied = new Layers.ReversibleEmbedding(3, 4, tieWeights: false);
        untied.Call(NF.Constant(new long[] { 0 }));
        Assert.Equal(["embeddings", "reverse_embeddings"], untied.Variables.Select(w => w.Name!.Split('/')[^1]));
        untied.ReverseEmbeddings!.Assign(Reverse);
        Near([1.4285714285714288, 1.7857142857142856, 2.1428571428571423, 0.7142857142857144, 0.8928571428571428, 1.0714285714285714],
             untied.Call(Hidden, reverse: true));
    }

    [SkippableFact]
    public void A_tied_table_learns_from_both_directions_and_reverse_inputs_are_checked()
    {
        RequireBackend();
        var layer = new Layers.ReversibleEmbedding(3, 4, maskZero: true);
        var ids = NF.Constant(new long[] { 0, 2 }, [1, 2]);
        layer.Call(ids);
        layer.Embeddings!.Assign(Table);
        using (var tape = new GradientTape())
        {
            var logits = layer.Call(layer.Call(ids), reverse: true);
            // d/dE of sum(h @ E^T) with h = E[ids]: every row gets the sum of the embedded rows, rows 0 and 2 also the column sums of E.
            var grad = tape.Gradient(NF.ReduceSum(logits), [layer.Embeddings])[0]!;
            var e = Table.ToArray<float>();
            var hSum = Enumerable.Range(0, 4).Select(j => e[j] + e[8 + j]).ToArray();
            var eSum = Enumerable.Range(0, 4).Select(j => e[j] + e[4 + j] + e[8 + j]).ToArray();
            var expected = Enumerable.Range(0, 12).Select(i => (double)hSum[i % 4] + (i / 4 != 1 ? eSum[i % 4] : 0)).ToArray();
            Near(expected, grad);
        }
        Assert.Contains("last axis is outputDim 4", Assert.Throws<ArgumentException>(() => layer.Call(NF.Zeros([2, 3]), reverse: true)).Message);
        Assert.Contains("needs floats", Assert.Throws<ArgumentException>(() => layer.Call(ids, reverse: true)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.ReversibleEmbedding(3, 4, logitSoftCap: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => layer.Call(NF.Constant(new long[] { 3 })));
    }

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Both_forms_save_and_load(bool tieWeights)
    {
        RequireBackend();
        var model = new Sequential(new Layers.ReversibleEmbedding(5, 3, tieWeights, logitSoftCap: 30), new Layers.Flatten());
        var ids = NF.Constant(new long[] { 1, 4, 0, 2 }, [2, 2]);
        var before = model.Predict(ids).ToArray<float>();
        var loaded = Assert.IsType<Sequential>(Model.Load(SaveTo(model, "reversible.nfmodel")));
        Assert.Equal(before, loaded.Predict(ids).ToArray<float>());
        var (saved, back) = ((Layers.ReversibleEmbedding)model.Layers[0], Assert.IsType<Layers.ReversibleEmbedding>(loaded.Layers[0]));
        Assert.True(JsonNode.DeepEquals(saved.GetConfig(), back.GetConfig()));
        var h = NF.Random.Uniform([2, 3], -1, 1);
        Assert.Equal(saved.Call(h, reverse: true).ToArray<float>(), back.Call(h, reverse: true).ToArray<float>());
    }
}

public sealed class ManagedReversibleEmbeddingTests() : ReversibleEmbeddingTests("managed");

public sealed class NativeCpuReversibleEmbeddingTests() : ReversibleEmbeddingTests("cpu");

public sealed class CudaReversibleEmbeddingTests() : ReversibleEmbeddingTests("cuda");
