using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe10;

/// <summary>
/// Keras' add_weight(regularizer=...) was missing from AddWeight: a custom layer could not put a
/// weight penalty into layer.losses. Keras 3 (keras/src/layers/layer.py, _get_regularization_losses)
/// computes each trainable weight's penalty whenever the losses are read, so a frozen layer adds
/// none, which NeuralFlow's built-in regularizers did not follow either. Values from Keras' L2
/// formula and a PyTorch SGD loop (layer_api_references.py).
/// </summary>
public abstract class AddWeightRegularizerTests(string backend) : BackendTest(backend)
{
    /// <summary>y = x @ w with one weight made by AddWeight(constraint:, regularizer:).</summary>
    private sealed class Projection(Constraints.Constraint? constraint, Regularizers.Regularizer? regularizer) : Layer
    {
        public Variable? W { get; private set; }

        protected override void Build(Shape inputShape) =>
            W = AddWeight("w", [inputShape[-1], 2], Initializer.Zeros, constraint: constraint, regularizer: regularizer);

        protected override Tensor Forward(Tensor x) => NF.MatMul(x, W!);
    }

    private static readonly float[] X = [1f, 2f, -1f, 0.5f, -1.5f, 2f, 2f, 0f, 1f, -1f, 1f, 0.5f];
    private static readonly float[] Y = [3f, 2f, 1f, -3f, 2f, 1f, 0.5f, 4f];
    private static readonly float[] W0 = [0.1f, -0.2f, 0.3f, 0.05f, -0.15f, 0.25f];

    private static (Sequential Model, Projection Layer) Model(Constraints.Constraint? constraint, Regularizers.Regularizer? regularizer)
    {
        var layer = new Projection(constraint, regularizer);
        var m = new Sequential(Layers.Input([3]), layer);
        m.Compile(new Optimizers.SGD(0.1), "mse");
        layer.W!.Assign(NF.Constant(W0, [3, 2]));
        return (m, layer);
    }

    [SkippableFact]
    public void The_penalty_of_an_added_weight_is_in_losses_and_follows_its_value()
    {
        RequireBackend();
        var (_, layer) = Model(null, new Regularizers.L2(0.1));
        // Keras' L2: 0.1 * sum(w^2) = 0.02275 for the start values.
        Assert.Equal(0.02275f, Assert.Single(layer.Losses).ToArray<float>()[0], 5);
        layer.W!.Assign(NF.Ones([3, 2]));
        Assert.Equal(0.6f, Assert.Single(layer.Losses).ToArray<float>()[0], 5);
        // A weight made without a regularizer adds nothing.
        Assert.Empty(Model(null, null).Layer.Losses);
    }

    [SkippableFact]
    public void Fit_minimizes_the_penalty_and_applies_the_constraint_as_pytorch()
    {
        RequireBackend();
        var (m, layer) = Model(new Constraints.NonNeg(), new Regularizers.L2(0.1));
        var x = NF.Constant(X, [4, 3]);
        var y = NF.Constant(Y, [4, 2]);
        // The loss Evaluate reports is the mse plus the penalty (PyTorch's first loss).
        Assert.Equal(5.3348594f, m.Evaluate(x, y, verbose: 0).Loss, 4);
        m.Fit(x, y, batchSize: 4, epochs: 3, verbose: 0);
        Near.Values([0.48978608f, 0f, 0.44938919f, 0.81415874f, 0.11161847f, 0f], layer.W!);
    }

    [SkippableFact]
    public void A_frozen_layer_adds_no_weight_penalty_as_keras_3()
    {
        RequireBackend();
        var dense = new Layers.Dense(2, name: "frozen_dense") { KernelRegularizer = new Regularizers.L2(0.5) };
        dense.Call(NF.Ones([1, 3]));
        Assert.Single(dense.Losses);
        dense.Trainable = false;
        Assert.Empty(dense.Losses);   // was one penalty: Keras takes them from trainable_weights only
        dense.Trainable = true;
        Assert.Single(dense.Losses);

        var (_, layer) = Model(null, new Regularizers.L2(0.1));
        layer.Trainable = false;
        Assert.Empty(layer.Losses);
    }
}

/// <summary>On the managed backend.</summary>
public sealed class ManagedAddWeightRegularizerTests() : AddWeightRegularizerTests("managed");

/// <summary>On the native CPU backend.</summary>
public sealed class NativeCpuAddWeightRegularizerTests() : AddWeightRegularizerTests("cpu");

/// <summary>On CUDA.</summary>
public sealed class CudaAddWeightRegularizerTests() : AddWeightRegularizerTests("cuda");
