using Microsoft.ML.OnnxRuntime;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.OnnxAttention;

/// <summary>
/// ExportOnnx of MultiHeadAttention and GroupedQueryAttention on every backend: ONNX Runtime, an
/// independent engine, runs the exported file on random inputs (and random 0/1 masks) and agrees
/// with the model's own Predict to float32 rounding, in self-attention (Sequential), cross
/// attention of [query, value(, key)], with query, value, key, attention and per-head masks, the
/// causal mask, GroupedQueryAttention's groups, gate and sliding window, unknown lengths, and float64;
/// then Attention (dot and concat scores) and AdditiveAttention with their masks.
/// </summary>
public abstract class AttentionOnnxExportTests(string backend) : BackendFileTest(backend)
{
    // Relative to the value's size (and absolute near zero): float32 rounding of a different summation order.
    private const double Tolerance = 1e-5;

    private static Initializer Uniform(DType dtype) => new($"uniform_{dtype.Name()}", (s, _, _) => NF.Cast(NF.Random.Uniform(s, -0.5, 0.5), dtype));

    private static Layers.MultiHeadAttention Mha(int heads, int keyDim, DType dtype, int? valueDim = null, int? outputShape = null, bool useBias = true, string? name = null) =>
        new(heads, keyDim, valueDim, useBias: useBias, outputShape: outputShape, kernelInitializer: Uniform(dtype), biasInitializer: Uniform(dtype), name: name);

    private static Layers.GroupedQueryAttention Gqa(int headDim, int queryHeads, int keyValueHeads, DType dtype, int? slidingWindow = null, bool useGate = false, string? name = null) =>
        new(headDim, queryHeads, keyValueHeads, slidingWindow: slidingWindow, useGate: useGate, kernelInitializer: Uniform(dtype), biasInitializer: Uniform(dtype), name: name);

    [SkippableTheory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Self_attention_in_a_sequential_model_runs_as_in_predict(DType dtype)
    {
        RequireBackend();
        NF.Random.SetSeed(61);
        var model = new Sequential(
            Mha(2, 4, dtype, name: "mha"),
            Gqa(3, 4, 2, dtype, name: "gqa"), Gqa(2, 3, 1, dtype, useGate: true, name: "mqa_gated"), Gqa(2, 2, 2, dtype, slidingWindow: 2, name: "window"));
        model.Call(NF.Cast(NF.Random.Uniform([2, 5, 6]), dtype));
        using var session = Export(model, "self.onnx");
        foreach (int n in new[] { 1, 7 })
            AssertMatches(model, session, [NF.Cast(NF.Random.Uniform([n, 5, 6], -2, 2), dtype)], ["input"], ["output"]);
    }

    [SkippableTheory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Cross_attention_of_query_value_and_key_runs_as_in_predict(DType dtype)
    {
        RequireBackend();
        NF.Random.SetSeed(62);
        var q = Layers.Input([4, 6], dtype, name: "q");
        var v = Layers.Input([7, 5], dtype, name: "v");
        var k = Layers.Input([7, 3], dtype, name: "k");
        // Value dim, output features and the key all differ from the query's; one layer without biases.
        var withKey = Mha(3, 4, dtype, valueDim: 2, outputShape: 5, name: "with_key").Call(q, v, k);
        var noBias = Mha(2, 3, dtype, useBias: false, name: "no_bias").Call(q, v);
        var grouped = Gqa(2, 4, 2, dtype, useGate: true, name: "grouped").Call(q, v, k);
        var model = new Model([q, v, k], [withKey, noBias, grouped]);
        using var session = Export(model, "cross.onnx");
        foreach (int n in new[] { 1, 6 })
            AssertMatches(model, session, [Random([n, 4, 6], dtype), Random([n, 7, 5], dtype), Random([n, 7, 3], dtype)]);
    }

    [SkippableTheory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void The_causal_mask_and_the_sliding_window_run_as_in_predict(DType dtype)
    {
        RequireBackend();
        NF.Random.SetSeed(63);
        var x = Layers.Input([6, 8], dtype, name: "tokens");
        var causal = Mha(2, 4, dtype, name: "causal").Call(x, x, useCausalMask: true);
        var mistral = Gqa(2, 4, 2, dtype, slidingWindow: 3, name: "mistral").Call(causal, causal, useCausalMask: true);
        var band = Gqa(3, 2, 1, dtype, slidingWindow: 2, useGate: true, name: "band").Call(x, x);
        var model = new Model(x, [mistral, band]);
        using var session = Export(model, "causal.onnx");
        foreach (int n in new[] { 2, 5 })
            AssertMatches(model, session, [Random([n, 6, 8], dtype)]);

        // The mask is in the graph: ONNX Runtime's causal output at step 0 does not move when later steps change.
        var first = Random([1, 6, 8], dtype);
        var later = NF.Concat([NF.Slice(first, [0, 0, 0], [1, 1, 8]), Random([1, 5, 8], dtype)], 1);
        var a = Run(session, model, [first])[0];
        var b = Run(session, model, [later])[0];
        Assert.Equal(a.Take(8), b.Take(8));
        Assert.NotEqual(a.Skip(8), b.Skip(8));
    }

    [SkippableTheory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Query_value_key_attention_and_head_masks_run_as_in_predict(DType dtype)
    {
        RequireBackend();
        NF.Random.SetSeed(64);
        var q = Layers.Input([5, 6], dtype, name: "q");
        var v = Layers.Input([7, 6], dtype, name: "v");
        var queryMask = Layers.Input([5], dtype, name: "query_mask");
        var valueMask = Layers.Input([7], dtype, name: "value_mask");
        var keyMask = Layers.Input([7], dtype, name: "key_mask");
        var attentionMask = Layers.Input([5, 7], dtype, name: "attention_mask");
        var headMask = Layers.Input([4, 5, 7], dtype, name: "head_mask");
        var masked = Mha(2, 3, dtype, name: "masked").Call(q, v, queryMask: queryMask, valueMask: valueMask, attentionMask: attentionMask);
        var perHead = Gqa(3, 4, 2, dtype, name: "per_head").Call(q, v, v, attentionMask: headMask, keyMask: keyMask, useCausalMask: true);
        var model = new Model([q, v, queryMask, valueMask, keyMask, attentionMask, headMask], [masked, perHead]);
        using var session = Export(model, "masks.onnx");
        foreach (int n in new[] { 1, 6 })
            AssertMatches(model, session, [Random([n, 5, 6], dtype), Random([n, 7, 6], dtype),
                Mask([n, 5], dtype), Mask([n, 7], dtype), Mask([n, 7], dtype), Mask([n, 5, 7], dtype), Mask([n, 4, 5, 7], dtype)]);
    }

    [SkippableFact]
    public void Unknown_lengths_export_without_a_fixed_mask_and_are_refused_with_one()
    {
        RequireBackend();
        NF.Random.SetSeed(65);
        var x = Layers.Input([null, 6], name: "x");
        var y = Layers.Input([null, 4], name: "y");
        var model = new Model([x, y], Mha(2, 3, DType.Float32, name: "open").Call(x, y));
        using var session = Export(model, "open.onnx");
        foreach (var (tq, tv) in new[] { (3, 8), (9, 2) })
            AssertMatches(model, session, [Random([2, tq, 6], DType.Float32), Random([2, tv, 4], DType.Float32)]);

        var causal = new Model(x, Mha(2, 3, DType.Float32, name: "open_causal").Call(x, x, useCausalMask: true));
        var e = Assert.Throws<NotSupportedException>(() => causal.ExportOnnx(Temp.File("causal.onnx")));
        Assert.Contains("open_causal", e.Message);
        Assert.Contains("causal mask, which needs known query and key lengths", e.Message);

        var window = new Sequential(Layers.Input([null, 6]), Gqa(2, 2, 1, DType.Float32, slidingWindow: 2, name: "open_window"));
        e = Assert.Throws<NotSupportedException>(() => window.ExportOnnx(Temp.File("window.onnx")));
        Assert.Contains("open_window (GroupedQueryAttention) needs known lengths", e.Message);
    }

    [SkippableFact]
    public void Returned_attention_scores_are_refused_by_name()
    {
        RequireBackend();
        var x = Layers.Input([4, 6], name: "x");
        var outputs = Mha(2, 3, DType.Float32, name: "scored").CallWithScores(x, x);
        var model = new Model(x, outputs);
        var e = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(Temp.File("scores.onnx")));
        Assert.Contains("scored (MultiHeadAttention)", e.Message);
        Assert.Contains("return_attention_scores", e.Message);
    }

    [SkippableFact]
    public void Luong_and_bahdanau_self_attention_in_a_sequential_model_runs_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(66);
        var dot = new Layers.Attention(useScale: true, name: "dot");
        var concat = new Layers.Attention(useScale: true, scoreMode: "concat", name: "concat");
        var model = new Sequential(new Layers.Dense(6), dot, new Layers.AdditiveAttention(name: "additive"), concat, new Layers.AdditiveAttention(useScale: false));
        model.Call(NF.Random.Uniform([2, 5, 4]));
        // Scales other than their initial ones, so that each weight is seen to take part.
        dot.Scale!.Assign(0.7f);
        concat.Scale!.Assign(0.6f);
        concat.ConcatScoreWeight!.Assign(1.3f);
        using var session = Export(model, "luong.onnx");
        foreach (int n in new[] { 1, 7 })
            AssertMatches(model, session, [Random([n, 5, 4], DType.Float32)], ["input"], ["output"]);
    }

    [SkippableFact]
    public void Luong_and_bahdanau_cross_attention_with_masks_runs_as_in_predict()
    {
        RequireBackend();
        NF.Random.SetSeed(67);
        var q = Layers.Input([4, 6], name: "q");
        var v = Layers.Input([7, 5], name: "v");
        var k = Layers.Input([7, 6], name: "k");
        var queryMask = Layers.Input([4], name: "query_mask");
        var valueMask = Layers.Input([7], name: "value_mask");
        var masked = new Layers.Attention(name: "masked").Call([q, v, k], queryMask, valueMask, useCausalMask: true);
        var onlyCausal = new Layers.Attention(scoreMode: "concat", name: "only_causal").Call([q, v, k], null, null, useCausalMask: true);
        var additive = new Layers.AdditiveAttention(name: "additive").Call([q, v, k], null, valueMask);
        var plain = new Layers.AdditiveAttention(name: "plain").Call([q, k]);
        var model = new Model([q, v, k, queryMask, valueMask], [masked, onlyCausal, additive, plain]);
        using var session = Export(model, "luong_masks.onnx");
        foreach (int n in new[] { 1, 6 })
            AssertMatches(model, session, [Random([n, 4, 6], DType.Float32), Random([n, 7, 5], DType.Float32), Random([n, 7, 6], DType.Float32),
                Mask([n, 4], DType.Float32), Mask([n, 7], DType.Float32)]);

        // Unknown lengths stay symbolic without the causal mask; with it the layer is named.
        var x = Layers.Input([null, 6], name: "x");
        var open = new Model(x, new Layers.AdditiveAttention(name: "open").Call([x, x]));
        using var openSession = Export(open, "luong_open.onnx");
        foreach (int t in new[] { 3, 8 })
            AssertMatches(open, openSession, [Random([2, t, 6], DType.Float32)]);
        var causal = new Model(x, new Layers.Attention(name: "open_causal").Call([x, x], null, null, useCausalMask: true));
        var e = Assert.Throws<NotSupportedException>(() => causal.ExportOnnx(Temp.File("luong_causal.onnx")));
        Assert.Contains("open_causal (Attention) applies a causal mask, which needs known query and key lengths", e.Message);
    }

    private static Tensor Random(int[] shape, DType dtype) => NF.Cast(NF.Random.Uniform(shape, -2, 2), dtype);

    // 0/1 values, about a third of them 0 (masked): nonzero keeps, as the layers read a numeric mask.
    private static Tensor Mask(int[] shape, DType dtype) => NF.Cast(NF.Greater(NF.Random.Uniform(shape), 0.3), dtype);

    private InferenceSession Export(Model model, string file)
    {
        string path = Temp.File(file);
        model.ExportOnnx(path);
        return new InferenceSession(path);
    }

    // ONNX Runtime's outputs, as doubles, for inputs fed in the model's input order.
    private static List<double[]> Run(InferenceSession session, Model model, Tensor[] xs, string[]? inputNames = null, string[]? outputNames = null)
    {
        inputNames ??= model.InputNames.ToArray();
        outputNames ??= model.OutputNames.ToArray();
        var values = xs.Select(x => x.DType == DType.Float64
            ? OrtValue.CreateTensorValueFromMemory(x.ToArray<double>(), x.Shape.ToArray().Select(d => (long)d).ToArray())
            : OrtValue.CreateTensorValueFromMemory(x.ToArray<float>(), x.Shape.ToArray().Select(d => (long)d).ToArray())).ToArray();
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, inputNames, values, outputNames);
        var result = outputs.Select(o => o.GetTensorTypeAndShape().ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Double
            ? o.GetTensorDataAsSpan<double>().ToArray()
            : o.GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray()).ToList();
        foreach (var v in values) v.Dispose();
        return result;
    }

    private static void AssertMatches(Model model, InferenceSession session, Tensor[] xs, string[]? inputNames = null, string[]? outputNames = null)
    {
        var want = model.PredictOutputs(xs, batchSize: 16);
        var got = Run(session, model, xs, inputNames, outputNames);
        Assert.Equal(want.Count, got.Count);
        for (int i = 0; i < want.Count; i++)
        {
            var expected = NF.Cast(want[i], DType.Float64).ToArray<double>();
            Assert.Equal(expected.Length, got[i].Length);
            Assert.True(expected.Length > 0);
            for (int j = 0; j < expected.Length; j++)
                Assert.True(Math.Abs(expected[j] - got[i][j]) <= Tolerance * (1 + Math.Abs(expected[j])),
                    $"output {i}, element {j}: Predict {expected[j]:G9}, ONNX Runtime {got[i][j]:G9}.");
        }
    }
}

public sealed class ManagedAttentionOnnxExportTests() : AttentionOnnxExportTests("managed");
public sealed class NativeCpuAttentionOnnxExportTests() : AttentionOnnxExportTests("cpu");
public sealed class CudaAttentionOnnxExportTests() : AttentionOnnxExportTests("cuda");
