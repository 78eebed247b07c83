using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// The CycleGAN tutorial's input pipeline on the synthetic horses and zebras (32 x 32, jittered at 35 as 256 at
/// 286): random_jitter is a nearest-neighbour enlargement, one crop window and maybe a mirror of the image;
/// normalize maps 0..255 onto [-1, 1]; the train and test datasets give [1, 32, 32, 3] float32 batches.
/// </summary>
public abstract class TutorialCycleGanDataTests(string backend) : BackendTest(backend)
{
    private const int Size = 32;

    [SkippableFact]
    public void Random_jitter_is_a_crop_of_the_enlarged_image_maybe_mirrored()
    {
        RequireBackend();
        NF.Random.SetSeed(284);
        try
        {
            var data = new TutorialCycleGanData(Size);
            Assert.Equal(35, data.JitterSize);
            Assert.Equal(286, new TutorialCycleGanData(256).JitterSize);
            var (images, labels) = TutorialCycleGanData.Domain(TutorialCycleGanData.Zebra, 0, 1, Size, 1);
            Assert.Equal([1L], labels.ToArray<long>());
            var image = images[0];
            var enlarged = NF.Image.Resize(image, 35, 35, method: "nearest");
            var windows = new HashSet<(int, int, bool)>();
            for (int draw = 0; draw < 40; draw++)
            {
                var jittered = data.RandomJitter(image);
                Assert.Equal(new Shape(Size, Size, 3), jittered.Shape);
                Assert.Equal(DType.UInt8, jittered.DType);
                var got = jittered.ToArray<byte>();
                // Which of the 4 x 4 windows, plain or mirrored: exactly one must match (the stripes make them differ).
                var matches = (from i in Enumerable.Range(0, 4)
                               from j in Enumerable.Range(0, 4)
                               from mirror in new[] { false, true }
                               let crop = enlarged[i..(i + Size), j..(j + Size), ..]
                               where (mirror ? NF.Image.FlipLeftRight(crop) : crop).ToArray<byte>().SequenceEqual(got)
                               select (i, j, mirror)).ToList();
                Assert.NotEmpty(matches);
                windows.Add(matches[0]);
            }
            Assert.Contains(windows, w => w.Item3);
            Assert.Contains(windows, w => !w.Item3);
            Assert.True(windows.Select(w => (w.Item1, w.Item2)).Distinct().Count() > 3);
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }

    [SkippableFact]
    public void Normalize_maps_bytes_onto_minus_one_to_one()
    {
        RequireBackend();
        var normalized = TutorialCycleGanData.Normalize(NF.Constant(new byte[] { 0, 51, 255 }));
        Assert.Equal(DType.Float32, normalized.DType);
        Assert.Equal([-1f, 51 / 127.5f - 1, 1f], normalized.ToArray<float>());
    }

    [SkippableFact]
    public void The_train_and_test_datasets_give_normalized_single_image_batches()
    {
        RequireBackend();
        NF.Random.SetSeed(285);
        try
        {
            var data = new TutorialCycleGanData(Size);
            var horses = TutorialCycleGanData.Domain(TutorialCycleGanData.Horse, 0, 3, Size, 0);
            var trainHorses = data.Train(horses).ToList();
            Assert.Equal(3, trainHorses.Count);
            foreach (var batch in trainHorses)
            {
                Assert.Equal(new Shape(1, Size, Size, 3), batch.Shape);
                Assert.Equal(DType.Float32, batch.DType);
                Assert.InRange(NF.ReduceMax(NF.Abs(batch)).Item<float>(), 0f, 1f);
            }
            // sample_horse = next(iter(train_horses)); the zip of both domains pairs them batch by batch.
            var zebras = TutorialCycleGanData.Domain(TutorialCycleGanData.Zebra, 0, 2, Size, 1);
            var pairs = Dataset.Zip(data.Train(horses), data.Train(zebras)).ToList();
            Assert.Equal(2, pairs.Count);   // as long as the shorter

            // The test set is the images normalized, unjittered (in shuffled order).
            var want = Enumerable.Range(0, 3).Select(n => string.Join(",", TutorialCycleGanData.Normalize(horses.Images[n]).ToArray<float>())).ToHashSet();
            var got = TutorialCycleGanData.Test(horses).Select(b => string.Join(",", b[0].ToArray<float>())).ToHashSet();
            Assert.Equal(want, got);
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }
}

/// <summary>The CycleGAN tutorial's input pipeline on the managed backend.</summary>
public sealed class ManagedTutorialCycleGanDataTests() : TutorialCycleGanDataTests("managed");

/// <summary>The CycleGAN tutorial's input pipeline on the native CPU backend.</summary>
public sealed class NativeCpuTutorialCycleGanDataTests() : TutorialCycleGanDataTests("cpu");

/// <summary>The CycleGAN tutorial's input pipeline on CUDA.</summary>
public sealed class CudaTutorialCycleGanDataTests() : TutorialCycleGanDataTests("cuda");
