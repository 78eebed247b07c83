using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's "Collaborative Filtering for Movie Recommendations" in C#: a subclassed RecommenderNet
/// on (user, movie) index pairs with min-max normalized ratings, BinaryCrossentropy and Adam; its
/// output is the example's formula (one tensordot scalar per batch plus the biases, through a
/// sigmoid); the L2 penalties of the embeddings join the loss; a few epochs lower it.
/// </summary>
public abstract class ExamplesCollaborativeFilteringTests(string backend) : BackendTest(backend)
{
    private static (Tensor X, Tensor Y) Ratings(int users, int movies, int count)
    {
        var rng = new Random(17);
        var taste = Enumerable.Range(0, users).Select(_ => rng.NextDouble()).ToArray();
        var quality = Enumerable.Range(0, movies).Select(_ => rng.NextDouble()).ToArray();
        var pairs = new int[count * 2];
        var ratings = new double[count];
        for (int i = 0; i < count; i++)
        {
            int u = rng.Next(users), m = rng.Next(movies);
            (pairs[2 * i], pairs[2 * i + 1]) = (u, m);
            ratings[i] = Math.Round(0.5 + 4.5 * (0.5 * taste[u] + 0.5 * quality[m]) * 2) / 2;   // 0.5 .. 5 in halves
        }
        // y = (rating - min) / (max - min), as the example normalizes.
        double min = ratings.Min(), max = ratings.Max();
        return (NF.Constant(pairs, [count, 2]), NF.Constant(ratings.Select(r => (float)((r - min) / (max - min))).ToArray(), [count, 1]));
    }

    [SkippableFact]
    public void Output_is_the_examples_formula_with_one_tensordot_per_batch()
    {
        RequireBackend();
        NF.Random.SetSeed(165);
        var model = new RecommenderNet(5, 4, 3);
        var x = NF.Constant(new[,] { { 0, 1 }, { 4, 3 }, { 2, 0 } });
        var got = model.Call(x).ToArray<float>();
        var (ue, ub, me, mb) = (model.Variables[0].ToArray<float>(), model.Variables[1].ToArray<float>(), model.Variables[2].ToArray<float>(), model.Variables[3].ToArray<float>());
        int[,] pairs = { { 0, 1 }, { 4, 3 }, { 2, 0 } };
        double dot = 0;
        for (int i = 0; i < 3; i++)
            for (int d = 0; d < 3; d++) dot += ue[pairs[i, 0] * 3 + d] * me[pairs[i, 1] * 3 + d];
        for (int i = 0; i < 3; i++)
            Assert.Equal(1 / (1 + Math.Exp(-(dot + ub[pairs[i, 0]] + mb[pairs[i, 1]]))), got[i], 5);
        // The two embedding regularizers: 1e-6 * sum(w^2) each.
        double penalty = 1e-6 * (ue.Sum(v => (double)v * v) + me.Sum(v => (double)v * v));
        Assert.Equal(penalty, model.Losses.Sum(l => l.Item<float>()), 9);
    }

    [SkippableFact]
    public void Trains_on_normalized_ratings()
    {
        RequireBackend();
        NF.Random.SetSeed(166);
        int count = 640;
        var (x, y) = Ratings(600, 300, count);   // MovieLens-like table sizes keep he_normal's start small
        var model = new RecommenderNet(600, 300, 8);
        model.Compile(loss: new Losses.BinaryCrossentropy(), optimizer: new Optimizers.Adam(learningRate: 0.001));
        int split = (int)(0.9 * count);
        var history = model.Fit(x[..split], y[..split], batchSize: 64, epochs: 4, validationData: (x[split..], y[split..]), verbose: 0);
        Assert.Equal(new[] { "loss", "val_loss" }, history.Keys.ToArray());
        Assert.True(history["loss"][^1] < history["loss"][0], string.Join(", ", history["loss"]));
        var ratings = model.Predict(x[..10], verbose: 0);
        Assert.Equal(new[] { 10, 1 }, ratings.Shape.ToArray());
        Assert.All(ratings.ToArray<float>(), r => Assert.InRange(r, 0f, 1f));
    }
}

/// <summary>The collaborative filtering example on the managed backend.</summary>
public sealed class ManagedExamplesCollaborativeFilteringTests() : ExamplesCollaborativeFilteringTests("managed");

/// <summary>The collaborative filtering example on the native CPU backend.</summary>
public sealed class NativeCpuExamplesCollaborativeFilteringTests() : ExamplesCollaborativeFilteringTests("cpu");

/// <summary>The collaborative filtering example on CUDA.</summary>
public sealed class CudaExamplesCollaborativeFilteringTests() : ExamplesCollaborativeFilteringTests("cuda");
