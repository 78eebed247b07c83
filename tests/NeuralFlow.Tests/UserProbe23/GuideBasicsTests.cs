using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe23;

/// <summary>
/// TensorFlow's "TensorFlow basics" guide (guide/basics.ipynb) in C#: tensors, variables, automatic
/// differentiation, a traced function's retracing, a module with a traced method, and the quadratic
/// model trained by a hand-written loop over a dataset and by Keras. The guide's noise is 0.5 sin(7x)
/// and its random start fixed, so that the numbers are PyTorch's (guide_training_references.py).
/// </summary>
public abstract class GuideBasicsTests(string backend) : BackendTest(backend)
{
    [SkippableFact]
    public void Tensors_variables_and_a_gradient()
    {
        RequireBackend();
        var x = NF.Constant(new[,] { { 1f, 2f, 3f }, { 4f, 5f, 6f } });
        Assert.Equal(new Shape(2, 3), x.Shape);
        Assert.Equal(DType.Float32, x.DType);
        Assert.Equal([2f, 4f, 6f, 8f, 10f, 12f], (x + x).ToArray<float>());
        Assert.Equal([5f, 10f, 15f, 20f, 25f, 30f], (5 * x).ToArray<float>());
        Assert.Equal([14f, 32f, 32f, 77f], NF.MatMul(x, NF.Transpose(x)).ToArray<float>());
        Assert.Equal(new Shape(6, 3), NF.Concat([x, x, x], axis: 0).Shape);
        // tf.nn.softmax(x, axis=-1): [0.09003057, 0.24472848, 0.66524094] per row.
        var softmax = NF.Softmax(x, axis: -1).ToArray<float>();
        Assert.Equal(0.09003057f, softmax[0], 6);
        Assert.Equal(0.66524094f, softmax[5], 6);
        Assert.Equal(21f, NF.ReduceSum(x).Item<float>());
        Assert.Equal(6, NF.ReduceSum(NF.Constant(new[] { 1, 2, 3 })).Item<int>());

        var v = new Variable(NF.Constant(new[] { 0f, 0f, 0f }));
        v.Assign(new[] { 1f, 2f, 3f });
        v.AssignAdd(new[] { 1f, 1f, 1f });
        Assert.Equal([2f, 3f, 4f], v.ToArray<float>());

        var xv = new Variable(1.0f);
        Tensor F(Tensor t) => NF.Pow(t, 2) + 2 * t - 5;
        Assert.Equal(-2f, F(xv).Item<float>());
        using var tape = new GradientTape();
        var y = F(xv);
        Assert.Equal(4f, tape.Gradient(y, xv).Item<float>());   // g(x) = 2x + 2
    }

    [SkippableFact]
    public void A_traced_function_traces_once_per_dtype_and_a_module_method_traced()
    {
        RequireBackend();
        int traces = 0;
        var myFunc = NF.Function((Tensor t) =>
        {
            traces++;   // the guide's print('Tracing.'): runs at trace time only
            return NF.ReduceSum(t);
        });
        Assert.Equal(6, myFunc(NF.Constant(new[] { 1, 2, 3 })).Item<int>());
        Assert.Equal(27, myFunc(NF.Constant(new[] { 10, 9, 8 })).Item<int>());
        Assert.Equal(1, traces);
        Assert.Equal(27.3f, myFunc(NF.Constant(new[] { 10.0f, 9.1f, 8.2f })).Item<float>(), 5);
        Assert.Equal(2, traces);
        Assert.Equal(2, TracedFunction.Of(myFunc).TraceCount);

        // MyModule(3) with a traced multiply: an int32 variable times an int32 tensor.
        var weight = new Variable(3);
        Assert.Equal(DType.Int32, weight.DType);
        var multiply = NF.Function((Tensor t) => t * weight);
        Assert.Equal([3, 6, 9], multiply(NF.Constant(new[] { 1, 2, 3 })).ToArray<int>());
        weight.Assign(NF.Constant(4));
        Assert.Equal([4, 8, 12], multiply(NF.Constant(new[] { 1, 2, 3 })).ToArray<int>());
    }

    private static (Tensor X, Tensor Y) QuadraticData()
    {
        var x = NF.Cast(NF.Linspace(-2, 2, 201), DType.Float32);
        return (x, NF.Pow(x, 2) + 2 * x - 5 + 0.5f * NF.Sin(7f * x));
    }

    /// <summary>The guide's quadratic Model (a tf.Module whose __call__ is a tf.function).</summary>
    private sealed class QuadraticModel : Layer
    {
        private readonly Variable _wQ = new(0.5f, name: "w_q");
        private readonly Variable _wL = new(1.5f, name: "w_l");
        private readonly Variable _b = new(2.5f, name: "b");

        protected override Tensor Forward(Tensor x) => _wQ * NF.Pow(x, 2) + _wL * x + _b;
    }

    private static Tensor MseLoss(Tensor yPred, Tensor y) => NF.ReduceMean(NF.Square(yPred - y));

    [SkippableFact]
    public void The_quadratic_model_by_a_loop_over_a_dataset_and_by_keras()
    {
        RequireBackend();
        var (x, y) = QuadraticData();
        var quadModel = new QuadraticModel();
        var call = NF.Function((Tensor t) => quadModel.Call(t));
        // In order (the guide shuffles), so that the batches are PyTorch's.
        var dataset = Dataset.FromTensorSlices(x, y).Batch(32);
        float[] expectedLosses = [26.5717983f, 19.4285641f, 16.0283527f, 13.8942776f, 12.3034897f, 11.0039768f, 9.8914862f, 8.9156265f, 8.0483465f, 7.2719431f];
        for (int epoch = 0; epoch < 10; epoch++)
        {
            foreach (var (xBatch, yBatch) in dataset)
            {
                using var tape = new GradientTape();
                var batchLoss = MseLoss(call(xBatch), yBatch);
                var grads = tape.Gradient(batchLoss, quadModel.Variables);
                for (int i = 0; i < grads.Length; i++) quadModel.Variables[i].AssignSub(0.01f * grads[i]);
            }
            Assert.Equal(expectedLosses[epoch], MseLoss(call(x), y).Item<float>(), 4);
        }
        Assert.Equal([-0.4946636f, 2.3774557f, -1.0597577f], quadModel.Variables.Select(v => MathF.Round(v.Item<float>(), 5)).ToArray(), new ToleranceComparer(1e-4f));

        // The Keras version: a Lambda stacking x and x^2, then Dense(1).
        NF.Random.SetSeed(22);
        var newModel = new Sequential(
            new Layers.Lambda(t => NF.Stack([t, NF.Pow(t, 2)], axis: 1)),
            new Layers.Dense(1, kernelInitializer: Initializer.RandomNormal(stddev: 1.0)));
        newModel.Compile(loss: "mse", optimizer: new Optimizers.SGD(learningRate: 0.01));
        var history = newModel.Fit(x, y, epochs: 20, batchSize: 32, verbose: 0);
        var losses = history["loss"];
        Assert.Equal(20, losses.Count);
        Assert.True(losses[^1] < losses[0] / 2, $"the loss went from {losses[0]} to {losses[^1]}");
        Assert.Equal(new Shape(201, 1), newModel.Predict(x, verbose: 0).Shape);
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => MathF.Abs(a - b) <= tolerance;
        public int GetHashCode(float value) => 0;
    }
}

/// <summary>The basics guide, on the managed backend.</summary>
public sealed class ManagedGuideBasicsTests() : GuideBasicsTests("managed");

/// <summary>The basics guide, on the native CPU backend.</summary>
public sealed class NativeCpuGuideBasicsTests() : GuideBasicsTests("cpu");

/// <summary>The basics guide, on the CUDA backend.</summary>
public sealed class CudaGuideBasicsTests() : GuideBasicsTests("cuda");
