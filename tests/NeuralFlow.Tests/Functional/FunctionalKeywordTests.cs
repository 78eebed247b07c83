using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Functional;

/// <summary>
/// Keyword arguments of layer calls in the functional API, as Keras writes a GPT block
/// (<c>MultiHeadAttention(...)(x, x, use_causal_mask=True)</c>), a mask fed as a model input
/// (<c>attention_mask=m</c>) and <c>return_attention_scores=True</c> (two outputs): values equal
/// to the eager calls, and the keywords saved and loaded with the model.
/// </summary>
public abstract class FunctionalKeywordTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void A_causal_self_attention_block_matches_the_eager_call_and_round_trips()
    {
        RequireBackend();
        NF.Random.SetSeed(73);
        var tokens = Layers.Input([6, 8], name: "tokens");
        var mha = new Layers.MultiHeadAttention(2, 4, name: "mha");
        var attended = mha.Call(tokens, tokens, useCausalMask: true);
        var model = new Model(tokens, new Layers.Add(name: "residual").Call([tokens, attended]), name: "block");
        using var x = NF.Random.Uniform([3, 6, 8], -1, 1);
        using var expected = x + mha.Call(x, x, useCausalMask: true);
        using var predicted = model.Predict(x);
        Assert.Equal(expected.ToArray<float>(), predicted.ToArray<float>());
        using var unmasked = x + mha.Call(x, x);
        Assert.NotEqual(unmasked.ToArray<float>(), predicted.ToArray<float>());

        // Causal: changing the last step leaves every earlier step's output as it was.
        var changed = x.ToArray<float>();
        for (int b = 0; b < 3; b++) for (int f = 0; f < 8; f++) changed[(b * 6 + 5) * 8 + f] += 1;
        using var x2 = NF.Constant(changed, [3, 6, 8]);
        var before = predicted.ToArray<float>();
        var after = model.Predict(x2).ToArray<float>();
        for (int b = 0; b < 3; b++)
            for (int i = 0; i < 5 * 8; i++) Assert.Equal(before[b * 48 + i], after[b * 48 + i]);

        var path = Temp.File("causal.nfmodel");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.True(loaded.GetLayer("mha").InboundNodes[0].Args.Flag("use_causal_mask"));
        Assert.Equal(predicted.ToArray<float>(), loaded.Predict(x).ToArray<float>());
        // The block trains through the replayed step.
        model.Compile("adam", "mse");
        var history = model.Fit(x, NF.Zeros([3, 6, 8]), batchSize: 3, epochs: 3, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0]);
    }

    [SkippableFact]
    public void A_mask_input_and_the_scores_output_are_graph_tensors()
    {
        RequireBackend();
        NF.Random.SetSeed(79);
        var query = Layers.Input([4, 6], name: "query");
        var value = Layers.Input([5, 6], name: "value");
        var allowed = Layers.Input([4, 5], DType.Bool, name: "allowed");
        var mha = new Layers.MultiHeadAttention(3, 2, name: "cross");
        var both = mha.CallWithScores(query, value, attentionMask: allowed);
        Assert.Equal([null, 4, 6], both[0].Shape);
        Assert.Equal([null, 3, 4, 5], both[1].Shape);
        var model = new Model([query, value, allowed], [both[0], both[1]], name: "cross_model");
        using var q = NF.Random.Uniform([2, 4, 6]);
        using var v = NF.Random.Uniform([2, 5, 6]);
        using var m = NF.Random.Uniform([2, 4, 5]) > 0.3f;
        var outputs = model.PredictOutputs([q, v, m]);
        var (output, scores) = mha.CallWithScores(q, v, attentionMask: m);
        Assert.Equal(output.ToArray<float>(), outputs[0].ToArray<float>());
        Assert.Equal(scores.ToArray<float>(), outputs[1].ToArray<float>());
        Assert.Equal("query[0][0], value[0][0], allowed[0][0]", SummaryCells.Row(model.SummaryText(), "cross")[3]);

        var path = Temp.File("cross.nfmodel");
        model.Save(path);
        var loaded = Model.Load(path);
        var node = loaded.GetLayer("cross").InboundNodes[0];
        Assert.Equal(["attention_mask"], node.Args.Keywords);
        Assert.True(node.Args.Flag("return_attention_scores"));
        Assert.Equal(outputs[1].ToArray<float>(), loaded.PredictOutputs([q, v, m])[1].ToArray<float>());
    }

    [SkippableFact]
    public void Attention_takes_its_masks_and_returns_scores_in_a_graph()
    {
        RequireBackend();
        NF.Random.SetSeed(83);
        var query = Layers.Input([3, 4], name: "q");
        var value = Layers.Input([5, 4], name: "v");
        var keep = Layers.Input([5], DType.Bool, name: "keep");
        var attention = new Layers.Attention(useScale: true, name: "att");
        var outs = attention.CallOutputs([query, value], valueMask: keep, returnAttentionScores: true);
        var model = new Model([query, value, keep], [outs[0], outs[1]]);
        using var q = NF.Random.Uniform([2, 3, 4]);
        using var v = NF.Random.Uniform([2, 5, 4]);
        using var keepValues = NF.Constant(new[] { true, true, false, true, false, true, false, true, true, true }, [2, 5]);
        var predicted = model.PredictOutputs([q, v, keepValues]);
        var (output, scores) = attention.CallWithScores([q, v], valueMask: keepValues);
        Assert.Equal(output.ToArray<float>(), predicted[0].ToArray<float>());
        Assert.Equal(scores.ToArray<float>(), predicted[1].ToArray<float>());
        Assert.Equal(0f, predicted[1][0, 0, 2].Item<float>()); // a masked key gets no weight
        var loaded = Model.Load(SaveTo(model, "attention_graph.nfmodel"));
        Assert.Equal(predicted[0].ToArray<float>(), loaded.PredictOutputs([q, v, keepValues])[0].ToArray<float>());
        Assert.Contains("att", Assert.Throws<NotSupportedException>(() => model.ExportOnnx(Temp.File("att.onnx"))).Message);
    }
}

public sealed class ManagedFunctionalKeywordTests() : FunctionalKeywordTests("managed");

public sealed class NativeCpuFunctionalKeywordTests() : FunctionalKeywordTests("cpu");

public sealed class CudaFunctionalKeywordTests() : FunctionalKeywordTests("cuda");
