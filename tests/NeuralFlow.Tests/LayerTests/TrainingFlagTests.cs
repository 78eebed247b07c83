using NeuralFlow.Keras;

namespace NeuralFlow.Tests.LayerTests;

/// <summary>Keras' <c>layer(x, training=...)</c>, non-trainable weights and the list form of Call.</summary>
public sealed class TrainingFlagTests
{
    [Fact]
    public void CallWithTrainingTrueDropsAndRestoresTheMode()
    {
        var dropout = new Keras.Layers.Dropout(0.5);
        using var x = NF.Ones([1000]);
        Assert.False(Layer.IsTraining);
        using var inference = dropout.Call(x, training: false);
        Assert.Equal(1000f, NF.ReduceSum(inference).Item<float>());
        using var trained = dropout.Call(x, training: true);
        var zeros = trained.ToArray<float>().Count(v => v == 0);
        Assert.InRange(zeros, 350, 650);
        Assert.All(trained.ToArray<float>(), v => Assert.True(v == 0 || v == 2f));
        Assert.False(Layer.IsTraining); // the mode holds for that call only
    }

    [Fact]
    public void TrainingFalseInsideATrainingScopeWins()
    {
        var dropout = new Keras.Layers.Dropout(0.5);
        using var x = NF.Ones([100]);
        using (Layer.TrainingMode())
        {
            using var y = dropout.Call(x, training: false);
            Assert.Equal(100f, NF.ReduceSum(y).Item<float>());
            Assert.True(Layer.IsTraining);
        }
    }

    private sealed class WithCounter : Layer
    {
        public Variable? Kernel, Count;
        protected override void Build(Shape inputShape)
        {
            Kernel = AddWeight("kernel", [inputShape[-1], 2], Initializer.Get("ones"));
            Count = AddWeight("count", [], Initializer.Get("zeros"), trainable: false);
        }
        protected override Tensor Forward(Tensor x) => NF.MatMul(x, Kernel!);
    }

    [Fact]
    public void NonTrainableVariablesAreTheOnesMadeWithTrainableFalse()
    {
        var layer = new WithCounter();
        using var x = NF.Ones([3, 4]);
        using var y = layer.Call(x);
        Assert.Equal([layer.Kernel!], layer.TrainableVariables);
        Assert.Equal([layer.Count!], layer.NonTrainableVariables);
        Assert.Equal(2, layer.Variables.Count);
    }

    [Fact]
    public void ALayerOfOneInputTakesAListOfOneAndNamesAListOfTwo()
    {
        var dense = new Keras.Layers.Dense(2, name: "d_list");
        using var x = NF.Ones([3, 4]);
        using var y = dense.Call([x]);
        Assert.Equal(new Shape(3, 2), y.Shape);
        var e = Assert.Throws<ArgumentException>(() => dense.Call([x, x]));
        Assert.Contains("d_list", e.Message);
        Assert.Contains("list of 2", e.Message);
    }
}

/// <summary>NF.Pow with a C# number exponent on a float32 tensor differentiates (it threw "dtypes must match").</summary>
public abstract class PowNumberExponentTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void The_gradient_of_x_to_a_double_power_stays_float32()
    {
        RequireBackend();
        var x = new Variable(NF.Constant(new[] { 1f, 2f, 3f }));
        using var tape = new GradientTape();
        var y = NF.ReduceSum(NF.Pow(x, 3.0));
        var g = tape.Gradient(y, x);
        Assert.Equal(DType.Float32, g.DType);
        Assert.Equal(new[] { 3f, 12f, 27f }, g.ToArray<float>());
    }
}

public sealed class ManagedPowNumberExponentTests() : PowNumberExponentTests("managed");
public sealed class NativeCpuPowNumberExponentTests() : PowNumberExponentTests("cpu");
public sealed class CudaPowNumberExponentTests() : PowNumberExponentTests("cuda");

/// <summary>Default layer names follow Keras' to_snake_case (keras/src/utils/naming.py), so names saved by Keras line up.</summary>
public sealed class LayerNamingTests
{
    [Theory]
    [InlineData("Conv2D", "conv2d")]
    [InlineData("MaxPooling2D", "max_pooling2d")]
    [InlineData("GlobalAveragePooling2D", "global_average_pooling2d")]
    [InlineData("BatchNormalization", "batch_normalization")]
    [InlineData("Conv2DTranspose", "conv2d_transpose")]
    [InlineData("DepthwiseConv2D", "depthwise_conv2d")]
    [InlineData("ZeroPadding2D", "zero_padding2d")]
    [InlineData("UpSampling2D", "up_sampling2d")]
    [InlineData("ReLU", "re_lu")]
    [InlineData("Dense", "dense")]
    public void Names_are_kerases(string type, string expected) => Assert.Equal(expected, Layer.ToSnakeCase(type));
}
