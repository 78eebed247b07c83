using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's "Memory-efficient embeddings for recommendation systems" in C#: the baseline
/// (two Embedding tables, Dot(axes=1), sigmoid * 5) has the example's 623,744 parameters on
/// MovieLens 1M's 6,040 users and 3,706 movies, the quotient-remainder users with mixed-dimension
/// movies (blocks of 400, 1,300 and 2,006 movies at 64, 32 and 16 wide) its 117,968. On synthetic
/// ratings of string ids (StringLookup before the model), both train with MSE and MAE metrics,
/// labels of shape (batch,) against predictions of (batch, 1) as make_csv_dataset gives them.
/// </summary>
public abstract class ExamplesMemoryEfficientEmbeddingsTests(string backend) : BackendTest(backend)
{
    // The example's sigmoid(logits) * 5 on a KerasTensor, as layers.
    private static KerasTensor RatingScale(KerasTensor logits) =>
        new Layers.Rescaling(5).Call(new Layers.Activation("sigmoid").Call(logits));

    private static Model Baseline(int users, int movies, int dim)
    {
        var userInput = Layers.Input([], DType.Int64, name: "user_id");
        var userEmbedding = new Layers.Embedding(users, dim, name: "user_embedding").Call(userInput);
        var movieInput = Layers.Input([], DType.Int64, name: "movie_id");
        var movieEmbedding = new Layers.Embedding(movies, dim, name: "movie_embedding").Call(movieInput);
        var logits = new Layers.Dot(axes: 1, name: "dot_similarity").Call([userEmbedding, movieEmbedding]);
        return new Model([userInput, movieInput], RatingScale(logits), name: "baseline_model");
    }

    private static Model MemoryEfficient(int userBuckets, int[] movieBlocks, int[] movieDims, int dim)
    {
        var userInput = Layers.Input([], DType.Int64, name: "user_id");
        var userEmbedding = new QREmbedding(dim, userBuckets, name: "user_embedding").Call(userInput);
        var movieInput = Layers.Input([], DType.Int64, name: "movie_id");
        var movieEmbedding = new MDEmbedding(movieBlocks, movieDims, dim, name: "movie_embedding").Call(movieInput);
        var logits = new Layers.Dot(axes: 1, name: "dot_similarity").Call([userEmbedding, movieEmbedding]);
        return new Model([userInput, movieInput], RatingScale(logits), name: "baseline_model");
    }

    [SkippableFact]
    public void Models_have_the_examples_parameter_counts()
    {
        RequireBackend();
        var baseline = Baseline(6040, 3706, 64);
        Assert.Equal(623_744, baseline.CountParams());
        Assert.Contains("Total params: 623,744", baseline.SummaryText());
        var efficient = MemoryEfficient(6040 / 50, [400, 1300, 2006], [64, 32, 16], 64);
        Assert.Equal(117_968, efficient.CountParams());
        Assert.Equal(new[] { 7, 1 }, efficient.Predict((NF.Range(0L, 7L), NF.Range(3000L, 3700L, 100L)), verbose: 0).Shape.ToArray());
    }

    [SkippableFact]
    public void Quotient_remainder_embedding_multiplies_its_two_rows()
    {
        RequireBackend();
        NF.Random.SetSeed(158);
        var layer = new QREmbedding(3, 4);
        var ids = NF.Constant(new long[] { 0, 5, 15 });
        var got = layer.Call(ids).ToArray<float>();
        var (q, r) = (layer.Variables[0].ToArray<float>(), layer.Variables[1].ToArray<float>());
        long[] raw = [0, 5, 15];
        for (int i = 0; i < 3; i++)
            for (int d = 0; d < 3; d++)
                Assert.Equal(q[(raw[i] / 4) * 3 + d] * r[(raw[i] % 4) * 3 + d], got[i * 3 + d], 6);
    }

    [SkippableFact]
    public void Both_models_train_on_looked_up_string_ids()
    {
        RequireBackend();
        NF.Random.SetSeed(159);
        int users = 60, movies = 40, count = BackendName == "cuda" ? 256 : 640;
        var rng = new Random(10);
        var userTaste = Enumerable.Range(0, users).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var movieStyle = Enumerable.Range(0, movies).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var userIds = new string[count];
        var movieIds = new string[count];
        var ratings = new float[count];
        for (int i = 0; i < count; i++)
        {
            int u = rng.Next(users), m = rng.Next(movies);
            (userIds[i], movieIds[i]) = ($"user_{u}", $"movie_{m}");
            ratings[i] = (float)Math.Round(3 + 2 * userTaste[u] * movieStyle[m]);
        }
        var userLookup = new Layers.StringLookup(vocabulary: userIds.Distinct().ToArray(), maskToken: null, numOovIndices: 0);
        // The mixed-dimension blocks cut the vocabulary sorted by popularity.
        var movieVocabulary = movieIds.GroupBy(m => m).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).ToArray();
        var movieLookup = new Layers.StringLookup(vocabulary: movieVocabulary, maskToken: null, numOovIndices: 0);
        var x = new Dictionary<string, Tensor> { ["user_id"] = userLookup.Call(userIds), ["movie_id"] = movieLookup.Call(movieIds) };
        var y = NF.Constant(ratings, [count]);
        int blocksLeft = movieVocabulary.Length - 10 - 15;
        foreach (var model in new[] { Baseline(users, movieVocabulary.Length, 8), MemoryEfficient(8, [10, 15, blocksLeft], [8, 4, 2], 8) })
        {
            model.Compile(optimizer: new Optimizers.Adam(0.01f), loss: new Losses.MeanSquaredError(), metrics: [new Metrics.MeanAbsoluteError(name: "mae")]);
            var history = model.Fit(x, y, batchSize: 64, epochs: 3, validationSplit: 0.15, verbose: 0);
            Assert.Equal(new[] { "loss", "mae", "val_loss", "val_mae" }, history.Keys.ToArray());
            Assert.True(history["loss"][^1] < history["loss"][0], $"{model.Name}: {string.Join(", ", history["loss"])}");
            var predicted = model.Predict(x, verbose: 0).ToArray<float>();
            Assert.All(predicted, p => Assert.InRange(p, 0f, 5f));
        }
    }
}

/// <summary>The memory-efficient embeddings example on the managed backend.</summary>
public sealed class ManagedExamplesMemoryEfficientEmbeddingsTests() : ExamplesMemoryEfficientEmbeddingsTests("managed");

/// <summary>The memory-efficient embeddings example on the native CPU backend.</summary>
public sealed class NativeCpuExamplesMemoryEfficientEmbeddingsTests() : ExamplesMemoryEfficientEmbeddingsTests("cpu");

/// <summary>The memory-efficient embeddings example on CUDA.</summary>
public sealed class CudaExamplesMemoryEfficientEmbeddingsTests() : ExamplesMemoryEfficientEmbeddingsTests("cuda");
