using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe13;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's "Image similarity estimation using a Siamese Network with a contrastive loss" in
/// C#: one embedding network shared by two towers, a Lambda over the list of both embeddings for
/// their Euclidean distance (Keras' <c>Lambda(fn)([a, b])</c>), BatchNormalization and a sigmoid;
/// the contrastive loss equals the example's formula; pairs of synthetic digits train with RMSprop.
/// </summary>
public abstract class ExamplesSiameseContrastiveTests(string backend) : BackendTest(backend)
{
    // The example's euclidean_distance: sqrt(max(sum((x - y)^2), epsilon)) per pair.
    private static Tensor EuclideanDistance(IReadOnlyList<Tensor> vects)
    {
        var (x, y) = (vects[0], vects[1]);
        var sumSquare = NF.ReduceSum(NF.Square(x - y), 1, keepDims: true);
        return NF.Sqrt(NF.Maximum(sumSquare, 1e-7));
    }

    private static (Model Siamese, Model Embedding) SiameseModel()
    {
        var input = Layers.Input([28, 28, 1]);
        var x = new Layers.BatchNormalization().Call(input);
        x = new Layers.Conv2D(4, [5, 5], activation: "tanh").Call(x);
        x = new Layers.AveragePooling2D([2, 2]).Call(x);
        x = new Layers.Conv2D(16, [5, 5], activation: "tanh").Call(x);
        x = new Layers.AveragePooling2D([2, 2]).Call(x);
        x = new Layers.Flatten().Call(x);
        x = new Layers.BatchNormalization().Call(x);
        x = new Layers.Dense(10, activation: "tanh").Call(x);
        var embeddingNetwork = new Model(input, x);
        var input1 = Layers.Input([28, 28, 1]);
        var input2 = Layers.Input([28, 28, 1]);
        var tower1 = embeddingNetwork.Call(input1);
        var tower2 = embeddingNetwork.Call(input2);
        var mergeLayer = new Layers.Lambda(EuclideanDistance).Call([tower1, tower2]);
        var normalLayer = new Layers.BatchNormalization().Call(mergeLayer);
        var outputLayer = new Layers.Dense(1, activation: "sigmoid").Call(normalLayer);
        return (new Model([input1, input2], outputLayer), embeddingNetwork);
    }

    [SkippableFact]
    public void Lambda_of_a_list_computes_the_distance_eagerly_and_symbolically()
    {
        RequireBackend();
        var distance = new Layers.Lambda(EuclideanDistance);
        var a = NF.Constant(new[,] { { 3f, 0f }, { 1f, 1f } });
        var b = NF.Constant(new[,] { { 0f, 4f }, { 1f, 1f } });
        Assert.Equal(new[] { 5f, (float)Math.Sqrt(1e-7) }, distance.Call([a, b]).ToArray<float>());
        var (siamese, embedding) = SiameseModel();
        Assert.Equal(new int?[] { null, 1 }, siamese.Outputs[0].Shape.ToArray());
        Assert.Same(embedding, siamese.Layers[2]);
        // One tower's weights serve both inputs: the embedding network's, once.
        Assert.Equal(embedding.CountParams() + 4 + 2, siamese.CountParams());
        // clone_model keeps the list Lambda: the clone computes the same outputs.
        var clone = Models.CloneModel(siamese);
        clone.SetWeights(siamese.GetWeights());
        var pair = (NF.Random.Uniform([3, 28, 28, 1]), NF.Random.Uniform([3, 28, 28, 1]));
        Assert.Equal(siamese.Predict(pair, verbose: 0).ToArray<float>(), clone.Predict(pair, verbose: 0).ToArray<float>());
    }

    [SkippableFact]
    public void Contrastive_loss_is_the_examples_formula()
    {
        RequireBackend();
        double[] y = [1, 0, 1, 0], d = [0.2, 0.3, 1.5, 0.9];
        double expected = 0;
        for (int i = 0; i < 4; i++) expected += (1 - y[i]) * d[i] * d[i] + y[i] * Math.Pow(Math.Max(1 - d[i], 0), 2);
        var loss = new ContrastiveLoss(margin: 1).Call(NF.Constant(y.Select(v => (float)v).ToArray()), NF.Constant(d.Select(v => (float)v).ToArray(), [4, 1]));
        Assert.Equal(expected / 4, loss.Item<float>(), 6);
    }

    [SkippableFact]
    public void Siamese_pairs_train_with_the_contrastive_loss()
    {
        RequireBackend();
        NF.Random.SetSeed(162);
        int pairs = BackendName == "cuda" ? 16 : 48;
        var (images, labels) = ExampleData.Digits(pairs * 2, seed: 14);
        // make_pairs: each image with a partner of the same class (label 1) or another (label 0).
        var classes = labels.ToArray<int>();
        var first = new int[pairs];
        var second = new int[pairs];
        var pairLabels = new float[pairs];
        for (int i = 0; i < pairs; i++)
        {
            first[i] = i;
            bool same = i % 2 == 0;
            second[i] = Enumerable.Range(0, pairs * 2).First(j => j != i && (classes[j] == classes[i]) == same);
            pairLabels[i] = same ? 1 : 0;
        }
        var all = NF.ExpandDims(images, -1);
        var x1 = NF.Gather(all, NF.Constant(first));
        var x2 = NF.Gather(all, NF.Constant(second));
        var y = NF.Constant(pairLabels);
        var (siamese, _) = SiameseModel();
        siamese.Compile(loss: new ContrastiveLoss(margin: 1), optimizer: "RMSprop", metrics: ["accuracy"]);
        var history = siamese.Fit([x1, x2], y, validationData: ([x1, x2], y), batchSize: 16, epochs: 3, verbose: 0);
        Assert.Equal(new[] { "loss", "accuracy", "val_loss", "val_accuracy" }, history.Keys.ToArray());
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        var predictions = siamese.Predict([x1, x2], verbose: 0);
        Assert.Equal(new[] { pairs, 1 }, predictions.Shape.ToArray());
    }
}

/// <summary>The Siamese contrastive example on the managed backend.</summary>
public sealed class ManagedExamplesSiameseContrastiveTests() : ExamplesSiameseContrastiveTests("managed");

/// <summary>The Siamese contrastive example on the native CPU backend.</summary>
public sealed class NativeCpuExamplesSiameseContrastiveTests() : ExamplesSiameseContrastiveTests("cpu");

/// <summary>The Siamese contrastive example on CUDA.</summary>
public sealed class CudaExamplesSiameseContrastiveTests() : ExamplesSiameseContrastiveTests("cuda");
