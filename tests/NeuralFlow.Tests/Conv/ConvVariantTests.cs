using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests;

/// <summary>
/// Grouped, depthwise and transposed convolution and the channels_first data format on every
/// backend, beyond the PyTorch fixtures of <see cref="ConvTests"/>: finite differences in
/// float64, second-order gradients, the adjoint identity of Conv2DTranspose, NCHW against NHWC,
/// and the error messages.
/// </summary>
public abstract class ConvVariantTests(string backend) : BackendTest(backend)
{
    private static (double[] V, int[] Shape) In(int[] shape, int seed) => GradientTests.In(shape, seed);

    private static Tensor Nchw(Tensor nhwc) => NF.Transpose(nhwc, [0, 3, 1, 2]);

    [SkippableFact]
    public void Gradients_match_finite_differences()
    {
        RequireBackend();
        GradientTests.Check(t => NF.Conv2D(t[0], t[1], groups: 2), In([2, 5, 4, 4], 1), In([3, 2, 2, 6], 2));
        GradientTests.Check(t => NF.Conv2D(t[0], t[1], [2, 1], "same", [1, 2], groups: 3), In([1, 6, 5, 3], 3), In([2, 3, 1, 3], 4));
        GradientTests.Check(t => NF.DepthwiseConv2D(t[0], t[1], padding: "same"), In([2, 4, 5, 3], 5), In([3, 3, 3, 1], 6));
        GradientTests.Check(t => NF.DepthwiseConv2D(t[0], t[1], [2], "valid", [1, 2]), In([1, 7, 6, 2], 7), In([2, 2, 2, 3], 8));
        GradientTests.Check(t => NF.Conv2DTranspose(t[0], t[1], [2]), In([2, 3, 2, 3], 9), In([3, 3, 2, 3], 10));
        GradientTests.Check(t => NF.Conv2DTranspose(t[0], t[1], [2, 1], "same", [1, 0], [1, 2]), In([1, 3, 4, 2], 11), In([3, 2, 3, 2], 12));
        // channels_first through the same ops, and a non-contiguous input view.
        GradientTests.Check(t => NF.Conv2D(t[0], t[1], padding: "same", groups: 2, dataFormat: "channels_first"), In([1, 4, 5, 4], 13), In([3, 2, 2, 4], 14));
        GradientTests.Check(t => NF.Conv2DTranspose(NF.Transpose(t[0], [0, 2, 1, 3]), t[1], [2], "same"), In([1, 3, 4, 2], 15), In([2, 3, 3, 2], 16));
        GradientTests.Check(t => NF.MaxPool2D(t[0], [2, 2], [1, 1], "same", "channels_first"), In([2, 2, 4, 5], 17));
        GradientTests.Check(t => NF.AvgPool2D(t[0], [3, 2], [2, 2], "same", "channels_first"), In([1, 3, 5, 6], 18));
    }

    [SkippableFact]
    public void Second_order_gradients_match_finite_differences()
    {
        RequireBackend();
        // d/dx of sum(dConv/dkernel * w): the kernel gradient is itself made of taped ops.
        GradientTests.Check(t =>
        {
            using var tape = new GradientTape();
            tape.Watch(t[1]);
            var y = NF.Conv2DTranspose(t[0], t[1], [2], "same");
            return tape.Gradient(NF.ReduceSum(y * y), [t[1]])[0];
        }, In([1, 3, 3, 2], 21), In([2, 2, 3, 2], 22));
        GradientTests.Check(t =>
        {
            using var tape = new GradientTape();
            tape.Watch(t[0]);
            var y = NF.Conv2D(t[0], t[1], groups: 2);
            return tape.Gradient(NF.ReduceSum(y * y), [t[0]])[0];
        }, In([1, 4, 4, 4], 23), In([2, 2, 2, 4], 24));
    }

    [SkippableFact]
    public void Conv2d_transpose_is_the_adjoint_of_conv2d()
    {
        RequireBackend();
        // <conv(u, k), v> = <u, conv_transpose(v, k)> for every window: the two ops place taps
        // alike. The output padding is the one that brings Keras' size back to the image's.
        foreach (var (padding, strides, dilations, image) in new[]
                 {
                     ("valid", new[] { 2, 2 }, new[] { 1, 1 }, new[] { 2, 7, 8, 3 }),
                     ("same", new[] { 2, 3 }, new[] { 1, 1 }, new[] { 1, 8, 7, 3 }),
                     ("same", new[] { 1, 2 }, new[] { 2, 1 }, new[] { 2, 6, 5, 3 }),
                 })
        {
            using var u = NF.Constant(In(image, 31).V, image);
            using var k = NF.Constant(In([3, 2, 3, 4], 32).V, [3, 2, 3, 4]);
            using var cu = NF.Conv2D(u, k, strides, padding, dilations);
            using var v = NF.Constant(In(cu.Shape.ToArray(), 33).V, cu.Shape.ToArray());
            int Extra(int axis)
            {
                int span = (k.Shape[axis] - 1) * dilations[axis] + 1, pad = padding == "same" ? span / 2 : 0;
                return image[axis + 1] - ((cu.Shape[axis + 1] - 1) * strides[axis] + span - 2 * pad);
            }
            using var ctv = NF.Conv2DTranspose(v, k, strides, padding, [Extra(0), Extra(1)], dilations);
            Assert.Equal(u.Shape, ctv.Shape);
            double left = NF.ReduceSum(cu * v).Item<double>(), right = NF.ReduceSum(u * ctv).Item<double>();
            Assert.True(Math.Abs(left - right) <= 1e-10 * Math.Max(1, Math.Abs(left)), $"{padding}: {left} vs {right}");
        }
    }

    [SkippableFact]
    public void Channels_first_gives_the_channels_last_result_transposed()
    {
        RequireBackend();
        using var x = NF.Constant(In([2, 7, 6, 4], 41).V, [2, 7, 6, 4]);
        using var xc = Nchw(x);
        using var k = NF.Constant(In([3, 2, 2, 6], 42).V, [3, 2, 2, 6]);
        using var dk = NF.Constant(In([2, 3, 4, 2], 43).V, [2, 3, 4, 2]);
        using var tk = NF.Constant(In([3, 3, 5, 4], 44).V, [3, 3, 5, 4]);
        void Same(Tensor nhwc, Tensor nchw) => Assert.Equal(Nchw(nhwc).ToArray<double>(), nchw.ToArray<double>());
        Same(NF.Conv2D(x, k, [2, 1], "same", groups: 2), NF.Conv2D(xc, k, [2, 1], "same", groups: 2, dataFormat: "channels_first"));
        Same(NF.DepthwiseConv2D(x, dk, [1, 2], "same"), NF.DepthwiseConv2D(xc, dk, [1, 2], "same", dataFormat: "channels_first"));
        Same(NF.Conv2DTranspose(x, tk, [2], "same"), NF.Conv2DTranspose(xc, tk, [2], "same", dataFormat: "channels_first"));
        Same(NF.MaxPool2D(x, [3], [2], "same"), NF.MaxPool2D(xc, [3], [2], "same", "channels_first"));
        Same(NF.AvgPool2D(x, [2, 3]), NF.AvgPool2D(xc, [2, 3], dataFormat: "NCHW"));
    }

    [SkippableFact]
    public void Depthwise_is_the_grouped_convolution_with_one_group_per_channel()
    {
        RequireBackend();
        using var x = NF.Constant(In([2, 6, 5, 3], 51).V, [2, 6, 5, 3]);
        using var k = NF.Constant(In([3, 2, 3, 2], 52).V, [3, 2, 3, 2]);
        using var grouped = NF.Conv2D(x, NF.Reshape(k, [3, 2, 1, 6]), [2], "same", groups: 3);
        // The CPU engines run both through one loop order (the same bits); CUDA runs the depthwise kernel
        // and the grouped GEMMs, whose sums differ in order (seen on an H200: the last bit).
        if (BackendName == "cuda") AssertClose(grouped.ToArray<double>(), NF.DepthwiseConv2D(x, k, [2], "same").ToArray<double>(), 1e-12, 1e-12, "depthwise");
        else Assert.Equal(grouped.ToArray<double>(), NF.DepthwiseConv2D(x, k, [2], "same").ToArray<double>());
        // Channel 1, multiplier 0 is output channel 2 and sees input channel 1 only.
        using var single = NF.Conv2D(x[.., .., .., 1..2], k[.., .., 1..2, 0..1], [2], "same");
        if (BackendName == "cuda") AssertClose(single.ToArray<double>(), grouped[.., .., .., 2..3].ToArray<double>(), 1e-12, 1e-12, "one channel");
        else Assert.Equal(single.ToArray<double>(), grouped[.., .., .., 2..3].ToArray<double>());
    }

    [SkippableFact]
    public void Errors_name_the_shapes_and_arguments()
    {
        RequireBackend();
        using var x = NF.Zeros([1, 5, 5, 6]);
        var e = Assert.Throws<ArgumentException>(() => NF.Conv2D(x, NF.Zeros([3, 3, 2, 4]), groups: 4));
        Assert.Contains("6 channels", e.Message);
        Assert.Contains("4 groups", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Conv2D(x, NF.Zeros([3, 3, 2, 4]), groups: 2));
        Assert.Contains("3 input channels per group", e.Message);
        Assert.Contains("(3, 3, 2, 4)", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Conv2D(x, NF.Zeros([3, 3, 3, 5]), groups: 2));
        Assert.Contains("5 filters", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Conv2D(x, NF.Zeros([3, 3, 6, 4]), groups: 0));
        e = Assert.Throws<ArgumentException>(() => NF.Conv2D(x, NF.Zeros([3, 3, 6, 4]), dataFormat: "channels_middle"));
        Assert.Contains("\"channels_middle\"", e.Message);
        Assert.Contains("channels_first", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.MaxPool2D(x, [2], dataFormat: "HWNC"));
        Assert.Contains("MaxPool2D", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Conv2D(NF.Zeros([5, 5, 6]), NF.Zeros([3, 3, 6, 4]), dataFormat: "channels_first"));
        Assert.Contains("NCHW", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Conv2D(x, NF.Zeros([3, 3, 6, 4]), dataFormat: "channels_first"));
        Assert.Contains("has 5", e.Message); // NCHW reads (1, 5, 5, 6) as 5 channels
        e = Assert.Throws<ArgumentException>(() => NF.DepthwiseConv2D(x, NF.Zeros([3, 3, 4, 1])));
        Assert.Contains("DepthwiseConv2D", e.Message);
        Assert.Contains("(3, 3, 4, 1)", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Conv2DTranspose(x, NF.Zeros([3, 3, 4, 5])));
        Assert.Contains("Conv2DTranspose", e.Message);
        Assert.Contains("(1, 5, 5, 6)", e.Message);
        e = Assert.Throws<ArgumentException>(() => NF.Conv2DTranspose(x, NF.Zeros([3, 3, 4, 6]), [2], outputPadding: [2]));
        Assert.Contains("outputPadding", e.Message);
        Assert.Contains("stride", e.Message);
        // Keras refuses this one too: an even window with "same" and outputPadding 0 gives 2H - 2.
        e = Assert.Throws<ArgumentException>(() => NF.Conv2DTranspose(x, NF.Zeros([2, 2, 4, 6]), [2], "same", [0]));
        Assert.Contains("8x8", e.Message);
        Assert.Contains("5x5", e.Message);
    }
}

public sealed class ManagedConvVariantTests() : ConvVariantTests("managed");

public sealed class NativeCpuConvVariantTests() : ConvVariantTests("cpu");

public sealed class CudaConvVariantTests() : ConvVariantTests("cuda");
