using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe28;

namespace NeuralFlow.Tests.UserProbe30;

/// <summary>
/// RegNet, NASNetMobile and EfficientNetV2M saved and loaded as a user does: the smallest variants with their
/// classifiers through a .keras file, weights files into a freshly built application through <c>weights:</c> (RegNet
/// by layer order as Keras' load_weights, NASNet by layer name), and EfficientNetV2M (built before, never run) at a
/// small size, its forward the same after a .keras round trip, and its stages' output shapes.
/// </summary>
public abstract class Applications6SaveTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void The_smallest_variants_survive_a_keras_file()
    {
        RequireBackend();
        Check(Applications6Weights.Fill(Applications.RegNetX002(inputShape: [32, 32, 3], classes: 5, weights: null)), "regnetx002.keras");
        Check(Applications6Weights.Fill(Applications.RegNetY002(inputShape: [32, 32, 3], classes: 5, weights: null)), "regnety002.keras");
        Check(Applications6Weights.Fill(Applications.NASNetMobile(inputShape: [32, 32, 3], classes: 5, weights: null)), "nasnet_mobile.keras");
        ApplicationsRoundTrip.FrozenBase(Applications.RegNetY002(inputShape: [32, 32, 3], includeTop: false, weights: null, pooling: "avg"),
                                         Temp.File("regnety002_base.keras"), "RegNetY002 base", BackendName);
    }

    [SkippableFact]
    public void Weights_files_load_into_a_freshly_built_application()
    {
        RequireBackend();
        (string Name, Func<string?, Model> Build)[] builds =
        [
            ("RegNetX002", weights => Applications.RegNetX002(inputShape: [32, 32, 3], classes: 4, weights: weights)),
            ("RegNetY002", weights => Applications.RegNetY002(inputShape: [32, 32, 3], includeTop: false, weights: weights)),
            ("NASNetMobile", weights => Applications.NASNetMobile(inputShape: [32, 32, 3], includeTop: false, weights: weights)),
        ];
        foreach (var (name, build) in builds)
            foreach (string ext in new[] { ".weights.h5", ".h5" })
            {
                var model = Applications6Weights.Fill(build(null));   // weights far from a fresh build's
                string path = Temp.File(name + ext);
                model.SaveWeights(path);
                var x = ApplicationsRoundTrip.Pixels(model);
                Assert.NotEqual(model.Predict(x).ToArray<float>(), build(null).Predict(x).ToArray<float>());
                Assert.True(model.Predict(x).ToArray<float>().SequenceEqual(build(path).Predict(x).ToArray<float>()), name + ext);
            }
    }

    [SkippableFact]
    public void EfficientNetV2M_runs_at_a_small_size_the_same_after_a_keras_round_trip()
    {
        RequireBackend();
        var model = Applications.EfficientNetV2M(inputShape: [64, 64, 3], classes: 5, weights: null);
        // efficientnet_v2.py's M blocks: 3, 5, 5, 7, 14, 18 and 5 repeats of 24, 48, 80, 160, 176, 304 and 512 filters,
        // strides 1, 2, 2, 2, 1, 2, 1 after the stride-2 stem; every stage's last block keeps its width and adds its input.
        Assert.Equal(new int?[] { null, 32, 32, 24 }, model.GetLayer("stem_activation").Output.Shape);
        (string Layer, int Size, int Width)[] stages =
            [("block1c_add", 32, 24), ("block2e_add", 16, 48), ("block3e_add", 8, 80), ("block4g_add", 4, 160), ("block5n_add", 4, 176),
             ("block6r_add", 2, 304), ("block7e_add", 2, 512), ("top_activation", 2, 1280)];
        foreach (var (layer, size, width) in stages)
            Assert.Equal(new int?[] { null, size, size, width }, model.GetLayer(layer).Output.Shape);
        Assert.Throws<ArgumentException>(() => model.GetLayer("block7f_project_conv"));
        var probabilities = Check(model, "efficientnetv2m.keras").Predict(ApplicationsRoundTrip.Pixels(model)).ToArray<float>();
        Assert.Equal(10, probabilities.Length);
        Assert.All(probabilities, p => Assert.True(float.IsFinite(p) && p >= 0 && p <= 1));
        Assert.Equal(2.0, probabilities.Sum(), 4);
    }

    private Model Check(Model model, string file) => ApplicationsRoundTrip.Check(model, Temp.File(file), file, BackendName);
}

/// <summary>RegNet, NASNetMobile and EfficientNetV2M saved and loaded, on the managed backend.</summary>
public sealed class ManagedApplications6SaveTests() : Applications6SaveTests("managed");

/// <summary>RegNet, NASNetMobile and EfficientNetV2M saved and loaded, on the native CPU backend.</summary>
public sealed class NativeCpuApplications6SaveTests() : Applications6SaveTests("cpu");

/// <summary>RegNet, NASNetMobile and EfficientNetV2M saved and loaded, on the CUDA backend.</summary>
public sealed class CudaApplications6SaveTests() : Applications6SaveTests("cuda");
