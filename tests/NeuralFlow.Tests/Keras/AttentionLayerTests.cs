using NeuralFlow.Keras;
using static NeuralFlow.Tests.KerasLayers.ReferenceValues;
using static NeuralFlow.Tests.Reference;
using R = NeuralFlow.Tests.KerasLayers.LayerReference;

namespace NeuralFlow.Tests.KerasLayers;

/// <summary>
/// Layers.Attention (dot and concat scores) and Layers.AdditiveAttention against Keras 3's
/// formulas (layer_reference.py, PyTorch ops on fixed weights), masks, float64 finite
/// differences, and errors, on every engine. Keras 3 passes a (batch, Tv) value mask to the
/// scores unexpanded outside the causal case (it broadcasts only when batch is 1 or Tq); here it
/// is always (batch, 1, Tv), as its own docstring says and a user expects.
/// </summary>
public abstract class AttentionLayerTests(string backend) : BackendTest(backend)
{
    private static readonly int[] ValueMask = [1, 1, 1, 0, 1, 1, 0, 0];
    private static readonly int[] QueryMask = [1, 0, 1, 1, 1, 0];

    private static (Tensor Q, Tensor V, Tensor K) Inputs() => (F32([2, 3, 5], 13), F32([2, 4, 5], 14), F32([2, 4, 5], 15));

    [SkippableFact]
    public void Dot_scores_match_keras_with_and_without_masks()
    {
        RequireBackend();
        var (q, v, k) = Inputs();
        var layer = new Layers.Attention(useScale: true);
        layer.Call([q, v, k]);
        layer.SetWeights([NF.Constant(0.7f)]);
        var (y, scores) = layer.CallWithScores([q, v, k]);
        Assert.Equal(new Shape(2, 3, 5), y.Shape);
        AssertClose(R.DotOut, D(y), 1e-5, 1e-6, "dot output");
        AssertClose(R.DotScores, D(scores), 1e-5, 1e-6, "dot scores");
        var (m, ms) = layer.CallWithScores([q, v, k], Bools(QueryMask, [2, 3]), Bools(ValueMask, [2, 4]), useCausalMask: true);
        AssertClose(R.DotMaskedOut, D(m), 1e-5, 1e-6, "masked output");
        AssertClose(R.DotMaskedScores, D(ms), 1e-5, 1e-6, "masked scores");
    }

    [SkippableFact]
    public void Concat_and_additive_scores_match_keras()
    {
        RequireBackend();
        var (q, v, k) = Inputs();
        var concat = new Layers.Attention(useScale: true, scoreMode: "concat");
        concat.Call([q, v, k]);
        Assert.Equal(["scale", "concat_score_weight"], concat.Variables.Select(w => w.Name![(concat.Name.Length + 1)..]));
        concat.SetWeights([NF.Constant(0.7f), NF.Constant(1.3f)]);
        AssertClose(R.ConcatOut, D(concat.Call([q, v, k], null, Bools(ValueMask, [2, 4]))), 1e-5, 1e-6, "concat output");

        var additive = new Layers.AdditiveAttention();
        additive.Call([q, v, k]);
        Assert.Equal(new Shape(5), additive.Scale!.Shape);
        additive.SetWeights([F32([5], 16)]);
        var (y, scores) = additive.CallWithScores([q, v, k], Bools(QueryMask, [2, 3]), Bools(ValueMask, [2, 4]));
        AssertClose(R.AdditiveOut, D(y), 1e-5, 1e-6, "additive output");
        AssertClose(R.AdditiveScores, D(scores), 1e-5, 1e-6, "additive scores");
        Assert.Empty(new Layers.AdditiveAttention(useScale: false).Variables);
    }

    [SkippableFact]
    public void Gradients_match_finite_differences_in_float64()
    {
        RequireBackend();
        var mask = Bools(ValueMask, [2, 4]);
        GradientTests.Check(t => new Layers.Attention().Call([t[0], t[1], t[2]], null, mask, useCausalMask: true),
            GradientTests.In([2, 3, 4], 1), GradientTests.In([2, 4, 3], 2), GradientTests.In([2, 4, 4], 3));
        GradientTests.Check(t => new Layers.AdditiveAttention(useScale: false).Call([t[0], t[1]]),
            GradientTests.In([2, 3, 4], 4), GradientTests.In([2, 2, 4], 5));
    }

    [SkippableFact]
    public void Self_attention_on_one_tensor_is_attention_on_it_twice()
    {
        RequireBackend();
        var (q, _, _) = Inputs();
        var layer = new Layers.Attention();
        Assert.Equal(layer.Call([q, q]).ToArray<float>(), layer.Call(q).ToArray<float>());
    }

    [SkippableFact]
    public void Bad_arguments_and_shapes_fail_naming_what_is_wrong()
    {
        RequireBackend();
        var (q, v, k) = Inputs();
        Assert.Contains("scoreMode", Assert.Throws<ArgumentException>(() => new Layers.Attention(scoreMode: "general")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Attention(dropout: 1));
        var layer = new Layers.Attention();
        Assert.Contains("list of 1", Assert.Throws<ArgumentException>(() => layer.Call([q], null)).Message);
        Assert.Contains("same features", Assert.Throws<ArgumentException>(() => layer.Call([q, v, F32([2, 4, 3], 1)])).Message);
        Assert.Contains("same number of steps", Assert.Throws<ArgumentException>(() => layer.Call([q, v, F32([2, 3, 5], 1)])).Message);
        Assert.Contains("valueMask has shape (2, 3)", Assert.Throws<ArgumentException>(() => layer.Call([q, v], null, Bools([1, 1, 1, 1, 1, 1], [2, 3]))).Message);
        var additive = new Layers.AdditiveAttention();
        additive.Call([q, v]);
        Assert.Contains("built for 5 features", Assert.Throws<ArgumentException>(() => additive.Call([F32([2, 3, 4], 1), F32([2, 4, 4], 2)])).Message);
    }
}

public sealed class ManagedAttentionLayerTests() : AttentionLayerTests("managed");

public sealed class NativeCpuAttentionLayerTests() : AttentionLayerTests("cpu");

public sealed class CudaAttentionLayerTests() : AttentionLayerTests("cuda");
