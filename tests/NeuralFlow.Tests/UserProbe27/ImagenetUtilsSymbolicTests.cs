using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// imagenet_utils.preprocess_input on a KerasTensor (Keras' _preprocess_tensor_input): every mode and data format inside a
/// functional model computes what the tensor form computes (whose values are Keras' NumPy path's, UserProbe26's
/// TutorialFgsmPreprocessInputTests), and a model holding it saves and loads. Only "tf" channels last and "caffe" channels
/// last existed on KerasTensors before (as MobileNetV2's and ResNet50's own preprocessing).
/// </summary>
public abstract class ImagenetUtilsSymbolicTests(string backend) : BackendFileTest(backend)
{
    // Two 2 x 2 RGB images (UserProbe26's pixels and their reverse).
    private static readonly float[] Pixels =
        [185, 158, 103, 223, 219, 113, 240, 159, 48, 241, 171, 115, 115, 171, 241, 48, 159, 240, 113, 219, 223, 103, 158, 185];

    [SkippableTheory]
    [InlineData("tf", "channels_last")]
    [InlineData("torch", "channels_last")]
    [InlineData("caffe", "channels_last")]
    [InlineData("tf", "channels_first")]
    [InlineData("torch", "channels_first")]
    [InlineData("caffe", "channels_first")]
    public void Each_mode_in_a_model_equals_the_tensor_form(string mode, string dataFormat)
    {
        RequireBackend();
        bool first = dataFormat == "channels_first";
        var images = NF.Constant(Pixels, new Shape(2, 2, 2, 3));
        if (first) images = NF.Transpose(images, [0, 3, 1, 2]);
        var expected = Applications.ImagenetUtils.PreprocessInput(images, dataFormat, mode).ToArray<float>();

        var inputs = Layers.Input(first ? [3, 2, 2] : [2, 2, 3]);
        var model = new Model(inputs, Applications.ImagenetUtils.PreprocessInput(inputs, dataFormat, mode));
        var got = model.Predict(images).ToArray<float>();
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < got.Length; i++) Assert.Equal(expected[i], got[i], 1e-4);

        // The scaling is ops of the graph: it saves and loads with the model.
        var loaded = Models.LoadModel(SaveTo(model, "preprocess.keras"));
        Assert.Equal(got, loaded.Predict(images).ToArray<float>());
    }

    [SkippableFact]
    public void Bad_modes_formats_and_channel_axes_are_refused_on_the_symbolic_shape()
    {
        RequireBackend();
        Assert.Contains("Received: mode=bgr", Assert.Throws<ArgumentException>(() => Applications.ImagenetUtils.PreprocessInput(Layers.Input([2, 3]), mode: "bgr")).Message);
        Assert.Contains("Received: data_format=nchw", Assert.Throws<ArgumentException>(() => Applications.ImagenetUtils.PreprocessInput(Layers.Input([2, 3]), dataFormat: "nchw")).Message);
        var unknown = Assert.Throws<ArgumentException>(() => Applications.ImagenetUtils.PreprocessInput(Layers.Input([4, 4, null])));
        Assert.Contains("needs 3 channels on axis 3", unknown.Message);
        Assert.Contains("[None, 4, 4, None]", unknown.Message);
        Assert.Contains("needs 3 channels on axis 1", Assert.Throws<ArgumentException>(() =>
            Applications.ImagenetUtils.PreprocessInput(Layers.Input([4, 2, 2]), "channels_first", "torch")).Message);
        // "tf" reads no channel axis: any shape.
        Assert.Equal([null, 4, 4, null], Applications.ImagenetUtils.PreprocessInput(Layers.Input([4, 4, null]), mode: "tf").Shape);
    }
}

/// <summary>Symbolic preprocess_input, on the managed backend.</summary>
public sealed class ManagedImagenetUtilsSymbolicTests() : ImagenetUtilsSymbolicTests("managed");

/// <summary>Symbolic preprocess_input, on the native CPU backend.</summary>
public sealed class NativeCpuImagenetUtilsSymbolicTests() : ImagenetUtilsSymbolicTests("cpu");

/// <summary>Symbolic preprocess_input, on the CUDA backend.</summary>
public sealed class CudaImagenetUtilsSymbolicTests() : ImagenetUtilsSymbolicTests("cuda");
