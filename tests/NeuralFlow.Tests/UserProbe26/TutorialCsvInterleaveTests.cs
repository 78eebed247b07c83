using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe26;

/// <summary>
/// Interleave and FlatMap whose datasets make dictionaries, as the tutorial's font_files.interleave(make_font_csv_ds)
/// does with CsvDataset rows. Before, both refused any dictionary output ("not supported as its output yet"),
/// because the keys are only known from the first element; now the keys are learnt from it, as a Map's are, and
/// a later dataset with other keys is refused naming both sets. Expected values are the inputs' own.
/// </summary>
public abstract class TutorialCsvInterleaveTests(string backend) : BackendTest(backend)
{
    // Dataset n: rows {"id": n * 10 + r, "name": "d{n}r{r}"} for r below n, a dictionary made by a Map.
    private static Dataset<IReadOnlyDictionary<string, object>> Rows(long n) =>
        Dataset.Range(n).Map(r => (IReadOnlyDictionary<string, object>)new Dictionary<string, object>
        {
            ["id"] = NF.Constant(n * 10 + r.Item<long>()),
            ["name"] = new StringTensor($"d{n}r{r.Item<long>()}"),
        });

    [SkippableFact]
    public void Interleave_and_flat_map_deliver_dictionaries_of_numbers_and_text()
    {
        RequireBackend();
        var sizes = Dataset.FromTensorSlices(NF.Constant(new long[] { 3, 2, 1 }));
        var interleaved = sizes.Interleave(n => Rows(n.Item<long>()), cycleLength: 2).ToList();
        // tf.data's order with two slots: d3 and d2 in turn, then d1 in the slot d2 left.
        Assert.Equal(new long[] { 30, 20, 31, 21, 32, 10 }, interleaved.Select(e => ((Tensor)e["id"]).Item<long>()));
        Assert.Equal(["d3r0", "d2r0", "d3r1", "d2r1", "d3r2", "d1r0"], interleaved.Select(e => ((StringTensor)e["name"]).Item()));
        // The keys keep the first element's order.
        Assert.Equal(["id", "name"], interleaved[0].Keys);

        var flat = sizes.FlatMap(n => Rows(n.Item<long>())).Batch(4).ToList();
        Assert.Equal(new long[] { 30, 31, 32, 20 }, ((Tensor)flat[0]["id"]).ToArray<long>());
        Assert.Equal(["d2r1", "d1r0"], ((StringTensor)flat[1]["name"]).ToArray());
    }

    [SkippableFact]
    public void A_dataset_with_other_keys_is_refused_naming_both()
    {
        RequireBackend();
        var sizes = Dataset.FromTensorSlices(NF.Constant(new long[] { 1, 2 }));
        var mixed = sizes.FlatMap(n => n.Item<long>() == 1
            ? Rows(1)
            : Dataset.Range(1).Map(r => (IReadOnlyDictionary<string, object>)new Dictionary<string, object> { ["id"] = r }));
        var error = Assert.Throws<InvalidOperationException>(() => mixed.ToList());
        Assert.Contains("keys {'id'}, but the dataset's elements have keys {'id', 'name'}", error.Message);
    }
}

public sealed class ManagedTutorialCsvInterleaveTests() : TutorialCsvInterleaveTests("managed");

public sealed class NativeCpuTutorialCsvInterleaveTests() : TutorialCsvInterleaveTests("cpu");

/// <summary>On the CUDA backend.</summary>
public sealed class CudaTutorialCsvInterleaveTests() : TutorialCsvInterleaveTests("cuda");
