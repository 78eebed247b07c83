using NeuralFlow.Keras;
using static NeuralFlow.Tests.KerasLayers.ReferenceValues;

namespace NeuralFlow.Tests.KerasLayers;

/// <summary>
/// The new layers inside models: functional graphs of two inputs (query, value), Sequential,
/// Summary, Fit learning a tiny transformer-block task, save/load round trips and ONNX's refusal.
/// </summary>
public abstract class AttentionModelTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void A_functional_model_of_query_and_value_infers_shapes_and_matches_eager_calls()
    {
        RequireBackend();
        var query = Layers.Input([3, 5], name: "query");
        var value = Layers.Input([4, 6], name: "value");
        var mha = new Layers.MultiHeadAttention(2, 3, name: "mha");
        var attended = mha.Call(query, value);
        Assert.Equal(new int?[] { null, 3, 5 }, attended.Shape);
        var dot = new Layers.Attention(name: "luong").Call([attended, query]);
        var model = new Model([query, value], [dot]);
        using var q = F32([2, 3, 5], 1);
        using var v = F32([2, 4, 6], 2);
        var expected = new Layers.Attention().Call([mha.Call(q, v), q]).ToArray<float>();
        Assert.Equal(expected, model.CallOutputs([q, v])[0].ToArray<float>());
        var summary = model.SummaryText();
        Assert.Equal("query[0][0], value[0][0]", SummaryCells.Row(summary, "mha")[3]);
        Assert.Equal("mha[0][0], query[0][0]", SummaryCells.Row(summary, "luong (Attention)")[3]);
    }

    [SkippableFact]
    public void Fit_trains_a_transformer_block_to_classify_sequences()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        // The label: whether the first step's feature exceeds the last step's, which needs steps to see each other.
        const int n = 96;
        using var x = NF.Random.Normal([n, 6, 2]);
        var values = x.ToArray<float>();
        var labels = Enumerable.Range(0, n).Select(i => values[i * 12] > values[i * 12 + 10] ? 1 : 0).ToArray();
        using var y = NF.Constant(labels);
        var input = Layers.Input([6, 2]);
        var h = new Layers.Dense(8).Call(input);
        var attended = new Layers.MultiHeadAttention(2, 4, dropout: 0.1, seed: 1).Call(h, h);
        h = new Layers.LayerNormalization().Call(new Layers.Add().Call([h, attended]));
        var pooled = new Layers.Flatten().Call(h);
        var model = new Model(input, new Layers.Dense(2).Call(pooled));
        model.Compile(new Optimizers.Adam(0.01f), new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        var history = model.Fit(x, y, batchSize: 16, epochs: 40, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0] * 0.5, $"loss {history["loss"][0]} -> {history["loss"][^1]}");
        Assert.True(history["accuracy"][^1] > 0.9, $"accuracy {history["accuracy"][^1]}");
    }

    [SkippableFact]
    public void Functional_and_sequential_models_save_and_load_with_the_same_outputs()
    {
        RequireBackend();
        using var temp = new TempDirectory();
        NF.Random.SetSeed(9);
        var query = Layers.Input([3, 5]);
        var value = Layers.Input([4, 6]);
        var key = Layers.Input([4, 7]);
        var mha = new Layers.MultiHeadAttention(2, 3, valueDim: 4, outputShape: 8, kernelRegularizer: new Regularizers.L2(0.01), name: "mha");
        var a = mha.Call(query, value, key);
        var b = new Layers.AdditiveAttention(name: "additive").Call([a, a]);
        var c = new Layers.Attention(useScale: true, scoreMode: "concat").Call([b, a]);
        var model = new Model([query, value, key], [new Layers.UnitNormalization().Call(c)]);
        Tensor[] inputs = [F32([2, 3, 5], 1), F32([2, 4, 6], 2), F32([2, 4, 7], 3)];
        var before = model.CallOutputs(inputs)[0].ToArray<float>();
        var path = temp.File("attention.nfmodel");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(before, loaded.CallOutputs(inputs)[0].ToArray<float>());
        Assert.Equal(model.SummaryText(), loaded.SummaryText());
        var loadedMha = (Layers.MultiHeadAttention)loaded.SubLayers.Single(l => l.Name == "mha");
        Assert.Equal((4, 8, 4), (loadedMha.ValueDim, loadedMha.OutputDim ?? 0, loadedMha.Losses.Count));

        var sequential = new Sequential([
            new Layers.InputLayer([6, 6, 2]), new Layers.SeparableConv2D(3, 3, padding: "same", depthMultiplier: 2, activation: "relu"),
            new Layers.Reshape([36, 3]), new Layers.SeparableConv1D(4, 3, strides: 2), new Layers.MultiHeadAttention(2, 2),
            new Layers.ActivityRegularization(l1: 0.01), new Layers.UnitNormalization(), new Layers.Flatten(), new Layers.Dense(2)]);
        using var images = F32([2, 6, 6, 2], 4);
        var expected = sequential.Predict(images).ToArray<float>();
        var seqPath = temp.File("sequential.nfmodel");
        sequential.Save(seqPath);
        Assert.Equal(expected, Model.Load(seqPath).Predict(images).ToArray<float>());
    }

    [SkippableFact]
    public void Onnx_export_takes_attention_and_refuses_separable_conv_of_unknown_length_naming_it()
    {
        RequireBackend();
        using var temp = new TempDirectory();
        var x = Layers.Input([4, 3]);
        // Attention exports now (OnnxAttention/AttentionOnnxExportTests.cs runs it in ONNX Runtime).
        var model = new Model(x, new Layers.MultiHeadAttention(2, 2, name: "self_attention").Call(x, x));
        model.ExportOnnx(temp.File("m.onnx"));
        Assert.True(new FileInfo(temp.File("m.onnx")).Length > 0);
        // SeparableConv1D exports now (OnnxConv2/SeparableAndTransposedConvOnnxTests.cs), but not for lengths left unknown.
        var sequential = new Sequential(Layers.Input([null, 3]), new Layers.SeparableConv1D(2, 2));
        sequential.Predict(F32([1, 4, 3], 1));
        Assert.Contains("SeparableConv1D) needs known lengths", Assert.Throws<NotSupportedException>(() => sequential.ExportOnnx(temp.File("s.onnx"))).Message);
    }
}

public sealed class ManagedAttentionModelTests() : AttentionModelTests("managed");

public sealed class NativeCpuAttentionModelTests() : AttentionModelTests("cpu");

public sealed class CudaAttentionModelTests() : AttentionModelTests("cuda");
