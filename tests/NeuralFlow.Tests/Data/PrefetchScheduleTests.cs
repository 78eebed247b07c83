using NeuralFlow.Data;
using NeuralFlow.Data.Pipeline;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Data;

/// <summary>
/// Prefetch's two ways of running the upstream (its background thread, or the consumer's thread
/// when Autotune finds that faster) and the row-number path of Batch give the same batches, bit
/// for bit, as the pipeline without them; Fit sees a Map's error, an early stop and disposal the
/// same way in both, with no thread left behind and no hang.
/// </summary>
public abstract class PrefetchScheduleTests(string backend) : BackendTest(backend)
{
    // 50 uint8 images of 4x5 and their labels.
    private static (Tensor X, Tensor Y) Data() => MapBatchFusionTests.Data();

    // The workshop's section-6 pipeline (Prefetch added by the callers).
    private static Dataset<(Tensor, Tensor)> Section6((Tensor X, Tensor Y) d, bool fuse) =>
        Dataset.FromTensorSlices(d.X, d.Y)
            .Map((img, label) => (NF.Cast(NF.Reshape(img, [4 * 5]), DType.Float32) / 255f, label))
            .Shuffle(25, seed: 9)
            .Batch(8, fuseMap: fuse);

    private static List<(Shape, float[])[]> Batches<T>(Dataset<T> ds) where T : notnull =>
        ds.EnumerateTensors(disposeEach: true)
          .Select(b => b.Select(t => (t.Shape, NF.Cast(t, DType.Float32).ToArray<float>())).ToArray()).ToList();

    private static void AssertSame(List<(Shape, float[])[]> expected, List<(Shape, float[])[]> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            for (int c = 0; c < expected[i].Length; c++)
            {
                Assert.Equal(expected[i][c].Item1, actual[i][c].Item1);
                Assert.Equal(expected[i][c].Item2, actual[i][c].Item2);
            }
    }

    /// <summary>Runs <paramref name="body"/> with every Prefetch pass it opens following <paramref name="schedule"/>.</summary>
    private static T WithSchedule<T>(Func<long, bool>? schedule, Func<T> body)
    {
        var saved = PrefetchNode.ScheduleForTests.Value;
        PrefetchNode.ScheduleForTests.Value = schedule;
        try
        {
            return body();
        }
        finally
        {
            PrefetchNode.ScheduleForTests.Value = saved;
        }
    }

    // Where each element is made: all on the thread, all inline, switching every element, in runs of 3.
    public static TheoryData<string> Schedules() => ["background", "inline", "alternate", "runs of 3"];

    private static Func<long, bool> Schedule(string name) => name switch
    {
        "background" => _ => false,
        "inline" => _ => true,
        "alternate" => i => i % 2 == 1,
        _ => i => i / 3 % 2 == 0,
    };

    [SkippableTheory]
    [MemberData(nameof(Schedules))]
    public void Every_schedule_gives_the_batches_of_the_pipeline_without_prefetch(string schedule)
    {
        RequireBackend();
        var d = Data();
        foreach (bool fuse in new[] { true, false })
        {
            var (plain, prefetched) = (Section6(d, fuse), Section6(d, fuse).Prefetch(Dataset.Autotune));
            for (int epoch = 0; epoch < 2; epoch++) // the second pass is reshuffled, the same way on both
                AssertSame(Batches(plain), WithSchedule(Schedule(schedule), () => Batches(prefetched)));
            Assert.Equal(fuse, prefetched.MapBatchFusion!.IsFused);
        }
        Assert.Equal(0, PrefetchNode.RunningWorkers);
    }

    [SkippableFact]
    public void Batches_of_row_numbers_match_batches_of_elements_through_every_order_only_step()
    {
        RequireBackend();
        var d = Data();
        // Filter (which looks at elements) makes the same steps run element by element.
        Dataset<(Tensor, Tensor)> Steps(Dataset<(Tensor, Tensor)> rows) =>
            rows.Shuffle(7, seed: 4).Skip(3).Take(40).Repeat(2).Shard(3, 1);
        var (rows, elements) = (Steps(Dataset.FromTensorSlices(d.X, d.Y)), Steps(Dataset.FromTensorSlices(d.X, d.Y).Filter((_, _) => true)));
        Assert.NotNull(rows.Node.RowSources);
        Assert.Null(elements.Node.RowSources);
        for (int epoch = 0; epoch < 2; epoch++) AssertSame(Batches(elements.Batch(5)), Batches(rows.Batch(5)));
    }

    [SkippableFact]
    public void Under_an_NF_Function_trace_the_pipeline_keeps_to_its_thread()
    {
        // The trace is the function's: the pipeline's ops must not be recorded into it, even
        // where the schedule asks for inline. The Map notes the threads it runs on.
        RequireBackend();
        var d = Data();
        var threads = new System.Collections.Concurrent.ConcurrentBag<int>();
        var ds = Dataset.FromTensorSlices(d.X, d.Y)
            .Map((img, label) =>
            {
                threads.Add(Environment.CurrentManagedThreadId);
                return (NF.Cast(img, DType.Float32) / 255f, label);
            })
            .Batch(8)
            .Prefetch(Dataset.Autotune);
        int batches = 0, consumer = 0;
        var f = NF.Function((Tensor x) =>
        {
            consumer = Environment.CurrentManagedThreadId;
            foreach (var (a, b) in ds)
            {
                batches++;
                a.Dispose();
                b.Dispose();
            }
            return x + 1f;
        });
        using var y = WithSchedule(_ => true, () => f(NF.Constant(new[] { 1f })));
        Assert.Equal([2f], y.ToArray<float>());
        Assert.Equal(7, batches);
        Assert.NotEmpty(threads);
        Assert.DoesNotContain(consumer, threads);
        Assert.Equal(0, PrefetchNode.RunningWorkers);

        // Outside a trace the same schedule does run it on the consumer's thread.
        threads.Clear();
        WithSchedule(_ => true, () => ds.Count());
        Assert.Contains(Environment.CurrentManagedThreadId, threads);
    }

    private static Sequential NewModel()
    {
        NF.Random.SetSeed(21);
        var model = new Sequential(new Keras.Layers.Dense(6, activation: "relu"), new Keras.Layers.Dense(10, activation: "softmax"));
        model.Compile(new Keras.Optimizers.SGD(0.1f), "sparse_categorical_crossentropy", ["accuracy"]);
        return model;
    }

    [SkippableTheory]
    [MemberData(nameof(Schedules))]
    public void Fit_trains_the_same_weights_whatever_the_schedule(string schedule)
    {
        RequireBackend();
        var d = Data();
        float[] Train(bool prefetch)
        {
            var model = NewModel();
            var ds = Section6(d, fuse: true);
            model.Fit(prefetch ? ds.Prefetch(Dataset.Autotune) : ds, epochs: 2, verbose: 0);
            return model.TrainableVariables.SelectMany(v => v.ToArray<float>()).ToArray();
        }
        Assert.Equal(Train(prefetch: false), WithSchedule(Schedule(schedule), () => Train(prefetch: true)));
        Assert.Equal(0, PrefetchNode.RunningWorkers);
    }

    private sealed class BadImageException(string message) : Exception(message);

    // Runs Fit on another thread and fails (instead of hanging the suite) if it does not end within a minute.
    private static Exception? FitWithin(Func<Sequential, Dataset<(Tensor, Tensor)>, History> fit, Dataset<(Tensor, Tensor)> ds, string schedule)
    {
        var backend = NF.Backend;
        var run = Task.Run(() =>
        {
            using var _ = NF.UseBackend(backend);
            WithSchedule(Schedule(schedule), () => fit(NewModel(), ds));
        });
        Assert.True(Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60))).Result == run, "Fit did not end within 60 s");
        return run.Exception?.InnerException;
    }

    [SkippableTheory]
    [MemberData(nameof(Schedules))]
    public void An_error_in_a_prefetched_Map_reaches_Fit_with_its_message_and_ends_the_thread(string schedule)
    {
        RequireBackend();
        var d = Data();
        int calls = 0;
        var ds = Dataset.FromTensorSlices(d.X, d.Y)
            .Map((img, label) => Interlocked.Increment(ref calls) == 37
                ? throw new BadImageException("image 36 is unreadable")
                : (NF.Cast(NF.Reshape(img, [4 * 5]), DType.Float32) / 255f, label))
            .Batch(8, fuseMap: false)
            .Prefetch(Dataset.Autotune);
        var error = FitWithin((m, data) => m.Fit(data, epochs: 3, verbose: 0), ds, schedule);
        Assert.IsType<BadImageException>(error);
        Assert.Equal("image 36 is unreadable", error!.Message);
        Assert.Equal(0, PrefetchNode.RunningWorkers);
    }

    private sealed class StopAfter(int batches) : Callbacks.Callback
    {
        public int Seen { get; private set; }

        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs)
        {
            if (++Seen == batches) Model!.StopTraining = true;
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Schedules))]
    public void Stopping_Fit_early_ends_the_prefetch_thread_without_waiting_for_the_data(string schedule)
    {
        RequireBackend();
        var d = Data();
        // Endless data: Fit only ends because the callback stops it, and the thread must end with it.
        var ds = Section6(d, fuse: true).Repeat().Prefetch(Dataset.Autotune);
        var stop = new StopAfter(5);
        var error = FitWithin((m, data) => m.Fit(data, epochs: 1, verbose: 0, stepsPerEpoch: 1000, callbacks: [stop]), ds, schedule);
        Assert.Null(error);
        Assert.Equal(5, stop.Seen);
        Assert.Equal(0, PrefetchNode.RunningWorkers);
    }
}

public sealed class ManagedPrefetchScheduleTests() : PrefetchScheduleTests("managed");

public sealed class NativeCpuPrefetchScheduleTests() : PrefetchScheduleTests("cpu");

public sealed class CudaPrefetchScheduleTests() : PrefetchScheduleTests("cuda");
