using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// TensorFlow's DeepDream tutorial (generative/deepdream.ipynb) as a C# user writes it: the dream model reading
/// InceptionV3's 'mixed3' and 'mixed5', calc_loss, the DeepDream module's gradient ascent as an NF.Function with the
/// tutorial's input signature, deprocess, run_deep_dream_simple, the octave loop, random_roll, TiledGradients and
/// run_deep_dream_with_octaves.
/// </summary>
/// <remarks>
/// The tutorial's <c>for n in tf.range(steps)</c> and <c>tf.range(0, img_size[1], tile_size)</c> are graph loops over
/// tensor bounds. Under NF.Function <see cref="NF.ForiLoop(Tensor, Tensor, Func{Tensor, Tensor[], Tensor[]}, Tensor[])"/>
/// with tensor bounds is one step of the plan, as tf.function's while loop: <see cref="DeepDream"/> traces once and
/// each replay runs its own step count. TiledGradients' tile loop slices the image at starts and to sizes computed from
/// the tensors, which a replay of fixed shapes cannot follow: it reads them on the host and runs eagerly (the reason in
/// TracedFunction.EagerReason). <see cref="Step"/>, one ascent step, traces and replays too.
/// </remarks>
internal sealed class TutorialDeepDream
{
    private static readonly TensorSpec[] DreamSignature =
        [new([null, null, 3], DType.Float32), new([], DType.Int32), new([], DType.Float32)];
    private static readonly TensorSpec[] TiledSignature =
        [new([null, null, 3], DType.Float32), new([2], DType.Int32), new([], DType.Int32)];

    public TutorialDeepDream(Model dreamModel)
    {
        Model = dreamModel;
        DeepDream = NF.Function((Func<Tensor, Tensor, Tensor, (Tensor, Tensor)>)DeepDreamBody, inputSignature: DreamSignature);
        Step = NF.Function((Func<Tensor, Tensor, (Tensor, Tensor)>)AscendOnce,
            inputSignature: [DreamSignature[0], DreamSignature[2]]);
        TiledGradients = NF.Function((Func<Tensor, Tensor, Tensor, Tensor>)TiledGradientsBody, inputSignature: TiledSignature);
    }

    public Model Model { get; }

    /// <summary>The tutorial's <c>deepdream(img, steps, step_size)</c>: (loss of the last step, the image after the steps).</summary>
    public Func<Tensor, Tensor, Tensor, (Tensor Loss, Tensor Image)> DeepDream { get; }

    /// <summary>One gradient-ascent step (img, step_size) compiled: the loop body of <see cref="DeepDream"/>.</summary>
    public Func<Tensor, Tensor, (Tensor Loss, Tensor Image)> Step { get; }

    /// <summary>The tutorial's <c>get_tiled_gradients(img, img_size, tile_size)</c>.</summary>
    public Func<Tensor, Tensor, Tensor, Tensor> TiledGradients { get; }

    /// <summary>The tutorial's dream model: the base model's input to the named layers' outputs.</summary>
    public static Model DreamModel(Model baseModel, params string[] names) =>
        new(baseModel.Input, names.Select(name => baseModel.GetLayer(name).Output).ToList());

    /// <summary>calc_loss: the image as a batch of one through the model, the mean of each activation, summed.</summary>
    public static Tensor CalcLoss(Tensor img, Model model)
    {
        var imgBatch = NF.ExpandDims(img, 0);
        var layerActivations = model.CallOutputs(imgBatch);
        var losses = layerActivations.Select(act => NF.ReduceMean(act)).ToList();
        return NF.ReduceSum(NF.Stack(losses));
    }

    /// <summary>The body of the tutorial's loop, eagerly: the gradient of calc_loss with respect to the image, normalised by its
    /// standard deviation, added times step_size, the image clipped back to [-1, 1].</summary>
    public (Tensor Loss, Tensor Image) AscendOnce(Tensor img, Tensor stepSize)
    {
        Tensor loss, gradients;
        using (var tape = new GradientTape())
        {
            // GradientTape watches only variables by default; the image is a tensor.
            tape.Watch(img);
            loss = CalcLoss(img, Model);
            gradients = tape.Gradient(loss, img);
        }
        gradients /= NF.ReduceStd(gradients) + 1e-8f;
        img = img + gradients * stepSize;
        img = NF.ClipByValue(img, -1f, 1f);
        return (loss, img);
    }

    private (Tensor, Tensor) DeepDreamBody(Tensor img, Tensor steps, Tensor stepSize)
    {
        // for n in tf.range(steps): ForiLoop with tensor bounds (a loop step of the plan, see the remarks).
        var result = NF.ForiLoop(NF.Constant(0), steps, (n, state) =>
        {
            var (loss, image) = AscendOnce(state[1], stepSize);
            return [loss, image];
        }, [NF.Constant(0f), img]);
        return (result[0], result[1]);
    }

    /// <summary>
    /// DeepDream with the step count a C# number: ForiLoop's int bounds read no tensor, so the loop is unrolled into the
    /// trace and the whole loop replays (the count frozen, as a Python int is in tf.function).
    /// </summary>
    public Func<Tensor, Tensor, (Tensor Loss, Tensor Image)> FixedSteps(int steps) =>
        NF.Function((Tensor img, Tensor stepSize) =>
        {
            var result = NF.ForiLoop(0, steps, (n, state) =>
            {
                var (loss, image) = AscendOnce(state[1], stepSize);
                return [loss, image];
            }, [NF.Constant(0f), img]);
            return (result[0], result[1]);
        }, inputSignature: [DreamSignature[0], DreamSignature[2]]);

    /// <summary>deprocess: [-1, 1] back to [0, 255] as uint8.</summary>
    public static Tensor Deprocess(Tensor img) => NF.Cast(255 * (img + 1.0f) / 2.0f, DType.UInt8);

    /// <summary>
    /// run_deep_dream_simple: the image preprocessed as for InceptionV3, then <see cref="DeepDream"/> in runs of at most
    /// 100 steps; returns the deprocessed image and the loss each run reported.
    /// </summary>
    public (Tensor Image, List<float> Losses) RunDeepDreamSimple(Tensor img, int steps = 100, float stepSize = 0.01f)
    {
        img = Applications.InceptionV3PreprocessInput(NF.Cast(img, DType.Float32));
        var losses = new List<float>();
        int stepsRemaining = steps;
        while (stepsRemaining > 0)
        {
            int runSteps = Math.Min(stepsRemaining, 100);
            stepsRemaining -= runSteps;
            Tensor loss;
            (loss, img) = DeepDream(img, NF.Constant(runSteps), NF.Constant(stepSize));
            losses.Add(loss.Item<float>());
        }
        return (Deprocess(img), losses);
    }

    /// <summary>
    /// The tutorial's first octave loop: for each octave n the image resized to base_shape * scale**n (float32,
    /// truncated as tf.cast does) and dreamt on with <see cref="RunDeepDreamSimple"/>; at the end resized back.
    /// </summary>
    public Tensor RunOctavesSimple(Tensor img, IEnumerable<int> octaves, int steps, float stepSize = 0.01f, double octaveScale = 1.30)
    {
        int height = img.Shape[0], width = img.Shape[1];
        foreach (int n in octaves)
        {
            var (h, w) = OctaveSize(height, width, octaveScale, n);
            img = NF.Image.Resize(NF.Cast(img, DType.Float32), h, w);
            img = RunDeepDreamSimple(img, steps, stepSize).Image;
        }
        img = NF.Image.Resize(NF.Cast(img, DType.Float32), height, width);
        // tf.image.convert_image_dtype(img / 255.0, tf.uint8): a float in [0, 1] scaled by 255 with rounding.
        return NF.Image.ConvertImageDtype(img / 255.0f, DType.UInt8);
    }

    /// <summary>
    /// tf.cast(float_base_shape * (octave_scale ** n), tf.int32): the power in Python's double, the product in float32,
    /// truncated. (A float32 1.3 squared is 1.6899999, which gives 844 where TensorFlow gives 845 for 500.)
    /// </summary>
    public static (int Height, int Width) OctaveSize(int height, int width, double octaveScale, int n)
    {
        float factor = (float)Math.Pow(octaveScale, n);
        return ((int)(height * factor), (int)(width * factor));
    }

    /// <summary>random_roll: a shift drawn uniformly from [-maxroll, maxroll) per axis, the image rolled by it.</summary>
    public static (int[] Shift, Tensor Rolled) RandomRoll(Tensor img, int maxroll)
    {
        var shift = NF.Random.Uniform([2], -maxroll, maxroll, DType.Int32).ToArray<int>();
        return (shift, NF.Roll(img, shift, [0, 1]));
    }

    private Tensor TiledGradientsBody(Tensor img, Tensor imgSize, Tensor tileSizeTensor)
    {
        int tileSize = tileSizeTensor.Item<int>();
        var size = imgSize.ToArray<int>();
        var (shift, imgRolled) = RandomRoll(img, tileSize);
        var gradients = NF.ZerosLike(imgRolled);
        // Skip the last tile, unless there's only one tile.
        var xs = TileStarts(size[1], tileSize);
        var ys = TileStarts(size[0], tileSize);
        foreach (int x in xs)
            foreach (int y in ys)
            {
                using var tape = new GradientTape();
                tape.Watch(imgRolled);
                // img_rolled[y:y+tile_size, x:x+tile_size]: a Python slice stops at the end of the axis.
                var imgTile = imgRolled[y..Math.Min(y + tileSize, imgRolled.Shape[0]), x..Math.Min(x + tileSize, imgRolled.Shape[1])];
                var loss = CalcLoss(imgTile, Model);
                gradients = gradients + tape.Gradient(loss, imgRolled);
            }
        // Undo the random shift applied to the image and its gradients.
        gradients = NF.Roll(gradients, [-shift[0], -shift[1]], [0, 1]);
        gradients /= NF.ReduceStd(gradients) + 1e-8f;
        return gradients;
    }

    /// <summary>tf.range(0, size, tile_size)[:-1], or [0] when that is empty.</summary>
    public static int[] TileStarts(int size, int tileSize)
    {
        var starts = Enumerable.Range(0, (size + tileSize - 1) / tileSize).Select(i => i * tileSize).SkipLast(1).ToArray();
        return starts.Length == 0 ? [0] : starts;
    }

    /// <summary>
    /// run_deep_dream_with_octaves: the uint8 image preprocessed, then per octave resized to base_shape * scale**octave
    /// and stepped with <see cref="TiledGradients"/>; returns the deprocessed image.
    /// </summary>
    public Tensor RunDeepDreamWithOctaves(Tensor img, int stepsPerOctave = 100, float stepSize = 0.01f,
        IEnumerable<int>? octaves = null, double octaveScale = 1.3, int tileSize = 512)
    {
        int height = img.Shape[0], width = img.Shape[1];
        img = Applications.InceptionV3PreprocessInput(NF.Cast(img, DType.Float32));
        img = NF.Image.Resize(img, height, width);
        foreach (int octave in octaves ?? Enumerable.Range(-2, 5))
        {
            var (h, w) = OctaveSize(height, width, octaveScale, octave);
            img = NF.Image.Resize(img, h, w);
            var newSize = NF.Constant(new[] { h, w });
            for (int step = 0; step < stepsPerOctave; step++)
            {
                var gradients = TiledGradients(img, newSize, NF.Constant(tileSize));
                img = img + gradients * stepSize;
                img = NF.ClipByValue(img, -1f, 1f);
            }
        }
        return Deprocess(img);
    }
}
