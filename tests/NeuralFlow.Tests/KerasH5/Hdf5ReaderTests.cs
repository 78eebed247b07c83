using NeuralFlow.IO.Hdf5;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.KerasH5;

/// <summary>
/// The HDF5 reader's element types and layouts (fixtures from make_fixtures.py): every float and
/// integer width h5py writes, a compact dataset, a user block before the superblock; big-endian
/// data are refused with messages that say so; dense link storage is read.
/// </summary>
public abstract class Hdf5ReaderTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Every_float_and_integer_width_reads_its_values()
    {
        RequireBackend();
        using var file = Hdf5File.Open(KerasH5Fixtures.Path("dtypes.h5"));
        foreach (var t in new[] { "f2", "f4", "f8" })
        {
            var d = (Hdf5Dataset)file.Root.Get(t)!;
            Assert.Equal(new long[] { 2, 3 }, d.Shape);
            Assert.Equal(new double[] { -2, -1, 0, 1, 2, 3 }, Hdf5Elements.ToDoubles(d.ReadBytes(), d.Type, 6));
        }
        foreach (var t in new[] { "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8" })
        {
            var d = (Hdf5Dataset)file.Root.Get(t)!;
            long shift = t[0] == 'u' ? 0 : 2;
            Assert.Equal(new long[] { 0, 1, 2, 3, 4, 5 }.Select(v => v - shift), Hdf5Elements.ToLongs(d.ReadBytes(), d.Type, 6));
            Assert.Equal((t[0] == 'u' ? "uint" : "int") + (int.Parse(t[1..]) * 8), d.Type.Name);
        }
        var compact = (Hdf5Dataset)file.Root.Get("compact")!;
        Assert.Equal(new double[] { 1.5, -2.5, 3.5, 4.0 }, Hdf5Elements.ToDoubles(compact.ReadBytes(), compact.Type, 4));
    }

    [SkippableFact]
    public void A_group_whose_b_tree_has_several_levels_lists_every_member()
    {
        RequireBackend();
        using var file = Hdf5File.Open(KerasH5Fixtures.Path("many_members.h5"));
        var names = file.Root.Names;
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"g{i:000}"), names);
        Assert.IsType<Hdf5Group>(file.Root.Get("g299"));
    }

    [SkippableFact]
    public void Checksums_are_jenkins_lookup3()
    {
        RequireBackend();
        // lookup3.c's own driver: hashlittle("Four score and seven years ago", 30, 0) == 0x17770551; of nothing, 0xdeadbeef.
        Assert.Equal(0x17770551u, Hdf5Checksum.Lookup3("Four score and seven years ago"u8));
        Assert.Equal(0xdeadbeefu, Hdf5Checksum.Lookup3([]));
    }

    [SkippableFact]
    public void Big_endian_data_is_refused_by_name()
    {
        RequireBackend();
        using var file = Hdf5File.Open(KerasH5Fixtures.Path("dtypes.h5"));
        var e = Assert.Throws<InvalidDataException>(() => file.Root.Get("big_endian"));
        Assert.Contains("big-endian", e.Message);
        Assert.Contains("dtypes.h5", e.Message);
    }

    [SkippableFact]
    public void A_user_block_before_the_superblock_is_skipped()
    {
        RequireBackend();
        var m = KerasH5Fixtures.Mlp();
        m.LoadWeights(KerasH5Fixtures.Path("mlp_userblock.weights.h5"));
        KerasH5Fixtures.AssertPredicts(m, "mlp");
    }

    [SkippableFact]
    public void Dense_link_storage_is_read()
    {
        // Nine layers under libver='latest': the "layers" links are in a fractal heap. Before, refused.
        RequireBackend();
        var m = new Sequential(Layers.Input([2]), Enumerable.Range(0, 9).Select(_ => (Layer)new Layers.Dense(2)));
        m.LoadWeights(KerasH5Fixtures.Path("dense_links_latest.weights.h5"));
        // Each layer's kernel is ones and its bias zeros: [a, b] -> [a + b, a + b], nine times.
        Assert.Equal([768f, 768f], m.Predict(NF.Constant(new[] { 1f, 2f }, [1, 2])).ToArray<float>());
    }
}

/// <summary>The HDF5 reader on the managed backend.</summary>
public sealed class ManagedHdf5ReaderTests() : Hdf5ReaderTests("managed");

/// <summary>The HDF5 reader on the native CPU backend.</summary>
public sealed class NativeCpuHdf5ReaderTests() : Hdf5ReaderTests("cpu");

/// <summary>The HDF5 reader on the CUDA backend.</summary>
public sealed class CudaHdf5ReaderTests() : Hdf5ReaderTests("cuda");
