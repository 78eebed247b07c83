using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// The pix2pix tutorial's networks in C#: downsample()/upsample() blocks, the U-Net Generator (functional
/// API, skips concatenated in reverse) and the PatchGAN Discriminator (two named Inputs, concatenate,
/// ZeroPadding2D), with pix2pix_references.py's fixed kernels and input images. <c>imgSize</c> and <c>widthDivisor</c> shrink the tutorial's 256 x 256
/// images and 64..512 filters (256 and 1 build the tutorial's networks); <c>dropoutRate</c> is the
/// tutorial's 0.5 except where a comparison with pix2pix_references.py needs no random masks.
/// </summary>
internal static class TutorialPix2PixNetworks
{
    public const int OutputChannels = 3;

    /// <summary>
    /// tensorflow_examples' norm_type: 'batchnorm' (the pix2pix tutorial's) or 'instancenorm' (CycleGAN's,
    /// <see cref="TutorialPix2PixInstanceNormalization"/>), case-insensitive as there.
    /// </summary>
    public static Layer Norm(string normType) => normType.ToLowerInvariant() switch
    {
        "batchnorm" => new Layers.BatchNormalization(),
        "instancenorm" => new TutorialPix2PixInstanceNormalization(),
        _ => throw new ArgumentException($"norm_type must be 'batchnorm' or 'instancenorm', got '{normType}'.", nameof(normType)),
    };

    public static Sequential Downsample(int filters, int size, bool applyBatchnorm = true, string normType = "batchnorm")
    {
        var initializer = Initializer.RandomNormal(0, 0.02);
        var result = new Sequential();
        result.Add(new Layers.Conv2D(filters, size, strides: 2, padding: "same", kernelInitializer: initializer, useBias: false));
        if (applyBatchnorm) result.Add(Norm(normType));
        result.Add(new Layers.LeakyReLU());
        return result;
    }

    public static Sequential Upsample(int filters, int size, bool applyDropout = false, double dropoutRate = 0.5, string normType = "batchnorm")
    {
        var initializer = Initializer.RandomNormal(0, 0.02);
        var result = new Sequential();
        result.Add(new Layers.Conv2DTranspose(filters, size, strides: 2, padding: "same", kernelInitializer: initializer, useBias: false));
        result.Add(Norm(normType));
        if (applyDropout) result.Add(new Layers.Dropout(dropoutRate));
        result.Add(new Layers.ReLU());
        return result;
    }

    // The tutorial's down_stack filters 64, 128, 256, 512, 512, ...: one block per halving of the image.
    public static int[] DownFilters(int imgSize, int widthDivisor) =>
        Enumerable.Range(0, (int)Math.Log2(imgSize)).Select(i => Math.Min(512, 64 << i) / widthDivisor).ToArray();

    /// <summary>The U-Net for <paramref name="imgSize"/> images; <paramref name="anySize"/>: tensorflow_examples' Input([None, None, 3]), any multiple of imgSize.</summary>
    public static Model Generator(int imgSize, int widthDivisor = 16, double dropoutRate = 0.5, string normType = "batchnorm", bool anySize = false)
    {
        var inputs = anySize ? Layers.Input(new int?[] { null, null, 3 }) : Layers.Input([imgSize, imgSize, 3]);
        var filters = DownFilters(imgSize, widthDivisor);
        var downStack = filters.Select((f, i) => Downsample(f, 4, applyBatchnorm: i > 0, normType)).ToList();
        // upsample(512, apply_dropout=True) x 3, then 512, 256, 128, 64: the down filters in reverse, less the bottleneck.
        var upStack = Enumerable.Range(0, filters.Length - 1)
                                .Select(i => Upsample(filters[filters.Length - 2 - i], 4, applyDropout: i < 3, dropoutRate, normType)).ToList();

        var initializer = Initializer.RandomNormal(0, 0.02);
        var last = new Layers.Conv2DTranspose(OutputChannels, 4, strides: 2, padding: "same", kernelInitializer: initializer, activation: "tanh");

        KerasTensor x = inputs;
        // Downsampling through the model
        var skips = new List<KerasTensor>();
        foreach (var down in downStack)
        {
            x = down.Call(x);
            skips.Add(x);
        }
        var reversedSkips = Enumerable.Reverse(skips[..^1]);

        // Upsampling and establishing the skip connections
        foreach (var (up, skip) in upStack.Zip(reversedSkips))
        {
            x = up.Call(x);
            x = new Layers.Concatenate().Call([x, skip]);
        }
        x = last.Call(x);
        return new Model(inputs, x);
    }

    /// <summary>The PatchGAN; <paramref name="target"/>: false judges one image alone (CycleGAN's discriminators).</summary>
    public static Model Discriminator(int imgSize, int widthDivisor = 16, string normType = "batchnorm", bool target = true)
    {
        var initializer = Initializer.RandomNormal(0, 0.02);
        var inp = Layers.Input([imgSize, imgSize, 3], name: "input_image");
        KerasTensor x = inp;
        KerasTensor? tar = null;
        if (target)
        {
            tar = Layers.Input([imgSize, imgSize, 3], name: "target_image");
            x = new Layers.Concatenate().Call([inp, tar]);                   // (batch_size, 256, 256, channels*2)
        }

        var down1 = Downsample(64 / widthDivisor, 4, false, normType).Call(x);   // (batch_size, 128, 128, 64)
        var down2 = Downsample(128 / widthDivisor, 4, true, normType).Call(down1);   // (batch_size, 64, 64, 128)
        var down3 = Downsample(256 / widthDivisor, 4, true, normType).Call(down2);   // (batch_size, 32, 32, 256)

        var zeroPad1 = new Layers.ZeroPadding2D().Call(down3);               // (batch_size, 34, 34, 256)
        var conv = new Layers.Conv2D(512 / widthDivisor, 4, strides: 1, kernelInitializer: initializer, useBias: false).Call(zeroPad1);  // (batch_size, 31, 31, 512)
        var norm1 = Norm(normType).Call(conv);
        var leakyRelu = new Layers.LeakyReLU().Call(norm1);
        var zeroPad2 = new Layers.ZeroPadding2D().Call(leakyRelu);           // (batch_size, 33, 33, 512)
        var last = new Layers.Conv2D(1, 4, strides: 1, kernelInitializer: initializer).Call(zeroPad2);  // (batch_size, 30, 30, 1)
        return tar is null ? new Model(inp, last) : new Model([inp, tar], last);
    }

    /// <summary>
    /// pix2pix_references.py's kernel(shape, k) for the k-th 4-D kernel of <paramref name="model"/>, in building
    /// order; biases and BatchNormalization keep Keras' initial values, so the networks start as the script's.
    /// </summary>
    /// <returns>The next kernel number (<paramref name="firstKernel"/> numbers this model's first kernel).</returns>
    public static int SetReferenceKernels(Model model, int firstKernel = 0)
    {
        int k = firstKernel;
        foreach (var v in model.TrainableVariables.Where(v => v.Rank == 4))
        {
            long n = v.Shape.Count;
            var values = new float[n];
            for (long j = 0; j < n; j++)
                values[j] = (float)((((j * 7919 + k * 104729L + 13) % 1999) / 1999.0 - 0.5) * 0.3);
            v.Assign(NF.Constant(values, v.Shape));
            k++;
        }
        return k;
    }

    /// <summary>pix2pix_references.py's image(b, coef): [b, size, size, 3] in [-1, 1), exact in float32.</summary>
    public static Tensor ReferenceImage(int batch, int size, int[] coef)
    {
        var x = new float[batch, size, size, 3];
        for (int n = 0; n < batch; n++)
            for (int i = 0; i < size; i++)
                for (int j = 0; j < size; j++)
                    for (int c = 0; c < 3; c++)
                        x[n, i, j, c] = ((i * coef[0] + j * coef[1] + c * coef[2] + n * coef[3]) % 17) / 8f - 1;
        return NF.Constant(x);
    }
}
