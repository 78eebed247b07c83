using NeuralFlow.IO.Hdf5;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.KerasH5;

/// <summary>
/// The HDF5 reader on untrusted input: every truncation fails with an InvalidDataException
/// naming the file; a flipped byte anywhere either still loads (a weight's value changed) or
/// fails the same way, never with another exception, a crash or a hang; a B-tree that points
/// back at itself and a dataset of an absurd size are refused. Also reads attributes directly.
/// </summary>
public abstract class KerasH5CorruptFileTests(string backend) : BackendFileTest(backend)
{
    private static readonly string[] Files = ["mlp.weights.h5", "mlp_latest.weights.h5", "lstm_latest.weights.h5", "cnn_model_latest.h5"];

    private static Model ModelFor(string file) =>
        file.StartsWith("mlp") ? KerasH5Fixtures.Mlp() : file.StartsWith("lstm") ? KerasH5Fixtures.Lstm() : KerasH5Fixtures.Cnn();

    [SkippableFact]
    public void Every_truncation_fails_naming_the_file()
    {
        RequireBackend();
        foreach (var file in Files)
        {
            var bytes = File.ReadAllBytes(KerasH5Fixtures.Path(file));
            var model = ModelFor(file);
            model.LoadWeights(KerasH5Fixtures.Path(file));
            string path = Temp.File("cut.h5");
            for (int length = 0; length < bytes.Length; length += Math.Max(1, bytes.Length / 97))
            {
                File.WriteAllBytes(path, bytes[..length]);
                var e = Record.Exception(() => model.LoadWeights(path));
                Assert.True(e is InvalidDataException, $"{file} cut to {length} bytes: {e?.GetType().Name ?? "loaded"}: {e?.Message}");
                Assert.Contains("cut.h5", e!.Message);
            }
        }
    }

    [SkippableFact]
    public void A_flipped_byte_anywhere_loads_or_fails_cleanly()
    {
        RequireBackend();
        foreach (var file in Files)
        {
            var bytes = File.ReadAllBytes(KerasH5Fixtures.Path(file));
            var model = ModelFor(file);
            model.LoadWeights(KerasH5Fixtures.Path(file));
            string path = Temp.File("flipped.h5");
            int failed = 0;
            for (int at = 0; at < bytes.Length; at += 3)
            {
                var copy = (byte[])bytes.Clone();
                copy[at] ^= (byte)(at % 2 == 0 ? 0xFF : 0x10);
                File.WriteAllBytes(path, copy);
                var e = Record.Exception(() => model.LoadWeights(path));
                if (e is null) continue;
                failed++;
                Assert.True(e is InvalidDataException, $"{file} flipped at {at}: {e.GetType().Name}: {e}");
            }
            Assert.True(failed > 0, $"{file}: no flipped byte was detected");
        }
    }

    [SkippableFact]
    public void A_flipped_byte_in_a_checksummed_header_is_found()
    {
        RequireBackend();
        // The root header of a libver='latest' file holds the link "optimizer", which loading
        // never follows: only the header's checksum can tell that its name was damaged.
        var bytes = File.ReadAllBytes(KerasH5Fixtures.Path("mlp_latest.weights.h5"));
        int at = bytes.AsSpan().IndexOf("optimizer"u8);
        Assert.True(at > 0);
        bytes[at] ^= 0x20;
        string path = Temp.File("renamed.weights.h5");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => KerasH5Fixtures.Mlp().LoadWeights(path));
        Assert.Contains("checksum", e.Message);
    }

    [SkippableFact]
    public void B_tree_cycles_are_refused()
    {
        RequireBackend();
        foreach (var file in new[] { "group_btree_cycle.weights.h5", "chunk_btree_cycle.weights.h5" })
        {
            var m = file.StartsWith("group") ? KerasH5Fixtures.Mlp() : new Sequential(Layers.Input([4]), new Layers.Dense(3));
            var e = Assert.Throws<InvalidDataException>(() => m.LoadWeights(KerasH5Fixtures.Path(file)));
            Assert.Contains("cycle", e.Message);
            Assert.Contains(file, e.Message);
        }
    }

    [SkippableFact]
    public void An_absurd_dimension_is_refused_without_allocating_it()
    {
        RequireBackend();
        var m = new Sequential(Layers.Input([4]), new Layers.Dense(8));
        var e = Assert.Throws<InvalidDataException>(() => m.LoadWeights(KerasH5Fixtures.Path("absurd_dimension.weights.h5")));
        Assert.Contains("1099511627776", e.Message);
        Assert.Contains("absurd_dimension.weights.h5", e.Message);
        using var file = Hdf5File.Open(KerasH5Fixtures.Path("absurd_dimension.weights.h5"));
        Assert.Contains("absurd size", Assert.Throws<InvalidDataException>(() => file.Root.Get("layers/dense/vars/0")).Message);
        var dataset = (Hdf5Dataset)file.Root.Get("huge/big")!;
        Assert.Contains("too many elements", Assert.Throws<InvalidDataException>(() => dataset.ReadBytes()).Message);
    }

    [SkippableFact]
    public void Attributes_read_as_written_fixed_and_variable_length()
    {
        RequireBackend();
        using (var legacy = Hdf5File.Open(KerasH5Fixtures.Path("mlp_legacy.h5")))
        {
            Assert.Equal(new[] { "dense", "batch_normalization", "dense_1" }, (string[])legacy.Root.Attributes["layer_names"]);
            Assert.Equal("tensorflow", legacy.Root.Attributes["backend"]);
            Assert.Equal(new[] { "dense/kernel:0", "dense/bias:0" }, (string[])legacy.Root.Group("dense")!.Attributes["weight_names"]);
        }
        using var whole = Hdf5File.Open(KerasH5Fixtures.Path("cnn_model_latest.h5"));
        Assert.Contains("\"Sequential\"", (string)whole.Root.Attributes["model_config"]);
        var weights = whole.Root.Group("model_weights")!;
        Assert.Equal(new[] { "conv2d", "max_pooling2d", "flatten", "dense" }, (string[])weights.Attributes["layer_names"]);
        Assert.Equal(new[] { "conv2d", "dense", "flatten", "max_pooling2d" }, weights.Names.Order().ToArray());
        var kernel = (Hdf5Dataset)weights.Get("conv2d/conv2d/kernel:0")!;
        Assert.Equal(new long[] { 3, 3, 1, 2 }, kernel.Shape);
        Assert.Equal("float32", kernel.Type.Name);
    }
}

/// <summary>Corrupt HDF5 files on the managed backend.</summary>
public sealed class ManagedKerasH5CorruptFileTests() : KerasH5CorruptFileTests("managed");

/// <summary>Corrupt HDF5 files on the native CPU backend.</summary>
public sealed class NativeCpuKerasH5CorruptFileTests() : KerasH5CorruptFileTests("cpu");

/// <summary>Corrupt HDF5 files on the CUDA backend.</summary>
public sealed class CudaKerasH5CorruptFileTests() : KerasH5CorruptFileTests("cuda");
