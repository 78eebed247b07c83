using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe26;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// A user's first move with a Keras application: save it (.keras, legacy .h5, .weights.h5) and load it back. Each
/// family is checked at its minimum size, as a frozen base under a new Dense head (includeTop false, pooling "avg",
/// the functional API) and with its own classifier where that is cheap: the loaded model computes the same bits on the
/// CPU engines and keeps its layers' names, count and trainable flags and its Summary. VGG19, ResNet101/152,
/// DenseNet169/201 and EfficientNetB1..B7 are built by the same code as VGG16, ResNet50, DenseNet121 and EfficientNetB0
/// (only depths and widths differ) and are left out to keep the class quick.
/// </summary>
public abstract class ApplicationsSaveTests(string backend) : BackendFileTest(backend)
{
    // (name, a base at its minimum size): includeTop false, pooling "avg", random weights.
    private static readonly (string Name, Func<Model> Base)[] Bases =
    [
        ("VGG16", () => Applications.VGG16(includeTop: false, weights: null, inputShape: [32, 32, 3], pooling: "avg")),
        ("ResNet50", () => Applications.ResNet50(includeTop: false, weights: null, inputShape: [32, 32, 3], pooling: "avg")),
        ("MobileNet", () => Applications.MobileNet(inputShape: [32, 32, 3], alpha: 0.25, includeTop: false, weights: null, pooling: "avg")),
        ("MobileNetV2", () => Applications.MobileNetV2(inputShape: [32, 32, 3], alpha: 0.35, includeTop: false, weights: null, pooling: "avg")),
        ("DenseNet121", () => Applications.DenseNet121(includeTop: false, weights: null, inputShape: [32, 32, 3], pooling: "avg")),
        ("InceptionV3", () => Applications.InceptionV3(includeTop: false, weights: null, inputShape: [75, 75, 3], pooling: "avg")),
        ("Xception", () => Applications.Xception(includeTop: false, weights: null, inputShape: [71, 71, 3], pooling: "avg")),
        ("EfficientNetB0", () => Applications.EfficientNetB0(includeTop: false, weights: null, inputShape: [32, 32, 3], pooling: "avg")),
        ("InceptionResNetV2", () => Applications.InceptionResNetV2(includeTop: false, weights: null, inputShape: [75, 75, 3], pooling: "avg")),
    ];

    [SkippableFact]
    public void Every_family_as_a_frozen_base_under_a_new_head_survives_a_keras_file()
    {
        RequireBackend();
        foreach (var (name, build) in Bases)
            ApplicationsRoundTrip.FrozenBaseUnderHead(BackendName, build(), Temp.File($"{name}.keras"), name);
    }

    [SkippableFact]
    public void InceptionResNetV2_keeps_its_custom_scale_layers_in_keras_and_h5_files()
    {
        RequireBackend();
        // Failed before: CustomScaleLayer was neither registered nor gave its scale, so no saved InceptionResNetV2 loaded.
        var model = Applications.InceptionResNetV2(includeTop: false, weights: null, inputShape: [75, 75, 3], pooling: "avg");
        foreach (string file in new[] { "irv2.keras", "irv2.h5" })
        {
            var loaded = RoundTrip(model, file, file);
            var scales = loaded.Layers.Where(l => l.GetType().Name == "CustomScaleLayer").Select(l => l.GetConfig()["scale"]!.GetValue<double>()).ToArray();
            // Ten block35 at 0.17, twenty block17 at 0.1, nine block8 at 0.2 and the last at 1.0, as inception_resnet_v2.py.
            Assert.Equal([.. Enumerable.Repeat(0.17, 10), .. Enumerable.Repeat(0.1, 20), .. Enumerable.Repeat(0.2, 9), 1.0], scales);
        }
    }

    [SkippableFact]
    public void With_their_classifiers_the_cheap_ones_survive_keras_and_h5_files()
    {
        RequireBackend();
        foreach (string ext in new[] { ".keras", ".h5" })
        {
            RoundTrip(Applications.MobileNet(inputShape: [32, 32, 3], alpha: 0.25, classes: 5, weights: null), "mobilenet" + ext, "MobileNet" + ext);
            RoundTrip(Applications.MobileNetV2(inputShape: [32, 32, 3], alpha: 0.35, classes: 5, weights: null), "mobilenetv2" + ext, "MobileNetV2" + ext);
            RoundTrip(Applications.EfficientNetB0(inputShape: [32, 32, 3], classes: 5, weights: null), "efficientnetb0" + ext, "EfficientNetB0" + ext);
            RoundTrip(Applications.VGG16(inputShape: [32, 32, 3], classes: 5, weights: null), "vgg16" + ext, "VGG16" + ext);
        }
    }

    [SkippableFact]
    public void EfficientNet_built_on_an_imagenet_named_file_keeps_its_extra_rescale()
    {
        RequireBackend();
        // Keras multiplies by 1/sqrt(the ImageNet variances) after the Normalization only for "imagenet" weights; the
        // model built on that file holds the multiply as an op, which the file must keep (else the outputs differ).
        string other = Temp.File("mine_notop.weights.h5"), imagenet = Temp.File("efficientnetb0_notop.h5");
        Applications3Weights.Fill(Applications.EfficientNetB0(includeTop: false, weights: null, inputShape: [32, 32, 3])).SaveWeights(other);
        File.Copy(other, imagenet);
        var plain = Applications.EfficientNetB0(includeTop: false, weights: other, inputShape: [32, 32, 3]);
        var model = Applications.EfficientNetB0(includeTop: false, weights: imagenet, inputShape: [32, 32, 3]);
        // The multiply matters: without it the same weights compute something else (what a file that dropped it would load).
        Assert.NotEqual(plain.Predict(Pixels(plain)).ToArray<float>(), model.Predict(Pixels(model)).ToArray<float>());
        RoundTrip(model, "imagenet.keras", "EfficientNetB0 imagenet .keras");
        RoundTrip(model, "imagenet.h5", "EfficientNetB0 imagenet .h5");
    }

    [SkippableFact]
    public void Weights_files_load_into_a_freshly_built_application()
    {
        RequireBackend();
        foreach (var (name, build) in Bases.Where(b => b.Name is "InceptionResNetV2" or "EfficientNetB0" or "Xception" or "MobileNetV2"))
        {
            var model = build();
            string path = Temp.File($"{name}.weights.h5");
            model.SaveWeights(path);
            var fresh = build();
            var x = Pixels(model);
            Assert.NotEqual(model.Predict(x).ToArray<float>(), fresh.Predict(x).ToArray<float>());
            fresh.LoadWeights(path);
            Assert.True(model.Predict(x).ToArray<float>().SequenceEqual(fresh.Predict(x).ToArray<float>()), name);
        }
    }

    private static Tensor Pixels(Model model) => ApplicationsRoundTrip.Pixels(model);

    private Model RoundTrip(Model model, string file, string what) => ApplicationsRoundTrip.Check(BackendName, model, Temp.File(file), what);
}

/// <summary>Applications saved and loaded, on the managed backend.</summary>
public sealed class ManagedApplicationsSaveTests() : ApplicationsSaveTests("managed");

/// <summary>Applications saved and loaded, on the native CPU backend.</summary>
public sealed class NativeCpuApplicationsSaveTests() : ApplicationsSaveTests("cpu");

/// <summary>Applications saved and loaded, on the CUDA backend.</summary>
public sealed class CudaApplicationsSaveTests() : ApplicationsSaveTests("cuda");
