using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe28;

namespace NeuralFlow.Tests.UserProbe29;

/// <summary>
/// MobileNetV3 and EfficientNetV2 saved and loaded as a user does (.keras, legacy .h5, .weights.h5): with their
/// classifiers at small sizes, as a frozen base under a new head, and weights files into a freshly built application.
/// MobileNetV3's hard sigmoid is ops (x + 3, * 1/6) between layers and EfficientNetV2's B stem a Normalization with
/// given statistics, which the files must keep. EfficientNetV2B1..B3, S, M and L are built by the same code as B0 (only
/// the blocks, widths and depths differ) and are left out to keep the class quick.
/// </summary>
public abstract class Applications5SaveTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void With_their_classifiers_they_survive_keras_and_h5_files()
    {
        RequireBackend();
        foreach (string ext in new[] { ".keras", ".h5" })
        {
            Check(Applications.MobileNetV3Small(inputShape: [32, 32, 3], classes: 5, weights: null), "mobilenetv3small" + ext);
            Check(Applications.MobileNetV3Large(inputShape: [32, 32, 3], alpha: 0.75, classes: 5, weights: null), "mobilenetv3large" + ext);
            Check(Applications.MobileNetV3Small(inputShape: [32, 32, 3], minimalistic: true, classes: 5, weights: null, includePreprocessing: false),
                  "mobilenetv3small_minimalistic" + ext);
            Check(Applications.EfficientNetV2B0(inputShape: [32, 32, 3], classes: 5, weights: null), "efficientnetv2b0" + ext);
        }
    }

    [SkippableFact]
    public void As_a_frozen_base_under_a_new_head_they_survive_a_keras_file()
    {
        RequireBackend();
        (string Name, Func<Model> Build)[] bases =
        [
            ("MobileNetV3Small", () => Applications.MobileNetV3Small(inputShape: [32, 32, 3], includeTop: false, weights: null, pooling: "avg")),
            ("EfficientNetV2B0", () => Applications.EfficientNetV2B0(inputShape: [32, 32, 3], includeTop: false, weights: null, pooling: "avg")),
        ];
        foreach (var (name, build) in bases)
            ApplicationsRoundTrip.FrozenBase(build(), Temp.File($"{name}.keras"), name, BackendName);
    }

    [SkippableFact]
    public void Weights_files_load_into_a_freshly_built_application()
    {
        RequireBackend();
        (string Name, Func<string?, Model> Build)[] builds =
        [
            ("MobileNetV3Large", weights => Applications.MobileNetV3Large(inputShape: [32, 32, 3], classes: 4, weights: weights)),
            ("EfficientNetV2B0", weights => Applications.EfficientNetV2B0(inputShape: [32, 32, 3], includeTop: false, weights: weights)),
        ];
        foreach (var (name, build) in builds)
            foreach (string ext in new[] { ".weights.h5", ".h5" })
            {
                var model = Applications3Weights.Fill(build(null));   // weights far from a fresh build's
                string path = Temp.File(name + ext);
                model.SaveWeights(path);
                var x = ApplicationsRoundTrip.Pixels(model);
                Assert.NotEqual(model.Predict(x).ToArray<float>(), build(null).Predict(x).ToArray<float>());
                // Through the application's weights argument, which reads the file as Keras' model.load_weights does.
                Assert.True(model.Predict(x).ToArray<float>().SequenceEqual(build(path).Predict(x).ToArray<float>()), name + ext);
            }
    }

    private Model Check(Model model, string file) => ApplicationsRoundTrip.Check(model, Temp.File(file), file, BackendName);
}

/// <summary>MobileNetV3 and EfficientNetV2 saved and loaded, on the managed backend.</summary>
public sealed class ManagedApplications5SaveTests() : Applications5SaveTests("managed");

/// <summary>MobileNetV3 and EfficientNetV2 saved and loaded, on the native CPU backend.</summary>
public sealed class NativeCpuApplications5SaveTests() : Applications5SaveTests("cpu");

/// <summary>MobileNetV3 and EfficientNetV2 saved and loaded, on the CUDA backend.</summary>
public sealed class CudaApplications5SaveTests() : Applications5SaveTests("cuda");
