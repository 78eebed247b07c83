using NeuralFlow.Keras;
using static NeuralFlow.Tests.Reference;

namespace NeuralFlow.Tests.UserProbe6;

/// <summary>
/// A user's CNN on an odd 7x5 image: Conv2D with "same"/"valid" padding at strides 2 and 3 and with
/// dilation, in channels_last and channels_first, and max/average pooling with "same" padding,
/// against PyTorch 1.13 on Keras' explicit padding rule (conv_probe6.py prints the values).
/// </summary>
public abstract class ConvPaddingProbeTests(string backend) : BackendTest(backend)
{
    private static readonly Dictionary<(string, int, int), (int[] Shape, float[] Values)> ConvExpected = new()
    {
        [("same", 2, 1)] = ([1, 4, 3, 3], new float[] { -2.359195f, -2.814900f, -2.464069f, -2.647153f, -3.298866f, -3.142834f, -0.477260f, -1.071695f, -0.863952f, 3.773991f, 3.215218f, 3.447909f, 7.814192f, 7.292037f, 7.551155f, 5.607031f, 5.291086f, 5.761415f, 2.074015f, 2.070231f, 2.860773f, -0.710229f, -0.521827f, 0.467380f, -2.944897f, -2.945703f, -2.139646f, -3.136201f, -3.319378f, -2.694759f, -3.867798f, -4.142395f, -3.607137f, -1.155449f, -1.515751f, -1.072764f }),
        [("same", 3, 1)] = ([1, 3, 2, 3], new float[] { -2.875550f, -3.464211f, -3.244713f, -0.477260f, -1.071695f, -0.863952f, 7.367925f, 7.225520f, 7.864556f, 2.378479f, 2.340599f, 3.096368f, -4.821306f, -5.025897f, -4.418426f, -1.155449f, -1.515751f, -1.072764f }),
        [("valid", 3, 1)] = ([1, 2, 1, 3], new float[] { 0.435266f, -0.351090f, -0.337069f, 0.917701f, 1.092237f, 2.063543f }),
        [("valid", 1, 2)] = ([1, 3, 1, 3], new float[] { 6.662361f, 6.342925f, 6.807136f, 7.155422f, 7.006979f, 7.640521f, 1.161761f, 1.044969f, 1.725065f }),
        [("same", 1, 2)] = ([1, 7, 5, 3], new float[] { -1.884669f, -2.342639f, -1.995253f, -1.385794f, -1.861043f, -1.532141f, -1.304149f, -1.877758f, -1.647175f, -0.272228f, -0.762904f, -0.452172f, 0.317691f, -0.174646f, 0.132954f, 0.973119f, 0.501242f, 0.827612f, 1.535669f, 1.082589f, 1.426303f, 2.960034f, 2.450326f, 2.733993f, 2.366079f, 1.939923f, 2.308418f, 2.697861f, 2.303144f, 2.702171f, 3.790251f, 3.432044f, 3.864760f, 4.530467f, 4.191316f, 4.641189f, 6.662361f, 6.342925f, 6.807136f, 4.531342f, 4.259128f, 4.775770f, 4.943691f, 4.699655f, 5.243372f, 5.540626f, 5.284973f, 5.815610f, 5.254944f, 5.017807f, 5.567628f, 7.155422f, 7.006979f, 7.640521f, 4.614915f, 4.451620f, 5.076698f, 4.054629f, 3.899487f, 4.534099f, 2.288914f, 2.095043f, 2.695434f, 1.239990f, 1.047070f, 1.651034f, 1.161761f, 1.044969f, 1.725065f, 0.547496f, 0.367434f, 0.985953f, -0.470300f, -0.669730f, -0.067985f, -0.744387f, -0.863663f, -0.181281f, -1.354194f, -1.476899f, -0.796413f, -2.780529f, -2.835270f, -2.083424f, -2.326818f, -2.477624f, -1.822737f, -2.787861f, -2.956927f, -2.319103f, -3.010375f, -3.211993f, -2.606083f, -3.145789f, -3.379487f, -2.805238f, -4.982021f, -5.223206f, -4.651836f, -3.368870f, -3.653009f, -3.128518f, -3.169261f, -3.486918f, -2.996358f }),
    };

    private static readonly Dictionary<(string, string, int, int), (int[] Shape, float[] Values)> PoolExpected = new()
    {
        [("MaxPooling2D", "same", 3, 2)] = ([1, 4, 3, 2], new float[] { 0.932039f, 0.963558f, 0.999574f, 0.997495f, 0.999574f, 0.991665f, 0.932039f, 0.963558f, 0.999574f, 0.997495f, 0.999574f, 0.991665f, 0.141120f, 0.041581f, -0.058374f, -0.157746f, -0.442520f, -0.373877f, -0.083089f, 0.016814f, 0.311541f, 0.404850f, 0.494113f, 0.578440f }),
        [("AveragePooling2D", "same", 3, 2)] = ([1, 4, 3, 2], new float[] { 0.493045f, 0.562530f, 0.678299f, 0.728647f, 0.813855f, 0.841377f, 0.595675f, 0.557919f, 0.462232f, 0.409546f, 0.294922f, 0.231165f, -0.564669f, -0.601448f, -0.651199f, -0.668942f, -0.690017f, -0.687423f, -0.551221f, -0.480858f, -0.323747f, -0.241952f, -0.072554f, 0.014682f }),
        [("AveragePooling2D", "same", 2, 3)] = ([1, 3, 2, 2], new float[] { 0.493045f, 0.562530f, 0.813855f, 0.841377f, -0.386408f, -0.462652f, -0.761058f, -0.799995f, -0.181252f, -0.082674f, 0.402827f, 0.491645f }),
        [("MaxPooling2D", "valid", 2, 3)] = ([1, 2, 2, 2], new float[] { 0.932039f, 0.963558f, 0.999574f, 0.991665f, 0.141120f, 0.041581f, -0.442520f, -0.529836f }),
    };

    // conv_probe6.py's x: sin(0.1 * i) laid out [1, 7, 5, 2]; kernel cos(0.05 * i) laid out [3, 3, 2, 3].
    private static Tensor X() => NF.Constant(Enumerable.Range(0, 70).Select(i => (float)Math.Sin(0.1 * i)).ToArray(), [1, 7, 5, 2]);
    private static Tensor Kernel() => NF.Constant(Enumerable.Range(0, 54).Select(i => (float)Math.Cos(0.05 * i)).ToArray(), [3, 3, 2, 3]);
    private static readonly float[] Bias = [0.1f, -0.2f, 0.3f];

    private static Tensor RunConv(string padding, int stride, int dilation, string dataFormat)
    {
        var conv = new Layers.Conv2D(3, 3, strides: stride, padding: padding, dilationRate: dilation, dataFormat: dataFormat);
        var x = dataFormat == "channels_first" ? NF.Transpose(X(), [0, 3, 1, 2]) : X();
        conv.EnsureBuilt(x.Shape);
        conv.SetWeights([Kernel(), NF.Constant(Bias)]);
        var y = conv.Call(x);
        return dataFormat == "channels_first" ? NF.Transpose(y, [0, 2, 3, 1]) : y;
    }

    public static TheoryData<string, int, int, string> ConvCases()
    {
        var data = new TheoryData<string, int, int, string>();
        foreach (var format in new[] { "channels_last", "channels_first" })
            foreach (var (p, s, d) in new[] { ("same", 2, 1), ("same", 3, 1), ("valid", 3, 1), ("valid", 1, 2), ("same", 1, 2) })
                data.Add(p, s, d, format);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(ConvCases))]
    public void Conv2d_on_an_odd_image_matches_torch_on_keras_padding(string padding, int stride, int dilation, string dataFormat)
    {
        RequireBackend();
        var (shape, expected) = ConvExpected[(padding, stride, dilation)];
        var y = RunConv(padding, stride, dilation, dataFormat);
        Assert.Equal(shape, y.Shape.ToArray());
        AssertClose(expected.Select(v => (double)v).ToArray(), y.ToArray<float>().Select(v => (double)v).ToArray(), rtol: 1e-4, atol: 1e-4);
    }

    public static TheoryData<string, string, int, int, string> PoolCases()
    {
        var data = new TheoryData<string, string, int, int, string>();
        foreach (var format in new[] { "channels_last", "channels_first" })
            foreach (var (layer, p, size, s) in new[] { ("MaxPooling2D", "same", 3, 2), ("AveragePooling2D", "same", 3, 2), ("AveragePooling2D", "same", 2, 3), ("MaxPooling2D", "valid", 2, 3) })
                data.Add(layer, p, size, s, format);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(PoolCases))]
    public void Pooling_an_odd_image_matches_torch_on_keras_padding(string layer, string padding, int size, int stride, string dataFormat)
    {
        RequireBackend();
        var (shape, expected) = PoolExpected[(layer, padding, size, stride)];
        Layer pool = layer == "MaxPooling2D"
            ? new Layers.MaxPooling2D(size, stride, padding, dataFormat: dataFormat)
            : new Layers.AveragePooling2D(size, stride, padding, dataFormat: dataFormat);
        var x = dataFormat == "channels_first" ? NF.Transpose(X(), [0, 3, 1, 2]) : X();
        var y = pool.Call(x);
        if (dataFormat == "channels_first") y = NF.Transpose(y, [0, 2, 3, 1]);
        Assert.Equal(shape, y.Shape.ToArray());
        AssertClose(expected.Select(v => (double)v).ToArray(), y.ToArray<float>().Select(v => (double)v).ToArray(), rtol: 1e-5, atol: 1e-5);
    }

    [SkippableFact]
    public void A_1x1_image_through_a_same_strided_cnn_trains_and_pools()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        var model = new Sequential(
            new Layers.Conv2D(4, 3, strides: 2, padding: "same", activation: "relu"),
            new Layers.MaxPooling2D(2, padding: "same"),
            new Layers.BatchNormalization(),
            new Layers.GlobalAveragePooling2D(),
            new Layers.Dense(2));
        model.Compile("adam", new Losses.SparseCategoricalCrossentropy(fromLogits: true));
        var x = NF.Random.Normal([6, 1, 1, 3]);
        var history = model.Fit(x, NF.Constant(new long[] { 0, 1, 0, 1, 1, 0 }), batchSize: 3, epochs: 2, verbose: 0);
        Assert.All(history["loss"], l => Assert.True(float.IsFinite(l)));
        Assert.Equal([6, 2], model.Predict(x, verbose: 0).Shape.ToArray());
    }
}

public sealed class ManagedConvPaddingProbeTests() : ConvPaddingProbeTests("managed");

public sealed class NativeCpuConvPaddingProbeTests() : ConvPaddingProbeTests("cpu");

public sealed class CudaConvPaddingProbeTests() : ConvPaddingProbeTests("cuda");
