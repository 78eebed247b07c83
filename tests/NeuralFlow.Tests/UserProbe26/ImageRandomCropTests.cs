namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// NF.Image.RandomCrop (tf.image.random_crop) away from images: a vector and a matrix cropped to a contiguous
/// block, every offset reached, a compiled function drawing a new window at each replay, and the gradient
/// landing on the cropped elements only.
/// </summary>
public abstract class ImageRandomCropTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Crops_of_any_rank_are_contiguous_blocks_at_every_offset()
    {
        RequireBackend();
        try
        {
            NF.Random.SetSeed(266);
            var v = NF.Cast(NF.Range(6), DType.Float32);
            var starts = new HashSet<float>();
            for (int t = 0; t < 40; t++)
            {
                var c = NF.Image.RandomCrop(v, [3]).ToArray<float>();
                Assert.Equal([c[0], c[0] + 1, c[0] + 2], c);
                starts.Add(c[0]);
            }
            Assert.Equal([0f, 1f, 2f, 3f], starts.Order());

            var m = NF.Reshape(NF.Cast(NF.Range(20), DType.Float32), [4, 5]);
            var block = NF.Image.RandomCrop(m, [2, 3]).ToArray<float>();
            float first = block[0];
            Assert.Equal([first, first + 1, first + 2, first + 5, first + 6, first + 7], block);
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }

    [SkippableFact]
    public void A_compiled_crop_draws_a_new_window_each_call_and_its_gradient_reaches_the_cropped_elements()
    {
        RequireBackend();
        var x = NF.Reshape(NF.Cast(NF.Range(64), DType.Float32), [8, 8]);
        var crop = NF.Function((Tensor t) => NF.Image.RandomCrop(t, [2, 2]));
        var corners = Enumerable.Range(0, 12).Select(_ => crop(x).ToArray<float>()[0]).ToHashSet();
        Assert.True(TracedFunction.Of(crop).LastCallReplayed, TracedFunction.Of(crop).EagerReason);
        Assert.True(corners.Count > 1, "twelve replays cropped at one window");

        var w = new Variable(x);
        using var tape = new GradientTape();
        var picked = NF.Image.RandomCrop(w, [3, 2]);
        var grad = tape.Gradient(NF.ReduceSum(picked * 2f), [w])[0]!.ToArray<float>();
        var chosen = picked.ToArray<float>().Select(f => (int)f).ToHashSet();
        for (int i = 0; i < 64; i++) Assert.Equal(chosen.Contains(i) ? 2f : 0f, grad[i]);
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => NF.Image.RandomCrop(NF.Constant(1f), [])).Message);
    }
}

/// <summary>random_crop on the managed backend.</summary>
public sealed class ManagedImageRandomCropTests() : ImageRandomCropTests("managed");

/// <summary>random_crop on the native CPU backend.</summary>
public sealed class NativeCpuImageRandomCropTests() : ImageRandomCropTests("cpu");

/// <summary>random_crop on CUDA.</summary>
public sealed class CudaImageRandomCropTests() : ImageRandomCropTests("cuda");
