using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// The DeepDream tutorial's mechanics (TutorialDeepDream) on InceptionV3 with seeded random weights (ImageNet's cannot
/// be downloaded here) and small images: the dream model's outputs, the ascent step compiled (traced, replayed, equal to
/// the eager step), the loss rising over steps, DeepDream's tensor step count (run eagerly, with the reason), deprocess
/// and run_deep_dream_simple, the octave loops, and TiledGradients against the gradient it must equal when one tile covers
/// the image. No reference numbers: the tutorial's torch peer would need InceptionV3 in torch; the checks are properties.
/// </summary>
public abstract class TutorialDeepDreamTests(string backend) : BackendTest(backend)
{
    private const int Size = 75;   // InceptionV3's smallest input
    private bool Cpu => BackendName is "cpu" or "managed";

    // The CPU engines run the same kernels in the same order eagerly and in a replay: bit for bit. CUDA's reductions
    // may order their sums differently from run to run.
    private void AssertSame(float[] want, float[] got)
    {
        if (Cpu) Assert.Equal(want, got);
        else Assert.Equal(want, got, new CloseFloats(1e-4f));
    }

    private static TutorialDeepDream Dream()
    {
        NF.Random.SetSeed(2828);
        var baseModel = Applications.InceptionV3(includeTop: false, weights: null);
        return new TutorialDeepDream(TutorialDeepDream.DreamModel(baseModel, "mixed3", "mixed5"));
    }

    // The tutorial's image after preprocess_input: values in [-1, 1].
    private static Tensor Image(int height, int width, int seed) =>
        NF.Random.Uniform([height, width, 3], -1, 1, seed: seed);

    private static void AssertImage(Tensor img, int height, int width)
    {
        Assert.Equal(DType.Float32, img.DType);
        Assert.Equal(new Shape(height, width, 3), img.Shape);
        Assert.All(img.ToArray<float>(), v => Assert.True(v is >= -1f and <= 1f, $"{v} is outside [-1, 1]"));
    }

    [SkippableFact]
    public void The_dream_model_reads_mixed3_and_mixed5_and_the_compiled_step_replays_as_the_eager_one()
    {
        RequireBackend();
        try
        {
            var dream = Dream();
            Assert.Equal(2, dream.Model.Outputs.Count);
            Assert.Equal(new int?[] { null, null, null, 768 }, dream.Model.Outputs[0].Shape);
            Assert.Equal(new int?[] { null, null, null, 768 }, dream.Model.Outputs[1].Shape);

            var img = Image(Size, Size, 5);
            var loss0 = TutorialDeepDream.CalcLoss(img, dream.Model);
            Assert.Equal(DType.Float32, loss0.DType);
            Assert.Equal(0, loss0.Rank);

            // Three compiled steps: a trace, then replays of its plan, each equal to the eager step on the same image.
            var traced = TracedFunction.Of(dream.Step);
            var losses = new List<float>();
            var current = img;
            for (int step = 0; step < 3; step++)
            {
                var (eagerLoss, eagerImage) = dream.AscendOnce(current, NF.Constant(0.01f));
                var (loss, image) = dream.Step(current, NF.Constant(0.01f));
                Assert.Null(traced.EagerReason);
                Assert.Equal(step > 0, traced.LastCallReplayed);
                AssertSame([eagerLoss.Item<float>()], [loss.Item<float>()]);
                AssertSame(eagerImage.ToArray<float>(), image.ToArray<float>());
                AssertImage(image, Size, Size);
                Assert.True(float.IsFinite(loss.Item<float>()));
                losses.Add(loss.Item<float>());
                current = image;
            }
            Assert.Equal(1, traced.TraceCount);
            losses.Add(TutorialDeepDream.CalcLoss(current, dream.Model).Item<float>());
            // Gradient ascent: each step raises the loss it maximises.
            for (int i = 1; i < losses.Count; i++) Assert.True(losses[i] > losses[i - 1], $"loss {losses[i]} after {losses[i - 1]}");

            // The signature's None dimensions take another size (a new plan, as the remarks of InputSignature say),
            // and refuse another rank or dtype.
            var (_, other) = dream.Step(Image(80, 77, 6), NF.Constant(0.01f));
            AssertImage(other, 80, 77);
            Assert.Throws<ArgumentException>(() => dream.Step(NF.ExpandDims(img, 0), NF.Constant(0.01f)));
            Assert.Throws<ArgumentException>(() => dream.Step(img, NF.Constant(1)));
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }

    [SkippableFact]
    public void DeepDream_with_a_tensor_step_count_traces_once_and_replays_each_count_equal_to_its_steps()
    {
        RequireBackend();
        try
        {
            var dream = Dream();
            var img = Image(Size, Size, 7);
            var (loss, image) = dream.DeepDream(img, NF.Constant(2), NF.Constant(0.01f));
            // tf.range(steps) over a tensor: the loop is one step of the plan (tf.function's while loop), traced here.
            var traced = TracedFunction.Of(dream.DeepDream);
            Assert.Null(traced.EagerReason);
            Assert.Equal(1, traced.TraceCount);
            AssertImage(image, Size, Size);
            Assert.Equal(0, loss.Rank);

            // The same two steps one by one; the loss returned is the last step's (before its update).
            var (firstLoss, first) = dream.AscendOnce(img, NF.Constant(0.01f));
            var (lastLoss, second) = dream.AscendOnce(first, NF.Constant(0.01f));
            AssertSame([lastLoss.Item<float>()], [loss.Item<float>()]);
            AssertSame(second.ToArray<float>(), image.ToArray<float>());

            // Another count replays the same trace, its own number of steps.
            var (oneLoss, one) = dream.DeepDream(img, NF.Constant(1), NF.Constant(0.01f));
            Assert.True(traced.LastCallReplayed, traced.EagerReason);
            Assert.Equal(1, traced.TraceCount);
            AssertSame([firstLoss.Item<float>()], [oneLoss.Item<float>()]);
            AssertSame(first.ToArray<float>(), one.ToArray<float>());

            // The step count as a C# number: traced once, replayed, the same numbers.
            var fixedSteps = dream.FixedSteps(2);
            var fixedTraced = TracedFunction.Of(fixedSteps);
            for (int call = 0; call < 2; call++)
            {
                var (fixedLoss, fixedImage) = fixedSteps(img, NF.Constant(0.01f));
                Assert.Null(fixedTraced.EagerReason);
                Assert.Equal(call == 1, fixedTraced.LastCallReplayed);
                AssertSame([loss.Item<float>()], [fixedLoss.Item<float>()]);
                AssertSame(image.ToArray<float>(), fixedImage.ToArray<float>());
            }

            // Zero steps: the tutorial's tf.constant(0.0) and the image unchanged, a replay too.
            var (noLoss, same) = dream.DeepDream(img, NF.Constant(0), NF.Constant(0.01f));
            Assert.True(traced.LastCallReplayed, traced.EagerReason);
            Assert.Equal(0f, noLoss.Item<float>());
            Assert.Equal(img.ToArray<float>(), same.ToArray<float>());
            // The signature: steps must be an int32 scalar.
            Assert.Throws<ArgumentException>(() => dream.DeepDream(img, NF.Constant(2f), NF.Constant(0.01f)));
            Assert.Throws<ArgumentException>(() => dream.DeepDream(img, NF.Constant(new[] { 2 }), NF.Constant(0.01f)));
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }

    [SkippableFact]
    public void Deprocess_run_deep_dream_simple_and_the_octave_loop_give_uint8_images()
    {
        RequireBackend();
        try
        {
            // deprocess: [-1, 1] to [0, 255], truncated by the cast.
            var deprocessed = TutorialDeepDream.Deprocess(NF.Constant(new[] { -1f, 0f, 0.5f, 1f }));
            Assert.Equal(DType.UInt8, deprocessed.DType);
            Assert.Equal(new byte[] { 0, 127, 191, 255 }, deprocessed.ToArray<byte>());

            var dream = Dream();
            var pixels = NF.Cast(NF.Random.Uniform([Size, Size, 3], 0, 255, seed: 9), DType.UInt8);
            var (result, losses) = dream.RunDeepDreamSimple(pixels, steps: 2);
            Assert.Equal(DType.UInt8, result.DType);
            Assert.Equal(new Shape(Size, Size, 3), result.Shape);
            Assert.Single(losses);
            Assert.True(float.IsFinite(losses[0]));

            // The octave sizes: base_shape * 1.3**n in float32, truncated (tf.cast).
            Assert.Equal((75, 75), TutorialDeepDream.OctaveSize(98, 98, 1.3, -1));
            Assert.Equal((295, 443), TutorialDeepDream.OctaveSize(500, 750, 1.3, -2));
            Assert.Equal((845, 1267), TutorialDeepDream.OctaveSize(500, 750, 1.3, 2));
            var octaves = dream.RunOctavesSimple(NF.Cast(NF.Random.Uniform([98, 98, 3], 0, 255, seed: 10), DType.UInt8), [-1, 0], steps: 1);
            Assert.Equal(DType.UInt8, octaves.DType);
            Assert.Equal(new Shape(98, 98, 3), octaves.Shape);
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }

    [SkippableFact]
    public void Tiled_gradients_of_one_covering_tile_are_the_rolled_back_gradient_of_the_rolled_image()
    {
        RequireBackend();
        try
        {
            // tf.range(0, size, tile_size)[:-1], or [0]: the last tile is skipped unless it is the only one.
            Assert.Equal([0], TutorialDeepDream.TileStarts(75, 512));
            Assert.Equal([0], TutorialDeepDream.TileStarts(1000, 512));
            Assert.Equal([0, 512], TutorialDeepDream.TileStarts(1100, 512));

            var dream = Dream();
            var img = Image(Size, Size, 11);
            NF.Random.SetSeed(31);
            var tiled = dream.TiledGradients(img, NF.Constant(new[] { Size, Size }), NF.Constant(512));
            var traced = TracedFunction.Of(dream.TiledGradients);
            Assert.NotNull(traced.EagerReason);   // the tile size and the shift are read on the host
            Assert.Equal(DType.Float32, tiled.DType);
            Assert.Equal(new Shape(Size, Size, 3), tiled.Shape);

            // The same draw of the shift, the whole rolled image's gradient, rolled back and normalised.
            NF.Random.SetSeed(31);
            var (shift, rolled) = TutorialDeepDream.RandomRoll(img, 512);
            Assert.All(shift, s => Assert.InRange(s, -512, 511));
            Tensor gradient;
            using (var tape = new GradientTape())
            {
                tape.Watch(rolled);
                gradient = tape.Gradient(TutorialDeepDream.CalcLoss(rolled, dream.Model), rolled);
            }
            gradient = NF.Roll(gradient, [-shift[0], -shift[1]], [0, 1]);
            gradient /= NF.ReduceStd(gradient) + 1e-8f;
            AssertSame(gradient.ToArray<float>(), tiled.ToArray<float>());
            Assert.All(tiled.ToArray<float>(), v => Assert.True(float.IsFinite(v)));
            Assert.Contains(tiled.ToArray<float>(), v => v != 0f);
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }

    [SkippableFact]
    public void Run_deep_dream_with_octaves_steps_each_octave_with_the_tiled_gradients()
    {
        RequireBackend();
        try
        {
            var dream = Dream();
            var pixels = NF.Cast(NF.Random.Uniform([98, 98, 3], 0, 255, seed: 12), DType.UInt8);
            var result = dream.RunDeepDreamWithOctaves(pixels, stepsPerOctave: 1, octaves: [-1, 0]);
            Assert.Equal(DType.UInt8, result.DType);
            Assert.Equal(new Shape(98, 98, 3), result.Shape);
            // The dreamt image moved away from the input (one step of 0.01 on a normalised gradient).
            Assert.NotEqual(pixels.ToArray<byte>(), result.ToArray<byte>());
        }
        finally { NF.Random.SetSeed(Environment.TickCount); }
    }
}

/// <summary>The DeepDream tutorial on the managed backend.</summary>
public sealed class ManagedTutorialDeepDreamTests() : TutorialDeepDreamTests("managed");

/// <summary>The DeepDream tutorial on the native CPU backend.</summary>
public sealed class NativeCpuTutorialDeepDreamTests() : TutorialDeepDreamTests("cpu");

/// <summary>The DeepDream tutorial on CUDA.</summary>
public sealed class CudaTutorialDeepDreamTests() : TutorialDeepDreamTests("cuda");
