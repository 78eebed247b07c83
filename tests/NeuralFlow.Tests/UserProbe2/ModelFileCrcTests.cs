using System.Buffers.Binary;
using System.Text;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.UserProbe2;

/// <summary>
/// A flipped byte inside a model file's stored (uncompressed) weights or optimizer state is
/// refused with an InvalidDataException naming the file, as Python's zipfile (and so Keras'
/// load_model) refuses it with "Bad CRC-32"; .NET's zip reader does not check CRCs, and such a
/// file used to load with a wrong weight.
/// </summary>
public sealed class ModelFileCrcTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string SavedModel()
    {
        NF.Random.SetSeed(4);
        var model = new Sequential(new Layers.Dense(4, activation: "relu"), new Layers.Dense(2));
        model.Compile("adam", "mse");
        model.Fit(NF.Random.Uniform([16, 3]), NF.Random.Uniform([16, 2]), batchSize: 8, epochs: 1, verbose: 0);
        string path = _temp.File("model.nfmodel");
        model.Save(path);
        return path;
    }

    // The last data byte of an entry: its local header is PK\3\4, then the name's and the extra
    // field's lengths at offsets 26 and 28, the name at 30, the data after the extra field.
    private static int LastDataByte(byte[] file, string entry, int size)
    {
        var name = Encoding.ASCII.GetBytes(entry);
        for (int at = 0; at + 30 < file.Length; at++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at)) != 0x04034b50) continue;
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(at + 26));
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(at + 28));
            if (file.AsSpan(at + 30, nameLength).SequenceEqual(name)) return at + 30 + nameLength + extraLength + size - 1;
        }
        throw new InvalidDataException($"no local header for {entry}");
    }

    [Theory]
    [InlineData("model.weights.safetensors")]
    [InlineData("optimizer.safetensors")]
    public void A_flipped_byte_in_a_stored_entry_is_refused(string entry)
    {
        string path = SavedModel();
        long size;
        using (var zip = System.IO.Compression.ZipFile.OpenRead(path)) size = zip.GetEntry(entry)!.Length;
        var bytes = File.ReadAllBytes(path);
        bytes[LastDataByte(bytes, entry, (int)size)] ^= 0x10;   // a bit of the last tensor's last element
        string damaged = _temp.File("damaged.nfmodel");
        File.WriteAllBytes(damaged, bytes);

        var e = Assert.Throws<InvalidDataException>(() => Model.Load(damaged));
        Assert.Contains(damaged, e.Message);
        Assert.Contains($"{entry} fails its CRC-32 check", e.Message);
    }

    [Fact]
    public void An_intact_file_still_loads()
    {
        string path = SavedModel();
        var loaded = Model.Load(path);
        Assert.Equal(4, loaded.TrainableVariables.Count);
    }
}
