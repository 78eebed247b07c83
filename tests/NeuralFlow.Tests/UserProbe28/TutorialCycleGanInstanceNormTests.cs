using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe26;

namespace NeuralFlow.Tests.UserProbe28;

/// <summary>
/// What a TF user reaches for instead of tensorflow_examples' custom InstanceNormalization: Keras 3's
/// GroupNormalization(groups=-1) (tfa.layers.InstanceNormalization's successor), one group per channel. With
/// epsilon 1e-5 and the same scale and offset it gives the custom layer's outputs and gradients, and a model
/// with it saves to a .keras file and loads back with groups -1, its epsilon and its weights. The tutorial's
/// U-Net with the custom layer itself round-trips its weights, and loads from a .keras file given customObjects.
/// </summary>
public abstract class TutorialCycleGanInstanceNormTests(string backend) : BackendFileTest(backend)
{
    private static Tensor X => NF.Sin(NF.Reshape(NF.Cast(NF.Range(2 * 5 * 6 * 4), DType.Float32), [2, 5, 6, 4]) * 0.7f) * 3f + 1f;

    [SkippableFact]
    public void GroupNormalization_with_one_group_per_channel_is_the_tutorials_instance_norm()
    {
        RequireBackend();
        var custom = new TutorialPix2PixInstanceNormalization();
        var group = new Layers.GroupNormalization(groups: -1, epsilon: 1e-5);
        var x = X;
        custom.Call(x);
        group.Call(x);
        custom.Scale!.Assign(NF.Constant(new[] { 0.9f, 1.1f, 1.02f, 0.97f }));
        custom.Offset!.Assign(NF.Constant(new[] { 0.1f, -0.2f, 0f, 0.3f }));
        group.Gamma!.Assign(custom.Scale);
        group.Beta!.Assign(custom.Offset);
        Assert.Equal(4, group.GroupCount);

        Tensor[] Run(Layer layer, Variable scale, Variable offset)
        {
            using var tape = new GradientTape();
            tape.Watch(x);
            var y = layer.Call(x);
            var loss = NF.ReduceSum(y * NF.Cos(x));
            return [y, .. tape.Gradient(loss, [x, scale, offset])];
        }
        var want = Run(custom, custom.Scale, custom.Offset);
        var got = Run(group, group.Gamma, group.Beta);
        for (int i = 0; i < want.Length; i++)
            Assert.Equal(want[i].ToArray<float>(), got[i].ToArray<float>(), new UserProbe24.Near(2e-5f));
        // Each (sample, channel) plane comes out with mean offset and standard deviation ~ scale.
        var plane = got[0][1, .., .., 2];
        Assert.Equal(0f, NF.ReduceMean(plane).Item<float>(), 1e-5f);
    }

    [SkippableFact]
    public void A_model_with_instance_norm_by_GroupNormalization_saves_and_loads()
    {
        RequireBackend();
        var inputs = Layers.Input([8, 8, 3]);
        var h = new Layers.Conv2D(4, 4, strides: 2, padding: "same", useBias: false,
                                  kernelInitializer: Initializer.RandomNormal(0, 0.02)).Call(inputs);
        h = new Layers.GroupNormalization(groups: -1, epsilon: 1e-5, gammaInitializer: Initializer.RandomNormal(1, 0.02)).Call(h);
        var model = new Model(inputs, new Layers.LeakyReLU().Call(h));
        var x = NF.Sin(NF.Reshape(NF.Cast(NF.Range(2 * 8 * 8 * 3), DType.Float32), [2, 8, 8, 3]));
        var y = model.Predict(x).ToArray<float>();

        var loaded = Models.LoadModel(SaveTo(model, "instance_norm.keras"));
        var norm = Assert.IsType<Layers.GroupNormalization>(loaded.Layers.Single(l => l is Layers.GroupNormalization));
        Assert.Equal(-1, norm.Groups);
        Assert.Equal(1e-5, norm.Epsilon);
        Assert.Equal(y, loaded.Predict(x).ToArray<float>(), new UserProbe24.Near(1e-6f));
    }

    [SkippableFact]
    public void The_tutorials_generator_with_the_custom_layer_round_trips_its_weights()
    {
        RequireBackend();
        var generator = TutorialPix2PixNetworks.Generator(32, normType: "instancenorm", dropoutRate: 0);
        var x = TutorialPix2PixNetworks.ReferenceImage(1, 32, [7, 3, 5, 11]);
        var y = generator.Call(x).ToArray<float>();
        string path = Temp.File("generator_g.weights.h5");
        generator.SaveWeights(path);
        var fresh = TutorialPix2PixNetworks.Generator(32, normType: "instancenorm", dropoutRate: 0);
        Assert.NotEqual(y, fresh.Call(x).ToArray<float>());
        fresh.LoadWeights(path);
        Assert.Equal(y, fresh.Call(x).ToArray<float>(), new UserProbe24.Near(1e-6f));
        // The whole model in a .keras file: as in Keras, loading names the unknown custom layer and asks for it
        // in customObjects; given it, the loaded U-Net computes the same translation.
        string file = Temp.File("generator_g.keras");
        generator.Save(file);
        var e = Assert.Throws<InvalidDataException>(() => Model.Load(file));
        Assert.Contains("TutorialPix2PixInstanceNormalization", e.Message);
        Assert.Contains("customObjects", e.Message);
        var loaded = Model.Load(file, new Dictionary<string, Func<System.Text.Json.Nodes.JsonObject, Layer>>
        {
            ["TutorialPix2PixInstanceNormalization"] = _ => new TutorialPix2PixInstanceNormalization(),
        });
        Assert.Equal(y, loaded.Call(x).ToArray<float>(), new UserProbe24.Near(1e-6f));
    }
}

/// <summary>Instance norm by GroupNormalization on the managed backend.</summary>
public sealed class ManagedTutorialCycleGanInstanceNormTests() : TutorialCycleGanInstanceNormTests("managed");

/// <summary>Instance norm by GroupNormalization on the native CPU backend.</summary>
public sealed class NativeCpuTutorialCycleGanInstanceNormTests() : TutorialCycleGanInstanceNormTests("cpu");

/// <summary>Instance norm by GroupNormalization on CUDA.</summary>
public sealed class CudaTutorialCycleGanInstanceNormTests() : TutorialCycleGanInstanceNormTests("cuda");
