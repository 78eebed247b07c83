using NeuralFlow.Data;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe9;

/// <summary>
/// Fit, Evaluate and Predict fed by datasets, as Keras documents them: Repeat() needs
/// stepsPerEpoch; a finite dataset that runs out before stepsPerEpoch * epochs batches stops
/// training ("Your input ran out of data; interrupting training"), keeping the epoch it ran out
/// in; a dataset that yields no batch is a clear error; (x, y, sample_weight) elements give
/// Keras' sum_over_batch_size loss, sum(w * l) / n, over batches of unequal size; and a
/// dictionary dataset feeds a functional model by input name, not by key order.
/// </summary>
public abstract class DatasetFitTests(string backend) : BackendTest(backend)
{
    // Made afresh on the test's backend each time it is read.
    private static Tensor X => NF.Constant(new float[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, [10, 1]);

    private static Sequential Line()
    {
        NF.Random.SetSeed(7);
        var m = new Sequential(Layers.Input([1]), new Layers.Dense(1));
        m.Compile(new Optimizers.SGD(0.001), "mse");
        return m;
    }

    [SkippableFact]
    public void Repeat_forever_trains_with_steps_per_epoch_and_is_refused_without()
    {
        RequireBackend();
        var forever = Dataset.FromTensorSlices(X, X * 2f).Batch(4).Repeat();
        var h = Line().Fit(forever, epochs: 3, stepsPerEpoch: 5, verbose: 0);
        Assert.Equal(3, h["loss"].Count);
        var e = Assert.Throws<ArgumentException>(() => Line().Fit(forever, epochs: 1, verbose: 0));
        Assert.Equal("stepsPerEpoch", e.ParamName);
        Assert.Throws<ArgumentException>(() => Line().Evaluate(forever, verbose: 0));
        // Batches of 4, 4, 2, then the next pass: 4 steps are 14 rows.
        Assert.Equal(new[] { 14, 1 }, Line().Predict(Dataset.FromTensorSlices(X).Batch(4).Repeat(), steps: 4, verbose: 0).Shape.ToArray());
    }

    [SkippableFact]
    public void A_finite_dataset_that_runs_out_stops_training_in_that_epoch()
    {
        RequireBackend();
        // 3 batches, 2 per epoch: epoch 1 takes two, epoch 2 one and runs out; epoch 3 never runs.
        var h = Line().Fit(Dataset.FromTensorSlices(X, X * 2f).Batch(4), epochs: 3, stepsPerEpoch: 2, verbose: 0);
        Assert.Equal(2, h["loss"].Count);
        // stepsPerEpoch equal to the dataset's length restarts it every epoch (Keras' should_recreate_iterator).
        Assert.Equal(3, Line().Fit(Dataset.FromTensorSlices(X, X * 2f).Batch(4), epochs: 3, stepsPerEpoch: 3, verbose: 0)["loss"].Count);
    }

    [SkippableFact]
    public void A_dataset_without_batches_is_a_clear_error()
    {
        RequireBackend();
        var data = Dataset.FromTensorSlices(X, X * 2f);
        foreach (var empty in new[] { data.Take(0).Batch(4), data.Filter((_, _) => false).Batch(4), data.Batch(32, dropRemainder: true) })
        {
            var e = Assert.Throws<InvalidOperationException>(() => Line().Fit(empty, verbose: 0));
            Assert.Contains("no batches", e.Message);
            Assert.Throws<InvalidOperationException>(() => Line().Evaluate(empty, verbose: 0));
            Assert.Throws<InvalidOperationException>(() => Line().Fit(data.Batch(4), verbose: 0, validationData: empty));
        }
    }

    [SkippableFact]
    public void Sample_weight_triples_give_keras_sum_over_batch_size_loss()
    {
        RequireBackend();
        var m = Line();
        var y = X * 2f;
        var w = NF.Constant(new float[] { 1, 0.5f, 2, 0, 1, 1, 3, 0, 0, 1 }, [10]);
        var pred = m.Predict(X, verbose: 0).ToArray<float>();
        var yv = y.ToArray<float>();
        var wv = w.ToArray<float>();
        // Keras: each batch's loss is sum(w * l) / batch size, and the reported loss weights the
        // batches by their size, so over any batching it is sum(w * l) / n.
        double want = Enumerable.Range(0, 10).Sum(i => wv[i] * Math.Pow(pred[i] - yv[i], 2)) / 10;
        foreach (int batch in new[] { 4, 10 })
        {
            double got = m.Evaluate(Dataset.FromTensorSlices(X, y, w).Batch(batch), verbose: 0)["loss"];
            Assert.Equal(want, got, want * 1e-5);
        }
    }

    [SkippableFact]
    public void A_dictionary_dataset_feeds_a_functional_model_by_input_name()
    {
        RequireBackend();
        NF.Random.SetSeed(11);
        // The inputs' order (z, a) is not the keys' ordinal order (a, z): matching by position would differ.
        var z = Layers.Input([1], name: "z");
        var a = Layers.Input([1], name: "a");
        var model = new Model([z, a], new Layers.Dense(1).Call(new Layers.Concatenate().Call([z, a])));
        model.Compile(new Optimizers.SGD(0.001), "mse");
        var zs = X;
        var aS = X * -3f + 1f;
        var y = X * 2f;
        var byName = Dataset.FromTensorSlices(new Dictionary<string, Tensor> { ["a"] = aS, ["z"] = zs }, y).Batch(4);
        var byPosition = Dataset.FromTensorSlices(zs, aS, y).Batch(4);
        double named = model.Evaluate(byName, verbose: 0)["loss"];
        Assert.Equal(model.Evaluate(byPosition, verbose: 0)["loss"], named, 1e-4 * named);
        var swapped = Dataset.FromTensorSlices(aS, zs, y).Batch(4);
        Assert.NotEqual(model.Evaluate(swapped, verbose: 0)["loss"], named, 1e-3 * named);
        var h = model.Fit(byName, epochs: 2, verbose: 0, validationData: byName);
        Assert.Equal(2, h["val_loss"].Count);
        var missing = Dataset.FromTensorSlices(new Dictionary<string, Tensor> { ["a"] = aS, ["c"] = zs }, y).Batch(4);
        Assert.Contains("missing z", Assert.Throws<ArgumentException>(() => model.Fit(missing, verbose: 0)).Message);
    }

    [SkippableFact]
    public void A_map_that_throws_inside_fit_surfaces_through_prefetch()
    {
        RequireBackend();
        var ds = Dataset.FromTensorSlices(X, X * 2f)
            .Map((x, y) => x.ToArray<float>()[0] > 6 ? throw new FormatException("bad row") : (x, y), 2)
            .Batch(4).Prefetch(Dataset.Autotune);
        var run = Task.Run(() => Line().Fit(ds, epochs: 2, verbose: 0));
        Assert.True(Task.WaitAny([run], TimeSpan.FromSeconds(120)) == 0, "Fit hung");
        Assert.Equal("bad row", Assert.IsType<FormatException>(run.Exception?.InnerException).Message);
    }
}

/// <summary>Dataset-fed training on the managed backend.</summary>
public sealed class ManagedDatasetFitTests() : DatasetFitTests("managed");

/// <summary>Dataset-fed training on the native CPU backend.</summary>
public sealed class NativeCpuDatasetFitTests() : DatasetFitTests("cpu");

/// <summary>Dataset-fed training on CUDA.</summary>
public sealed class CudaDatasetFitTests() : DatasetFitTests("cuda");
