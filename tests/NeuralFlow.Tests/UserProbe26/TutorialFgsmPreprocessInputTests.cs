using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// The FGSM tutorial's tf.keras.applications.mobilenet_v2.preprocess_input and the imagenet_utils.preprocess_input it
/// calls, in its three modes, on a uint8 image and a float batch, channels last and first; the values are Keras' NumPy
/// path's (inputgrads_references.py).
/// </summary>
public abstract class TutorialFgsmPreprocessInputTests(string backend) : BackendTest(backend)
{
    // inputgrads_references.py: the 2 x 2 image's pixels (RGB) and their three preprocessings.
    private static readonly byte[] Pixels = [185, 158, 103, 223, 219, 113, 240, 159, 48, 241, 171, 115];
    private static readonly float[] Tf = [0.45098039f, 0.23921569f, -0.19215686f, 0.74901961f, 0.71764706f, -0.11372549f, 0.88235294f, 0.24705882f, -0.62352941f, 0.89019608f, 0.34117647f, -0.098039216f];
    private static readonly float[] Torch = [1.0501755f, 0.73039216f, -0.0092374728f, 1.7009162f, 1.7983193f, 0.16505447f, 1.992037f, 0.74789916f, -0.96784314f, 2.0091617f, 0.95798319f, 0.19991285f];
    private static readonly float[] Caffe = [-0.939f, 41.221f, 61.32f, 9.061f, 102.221f, 99.32f, -55.939f, 42.221f, 116.32f, 11.061f, 54.221f, 117.32f];

    [SkippableFact]
    public void The_three_modes_scale_a_uint8_image_as_Keras()
    {
        RequireBackend();
        var image = NF.Constant(Pixels, new Shape(2, 2, 3));
        var tf = Applications.MobileNetV2PreprocessInput(image);
        Assert.Equal(DType.Float32, tf.DType);
        Assert.Equal(image.Shape, tf.Shape);
        TutorialInputGradsModel.Close(Tf, tf, 1e-6, 1e-7, "mobilenet_v2");
        TutorialInputGradsModel.Close(Torch, Applications.ImagenetUtils.PreprocessInput(image, mode: "torch"), 1e-6, 1e-6, "torch");
        // "caffe", Keras' default mode: BGR, less the BGR mean.
        TutorialInputGradsModel.Close(Caffe, Applications.ImagenetUtils.PreprocessInput(image), 1e-6, 1e-4, "caffe");
    }

    [SkippableFact]
    public void A_float_batch_keeps_its_dtype_and_channels_first_reads_the_channels_from_axis_1()
    {
        RequireBackend();
        var batch = NF.Stack([NF.Constant(Pixels, new Shape(2, 2, 3)), NF.Constant(Pixels, new Shape(2, 2, 3))]);
        var asDouble = NF.Cast(batch, DType.Float64);
        var torch = Applications.ImagenetUtils.PreprocessInput(asDouble, mode: "torch");
        Assert.Equal(DType.Float64, torch.DType);
        TutorialInputGradsModel.Close([.. Torch, .. Torch], NF.Cast(torch, DType.Float32), 1e-6, 1e-6, "torch, float64 batch");

        // The same images channels first: [N, C, H, W] in, the same values out in that layout.
        var first = NF.Transpose(NF.Cast(batch, DType.Float32), [0, 3, 1, 2]);
        var caffe = Applications.ImagenetUtils.PreprocessInput(first, dataFormat: "channels_first");
        TutorialInputGradsModel.Close([.. Caffe, .. Caffe], NF.Transpose(caffe, [0, 2, 3, 1]), 1e-6, 1e-4, "caffe, channels first");
        var one = Applications.ImagenetUtils.PreprocessInput(first[0], dataFormat: "channels_first", mode: "torch");
        TutorialInputGradsModel.Close(Torch, NF.Transpose(one, [1, 2, 0]), 1e-6, 1e-6, "torch, one image channels first");
    }

    [SkippableFact]
    public void Unknown_modes_and_formats_and_images_without_three_channels_are_refused_by_name()
    {
        RequireBackend();
        var image = NF.Ones([2, 2, 3]);
        Assert.Contains("Received: mode=keras", Assert.Throws<ArgumentException>(() => Applications.ImagenetUtils.PreprocessInput(image, mode: "keras")).Message);
        Assert.Contains("Received: data_format=nhwc", Assert.Throws<ArgumentException>(() => Applications.ImagenetUtils.PreprocessInput(image, dataFormat: "nhwc")).Message);
        Assert.Contains("needs 3 channels on axis 2", Assert.Throws<ArgumentException>(() => Applications.ImagenetUtils.PreprocessInput(NF.Ones([2, 2, 4]))).Message);
        Assert.Contains("needs an image", Assert.Throws<ArgumentException>(() => Applications.ImagenetUtils.PreprocessInput(NF.Ones([3]), dataFormat: "channels_first", mode: "torch")).Message);
        // Channels last, any rank (Keras indexes x[..., c]): one pixel is three channels.
        var pixel = Applications.ImagenetUtils.PreprocessInput(NF.Zeros([3]), mode: "torch").ToArray<float>();
        double[] black = [-2.1179039301310043, -2.0357142857142856, -1.8044444444444445];   // (0 - mean) / std
        for (int c = 0; c < 3; c++) Assert.Equal(black[c], pixel[c], 1e-6);
        // "tf" reads no channel: any shape scales.
        Assert.Equal(new[] { 1f, -1f }, Applications.MobileNetV2PreprocessInput(NF.Constant(new[] { 255f, 0f })).ToArray<float>());
    }
}

/// <summary>preprocess_input, on the managed backend.</summary>
public sealed class ManagedTutorialFgsmPreprocessInputTests() : TutorialFgsmPreprocessInputTests("managed");

/// <summary>preprocess_input, on the native CPU backend.</summary>
public sealed class NativeCpuTutorialFgsmPreprocessInputTests() : TutorialFgsmPreprocessInputTests("cpu");

/// <summary>preprocess_input, on the CUDA backend.</summary>
public sealed class CudaTutorialFgsmPreprocessInputTests() : TutorialFgsmPreprocessInputTests("cuda");
