using NeuralFlow.IO.Hdf5;

namespace NeuralFlow.Tests.KerasH5;

/// <summary>
/// Groups and attributes in dense storage, as libhdf5 keeps them past 8 in a file of the new
/// format (libver='latest', or h5py editing a file NeuralFlow wrote): every member and attribute
/// is read, through root direct and indirect heap blocks and name indexes of one leaf or several
/// levels (dense_storage_peer.py writes the files with h5py). Before, such a group or attribute
/// list was refused, and an attribute info message with a creation order (track_order) was
/// misread (its maximum creation index is 2 bytes, not a link info's 8).
/// </summary>
public sealed class Hdf5DenseStorageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nf-dense-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static long Integer(Hdf5Object? o) => BitConverter.ToInt64(Assert.IsType<Hdf5Dataset>(o).ReadBytes());

    [SkippableFact]
    public void Every_member_and_attribute_of_a_dense_group_is_read()
    {
        H5pyPeer.Require();
        var files = H5pyPeer.Run("dense_storage_peer.py", _dir);
        foreach (var file in files.EnumerateObject())
        {
            int members = file.Value.GetInt32();
            using var h5 = Hdf5File.Open(file.Name);
            var many = h5.Root.Group("many")!;
            var names = many.Names.Order(StringComparer.Ordinal).ToList();
            Assert.Equal(Enumerable.Range(0, members).Select(i => $"member_{i:00000}"), names);
            for (int i = 0; i < members; i += Math.Max(1, members / 50))
                Assert.Equal(i, Integer(many.Get($"member_{i:00000}")));
            Assert.Equal(members - 1, Integer(many.Get($"member_{members - 1:00000}")));
            var attributes = many.Attributes;
            Assert.Equal(members / 4 + 9, attributes.Count);
            for (int i = 0; i < members / 4 + 9; i++)
                Assert.Equal(new long[] { i * 3 }, attributes[$"attribute_{i:00000}"]);

            var ordered = h5.Root.Group("ordered")!;
            Assert.Equal(12, ordered.Names.Count);
            Assert.Equal(5.5f, BitConverter.ToSingle(Assert.IsType<Hdf5Dataset>(ordered.Get("z11")).ReadBytes()));
            Assert.Equal("text 7", ordered.Attributes["q7"]);
        }
    }
}
