using NeuralFlow.Keras;

namespace NeuralFlow.Tests.TrustSweep;

/// <summary>
/// Calls in unusual orders on the custom training steps (Model.TrainStep overrides) and stateful
/// recurrent models: predict before fit, fit and compile twice, a step that returns nothing, and
/// batches a stateful model did not keep states for. Pinned behaviour (each was right), Keras'
/// rules as keras/src/trainers/trainer.py and keras/src/layers/rnn/rnn.py state them.
/// </summary>
public abstract class TrainingEdgeTests(string backend) : BackendTest(backend)
{
    // y = x @ ones: the default step written by hand, MSE on one Dense.
    private sealed class OneDense : Model
    {
        private readonly Layers.Dense _dense = new(1, kernelInitializer: "ones", useBias: false);
        public int Steps;

        public override Tensor Call(Tensor x) => _dense.Call(x);

        protected override StepLogs TrainStep(StepData data)
        {
            Steps++;
            var (x, y) = data;
            Tensor loss;
            Tensor[] grads;
            using (var tape = new GradientTape())
            {
                loss = NF.ReduceMean(NF.Square(Call(x) - y));
                grads = tape.Gradient(loss, TrainableVariables);
            }
            Optimizer!.ApplyGradients(grads, TrainableVariables);
            return new StepLogs { { "loss", loss } };
        }
    }

    private sealed class NullStep : Model
    {
        private readonly Layers.Dense _dense = new(1);
        public override Tensor Call(Tensor x) => _dense.Call(x);
        protected override StepLogs TrainStep(StepData data) => null!;
    }

    [SkippableFact]
    public void A_custom_step_model_predicts_before_fit_and_fits_twice()
    {
        RequireBackend();
        var model = new OneDense();
        Assert.Equal([2f, 2f], model.Predict(NF.Ones(new Shape(2, 2))).ToArray<float>());
        var x = NF.Ones(new Shape(4, 2));
        var y = NF.Ones(new Shape(4, 1));
        Assert.Throws<InvalidOperationException>(() => model.Fit(x, y, verbose: 0));   // not compiled: named
        model.Compile(new Optimizers.SGD(0.1));
        var first = model.Fit(x, y, batchSize: 2, verbose: 0)["loss"];
        model.Compile(new Optimizers.SGD(0.1));   // compiled again: training continues from the weights reached
        var second = model.Fit(x, y, batchSize: 2, verbose: 0)["loss"];
        Assert.True(second[0] < first[0], $"{first[0]} then {second[0]}");
        // A tensor logged by the step is its last batch's value: steps 2 and 4 of torch.optim.SGD(lr=0.1) on
        // w = ones(2, 1), loss ((ones(2, 2) @ w - 1)²).mean() print 0.36 and 0.046656 (trust_sweep_references.py).
        Assert.Equal(0.36f, first[0], 1e-5f);
        Assert.Equal(0.046656f, second[0], 1e-5f);
        Assert.Equal(4, model.Steps);
    }

    [SkippableFact]
    public void A_step_returning_null_is_named()
    {
        RequireBackend();
        var model = new NullStep();
        model.Compile(new Optimizers.SGD(0.1));
        var e = Assert.Throws<InvalidOperationException>(() => model.Fit(NF.Ones(new Shape(4, 2)), NF.Ones(new Shape(4, 1)), verbose: 0));
        Assert.Contains("TrainStep returned null", e.Message);
    }

    private static Model StatefulGru(int? batch)
    {
        NF.Random.SetSeed(5);
        var input = Layers.Input([3, 2], batchSize: batch);
        var model = new Model(input, new Layers.Dense(1).Call(new Layers.GRU(3, stateful: true, name: "gru").Call(input)));
        model.Compile("sgd", "mse");
        return model;
    }

    [SkippableFact]
    public void A_stateful_model_names_a_batch_it_keeps_no_states_for()
    {
        RequireBackend();
        var sequences = NF.Ones(new Shape(4, 3, 2));
        var model = StatefulGru(null);
        model.Predict(sequences[..2], batchSize: 2);
        var e = Assert.Throws<InvalidOperationException>(() => model.Predict(sequences, batchSize: 4));
        Assert.Contains("keeps states for batches of 2", e.Message);
        var fixedBatch = StatefulGru(2);
        var shape = Assert.Throws<ArgumentException>(() => fixedBatch.Predict(sequences[..3], batchSize: 2));
        Assert.Contains("expects shape (2, 3, 2)", shape.Message);
    }
}

public sealed class ManagedTrainingEdgeTests() : TrainingEdgeTests("managed");

public sealed class NativeCpuTrainingEdgeTests() : TrainingEdgeTests("cpu");

public sealed class CudaTrainingEdgeTests() : TrainingEdgeTests("cuda");
