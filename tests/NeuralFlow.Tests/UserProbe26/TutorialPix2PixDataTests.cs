using NeuralFlow.Data;
using static NeuralFlow.Tests.UserProbe26.TutorialPix2PixData;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// TensorFlow's pix2pix tutorial (site/en/tutorials/generative/pix2pix.ipynb), its input cells on synthetic
/// 64 x 128 side-by-side PNG pairs (TutorialPix2PixData): load() halves, nearest-neighbour resize,
/// random_crop of the stacked pair, normalize, the NF.Function random_jitter with random mirroring, and the
/// train/test datasets from list_files (the test/ folder missing, so the tutorial's fallback to val/ runs).
/// </summary>
public abstract class TutorialPix2PixDataTests(string backend) : BackendFileTest(backend)
{
    private const int Size = 64;

    [SkippableFact]
    public void Load_decodes_the_file_and_splits_it_into_the_input_and_the_real_half()
    {
        RequireBackend();
        string path = Write(Temp.Path, Size);
        var sampleImage = NF.Image.DecodeJpeg(NF.IO.ReadFile(Path.Combine(path, "train", "1.png")));
        Assert.Equal(new Shape(Size, 2 * Size, 3), sampleImage.Shape);
        Assert.Equal(DType.UInt8, sampleImage.DType);

        var (inp, re) = Load(new StringTensor(Path.Combine(path, "train", "1.png")));
        Assert.Equal(new Shape(Size, Size, 3), inp.Shape);
        Assert.Equal(new Shape(Size, Size, 3), re.Shape);
        Assert.Equal(DType.Float32, inp.DType);
        // The right half is the input (label), the left the real photo: every pixel as written.
        var inpPixels = inp.ToArray<float>();
        var rePixels = re.ToArray<float>();
        for (int i = 0, k = 0; i < Size; i++)
            for (int j = 0; j < Size; j++)
                for (int c = 0; c < 3; c++, k++)
                {
                    Assert.Equal(Label(1, i, j, c), inpPixels[k]);
                    Assert.Equal(Real(1, i, j, c), rePixels[k]);
                }
    }

    [SkippableFact]
    public void Resize_by_nearest_neighbour_is_tfs_half_pixel_rule_and_keeps_float32()
    {
        RequireBackend();
        // pix2pix_references.py: torch's 'nearest-exact' (TF's NEAREST_NEIGHBOR) of arange(25) 5x5 to 7x7.
        var x = NF.Reshape(NF.Cast(NF.Range(25), DType.Float32), [5, 5, 1]);
        var (a, b) = Resize(x, x * 2, 7, 7);
        Assert.Equal(new float[] { 10, 11, 11, 12, 13, 13, 14 }, a[3, .., 0].ToArray<float>());
        Assert.Equal(new float[] { 4, 9, 9, 14, 19, 19, 24 }, a[.., 6, 0].ToArray<float>());
        Assert.Equal(new float[] { 8, 18, 18, 28, 38, 38, 48 }, b[.., 6, 0].ToArray<float>());
        Assert.Equal(DType.Float32, a.DType);

        string path = Write(Temp.Path, Size, trainCount: 1, valCount: 1);
        var (inp, re) = Load(new StringTensor(Path.Combine(path, "train", "0.png")));
        var data = new TutorialPix2PixData(Size);
        var (bigInp, bigRe) = Resize(inp, re, data.JitterSize, data.JitterSize);
        Assert.Equal(new Shape(71, 71, 3), bigInp.Shape);
        // Output row 70 of 71 reads input row floor((70 + 0.5) * 64 / 71) = 63; column 35 reads floor(35.5 * 64 / 71) = 32.
        Assert.Equal(re[63, 32].ToArray<float>(), bigRe[70, 35].ToArray<float>());
        Assert.Equal(inp[0, 0].ToArray<float>(), bigInp[0, 0].ToArray<float>());
    }

    // The window (top, left) at which `crop` sits in `image`, or null.
    private static (int, int)? WindowOf(Tensor image, Tensor crop)
    {
        int h = crop.Shape[0], w = crop.Shape[1];
        var want = crop.ToArray<float>();
        for (int top = 0; top + h <= image.Shape[0]; top++)
            for (int left = 0; left + w <= image.Shape[1]; left++)
                if (image[top..(top + h), left..(left + w)].ToArray<float>().SequenceEqual(want)) return (top, left);
        return null;
    }

    [SkippableFact]
    public void Random_crop_of_the_stacked_pair_cuts_both_images_at_one_window_repeatably_with_a_seed()
    {
        RequireBackend();
        string path = Write(Temp.Path, 16, trainCount: 1, valCount: 1);
        var (inp, re) = Load(new StringTensor(Path.Combine(path, "train", "0.png")));
        var data = new TutorialPix2PixData(12, jitterSeed: 7);
        var windows = new HashSet<(int, int)>();
        try
        {
            NF.Random.SetSeed(260);
            var first = new List<float[]>();
            for (int t = 0; t < 6; t++)
            {
                var (ci, cr) = data.RandomCrop(inp, re);
                Assert.Equal(new Shape(12, 12, 3), ci.Shape);
                var window = WindowOf(inp, ci);
                Assert.NotNull(window);
                Assert.Equal(window, WindowOf(re, cr));   // the same window for both
                windows.Add(window!.Value);
                first.Add(ci.ToArray<float>());
            }
            Assert.True(windows.Count > 1, "six crops of a 16x16 image to 12x12 all fell at one window");
            // The op seed's stream starts again after set_seed: the same six windows.
            NF.Random.SetSeed(260);
            for (int t = 0; t < 6; t++) Assert.Equal(first[t], data.RandomCrop(inp, re).Item1.ToArray<float>());
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }

        // tf.image.random_crop's refusals name the shapes.
        var stacked = NF.Stack([inp, re], 0);
        Assert.Contains("value.shape >= size", Assert.Throws<ArgumentException>(() => NF.Image.RandomCrop(stacked, [2, 17, 8, 3])).Message);
        Assert.Contains("one entry per axis", Assert.Throws<ArgumentException>(() => NF.Image.RandomCrop(stacked, [8, 8, 3])).Message);
        Assert.Contains("value.shape >= size", Assert.Throws<ArgumentException>(() => NF.Image.RandomCrop(stacked, [2, -1, 8, 3])).Message);
        // A full-size crop is the tensor itself.
        Assert.Equal(stacked.ToArray<float>(), NF.Image.RandomCrop(stacked, [2, 16, 16, 3]).ToArray<float>());
    }

    [SkippableFact]
    public void The_compiled_random_jitter_crops_and_mirrors_both_images_alike_and_normalize_maps_to_minus_one_one()
    {
        RequireBackend();
        string path = Write(Temp.Path, Size, trainCount: 1, valCount: 1);
        var (inp, re) = Load(new StringTensor(Path.Combine(path, "train", "0.png")));
        var data = new TutorialPix2PixData(Size);
        var (bigInp, bigRe) = Resize(inp, re, data.JitterSize, data.JitterSize);
        int mirrored = 0, plain = 0;
        try
        {
            NF.Random.SetSeed(261);
            for (int t = 0; t < 8; t++)
            {
                var (rjInp, rjRe) = data.RandomJitter(inp, re);
                Assert.Equal(new Shape(Size, Size, 3), rjInp.Shape);
                var window = WindowOf(bigInp, rjInp);
                if (window is null)
                {
                    // Mirrored: flipping back finds the window, the same for the real image.
                    window = WindowOf(bigInp, NF.Image.FlipLeftRight(rjInp));
                    Assert.NotNull(window);
                    Assert.Equal(window, WindowOf(bigRe, NF.Image.FlipLeftRight(rjRe)));
                    mirrored++;
                }
                else
                {
                    Assert.Equal(window, WindowOf(bigRe, rjRe));
                    plain++;
                }
            }
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
        Assert.True(TracedFunction.Of(data.RandomJitter).LastCallReplayed, TracedFunction.Of(data.RandomJitter).EagerReason);   // each replay drew a new window and coin
        Assert.True(mirrored > 0 && plain > 0, $"8 jitters: {mirrored} mirrored, {plain} not");

        var (n0, n1) = Normalize(NF.Constant(new float[] { 0, 127.5f, 255 }), NF.Constant(new float[] { 51 }));
        Assert.Equal(new float[] { -1, 0, 1 }, n0.ToArray<float>());
        Assert.Equal(-0.6f, n1.ToArray<float>()[0], 6);
    }

    [SkippableFact]
    public void The_datasets_list_the_files_map_shuffle_and_batch_and_the_test_set_falls_back_to_val()
    {
        RequireBackend();
        string path = Write(Temp.Path, Size);
        var data = new TutorialPix2PixData(Size);
        try
        {
            NF.Random.SetSeed(262);
            var trainDataset = data.TrainDataset(path);
            int batches = 0;
            foreach (var (inputImage, target) in trainDataset)
            {
                Assert.Equal(new Shape(1, Size, Size, 3), inputImage.Shape);
                Assert.Equal(new Shape(1, Size, Size, 3), target.Shape);
                Assert.InRange(NF.ReduceMin(target).Item<float>(), -1f, 1f);
                Assert.InRange(NF.ReduceMax(target).Item<float>(), -1f, 1f);
                batches++;
            }
            Assert.Equal(4, batches);

            // No test/ folder: list_files refuses it and the tutorial takes val/.
            var testBatches = data.TestDataset(path).ToList();
            Assert.Equal(2, testBatches.Count);
            var expected = new[] { "0.png", "1.png" }.Select(f =>
            {
                var (i, r) = Load(new StringTensor(Path.Combine(path, "val", f)));
                return Normalize(i, r).Item1.ToArray<float>();
            }).ToList();
            var got = testBatches.Select(b => b.Item1[0].ToArray<float>()).ToList();
            Assert.True(got.All(g => expected.Any(e => e.SequenceEqual(g))), "a test batch is not a val file resized and normalized");
            Assert.False(got[0].SequenceEqual(got[1]));
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }
}

/// <summary>The pix2pix tutorial's input cells on the managed backend.</summary>
public sealed class ManagedTutorialPix2PixDataTests() : TutorialPix2PixDataTests("managed");

/// <summary>The pix2pix tutorial's input cells on the native CPU backend.</summary>
public sealed class NativeCpuTutorialPix2PixDataTests() : TutorialPix2PixDataTests("cpu");

/// <summary>The pix2pix tutorial's input cells on CUDA.</summary>
public sealed class CudaTutorialPix2PixDataTests() : TutorialPix2PixDataTests("cuda");
