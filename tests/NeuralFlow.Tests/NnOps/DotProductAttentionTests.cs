using static NeuralFlow.Tests.Reference;
using static NeuralFlow.Tests.KerasLayers.ReferenceValues;
using static NeuralFlow.Tests.NnOps.NnOpsReferenceValues;

namespace NeuralFlow.Tests.NnOps;

/// <summary>
/// NF.DotProductAttention on every engine against the explicit softmax(q·kᵀ * scale + bias,
/// masked) v of nn_ops_references.py (torch 1.13 in float64; grouped heads repeated as Keras
/// repeats them): multi-head, grouped-query with bias and mask, causal, multi-query with a
/// scale; float32; empty axes; first- and second-order float64 finite differences; bad inputs.
/// </summary>
public abstract class DotProductAttentionTests(string backend) : BackendTest(backend)
{
    private static Tensor D(int[] shape, int seed) => NF.Constant(Vals(shape, seed), shape);

    [SkippableFact]
    public void Multi_head_grouped_causal_and_multi_query_attention_match_the_reference()
    {
        RequireBackend();
        using var q = D([2, 3, 4, 5], 1);
        using var out1 = NF.DotProductAttention(q, D([2, 4, 4, 5], 2), D([2, 4, 4, 3], 3));
        Assert.Equal(new Shape(2, 3, 4, 3), out1.Shape);
        AssertClose(DpaMha, out1.ToArray<double>(), 1e-12, 1e-14, "multi-head");

        using var kg = D([2, 4, 2, 5], 4);
        using var vg = D([2, 4, 2, 3], 5);
        using var bias = D([1, 4, 3, 4], 6);
        using var keep = NF.Greater(D([2, 1, 3, 4], 7), -0.3);
        using var grouped = NF.DotProductAttention(q, kg, vg, bias, keep);
        AssertClose(DpaGqaBiasMask, grouped.ToArray<double>(), 1e-12, 1e-14, "grouped, bias and bool mask");
        // A numeric mask keeps its nonzero entries (Keras casts it to bool).
        using var numeric = NF.DotProductAttention(q, kg, vg, bias, NF.Cast(keep, DType.Float64) * 3);
        AssertClose(DpaGqaBiasMask, numeric.ToArray<double>(), 1e-12, 1e-14, "numeric mask");

        using var causal = NF.DotProductAttention(q, kg, vg, isCausal: true);
        AssertClose(DpaGqaCausal, causal.ToArray<double>(), 1e-12, 1e-14, "causal");
        // Query step 0 sees key step 0 alone: its output is that value row.
        Assert.Equal(NF.Reshape(NF.Slice(vg, [0, 0, 0, 0], [1, 1, 1, 3]), [3]).ToArray<double>(),
                     NF.Reshape(NF.Slice(causal, [0, 0, 0, 0], [1, 1, 1, 3]), [3]).ToArray<double>());

        using var mqa = NF.DotProductAttention(q, D([2, 4, 1, 5], 8), D([2, 4, 1, 3], 9), scale: 0.5, isCausal: true);
        AssertClose(DpaMqaScale05Causal, mqa.ToArray<double>(), 1e-12, 1e-14, "multi-query, scale 0.5");
    }

    [SkippableFact]
    public void Float32_inputs_stay_float32_and_mixed_precision_promotes()
    {
        RequireBackend();
        using var q = F32([2, 3, 4, 5], 1);
        using var k = F32([2, 4, 4, 5], 2);
        using var v = F32([2, 4, 4, 3], 3);
        using var y = NF.DotProductAttention(q, k, v);
        Assert.Equal(DType.Float32, y.DType);
        AssertClose(DpaMha, y.ToArray<float>().Select(x => (double)x).ToArray(), 1e-5, 1e-6, "float32");
        using var mixed = NF.DotProductAttention(q, D([2, 4, 4, 5], 2), v);
        Assert.Equal(DType.Float64, mixed.DType);
        AssertClose(DpaMha, mixed.ToArray<double>(), 1e-6, 1e-7, "mixed");
    }

    [SkippableFact]
    public void A_query_with_every_key_masked_averages_the_values_and_empty_axes_work()
    {
        RequireBackend();
        using var q = D([1, 2, 2, 3], 1);
        using var k = D([1, 3, 2, 3], 2);
        using var v = D([1, 3, 2, 2], 3);
        // Keras' rule (a large negative logit, not -inf): a fully masked query row is the mean of the values, not NaN.
        using var none = NF.Zeros(new Shape(1, 1, 2, 3), DType.Bool);
        using var y = NF.DotProductAttention(q, k, v, mask: none);
        var mean = NF.ReduceMean(v, 1).ToArray<double>();   // [1, 2, 2]: heads x features
        var got = y.ToArray<double>();
        for (int t = 0; t < 2; t++)
            AssertClose(mean, got.Skip(t * 4).Take(4).ToArray(), 1e-12, 1e-14, $"query {t}");
        using var noQueries = NF.DotProductAttention(NF.Zeros(new Shape(1, 0, 2, 3), DType.Float64), k, v);
        Assert.Equal(new Shape(1, 0, 2, 2), noQueries.Shape);
        using var noBatch = NF.DotProductAttention(NF.Zeros(new Shape(0, 2, 2, 3), DType.Float64), NF.Zeros(new Shape(0, 3, 2, 3), DType.Float64),
                                                   NF.Zeros(new Shape(0, 3, 2, 2), DType.Float64));
        Assert.Equal(new Shape(0, 2, 2, 2), noBatch.Shape);
    }

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        using var keep = NF.Greater(D([1, 1, 3, 4], 7), -0.3);
        GradientTests.Check(t => NF.DotProductAttention(t[0], t[1], t[2], t[3], keep),
            GradientTests.In([1, 3, 4, 2], 1), GradientTests.In([1, 4, 2, 2], 2), GradientTests.In([1, 4, 2, 3], 3), GradientTests.In([4, 3, 4], 4));
        GradientTests.Check(t => NF.DotProductAttention(t[0], t[1], t[2], isCausal: true, scale: 0.7),
            GradientTests.In([2, 3, 2, 2], 5), GradientTests.In([2, 3, 1, 2], 6), GradientTests.In([2, 3, 1, 2], 7));
    }

    [SkippableFact]
    public void Second_derivatives_match_finite_differences()
    {
        RequireBackend();
        using var k = D([1, 3, 1, 3], 2);
        using var v = D([1, 3, 1, 3], 3);
        SecondOrderCheck.AssertMatchesFiniteDifferences(q => NF.DotProductAttention(q, k, v, isCausal: true), [1, 2, 2, 3]);
    }

    [SkippableFact]
    public void Bad_inputs_raise_clear_exceptions()
    {
        RequireBackend();
        using var q = D([2, 3, 4, 5], 1);
        using var k = D([2, 4, 2, 5], 2);
        using var v = D([2, 4, 2, 3], 3);
        Assert.Contains("rank 4", Assert.Throws<ArgumentException>(() => NF.DotProductAttention(D([3, 4, 5], 1), k, v)).Message);
        Assert.Contains("float32 or float64", Assert.Throws<ArgumentException>(() => NF.DotProductAttention(NF.Zeros(new Shape(2, 3, 4, 5), DType.Int32), k, v)).Message);
        Assert.Contains("must divide the query heads", Assert.Throws<ArgumentException>(() => NF.DotProductAttention(q, D([2, 4, 3, 5], 2), D([2, 4, 3, 3], 3))).Message);
        Assert.Contains("same features per head", Assert.Throws<ArgumentException>(() => NF.DotProductAttention(q, D([2, 4, 2, 4], 2), v)).Message);
        Assert.Contains("same steps and heads", Assert.Throws<ArgumentException>(() => NF.DotProductAttention(q, k, D([2, 5, 2, 3], 3))).Message);
        Assert.Contains("same batch size", Assert.Throws<ArgumentException>(() => NF.DotProductAttention(D([1, 3, 4, 5], 1), k, v)).Message);
        Assert.Contains("bias has shape", Assert.Throws<ArgumentException>(() => NF.DotProductAttention(q, k, v, bias: D([3, 3], 4))).Message);
        Assert.Contains("mask has shape", Assert.Throws<ArgumentException>(() => NF.DotProductAttention(q, k, v, mask: NF.Ones(new Shape(3, 2, 4, 3, 4)))).Message);
        Assert.Contains("scale must be finite", Assert.Throws<ArgumentException>(() => NF.DotProductAttention(q, k, v, scale: double.NaN)).Message);
    }
}

public sealed class ManagedDotProductAttentionTests() : DotProductAttentionTests("managed");

public sealed class NativeCpuDotProductAttentionTests() : DotProductAttentionTests("cpu");

public sealed class CudaDotProductAttentionTests() : DotProductAttentionTests("cuda");
