using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// make_csv_dataset leftovers: with shuffle the files themselves come in a new order each epoch
/// (TF shuffles its file list with shuffle_seed before reading; before, the first file's rows always
/// led every epoch), and type inference refuses a row with the wrong number of fields among the
/// rows it infers from, even with ignoreErrors, as TF's "Problem inferring types" does (before, it
/// skipped such rows and guessed the types from the rest).
/// </summary>
public abstract class Data2CsvTests(string backend) : BackendFileTest(backend)
{
    // Four files of two rows each: file k holds ids 2k+1 and 2k+2.
    private string Files()
    {
        string folder = Temp.File("parts");
        Directory.CreateDirectory(folder);
        for (int k = 0; k < 4; k++) File.WriteAllText(Path.Combine(folder, $"part-{k}.csv"), $"id,x\n{2 * k + 1},0.5\n{2 * k + 2},1.5\n");
        return Path.Combine(folder, "part-*.csv");
    }

    // One batch per epoch (8 rows), as lists of ids.
    private static int[][] Epochs(CsvDataset ds) => ds.Select(b => b["id"].ToArray<int>()).ToArray();

    [SkippableFact]
    public void Shuffle_reorders_the_files_each_epoch_keeping_each_files_rows_together()
    {
        RequireBackend();
        string pattern = Files();
        // A row buffer of 1 leaves the rows' order alone, so what moves is the files' order.
        CsvDataset Make(int? seed) => Csv.MakeCsvDataset(pattern, batchSize: 8, numEpochs: 8, shuffleBufferSize: 1, shuffleSeed: seed);
        var epochs = Epochs(Make(7));
        Assert.Equal(8, epochs.Length);
        foreach (var epoch in epochs)
        {
            Assert.Equal(Enumerable.Range(1, 8), epoch.Order());
            // Each file's two rows together and in order: odd id, then the next.
            for (int i = 0; i < 8; i += 2)
            {
                Assert.Equal(1, epoch[i] % 2);
                Assert.Equal(epoch[i] + 1, epoch[i + 1]);
            }
        }
        Assert.True(epochs.Select(e => string.Join(",", e)).Distinct().Count() > 1, "eight shuffled epochs read the files in one order");
        Assert.Contains(epochs, e => e[0] != 1);
        // The same seed gives the same sequence of orders; without shuffle the files come sorted.
        Assert.Equal(epochs, Epochs(Make(7)));
        var sorted = Epochs(Csv.MakeCsvDataset(pattern, batchSize: 8, numEpochs: 3, shuffle: false));
        Assert.All(sorted, e => Assert.Equal(Enumerable.Range(1, 8), e));
        // A full row shuffle still gives every row once per epoch.
        Assert.All(Epochs(Csv.MakeCsvDataset(pattern, batchSize: 8, numEpochs: 3, shuffleSeed: 3)), e => Assert.Equal(Enumerable.Range(1, 8), e.Order()));
    }

    [SkippableFact]
    public void With_parallel_reads_the_shuffled_files_are_interleaved_two_at_a_time()
    {
        RequireBackend();
        var epochs = Epochs(Csv.MakeCsvDataset(Files(), batchSize: 8, numEpochs: 8, shuffleBufferSize: 1, shuffleSeed: 11, numParallelReads: 2));
        foreach (var epoch in epochs)
        {
            Assert.Equal(Enumerable.Range(1, 8), epoch.Order());
            // Two files open at once, one row from each in turn: a, b, a + 1, b + 1; then the other two.
            for (int i = 0; i < 8; i += 4)
            {
                Assert.Equal([1, 1], new[] { epoch[i] % 2, epoch[i + 1] % 2 });
                Assert.Equal([epoch[i] + 1, epoch[i + 1] + 1], new[] { epoch[i + 2], epoch[i + 3] });
            }
        }
        Assert.True(epochs.Select(e => string.Join(",", e)).Distinct().Count() > 1, "eight shuffled epochs read the files in one order");
    }

    [SkippableFact]
    public void Inference_refuses_a_short_row_among_the_rows_it_reads_naming_the_file_and_line()
    {
        RequireBackend();
        string folder = Temp.File("csv");
        Directory.CreateDirectory(folder);
        string a = Path.Combine(folder, "a.csv");
        string b = Path.Combine(folder, "b.csv");
        File.WriteAllText(a, "n,x\n1,2.5\n2,3.5\n");
        // b's second row (line 3) has one field; its fourth row is fine again.
        File.WriteAllText(b, "n,x\n3,4.5\n4\n5,6.5\n");
        string pattern = Path.Combine(folder, "*.csv");

        // Rows 1-3 (a's two rows, b's first) are whole: the types come from them, and ignoreErrors skips the short row later.
        var read = Csv.MakeCsvDataset(pattern, batchSize: 10, numEpochs: 1, shuffle: false, numRowsForInference: 3, ignoreErrors: true).Single();
        Assert.Equal([1, 2, 3, 5], read["n"].ToArray<int>());
        Assert.Equal(DType.Float32, read["x"].DType);

        // Row 4 is among the rows the types are inferred from: refused even with ignoreErrors, naming b and its line 3.
        foreach (bool ignore in new[] { true, false })
        {
            var e = Assert.Throws<InvalidDataException>(() => Csv.MakeCsvDataset(pattern, batchSize: 10, numEpochs: 1, shuffle: false, ignoreErrors: ignore));
            Assert.Contains($"'{b}', line 3: expected 2 fields but found 1", e.Message);
            Assert.Contains("infer", e.Message);
        }
        // Too many fields is refused alike; with the types given, nothing is inferred and ignoreErrors skips the row.
        File.WriteAllText(b, "n,x\n3,4.5\n4,1,1\n5,6.5\n");
        Assert.Contains("expected 2 fields but found 3", Assert.Throws<InvalidDataException>(() =>
            Csv.MakeCsvDataset(pattern, batchSize: 10, numEpochs: 1, shuffle: false, ignoreErrors: true)).Message);
        var typed = Csv.MakeCsvDataset(pattern, batchSize: 10, columnDefaults: [0, 0f], numEpochs: 1, shuffle: false, ignoreErrors: true).Single();
        Assert.Equal([1, 2, 3, 5], typed["n"].ToArray<int>());
    }
}

/// <summary>make_csv_dataset's file shuffle and inference, on the managed backend.</summary>
public sealed class ManagedData2CsvTests() : Data2CsvTests("managed");

/// <summary>make_csv_dataset's file shuffle and inference, on the native CPU backend.</summary>
public sealed class NativeCpuData2CsvTests() : Data2CsvTests("cpu");

/// <summary>On CUDA (the emulator in CI; skipped where no CUDA engine loads).</summary>
public sealed class CudaData2CsvTests() : Data2CsvTests("cuda");
