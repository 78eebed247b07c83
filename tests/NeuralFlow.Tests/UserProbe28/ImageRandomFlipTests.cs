namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// <c>NF.Image.RandomFlipLeftRight</c> / <c>RandomFlipUpDown</c> (<c>tf.image.random_flip_left_right</c> /
/// <c>_up_down</c>, which the CycleGAN tutorial's random_jitter calls; NeuralFlow had only the plain flips and the
/// Keras RandomFlip layer): one coin per image of a batch, one for a single image, seeded draws repeat, an
/// NF.Function replay draws new coins, gradients reach the images, and bad shapes are refused by name.
/// </summary>
public abstract class ImageRandomFlipTests(string backend) : BackendTest(backend)
{
    private static Tensor Image(int n) =>
        NF.Reshape(NF.Cast(NF.Range(n * 4 * 5 * 3), DType.Float32), [n, 4, 5, 3]);

    [SkippableFact]
    public void One_image_is_either_itself_or_mirrored_about_half_the_time()
    {
        RequireBackend();
        NF.Random.SetSeed(11);
        try
        {
            var image = Image(1)[0];
            var plain = image.ToArray<float>();
            var mirrored = NF.Image.FlipLeftRight(image).ToArray<float>();
            var upsideDown = NF.Image.FlipUpDown(image).ToArray<float>();
            int flips = 0, flipsUpDown = 0;
            for (int i = 0; i < 200; i++)
            {
                var got = NF.Image.RandomFlipLeftRight(image);
                Assert.Equal(image.Shape, got.Shape);
                var values = got.ToArray<float>();
                if (values.SequenceEqual(mirrored)) flips++;
                else Assert.Equal(plain, values);
                var gotUpDown = NF.Image.RandomFlipUpDown(image).ToArray<float>();
                if (gotUpDown.SequenceEqual(upsideDown)) flipsUpDown++;
                else Assert.Equal(plain, gotUpDown);
            }
            Assert.InRange(flips, 70, 130);
            Assert.InRange(flipsUpDown, 70, 130);
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }

    [SkippableFact]
    public void Each_image_of_a_batch_gets_its_own_coin_and_the_dtype_is_kept()
    {
        RequireBackend();
        NF.Random.SetSeed(12);
        try
        {
            var images = NF.Cast(Image(64) % 200, DType.UInt8);
            var got = NF.Image.RandomFlipLeftRight(images);
            Assert.Equal(DType.UInt8, got.DType);
            Assert.Equal(images.Shape, got.Shape);
            var mirrored = NF.Image.FlipLeftRight(images);
            int flips = 0;
            for (int n = 0; n < 64; n++)
            {
                var one = got[n].ToArray<byte>();
                if (one.SequenceEqual(mirrored[n].ToArray<byte>())) flips++;
                else Assert.Equal(images[n].ToArray<byte>(), one);
            }
            Assert.InRange(flips, 16, 48);   // neither all nor none: not one coin for the whole batch
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }

    [SkippableFact]
    public void Seeded_draws_repeat_and_a_compiled_function_draws_anew_each_replay()
    {
        RequireBackend();
        try
        {
            var images = Image(16);
            NF.Random.SetSeed(13);
            var first = NF.Image.RandomFlipLeftRight(images, seed: 4).ToArray<float>();
            NF.Random.SetSeed(13);
            Assert.Equal(first, NF.Image.RandomFlipLeftRight(images, seed: 4).ToArray<float>());

            var jitter = NF.Function((Func<Tensor, Tensor>)(x => NF.Image.RandomFlipLeftRight(x)));
            var seen = new HashSet<string>();
            for (int i = 0; i < 6; i++) seen.Add(string.Join(",", jitter(images).ToArray<float>()));
            Assert.True(TracedFunction.Of(jitter).LastCallReplayed);
            Assert.True(seen.Count > 1);   // the replays did not freeze the traced call's coins
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }

    [SkippableFact]
    public void Gradients_flow_through_the_flip()
    {
        RequireBackend();
        NF.Random.SetSeed(14);
        try
        {
            var x = Image(8);
            var w = NF.Cast(NF.Range(8 * 4 * 5 * 3) % 7, DType.Float32);
            using var tape = new GradientTape();
            tape.Watch(x);
            var y = NF.Image.RandomFlipLeftRight(x);
            var grad = tape.Gradient(NF.ReduceSum(y * NF.Reshape(w, x.Shape)), x);
            // Each image's gradient is w's block, mirrored exactly when the image was.
            var wImages = NF.Reshape(w, x.Shape);
            for (int n = 0; n < 8; n++)
            {
                bool flipped = y[n].ToArray<float>().SequenceEqual(NF.Image.FlipLeftRight(x[n]).ToArray<float>());
                var want = flipped ? NF.Image.FlipLeftRight(wImages[n]) : wImages[n];
                Assert.Equal(want.ToArray<float>(), grad[n].ToArray<float>());
            }
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }

    [SkippableFact]
    public void A_tensor_that_is_not_one_image_or_a_batch_is_refused_by_name()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => NF.Image.RandomFlipLeftRight(NF.Zeros([4, 5])));
        Assert.Contains("RandomFlipLeftRight", e.Message);
        Assert.Contains("(4, 5)", e.Message);
        Assert.Contains("RandomFlipUpDown", Assert.Throws<ArgumentException>(() => NF.Image.RandomFlipUpDown(NF.Zeros([1, 2, 3, 4, 5]))).Message);
        Assert.Throws<ArgumentNullException>(() => NF.Image.RandomFlipLeftRight(null!));
    }
}

/// <summary>The random flips on the managed backend.</summary>
public sealed class ManagedImageRandomFlipTests() : ImageRandomFlipTests("managed");

/// <summary>The random flips on the native CPU backend.</summary>
public sealed class NativeCpuImageRandomFlipTests() : ImageRandomFlipTests("cpu");

/// <summary>The random flips on CUDA.</summary>
public sealed class CudaImageRandomFlipTests() : ImageRandomFlipTests("cuda");
