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

    public static Sequential Downsample(int filters, int size, bool applyBatchnorm = true)
    {
        var initializer = Initializer.RandomNormal(0, 0.02);
        var result = new Sequential();
        result.Add(new Layers.Conv2D(filters, size, strides: 2, padding: "same", kernelInitializer: initializer, useBias: false));
        if (applyBatchnorm) result.Add(new Layers.BatchNormalization());
        result.Add(new Layers.LeakyReLU());
        return result;
    }

    public static Sequential Upsample(int filters, int size, bool applyDropout = false, double dropoutRate = 0.5)
    {
        var initializer = Initializer.RandomNormal(0, 0.02);
        var result = new Sequential();
        result.Add(new Layers.Conv2DTranspose(filters, size, strides: 2, padding: "same", kernelInitializer: initializer, useBias: false));
        result.Add(new Layers.BatchNormalization());
        if (applyDropout) result.Add(new Layers.Dropout(dropoutRate));
        result.Add(new Layers.ReLU());
        return result;
    }

    // The tutorial's down_stack filters 64, 128, 256, 512, 512, ...: one block per halving of the image.
    public static int[] DownFilters(int imgSize, int widthDivisor) =>
        Enumerable.Range(0, (int)Math.Log2(imgSize)).Select(i => Math.Min(512, 64 << i) / widthDivisor).ToArray();

    public static Model Generator(int imgSize, int widthDivisor = 16, double dropoutRate = 0.5)
    {
        var inputs = Layers.Input([imgSize, imgSize, 3]);
        var filters = DownFilters(imgSize, widthDivisor);
        var downStack = filters.Select((f, i) => Downsample(f, 4, applyBatchnorm: i > 0)).ToList();
        // upsample(512, apply_dropout=True) x 3, then 512, 256, 128, 64: the down filters in reverse, less the bottleneck.
        var upStack = Enumerable.Range(0, filters.Length - 1)
                                .Select(i => Upsample(filters[filters.Length - 2 - i], 4, applyDropout: i < 3, dropoutRate)).ToList();

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

    public static Model Discriminator(int imgSize, int widthDivisor = 16)
    {
        var initializer = Initializer.RandomNormal(0, 0.02);
        var inp = Layers.Input([imgSize, imgSize, 3], name: "input_image");
        var tar = Layers.Input([imgSize, imgSize, 3], name: "target_image");
        var x = new Layers.Concatenate().Call([inp, tar]);                   // (batch_size, 256, 256, channels*2)

        var down1 = Downsample(64 / widthDivisor, 4, false).Call(x);        // (batch_size, 128, 128, 64)
        var down2 = Downsample(128 / widthDivisor, 4).Call(down1);          // (batch_size, 64, 64, 128)
        var down3 = Downsample(256 / widthDivisor, 4).Call(down2);          // (batch_size, 32, 32, 256)

        var zeroPad1 = new Layers.ZeroPadding2D().Call(down3);               // (batch_size, 34, 34, 256)
        var conv = new Layers.Conv2D(512 / widthDivisor, 4, strides: 1, kernelInitializer: initializer, useBias: false).Call(zeroPad1);  // (batch_size, 31, 31, 512)
        var batchnorm1 = new Layers.BatchNormalization().Call(conv);
        var leakyRelu = new Layers.LeakyReLU().Call(batchnorm1);
        var zeroPad2 = new Layers.ZeroPadding2D().Call(leakyRelu);           // (batch_size, 33, 33, 512)
        var last = new Layers.Conv2D(1, 4, strides: 1, kernelInitializer: initializer).Call(zeroPad2);  // (batch_size, 30, 30, 1)
        return new Model([inp, tar], last);
    }

    /// <summary>
    /// pix2pix_references.py's kernel(shape, k) for the k-th 4-D kernel of <paramref name="model"/>, in building
    /// order; biases and BatchNormalization keep Keras' initial values, so the networks start as the script's.
    /// </summary>
    public static void SetReferenceKernels(Model model)
    {
        int k = 0;
        foreach (var v in model.TrainableVariables.Where(v => v.Rank == 4))
        {
            long n = v.Shape.Count;
            var values = new float[n];
            for (long j = 0; j < n; j++)
                values[j] = (float)((((j * 7919 + k * 104729L + 13) % 1999) / 1999.0 - 0.5) * 0.3);
            v.Assign(NF.Constant(values, v.Shape));
            k++;
        }
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
