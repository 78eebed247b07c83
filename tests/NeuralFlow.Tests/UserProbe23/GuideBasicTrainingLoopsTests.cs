using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe23;

/// <summary>
/// TensorFlow's "Basic training loops" guide (guide/basic_training_loops.ipynb) in C#: y = w x + b as a
/// module holding two variables, trained by a hand-written loop (GradientTape, AssignSub), then the same
/// model as a Keras model, by the same loop, checkpointed, and by Compile/Fit. The guide's random noise
/// is 0.5 sin(7x) here so that the numbers can be PyTorch's (guide_training_references.py).
/// </summary>
public abstract class GuideBasicTrainingLoopsTests(string backend) : BackendTest(backend)
{
    private const float TrueW = 3.0f, TrueB = 2.0f;

    // guide_training_references.py
    private static readonly float[] Weights = [4.4613857f, 4.0678387f, 3.7802868f, 3.5701821f, 3.4166656f, 3.3044963f, 3.2225380f, 3.1626537f, 3.1188982f, 3.0869274f];
    private static readonly float[] Biases = [0.4000000f, 0.7200000f, 0.9760001f, 1.1808001f, 1.3446400f, 1.4757121f, 1.5805696f, 1.6644557f, 1.7315645f, 1.7852516f];
    private static readonly float[] Losses = [5.5596409f, 3.2978175f, 1.9924829f, 1.2330033f, 0.7874756f, 0.5239810f, 0.3668990f, 0.2725352f, 0.2154357f, 0.1806502f];
    private const float StartingLoss = 9.51001835f;

    /// <summary>The guide's MyModel (a tf.Module): a layer holding w and b in fields.</summary>
    private sealed class MyModel : Layer
    {
        public readonly Variable W = new(5.0f, name: "w");
        public readonly Variable B = new(0.0f, name: "b");

        protected override Tensor Forward(Tensor x) => W * x + B;
    }

    /// <summary>The guide's MyModelKeras: the same as a Keras model.</summary>
    private sealed class MyModelKeras : Model
    {
        public readonly Variable W = new(5.0f, name: "w");
        public readonly Variable B = new(0.0f, name: "b");

        public override Tensor Call(Tensor x) => W * x + B;
    }

    private static (Tensor X, Tensor Y) Data()
    {
        var x = NF.Cast(NF.Linspace(-2, 2, 201), DType.Float32);
        var noise = 0.5f * NF.Sin(7f * x);
        return (x, x * TrueW + TrueB + noise);
    }

    private static Tensor Loss(Tensor targetY, Tensor predictedY) => NF.ReduceMean(NF.Square(targetY - predictedY));

    private static void Train(Func<Tensor, Tensor> model, Variable w, Variable b, Tensor x, Tensor y, float learningRate)
    {
        using var t = new GradientTape();
        var currentLoss = Loss(y, model(x));
        var grads = t.Gradient(currentLoss, [w, b]);
        w.AssignSub(learningRate * grads[0]);
        b.AssignSub(learningRate * grads[1]);
    }

    private static void TrainingLoop(Func<Tensor, Tensor> model, Variable w, Variable b, Tensor x, Tensor y)
    {
        for (int epoch = 0; epoch < 10; epoch++)
        {
            Train(model, w, b, x, y, learningRate: 0.1f);
            Assert.Equal(Weights[epoch], w.Item<float>(), 5);
            Assert.Equal(Biases[epoch], b.Item<float>(), 5);
            Assert.Equal(Losses[epoch], Loss(y, model(x)).Item<float>(), 5);
        }
    }

    [SkippableFact]
    public void The_module_and_its_hand_written_training_loop()
    {
        RequireBackend();
        var (x, y) = Data();
        Assert.Equal(201, x.Shape[0]);
        var model = new MyModel();
        Assert.Equal(new[] { "w", "b" }, model.Variables.Select(v => v.Name));
        Assert.Equal(15.0f, model.Call(NF.Constant(3.0f)).Item<float>());
        Assert.Equal(StartingLoss, Loss(y, model.Call(x)).Item<float>(), 5);
        TrainingLoop(model.Call, model.W, model.B, x, y);
    }

    [SkippableFact]
    public void The_keras_model_by_the_same_loop_then_by_compile_and_fit()
    {
        RequireBackend();
        var (x, y) = Data();
        var kerasModel = new MyModelKeras();
        TrainingLoop(kerasModel.Call, kerasModel.W, kerasModel.B, x, y);
        Assert.Equal(2, kerasModel.TrainableVariables.Count);

        var dir = Directory.CreateTempSubdirectory("nf-guide-loops-");
        try
        {
            // The model's own variables (held by no layer): Keras 3 keeps them in the file's own "vars".
            foreach (var file in new[] { "my_checkpoint.weights.h5", "my_checkpoint.h5", "my_checkpoint.safetensors" })
            {
                var path = Path.Combine(dir.FullName, file);
                kerasModel.SaveWeights(path);
                var restored = new MyModelKeras();
                restored.LoadWeights(path);
                Assert.Equal(Weights[^1], restored.W.Item<float>(), 5);
                Assert.Equal(Biases[^1], restored.B.Item<float>(), 5);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }

        // compile(run_eagerly=False, optimizer=SGD(0.1), loss=mean_squared_error); fit(x, y, epochs=10, batch_size=1000):
        // one batch of all 201 examples per epoch, so ten steps of the loop above; each epoch's loss is the
        // loss before its step.
        kerasModel = new MyModelKeras();
        kerasModel.Compile(optimizer: new Optimizers.SGD(learningRate: 0.1), loss: "mean_squared_error", runEagerly: false);
        var history = kerasModel.Fit(x, y, epochs: 10, batchSize: 1000, verbose: 0);
        var losses = history["loss"];
        Assert.Equal(10, losses.Count);
        Assert.Equal(StartingLoss, losses[0], 5);
        for (int epoch = 1; epoch < 10; epoch++) Assert.Equal(Losses[epoch - 1], losses[epoch], 5);
        Assert.Equal(Weights[^1], kerasModel.W.Item<float>(), 5);
        Assert.Equal(Biases[^1], kerasModel.B.Item<float>(), 5);
    }
}

/// <summary>The basic training loops guide, on the managed backend.</summary>
public sealed class ManagedGuideBasicTrainingLoopsTests() : GuideBasicTrainingLoopsTests("managed");

/// <summary>The basic training loops guide, on the native CPU backend.</summary>
public sealed class NativeCpuGuideBasicTrainingLoopsTests() : GuideBasicTrainingLoopsTests("cpu");

/// <summary>The basic training loops guide, on the CUDA backend.</summary>
public sealed class CudaGuideBasicTrainingLoopsTests() : GuideBasicTrainingLoopsTests("cuda");
