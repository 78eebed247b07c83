using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// A subclassed model whose call returns several tensors (Keras' call returning a list or dictionary, as the style
/// transfer tutorial's StyleContentModel): it overrides ForwardOutputs and CallOutputs returns them all, where it used
/// to go through Call and refuse the model's own outputs.
/// </summary>
public abstract class SubclassedModelOutputsTests(string backend) : BackendTest(backend)
{
    private sealed class TwoHeads : Model
    {
        public readonly Layers.Dense Head = new(2, useBias: false, kernelInitializer: "ones");

        protected override IReadOnlyList<Tensor> ForwardOutputs(Tensor x) => [Head.Call(x), NF.ReduceSum(x, [1])];
    }

    [SkippableFact]
    public void Call_outputs_returns_every_tensor_of_a_subclassed_model()
    {
        RequireBackend();
        var model = new TwoHeads();
        var x = NF.Constant(new float[] { 1, 2, 3, 4, 5, 6 }, new Shape(2, 3));
        var outputs = model.CallOutputs(x);
        Assert.Equal(2, outputs.Count);
        Assert.Equal(new float[] { 6, 6, 15, 15 }, outputs[0].ToArray<float>());
        Assert.Equal(new float[] { 6, 15 }, outputs[1].ToArray<float>());
        // The model tracks its layer's weights, and a tape sees through the outputs.
        Assert.Single(model.TrainableVariables);
        using (var tape = new GradientTape())
        {
            var (a, b) = (model.CallOutputs(x)[0], model.CallOutputs(x)[1]);
            var g = tape.Gradient(NF.ReduceSum(a) + NF.ReduceSum(b), model.Head.Kernel!);
            Assert.Equal(new float[] { 5, 5, 7, 7, 9, 9 }, g.ToArray<float>());
        }
        // One Tensor cannot hold them: Call says to use CallOutputs.
        Assert.Contains("call CallOutputs", Assert.Throws<InvalidOperationException>(() => model.Call(x)).Message);
    }
}

/// <summary>Subclassed models of several outputs on the managed backend.</summary>
public sealed class ManagedSubclassedModelOutputsTests() : SubclassedModelOutputsTests("managed");

/// <summary>Subclassed models of several outputs on the native CPU backend.</summary>
public sealed class NativeCpuSubclassedModelOutputsTests() : SubclassedModelOutputsTests("cpu");

/// <summary>Subclassed models of several outputs on CUDA.</summary>
public sealed class CudaSubclassedModelOutputsTests() : SubclassedModelOutputsTests("cuda");
