using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// keras.applications.ResNet101 and ResNet152 in C# (Applications.ResNet101, Applications.ResNet152): ResNet50's
/// builder (whose outputs UserProbe26's ApplicationsResNet50Tests check against PyTorch) with Keras' deeper stacks,
/// checked by Keras' published parameter counts, its layer names and counts, and the ImageNet files it names.
/// </summary>
public abstract class Applications2ResNetTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Parameter_counts_and_layer_names_are_keras()
    {
        RequireBackend();
        // Keras' published counts with the classifier; they do not depend on the image size (a global pooling feeds it).
        var resnet101 = Applications.ResNet101(weights: null, inputShape: [32, 32, 3]);
        Assert.Equal("resnet101", resnet101.Name);
        Assert.Equal(44_707_176, resnet101.CountParams());
        // ResNet50's 177 layers and ten for each of the 17 blocks more in 'conv4'.
        Assert.Equal(347, resnet101.Layers.Count);
        Assert.Equal(["conv4_block23_out", "conv5_block1_1_conv"], resnet101.Layers.Select(l => l.Name).Where(n => n is "conv4_block23_out" or "conv5_block1_1_conv"));
        Assert.Null(resnet101.Layers.FirstOrDefault(l => l.Name == "conv4_block24_out"));
        Assert.Equal(42_658_176, Applications.ResNet101(includeTop: false, weights: null).CountParams());

        var resnet152 = Applications.ResNet152(weights: null, inputShape: [32, 32, 3]);
        Assert.Equal("resnet152", resnet152.Name);
        Assert.Equal(60_419_944, resnet152.CountParams());
        Assert.Equal(517, resnet152.Layers.Count);
        Assert.NotNull(resnet152.GetLayer("conv3_block8_out"));
        Assert.NotNull(resnet152.GetLayer("conv4_block36_out"));
        var noTop = Applications.ResNet152(includeTop: false, weights: null, inputShape: [64, 64, 3], pooling: "max");
        Assert.Equal(58_370_944, noTop.CountParams());
        Assert.Equal("max_pool", noTop.Layers[^1].Name);
        Assert.Equal(new int?[] { null, 2048 }, noTop.Output.Shape);
    }

    [SkippableFact]
    public void Imagenet_names_each_depths_file()
    {
        RequireBackend();
        var e = Assert.Throws<ArgumentException>(() => Applications.ResNet101());
        Assert.Equal("weights", e.ParamName);
        Assert.Contains("https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet101_weights_tf_dim_ordering_tf_kernels.h5", e.Message);
        Assert.Contains("resnet152_weights_tf_dim_ordering_tf_kernels_notop.h5", Assert.Throws<ArgumentException>(() => Applications.ResNet152(includeTop: false)).Message);
        Assert.Contains("resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5", Assert.Throws<ArgumentException>(() => Applications.ResNet50(includeTop: false)).Message);
        Assert.Contains("at least 32x32", Assert.Throws<ArgumentException>(() => Applications.ResNet152(weights: null, inputShape: [16, 16, 3])).Message);
    }
}

/// <summary>Applications.ResNet101 and ResNet152, on the managed backend.</summary>
public sealed class ManagedApplications2ResNetTests() : Applications2ResNetTests("managed");

/// <summary>Applications.ResNet101 and ResNet152, on the native CPU backend.</summary>
public sealed class NativeCpuApplications2ResNetTests() : Applications2ResNetTests("cpu");

/// <summary>Applications.ResNet101 and ResNet152, on the CUDA backend.</summary>
public sealed class CudaApplications2ResNetTests() : Applications2ResNetTests("cuda");
