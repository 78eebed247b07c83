using NeuralFlow.Data;
using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe18;
using NeuralFlow.Tests.UserProbe21;

namespace NeuralFlow.Tests.UserProbe22;

/// <summary>
/// TensorFlow's "TensorFlow 2 quickstart for experts" (site/en/tutorials/quickstart/advanced.ipynb) cell by cell with
/// the tutorial's layer sizes (Conv2D(32, 3, relu), Flatten, Dense(128, relu), Dense(10)) on 8x8 images: the
/// subclassed MyModel (UserProbe18's QuickstartMyModel), tf.data shuffle and batch, train_step and test_step compiled
/// with NF.Function, the metrics reset each epoch and the epoch line printed. Two steps and a test step from fixed
/// weights match PyTorch 1.13 with Keras' Adam written out (quickstart_advanced_references.py), with the metrics
/// updated by UpdateState and by Call (the tutorial's <c>train_loss(loss)</c>): both steps replay, as Call's number
/// is read only where it is used (UserProbe27's MetricCallInFunctionTests). UserProbe18's QuickstartStepTests checks the traced loop against the eager
/// one; this checks the numbers themselves.
/// </summary>
public abstract class TutorialQuickstartAdvancedTests(string backend) : BackendTest(backend)
{
    // x[n, i, j, 0] = ((offset + n) * 64 + i * 8 + j) * 37 % 256 / 255, as the reference script.
    private static Tensor Images(int batch, int offset)
    {
        var values = new float[batch * 64];
        for (int n = 0; n < batch; n++)
            for (int k = 0; k < 64; k++) values[n * 64 + k] = (float)(((offset + n) * 64 + k) * 37 % 256 / 255.0);
        return NF.Constant(values, new Shape(batch, 8, 8, 1));
    }

    private sealed class Quickstart
    {
        public readonly QuickstartMyModel Model = new();
        public readonly Losses.SparseCategoricalCrossentropy LossObject = new(fromLogits: true);
        public readonly Optimizers.Adam Optimizer = new();
        public readonly Metrics.Mean TrainLoss = new(name: "train_loss");
        public readonly Metrics.SparseCategoricalAccuracy TrainAccuracy = new(name: "train_accuracy");
        public readonly Metrics.Mean TestLoss = new(name: "test_loss");
        public readonly Metrics.SparseCategoricalAccuracy TestAccuracy = new(name: "test_accuracy");
        public readonly Action<Tensor, Tensor> TrainStep, TestStep;

        // callMetrics: the tutorial's train_loss(loss) spelled Call, which reads the result back (the step then runs
        // eagerly); otherwise UpdateState, what that call does inside a tf.function.
        public Quickstart(bool callMetrics = false)
        {
            TrainStep = NF.Function((Tensor images, Tensor labels) =>
            {
                Tensor predictions, loss;
                using (var tape = new GradientTape())
                {
                    predictions = Model.Call(images, training: true);
                    loss = LossObject.Call(labels, predictions);
                    var gradients = tape.Gradient(loss, Model.TrainableVariables);
                    Optimizer.ApplyGradients(gradients.Zip(Model.TrainableVariables));
                }
                if (callMetrics)
                {
                    TrainLoss.Call(loss);
                    TrainAccuracy.Call(labels, predictions);
                }
                else
                {
                    TrainLoss.UpdateState(loss);
                    TrainAccuracy.UpdateState(labels, predictions);
                }
            });
            TestStep = NF.Function((Tensor images, Tensor labels) =>
            {
                var predictions = Model.Call(images, training: false);
                var tLoss = LossObject.Call(labels, predictions);
                TestLoss.UpdateState(tLoss);
                TestAccuracy.UpdateState(labels, predictions);
            });
        }

        public void ResetMetrics()
        {
            TrainLoss.ResetState();
            TrainAccuracy.ResetState();
            TestLoss.ResetState();
            TestAccuracy.ResetState();
        }
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Two_compiled_train_steps_and_a_test_step_match_pytorch(bool callMetrics)
    {
        RequireBackend();
        var q = new Quickstart(callMetrics);
        q.Model.Build([8, 8, 1]);
        SineWeights.Write([q.Model.Conv1, q.Model.Flatten, q.Model.D1, q.Model.D2]);
        q.TrainStep(Images(4, 0), NF.Constant(new long[] { 9, 7, 1, 0 }));
        // train_loss holds the step's loss (quickstart_advanced_references.py: step 1 loss 2.311963087868982).
        Assert.Equal(2.311963087868982, q.TrainLoss.Result(), 1e-5);
        q.TrainStep(Images(4, 4), NF.Constant(new long[] { 3, 7, 0, 5 }));
        Assert.Equal(2.3307650990771416, q.TrainLoss.Result(), 1e-5);
        Assert.Equal(0.25, q.TrainAccuracy.Result(), 6);
        Assert.Equal(2, q.Optimizer.Iterations);
        q.TestStep(Images(4, 8), NF.Constant(new long[] { 3, 4, 0, 6 }));
        Assert.Equal(2.7073830747038916, q.TestLoss.Result(), 1e-5);
        Assert.Equal(0.25, q.TestAccuracy.Result(), 6);
        double[] logits0 = [-0.8318248530601725, -1.0208108665480833, -1.1018386034373324, -0.981572194870638, -0.8211373949703422,
                            -0.5011178545625031, -0.13939748651376987, 0.3196822664410368, 0.5879221980723192, 0.9260502530562934];
        var got = q.Model.Call(Images(4, 8)).ToArray<float>();
        for (int k = 0; k < 10; k++) Assert.Equal(logits0[k], got[k], 1e-5);
        // The step only calls the metrics (their results unused): Call's number is read where it is used, so nothing
        // makes the compiled step run eagerly, as with UpdateState (it did when Call read a float on the host).
        Assert.Null(TracedFunction.Of(q.TrainStep).EagerReason);
    }

    [SkippableFact]
    public void The_epoch_loop_resets_the_metrics_and_prints_the_tutorials_line()
    {
        RequireBackend();
        NF.Random.SetSeed(2204);
        // Ten classes told apart by the brightness of the image; 48 training and 16 test images.
        var random = new Random(3);
        Tensor Labels(int n) => NF.Constant(Enumerable.Range(0, n).Select(i => (long)(i % 10)).ToArray());
        Tensor Pictures(Tensor labels) => NF.Reshape(NF.Cast(labels, DType.Float32), [-1, 1, 1, 1]) / 10f
                                          + NF.Constant(Enumerable.Range(0, (int)labels.Count * 64).Select(_ => (float)(0.05 * random.NextDouble())).ToArray(),
                                                        new Shape((int)labels.Count, 8, 8, 1));
        var yTrain = Labels(48);
        var xTrain = Pictures(yTrain);
        var yTest = Labels(16);
        var xTest = Pictures(yTest);
        // train_ds = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(10000).batch(32)
        var trainDs = Dataset.FromTensorSlices(xTrain, yTrain).Shuffle(10000).Batch(32);
        var testDs = Dataset.FromTensorSlices(xTest, yTest).Batch(32);
        var q = new Quickstart();
        var lines = new List<string>();
        var trainLosses = new List<float>();
        for (int epoch = 0; epoch < 4; epoch++)
        {
            q.ResetMetrics();
            // Reset: nothing seen yet, as Keras' result() of an empty Mean (0).
            Assert.Equal(0f, q.TrainLoss.Result());
            foreach (var (images, labels) in trainDs) q.TrainStep(images, labels);
            foreach (var (testImages, testLabels) in testDs) q.TestStep(testImages, testLabels);
            trainLosses.Add(q.TrainLoss.Result());
            lines.Add($"Epoch {epoch + 1}, Loss: {q.TrainLoss.Result():0.00}, Accuracy: {q.TrainAccuracy.Result() * 100:0.00}, " +
                      $"Test Loss: {q.TestLoss.Result():0.00}, Test Accuracy: {q.TestAccuracy.Result() * 100:0.00}");
            // One epoch's accuracies only: a fraction of 48 (training) and of 16 (test) images.
            Assert.Equal(Math.Round(q.TrainAccuracy.Result() * 48), q.TrainAccuracy.Result() * 48, 3);
            Assert.Equal(Math.Round(q.TestAccuracy.Result() * 16), q.TestAccuracy.Result() * 16, 3);
        }
        Assert.Equal(8, q.Optimizer.Iterations);   // two batches (32 and 16) an epoch
        var traced = TracedFunction.Of(q.TrainStep);
        Assert.True(traced.ReplayCount > 0 && traced.LastCallReplayed, $"train_step ran eagerly: {traced.EagerReason}");
        Assert.Matches(@"^Epoch 4, Loss: \d+\.\d\d, Accuracy: \d+\.\d\d, Test Loss: \d+\.\d\d, Test Accuracy: \d+\.\d\d$", lines[^1]);
        Assert.True(trainLosses[^1] < trainLosses[0], string.Join(Environment.NewLine, lines));
        // The test metrics of the last epoch are those of the trained model on the test set.
        var logits = q.Model.Call(xTest);
        var expected = new Losses.SparseCategoricalCrossentropy(fromLogits: true).Call(yTest, logits).Item<float>();
        Assert.Equal(expected, q.TestLoss.Result(), 4);
    }
}

/// <summary>The quickstart for experts on the managed backend.</summary>
public sealed class ManagedTutorialQuickstartAdvancedTests() : TutorialQuickstartAdvancedTests("managed");

/// <summary>The quickstart for experts on the native CPU backend.</summary>
public sealed class NativeCpuTutorialQuickstartAdvancedTests() : TutorialQuickstartAdvancedTests("cpu");

/// <summary>The quickstart for experts on CUDA.</summary>
public sealed class CudaTutorialQuickstartAdvancedTests() : TutorialQuickstartAdvancedTests("cuda");
