using NeuralFlow.Keras;
using static NeuralFlow.Tests.KerasLayers.ReferenceValues;
using static NeuralFlow.Tests.NnOps.NnOpsReferenceValues;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.NnOps;

/// <summary>
/// Layers.GroupedQueryAttention against Keras 3's call (projections, key/value heads repeated,
/// softmax, output projection) computed in nn_ops_references.py on fixed weights: Keras' weight
/// names, shapes and order, values and scores with the causal and explicit masks, the sliding
/// window, the gate, functional and Sequential models, save/load round trips, Fit, and errors.
/// </summary>
public abstract class GroupedQueryAttentionTests(string backend) : BackendTest(backend)
{
    // headDim 2, 4 query heads, 2 key/value heads; query (2, 3, 4), value (2, 5, 4).
    private static (Layers.GroupedQueryAttention Layer, Tensor Q, Tensor V) Make()
    {
        var layer = new Layers.GroupedQueryAttention(2, 4, 2);
        var (q, v) = (F32([2, 3, 4], 11), F32([2, 5, 4], 12));
        layer.Call(q, v);
        layer.SetWeights([F32([4, 4, 2], 13), F32([4, 2], 14), F32([4, 2, 2], 15), F32([2, 2], 16),
                          F32([4, 2, 2], 17), F32([2, 2], 18), F32([4, 2, 4], 19), F32([4], 20)]);
        return (layer, q, v);
    }

    private static double[] Values(Tensor t) => t.ToArray<float>().Select(x => (double)x).ToArray();

    [SkippableFact]
    public void Weights_have_keras_names_shapes_and_order()
    {
        RequireBackend();
        var (layer, _, _) = Make();
        Assert.Equal(["query/kernel", "query/bias", "key/kernel", "key/bias", "value/kernel", "value/bias", "attention_output/kernel", "attention_output/bias"],
                     layer.Variables.Select(v => v.Name![(layer.Name.Length + 1)..]));
        Assert.Equal([new Shape(4, 4, 2), new Shape(4, 2), new Shape(4, 2, 2), new Shape(2, 2), new Shape(4, 2, 2), new Shape(2, 2), new Shape(4, 2, 4), new Shape(4)],
                     layer.Variables.Select(v => v.Shape));
        // Keras builds the gate between the key and the value; without biases only the kernels remain.
        var gated = new Layers.GroupedQueryAttention(3, 2, 1, useBias: false, useGate: true);
        Assert.Equal(new Shape(2, 3, 5), gated.Call(F32([2, 3, 5], 1), F32([2, 4, 6], 2)).Shape);
        Assert.Equal(["query/kernel", "key/kernel", "gate/kernel", "value/kernel", "attention_output/kernel"],
                     gated.Variables.Select(v => v.Name![(gated.Name.Length + 1)..]));
        Assert.Equal([new Shape(5, 2, 3), new Shape(6, 1, 3), new Shape(5, 2, 3), new Shape(6, 1, 3), new Shape(2, 3, 5)], gated.Variables.Select(v => v.Shape));
    }

    [SkippableFact]
    public void Outputs_and_scores_match_keras_with_causal_and_explicit_masks()
    {
        RequireBackend();
        var (layer, q, v) = Make();
        var (y, scores) = layer.CallWithScores(q, v);
        Assert.Equal(new Shape(2, 3, 4), y.Shape);
        Assert.Equal(new Shape(2, 4, 3, 5), scores.Shape);
        AssertClose(GqaPlain, Values(y), 1e-5, 1e-6, "output");
        AssertClose(GqaPlainScores, Values(scores), 1e-5, 1e-6, "scores");
        var (yc, sc) = layer.CallWithScores(q, v, useCausalMask: true);
        AssertClose(GqaCausal, Values(yc), 1e-5, 1e-6, "causal output");
        AssertClose(GqaCausalScores, Values(sc), 1e-5, 1e-6, "causal scores");
        using var mask = NF.Cast(NF.Greater(F32([2, 3, 5], 21), -0.25f), DType.Float32);
        var (ym, sm) = layer.CallWithScores(q, v, attentionMask: mask);
        AssertClose(GqaAttentionMask, Values(ym), 1e-5, 1e-6, "masked output");
        AssertClose(GqaAttentionMaskScores, Values(sm), 1e-5, 1e-6, "masked scores");
        // The key defaults to the value; giving it explicitly is the same call.
        Assert.Equal(y.ToArray<float>(), layer.Call(q, v, v).ToArray<float>());
    }

    [SkippableFact]
    public void The_sliding_window_bands_the_scores_and_the_gate_scales_the_heads()
    {
        RequireBackend();
        using var x = F32([2, 4, 3], 5);
        var windowed = new Layers.GroupedQueryAttention(2, 2, 1, slidingWindow: 2);
        var (_, scores) = windowed.CallWithScores(x, x, useCausalMask: true);
        var s = scores.ToArray<float>();
        // Causal and |i - j| < 2: query i sees keys i - 1 and i only.
        for (int b = 0; b < 2; b++)
            for (int h = 0; h < 2; h++)
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++)
                    {
                        float p = s[((b * 2 + h) * 4 + i) * 4 + j];
                        Assert.True(j <= i && i - j < 2 ? p > 0 : p == 0, $"score [{b}, {h}, {i}, {j}] = {p}");
                    }
        Assert.Equal(1f, s[0], 6);   // query 0 sees key 0 alone
        // The gate: sigmoid(query projection) multiplies the heads; zero gate kernel and bias give one half.
        var gated = new Layers.GroupedQueryAttention(2, 2, 1, useGate: true);
        var plain = new Layers.GroupedQueryAttention(2, 2, 1);
        gated.Call(x, x);
        plain.Call(x, x);
        var w = gated.GetWeights().ToArray();
        w[4] = NF.Zeros(w[4].Shape);
        w[5] = NF.Zeros(w[5].Shape);
        w[^1] = NF.Zeros(w[^1].Shape);   // no output bias, so halving the heads halves the output
        gated.SetWeights(w);
        plain.SetWeights([w[0], w[1], w[2], w[3], w[6], w[7], w[8], w[9]]);
        AssertClose(Values(plain.Call(x, x)).Select(t => t / 2).ToArray(), Values(gated.Call(x, x)), 1e-5, 1e-6, "gate");
    }

    [SkippableFact]
    public void Functional_and_sequential_models_save_and_load_with_the_same_outputs()
    {
        RequireBackend();
        using var temp = new TempDirectory();
        NF.Random.SetSeed(3);
        var query = Layers.Input([3, 4]);
        var value = Layers.Input([5, 6]);
        var gqa = new Layers.GroupedQueryAttention(2, 4, 2, slidingWindow: 3, useGate: true, name: "gqa");
        var attended = gqa.Call(query, value, useCausalMask: true);
        Assert.Equal(new int?[] { null, 3, 4 }, attended.Shape);
        var model = new Model([query, value], [new Layers.Dense(2).Call(attended)]);
        Tensor[] inputs = [F32([2, 3, 4], 1), F32([2, 5, 6], 2)];
        var before = model.CallOutputs(inputs)[0].ToArray<float>();
        var path = temp.File("gqa.keras");
        model.Save(path);
        var loaded = Model.Load(path);
        Assert.Equal(before, loaded.CallOutputs(inputs)[0].ToArray<float>());
        var loadedGqa = (Layers.GroupedQueryAttention)loaded.SubLayers.Single(l => l.Name == "gqa");
        Assert.Equal((2, 4, 2, 3, true), (loadedGqa.HeadDim, loadedGqa.NumQueryHeads, loadedGqa.NumKeyValueHeads, loadedGqa.SlidingWindow ?? 0, loadedGqa.UseGate));
        var config = gqa.GetConfig();
        Assert.Equal(4, config["num_query_heads"]!.GetValue<int>());
        Assert.Equal(2, config["num_key_value_heads"]!.GetValue<int>());

        var sequential = new Sequential([new Layers.InputLayer([6, 4]), new Layers.GroupedQueryAttention(3, 2, 1), new Layers.Flatten(), new Layers.Dense(2)]);
        using var x = F32([2, 6, 4], 4);
        var expected = sequential.Predict(x).ToArray<float>();
        var seqPath = temp.File("sequential.keras");
        sequential.Save(seqPath);
        Assert.Equal(expected, Model.Load(seqPath).Predict(x).ToArray<float>());
    }

    [SkippableFact]
    public void Fit_trains_a_grouped_attention_classifier()
    {
        RequireBackend();
        NF.Random.SetSeed(5);
        // The label needs steps to see each other: whether the first step's feature exceeds the last's.
        const int n = 96;
        using var x = NF.Random.Normal([n, 6, 2]);
        var values = x.ToArray<float>();
        using var y = NF.Constant(Enumerable.Range(0, n).Select(i => values[i * 12] > values[i * 12 + 10] ? 1 : 0).ToArray());
        var input = Layers.Input([6, 2]);
        var h = new Layers.Dense(8).Call(input);
        var attended = new Layers.GroupedQueryAttention(4, 4, 2, dropout: 0.1, seed: 1).Call(h, h);
        h = new Layers.LayerNormalization().Call(new Layers.Add().Call([h, attended]));
        var model = new Model(input, new Layers.Dense(2).Call(new Layers.Flatten().Call(h)));
        model.Compile(new Optimizers.Adam(0.01f), new Losses.SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        var history = model.Fit(x, y, batchSize: 16, epochs: 40, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0] * 0.5, $"loss {history["loss"][0]} -> {history["loss"][^1]}");
        Assert.True(history["accuracy"][^1] > 0.9, $"accuracy {history["accuracy"][^1]}");
    }

    [SkippableFact]
    public void Bad_arguments_raise_clear_exceptions()
    {
        RequireBackend();
        Assert.Contains("divisible by numKeyValueHeads", Assert.Throws<ArgumentException>(() => new Layers.GroupedQueryAttention(2, 4, 3)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.GroupedQueryAttention(0, 4, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.GroupedQueryAttention(2, 4, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.GroupedQueryAttention(2, 4, 2, dropout: 1));
        Assert.Contains("slidingWindow", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.GroupedQueryAttention(2, 4, 2, slidingWindow: 0)).Message);
        var (layer, q, v) = Make();
        Assert.Contains("(batch, steps, features)", Assert.Throws<ArgumentException>(() => layer.Call(F32([3, 4], 1), v)).Message);
        Assert.Contains("was built for a value of 4 features", Assert.Throws<ArgumentException>(() => layer.Call(q, F32([2, 5, 3], 2))).Message);
        Assert.Contains("attentionMask has shape", Assert.Throws<ArgumentException>(() => layer.Call(q, v, attentionMask: NF.Ones(new Shape(2, 3, 4)))).Message);
        Assert.Contains("same number of steps", Assert.Throws<ArgumentException>(() => layer.Call(q, v, F32([2, 4, 4], 3))).Message);
    }
}

public sealed class ManagedGroupedQueryAttentionTests() : GroupedQueryAttentionTests("managed");

public sealed class NativeCpuGroupedQueryAttentionTests() : GroupedQueryAttentionTests("cpu");

public sealed class CudaGroupedQueryAttentionTests() : GroupedQueryAttentionTests("cuda");
