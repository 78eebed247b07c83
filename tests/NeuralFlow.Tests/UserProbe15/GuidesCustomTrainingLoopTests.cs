using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's "Writing a training loop from scratch" guide in C#, the parts earlier ports left out:
/// metric objects updated inside the compiled step (<c>train_acc_metric.update_state</c> in a
/// <c>tf.function</c>), read and reset at each epoch's end, a compiled validation step with its own
/// metric, and the losses a layer adds (<c>loss_value += sum(model.losses)</c>) inside the compiled
/// step. Every number must equal the eager loop's: the replay must update the metrics' state and
/// recompute the added loss on each call, not only when it traces.
/// </summary>
public abstract class GuidesCustomTrainingLoopTests(string backend) : BackendTest(backend)
{
    private const int Batch = 8;

    // The guide's ActivityRegularizationLayer: adds 1e-2 * sum(inputs) to the model's losses.
    private sealed class ActivityRegularizationLayer : Layer
    {
        protected override Tensor Forward(Tensor inputs)
        {
            AddLoss(1e-2f * NF.ReduceSum(inputs));
            return inputs;
        }
    }

    private sealed record Run(float[] Losses, float[] TrainAcc, float[] ValAcc, float[][] Weights);

    private static Run Train(bool compiled)
    {
        NF.Random.SetSeed(61);
        var x = NF.Random.Normal([32, 12]);
        var y = NF.Cast(NF.Random.Uniform([32], 0, 4, DType.Int32), DType.Int32);
        var xVal = NF.Random.Normal([16, 12]);
        var yVal = NF.Cast(NF.Random.Uniform([16], 0, 4, DType.Int32), DType.Int32);
        NF.Random.SetSeed(62);
        var inputs = Layers.Input([12], name: "digits");
        var h = new Layers.Dense(16, activation: "relu").Call(inputs);
        h = new ActivityRegularizationLayer().Call(h);
        var model = new Model(inputs, new Layers.Dense(4, name: "predictions").Call(h));
        var optimizer = new Optimizers.SGD(1e-2f);
        var lossFn = new Losses.SparseCategoricalCrossentropy(fromLogits: true);
        var trainAccMetric = new Metrics.SparseCategoricalAccuracy();
        var valAccMetric = new Metrics.SparseCategoricalAccuracy();

        Func<Tensor, Tensor, Tensor> trainStep = (xb, yb) =>
        {
            Tensor lossValue, logits;
            Tensor[] grads;
            using (var tape = new GradientTape())
            {
                logits = model.Call(xb, training: true);
                lossValue = lossFn.Call(yb, logits);
                foreach (var added in model.Losses) lossValue += added;
                grads = tape.Gradient(lossValue, model.TrainableVariables);
            }
            optimizer.ApplyGradients(grads, model.TrainableVariables);
            trainAccMetric.UpdateState(yb, logits);
            return lossValue;
        };
        Func<Tensor, Tensor, Tensor> testStep = (xb, yb) =>
        {
            var valLogits = model.Call(xb, training: false);
            valAccMetric.UpdateState(yb, valLogits);
            return valLogits;
        };
        if (compiled)
        {
            trainStep = NF.Function(trainStep);
            testStep = NF.Function(testStep);
        }

        var losses = new List<float>();
        var trainAcc = new List<float>();
        var valAcc = new List<float>();
        for (int epoch = 0; epoch < 3; epoch++)
        {
            for (int start = 0; start < 32; start += Batch)
                losses.Add(trainStep(NF.Slice(x, [start, 0], [Batch, 12]), NF.Slice(y, [start], [Batch])).Item<float>());
            trainAcc.Add(trainAccMetric.Result());
            trainAccMetric.ResetState();
            for (int start = 0; start < 16; start += Batch)
                testStep(NF.Slice(xVal, [start, 0], [Batch, 12]), NF.Slice(yVal, [start], [Batch]));
            valAcc.Add(valAccMetric.Result());
            valAccMetric.ResetState();
        }
        return new([.. losses], [.. trainAcc], [.. valAcc], [.. model.Variables.Select(v => v.ToArray<float>())]);
    }

    [SkippableFact]
    public void A_compiled_loop_updates_its_metrics_and_added_losses_as_the_eager_loop()
    {
        RequireBackend();
        var eager = Train(compiled: false);
        var traced = Train(compiled: true);
        // The metrics moved (an accuracy between 0 and 1 that differs between epochs or sets).
        Assert.All(eager.TrainAcc.Concat(eager.ValAcc), a => Assert.InRange(a, 0f, 1f));
        Reference.AssertClose([.. eager.Losses.Select(v => (double)v)], [.. traced.Losses.Select(v => (double)v)], rtol: 1e-5, atol: 1e-6, what: "losses");
        Assert.Equal(eager.TrainAcc, traced.TrainAcc);
        Assert.Equal(eager.ValAcc, traced.ValAcc);
        for (int i = 0; i < eager.Weights.Length; i++)
            Reference.AssertClose([.. eager.Weights[i].Select(v => (double)v)], [.. traced.Weights[i].Select(v => (double)v)], rtol: 1e-5, atol: 1e-6, what: $"weight {i}");
    }
}

/// <summary>The custom-training-loop guide on the managed backend.</summary>
public sealed class ManagedGuidesCustomTrainingLoopTests() : GuidesCustomTrainingLoopTests("managed");

/// <summary>The custom-training-loop guide on the native CPU backend.</summary>
public sealed class NativeCpuGuidesCustomTrainingLoopTests() : GuidesCustomTrainingLoopTests("cpu");

/// <summary>The custom-training-loop guide on CUDA.</summary>
public sealed class CudaGuidesCustomTrainingLoopTests() : GuidesCustomTrainingLoopTests("cuda");
