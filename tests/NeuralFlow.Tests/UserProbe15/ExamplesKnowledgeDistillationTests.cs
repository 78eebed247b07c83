using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe13;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's "Knowledge Distillation" (Keras 3 version) in C#: the Distiller overrides only
/// ComputeLoss and Call, so Keras' default steps must run its loss (Fit and Evaluate used to skip a
/// ComputeLoss override and use the compiled loss, of which the distiller has none); Evaluate's loss
/// is alpha * CE + (1 - alpha) * T^2 * KL(softmax(t / T) || softmax(s / T)).
/// </summary>
public abstract class ExamplesKnowledgeDistillationTests(string backend) : BackendTest(backend)
{
    private static Sequential Network(string name, int first, int second) => new(Layers.Input([28, 28, 1]), [
        new Layers.Conv2D(first, [3, 3], strides: [2, 2], padding: "same"),
        new Layers.LeakyReLU(negativeSlope: 0.2),
        new Layers.MaxPooling2D([2, 2], strides: [1, 1], padding: "same"),
        new Layers.Conv2D(second, [3, 3], strides: [2, 2], padding: "same"),
        new Layers.Flatten(),
        new Layers.Dense(10)], name: name);

    [SkippableFact]
    public void Distiller_trains_the_student_on_its_compute_loss()
    {
        RequireBackend();
        NF.Random.SetSeed(163);
        var (images, labels) = ExampleData.Digits(BackendName == "cuda" ? 32 : 64, seed: 15);
        var xTrain = NF.ExpandDims(images, -1);
        var teacher = Network("teacher", 16, 32);
        var student = Network("student", 4, 8);
        teacher.Compile(optimizer: new Optimizers.Adam(), loss: new Losses.SparseCategoricalCrossentropy(fromLogits: true),
            metrics: [new Metrics.SparseCategoricalAccuracy()]);
        teacher.Fit(xTrain, labels, epochs: 2, batchSize: 16, verbose: 0);

        var distiller = new Distiller(student, teacher);
        distiller.Compile(new Optimizers.Adam(), [new Metrics.SparseCategoricalAccuracy()],
            new Losses.SparseCategoricalCrossentropy(fromLogits: true), new Losses.KLDivergence(), alpha: 0.1, temperature: 10);
        var studentBefore = student.GetWeights()[0].ToArray<float>();
        var history = distiller.Fit(xTrain, labels, epochs: 3, batchSize: 16, verbose: 0);
        Assert.Equal(new[] { "loss", "sparse_categorical_accuracy" }, history.Keys.ToArray());
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        Assert.NotEqual(studentBefore, student.GetWeights()[0].ToArray<float>());

        // Evaluate's loss is the example's compute_loss on the whole batch.
        var score = distiller.Evaluate(xTrain, labels, batchSize: xTrain.Shape[0], verbose: 0);
        double temperature = 10, alpha = 0.1;
        var s = student.Predict(xTrain, verbose: 0).ToArray<float>();
        var t = teacher.Predict(xTrain, verbose: 0).ToArray<float>();
        var y = labels.ToArray<int>();
        int n = y.Length;
        double ce = 0, kl = 0;
        for (int i = 0; i < n; i++)
        {
            var row = s.Skip(i * 10).Take(10).Select(v => (double)v).ToArray();
            var teacherRow = t.Skip(i * 10).Take(10).Select(v => (double)v).ToArray();
            ce += Math.Log(row.Sum(Math.Exp)) - row[y[i]];
            var p = Softmax(teacherRow, temperature);
            var q = Softmax(row, temperature);
            // Keras' KLDivergence clips both to [epsilon, 1].
            for (int c = 0; c < 10; c++) kl += Math.Max(p[c], 1e-7) * Math.Log(Math.Max(p[c], 1e-7) / Math.Max(q[c], 1e-7));
        }
        double expected = alpha * ce / n + (1 - alpha) * kl / n * temperature * temperature;
        Assert.Equal(expected, score[0], 4);
    }

    private static double[] Softmax(double[] logits, double temperature)
    {
        var e = logits.Select(v => Math.Exp(v / temperature)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }
}

/// <summary>The knowledge distillation example on the managed backend.</summary>
public sealed class ManagedExamplesKnowledgeDistillationTests() : ExamplesKnowledgeDistillationTests("managed");

/// <summary>The knowledge distillation example on the native CPU backend.</summary>
public sealed class NativeCpuExamplesKnowledgeDistillationTests() : ExamplesKnowledgeDistillationTests("cpu");

/// <summary>The knowledge distillation example on CUDA.</summary>
public sealed class CudaExamplesKnowledgeDistillationTests() : ExamplesKnowledgeDistillationTests("cuda");
