using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe29;

/// <summary>
/// Keras' elementwise merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum) take inputs of different ranks:
/// base_merge's call expands each input of fewer axes at axis 1 until every input has as many (ops.expand_dims(x, 1)),
/// so an (N, C) input meets an (N, H, W, C) one as NumPy broadcasting past the batch axis would. They were refused.
/// Concatenate and Dot still take their inputs as given; lengths that do not broadcast are still refused.
/// </summary>
public abstract class MergeRankAlignTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Inputs_of_fewer_axes_gain_length_one_axes_after_the_batch()
    {
        RequireBackend();
        // np.arange(6).reshape(2, 1, 3) + np.arange(24).reshape(2, 4, 3): the (2, 3) input as (2, 1, 3).
        var small = NF.Reshape(NF.Range(0f, 6f), [2, 3]);
        var big = NF.Reshape(NF.Range(0f, 24f), [2, 4, 3]);
        var sum = new Layers.Add().Call([small, big]);
        Assert.Equal([2, 4, 3], sum.Shape.ToArray());
        var expected = new float[24];
        for (int n = 0; n < 2; n++)
            for (int h = 0; h < 4; h++)
                for (int c = 0; c < 3; c++)
                    expected[(n * 4 + h) * 3 + c] = n * 3 + c + (n * 4 + h) * 3 + c;
        Assert.Equal(expected, sum.ToArray<float>());
        // Either order; Subtract keeps its order; Maximum of three inputs of three ranks.
        Assert.Equal(expected, new Layers.Add().Call([big, small]).ToArray<float>());
        Assert.Equal(NF.Subtract(big, NF.Reshape(small, [2, 1, 3])).ToArray<float>(), new Layers.Subtract().Call([big, small]).ToArray<float>());
        var third = NF.Fill([2, 2, 4, 3], 7f);
        var max = new Layers.Maximum().Call([small, big, third]);
        Assert.Equal([2, 2, 4, 3], max.Shape.ToArray());
        Assert.Equal(23f, NF.ReduceMax(max).Item<float>());

        // The gradient of each input is the upstream summed over the axes it was broadcast on.
        var a = new Variable(small);
        var b = new Variable(big);
        using var tape = new GradientTape();
        var loss = NF.ReduceSum(new Layers.Multiply().Call([a, b]));
        var grads = tape.Gradient(loss, [a, b]);
        Assert.Equal(NF.ReduceSum(big, 1).ToArray<float>(), grads[0]!.ToArray<float>());
        Assert.Equal(NF.BroadcastTo(NF.Reshape(small, [2, 1, 3]), [2, 4, 3]).ToArray<float>(), grads[1]!.ToArray<float>());
    }

    [SkippableFact]
    public void A_squeeze_and_excite_without_keepdims_builds_and_predicts_in_a_functional_model()
    {
        RequireBackend();
        var x = Layers.Input([4, 4, 3]);
        var squeezed = new Layers.GlobalAveragePooling2D().Call(x);   // (None, 3)
        var y = new Layers.Multiply().Call([x, new Layers.Dense(3, activation: "sigmoid").Call(squeezed)]);
        Assert.Equal(new int?[] { null, 4, 4, 3 }, y.Shape);
        var model = new Model(x, y);
        var images = NF.Reshape(NF.Range(0f, 96f), [2, 4, 4, 3]) * 0.01f;
        var output = model.Predict(images, verbose: 0);
        Assert.Equal([2, 4, 4, 3], output.Shape.ToArray());
        var scales = new Model(x, new Layers.Dense(3, activation: "sigmoid").Call(squeezed));   // not the same Dense: only shapes here
        Assert.Equal([2, 3], scales.Predict(images, verbose: 0).Shape.ToArray());
    }

    [SkippableFact]
    public void Lengths_that_do_not_broadcast_and_concatenate_are_still_refused()
    {
        RequireBackend();
        // (2, 4) becomes (2, 1, 4), which does not meet (2, 4, 3): Keras refuses it too (4 against 3, aligned at the end).
        Assert.Contains("needs inputs", Assert.Throws<ArgumentException>(() => new Layers.Add().Call([NF.Ones([2, 4]), NF.Ones([2, 4, 3])])).Message);
        Assert.Throws<ArgumentException>(() => new Layers.Add().Call([Layers.Input([4]), Layers.Input([4, 3])]));
        Assert.ThrowsAny<ArgumentException>(() => new Layers.Concatenate().Call([NF.Ones([2, 3]), NF.Ones([2, 1, 3])]));
        Assert.Contains("batch size", Assert.Throws<ArgumentException>(() => new Layers.Add().Call([NF.Ones([3, 3]), NF.Ones([2, 4, 3])])).Message);
    }
}

/// <summary>Merge rank alignment on the managed backend.</summary>
public sealed class ManagedMergeRankAlignTests() : MergeRankAlignTests("managed");

/// <summary>Merge rank alignment on the native CPU backend.</summary>
public sealed class NativeCpuMergeRankAlignTests() : MergeRankAlignTests("cpu");

/// <summary>Merge rank alignment on CUDA.</summary>
public sealed class CudaMergeRankAlignTests() : MergeRankAlignTests("cuda");
