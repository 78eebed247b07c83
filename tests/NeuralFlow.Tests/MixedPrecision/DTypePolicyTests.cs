using NeuralFlow.Keras;
using GlobalPolicy = NeuralFlow.Keras.MixedPrecision;

namespace NeuralFlow.Tests.MixedPrecision;

/// <summary>
/// Keras' dtype policies (keras.DTypePolicy, keras.mixed_precision.set_global_policy): the names and what
/// they mean, bfloat16 refused (NeuralFlow has no such dtype), layers made under the global policy taking it,
/// a layer's own dtype ("float32" for the output layer of a mixed model), and under "mixed_float16" each
/// kind of layer's output dtype with float32 weights, as Keras gives them (keras/src/layers: BatchNormalization
/// and LayerNormalization compute in float32 and cast back; Embedding casts its lookup to the compute dtype).
/// </summary>
public abstract class DTypePolicyTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Policies_name_their_compute_and_variable_dtypes()
    {
        RequireBackend();
        var mixed = new DTypePolicy("mixed_float16");
        Assert.Equal((DType.Float16, DType.Float32, true), (mixed.ComputeDType, mixed.VariableDType, mixed.IsMixed));
        var half = new DTypePolicy("float16");
        Assert.Equal((DType.Float16, DType.Float16, false), (half.ComputeDType, half.VariableDType, half.IsMixed));
        Assert.Equal((DType.Float32, DType.Float32), (new DTypePolicy("float32").ComputeDType, new DTypePolicy("float32").VariableDType));
        Assert.Equal("<DTypePolicy \"mixed_float16\">", mixed.ToString());
    }

    [SkippableTheory]
    [InlineData("mixed_bfloat16")]
    [InlineData("bfloat16")]
    public void Bfloat16_policies_are_refused_naming_the_missing_dtype(string name)
    {
        RequireBackend();
        var e = Assert.Throws<NotSupportedException>(() => new DTypePolicy(name));
        Assert.Contains(name, e.Message);
        Assert.Contains("bfloat16", e.Message);
        Assert.Throws<NotSupportedException>(() => GlobalPolicy.SetGlobalPolicy(name));
        Assert.Equal("float32", GlobalPolicy.GlobalPolicy().Name);   // the refused setting changed nothing
        Assert.Throws<NotSupportedException>(() => new Layers.Dense(2) { Dtype = name });
    }

    [SkippableFact]
    public void An_unknown_policy_name_is_refused()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => new DTypePolicy("float8"));
        Assert.Contains("\"float8\"", e.Message);
        Assert.Contains("mixed_float16", e.Message);
    }

    [SkippableFact]
    public void Layers_made_under_the_global_policy_take_it_and_others_keep_theirs()
    {
        RequireBackend();
        var before = new Layers.Dense(2);
        using (MixedPolicy.Begin())
        {
            Assert.Equal("mixed_float16", GlobalPolicy.GlobalPolicy().Name);
            var after = new Layers.Dense(2);
            Assert.Equal("mixed_float16", after.Dtype.Name);
            Assert.Equal(DType.Float16, after.ComputeDType);
            Assert.Equal(DType.Float32, after.VariableDType);
            var head = new Layers.Dense(2) { Dtype = "float32" };
            Assert.Equal(DType.Float32, head.ComputeDType);
            // Preprocessing layers of lookups keep floatx's policy, as Keras' set their own dtype.
            Assert.Equal("float32", new Layers.Discretization([0.5]).Dtype.Name);
        }
        Assert.Equal("float32", before.Dtype.Name);
        Assert.Equal("float32", GlobalPolicy.GlobalPolicy().Name);
        Assert.Equal("float32", new Layers.Dense(2).Dtype.Name);
    }

    [SkippableFact]
    public void A_policy_that_changes_the_weights_type_must_come_before_the_build()
    {
        RequireBackend();
        var dense = new Layers.Dense(2);
        dense.Call(NF.Ones([1, 3]));
        var e = Assert.Throws<InvalidOperationException>(() => dense.Dtype = "float16");
        Assert.Contains("before the layer builds", e.Message);
        dense.Dtype = "mixed_float16";   // same float32 weights: allowed, as Keras' dtype_policy setter
        Assert.Equal(DType.Float16, dense.Call(NF.Ones([1, 3])).DType);
    }

    [SkippableFact]
    public void Under_mixed_float16_each_layer_gives_float16_and_keeps_float32_weights()
    {
        RequireBackend();
        using var _ = MixedPolicy.Begin();
        NF.Random.SetSeed(11);
        var image = NF.Random.Normal([2, 6, 6, 3]);
        var layers = new (Layer Layer, Tensor Input)[]
        {
            (new Layers.Dense(4, activation: "relu"), NF.Random.Normal([2, 5])),
            (new Layers.Conv2D(2, 3), image),
            (new Layers.Activation("tanh"), NF.Random.Normal([2, 5])),
            (new Layers.ReLU(), NF.Random.Normal([2, 5])),
            (new Layers.Softmax(), NF.Random.Normal([2, 5])),
            (new Layers.Dropout(0.5), NF.Random.Normal([2, 5])),
            (new Layers.Flatten(), image),
            (new Layers.MaxPooling2D(2), image),
            (new Layers.AveragePooling2D(2), image),
            (new Layers.GlobalAveragePooling2D(), image),
            (new Layers.BatchNormalization(), image),
            (new Layers.LayerNormalization(), NF.Random.Normal([2, 5])),
            (new Layers.Embedding(5000, 3), NF.Constant(new[] { 4097, 3 }, [2])),
        };
        foreach (var (layer, input) in layers)
        {
            var y = layer.Call(input, training: true);
            Assert.True(y.DType == DType.Float16, $"{layer.GetType().Name} gave {y.DType}");
            Assert.All(layer.Variables, v => Assert.True(v.DType == DType.Float32, $"{v.Name} is {v.DType}"));
        }
        // Index 4097 is not a float16 number: Embedding does not autocast its indices (Keras' autocast=False).
        var embedding = (Layers.Embedding)layers[^1].Layer;
        var row = embedding.Call(NF.Constant(new[] { 4097 }, [1])).ToArray<Half>().Select(h => (float)h);
        var want = NF.Cast(NF.Gather(embedding.Variables[0], NF.Constant(new[] { 4097 }, [1]), 0), DType.Float16).ToArray<Half>().Select(h => (float)h);
        Assert.Equal(want, row);
    }

    [SkippableFact]
    public void A_merge_casts_a_float32_skip_connection_to_float16_as_keras_autocasts_every_input()
    {
        RequireBackend();
        using var _ = MixedPolicy.Begin();
        var input = Layers.Input([3]);
        var branch = new Layers.Dense(3, kernelInitializer: "ones").Call(input);
        var model = new Model(input, new Layers.Add().Call([input, branch]));
        var x = NF.Constant(new[] { 0.1f, 0.2f, 0.3f }, [1, 3]);
        var y = model.Predict(x, verbose: 0);
        Assert.Equal(DType.Float16, y.DType);
        var x16 = NF.Cast(x, DType.Float16);
        var want = NF.Add(x16, NF.MatMul(x16, NF.Ones([3, 3], DType.Float16)));
        Assert.Equal(want.ToArray<Half>(), y.ToArray<Half>());
    }

    // A user's layer with a weight, written for float32: y = x * scale.
    private sealed class Scale : Layer
    {
        private Variable? _scale;
        protected override void Build(Shape inputShape) => _scale = AddWeight("scale", [inputShape[-1]], "ones");
        protected override Tensor Forward(Tensor x) => x * _scale!;
    }

    [SkippableFact]
    public void A_custom_layer_with_weights_computes_in_float32_and_rounds_its_output()
    {
        RequireBackend();
        using var _ = MixedPolicy.Begin();
        var layer = new Scale();
        var x = NF.Constant(new[] { -1.1f, 2.3f, 0.7f }, [1, 3]);
        layer.EnsureBuilt(x.Shape);
        layer.Variables[0].Assign(NF.Constant(new[] { 0.3f, 0.3f, 0.3f }, [3]));
        var y = layer.Call(x);   // a float16 input meeting its float32 weight was a dtype error
        Assert.Equal(DType.Float16, y.DType);
        Assert.Equal(DType.Float32, layer.Variables[0].DType);
        var want = NF.Cast(NF.Constant(new[] { -1.1f * 0.3f, 2.3f * 0.3f, 0.7f * 0.3f }, [1, 3]), DType.Float16);
        Assert.Equal(want.ToArray<Half>(), y.ToArray<Half>());
    }

    [SkippableFact]
    public void PReLU_reads_its_alpha_as_float16()
    {
        RequireBackend();
        using var _ = MixedPolicy.Begin();
        var prelu = new Layers.PReLU();
        var x = NF.Constant(new[] { -1.1f, 2.3f, -0.7f }, [1, 3]);
        prelu.EnsureBuilt(x.Shape);
        var alpha = NF.Constant(new[] { 0.7f, 0.7f, 0.7f }, [3]);   // -1.1 * 0.7 rounds otherwise with alpha in float32
        prelu.Variables[0].Assign(alpha);
        // Keras: relu(x) - alpha * relu(-x) on the float16 input and the float16 read of alpha, each op rounded.
        var x16 = NF.Cast(x, DType.Float16);
        var want = NF.Relu(x16) - NF.Cast(alpha, DType.Float16) * NF.Relu(-x16);
        Assert.Equal(want.ToArray<Half>(), prelu.Call(x).ToArray<Half>());
        Assert.Equal(DType.Float32, prelu.Variables[0].DType);
    }

    [SkippableFact]
    public void Batch_normalization_computes_in_float32_and_rounds_once()
    {
        RequireBackend();
        using var _ = MixedPolicy.Begin();
        // Values whose float16 squares overflow (300^2 > 65504): in float16 the variance would be inf.
        var x = NF.Constant(new[] { 300f, -300f, 280f, -260f }, [4, 1]);
        var bn = new Layers.BatchNormalization(epsilon: 0);
        var y = bn.Call(x, training: true).ToArray<Half>().Select(h => (float)h).ToArray();
        var x64 = new[] { 300.0, -300, 280, -260 };
        double mean = x64.Average(), sd = Math.Sqrt(x64.Select(v => (v - mean) * (v - mean)).Average());
        for (int i = 0; i < 4; i++) Assert.Equal((float)(Half)(float)((x64[i] - mean) / sd), y[i]);
        Assert.Equal(DType.Float32, bn.Variables[^1].DType);   // the moving variance
        Assert.True(float.IsFinite(bn.Variables[^1].ToArray<float>()[0]));
    }

    [SkippableFact]
    public void Losses_score_float16_predictions_in_float32()
    {
        RequireBackend();
        var p = NF.Constant(new[] { 0.7f, 0.2f, 0.1f, 0.1f, 0.3f, 0.6f }, [2, 3]);
        var y = NF.Constant(new[] { 0, 2 }, [2]);
        var half = NF.Cast(p, DType.Float16);
        var loss = new Losses.SparseCategoricalCrossentropy().Call(y, half);
        Assert.Equal(DType.Float32, loss.DType);   // Keras' Loss casts y_pred to its dtype (floatx)
        var want = new Losses.SparseCategoricalCrossentropy().Call(y, NF.Cast(half, DType.Float32));
        Assert.Equal(want.Item<float>(), loss.Item<float>());
    }
}

/// <summary>The dtype policies on the managed backend.</summary>
public sealed class ManagedDTypePolicyTests() : DTypePolicyTests("managed");

/// <summary>The dtype policies on the native CPU backend.</summary>
public sealed class NativeCpuDTypePolicyTests() : DTypePolicyTests("cpu");

/// <summary>The dtype policies on the CUDA backend.</summary>
public sealed class CudaDTypePolicyTests() : DTypePolicyTests("cuda");
