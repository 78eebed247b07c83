using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using NeuralFlow.Tests.Samples;

namespace NeuralFlow.Tests.Data;

/// <summary>
/// NF.Numpy: .npy and .npz files as NumPy writes and reads them (np.save, np.savez,
/// np.savez_compressed, np.load), checked against NumPy itself through npy_peer.py (skipped only
/// where /usr/bin/python3 lacks numpy), and the refusals a user's odd file gets. Before, a C#
/// user had no way to read the arrays a Python script saved or Keras' cached mnist.npz.
/// </summary>
public sealed class NpyFilesTests : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static JsonElement Peer(params string[] arguments)
    {
        bool available = File.Exists(Python) &&
            SampleRuns.RunToEnd(new ProcessStartInfo(Python, ["-c", "import numpy"]) { RedirectStandardOutput = true, RedirectStandardError = true }, "import numpy").ExitCode == 0;
        Skip.IfNot(available, $"{Python} cannot import numpy (Debian: apt-get install python3-numpy): NumPy's side is not checked here");
        string script = Path.Combine(AppContext.BaseDirectory, "Data", "npy_peer.py");
        var (code, stdout, stderr) = SampleRuns.RunToEnd(new ProcessStartInfo(Python, [script, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true }, "npy_peer.py");
        Assert.True(code == 0, $"npy_peer.py failed (exit {code}):\n{stderr}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    private static void AssertSame(JsonElement want, Tensor got, DType dtype, string what)
    {
        Assert.True(dtype == got.DType, $"{what}: dtype {got.DType}, expected {dtype}");
        Assert.Equal(want.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()), got.Shape.ToArray());
        var values = want.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        using var asDouble = NF.Cast(got, DType.Float64);
        Assert.Equal(values, asDouble.ToArray<double>());
    }

    private static readonly Dictionary<string, DType> LoadedAs = new()
    {
        ["f32"] = DType.Float32, ["f64_fortran"] = DType.Float64, ["f16"] = DType.Float16, ["i8"] = DType.Int32, ["i16"] = DType.Int32,
        ["u16"] = DType.Int32, ["u32"] = DType.Int64, ["i64"] = DType.Int64, ["u8_images"] = DType.UInt8, ["bools"] = DType.Bool,
        ["scalar"] = DType.Float32, ["empty"] = DType.Float32,
    };

    [SkippableFact]
    public void Arrays_NumPy_saved_load_with_their_values_shapes_and_dtypes()
    {
        var written = Peer("write", _temp.Path);
        foreach (var (name, dtype) in LoadedAs)
        {
            using var array = NF.Numpy.Load(_temp.File(name + ".npy"));
            AssertSame(written.GetProperty(name), array, dtype, name);
        }
        // Keras' mnist.npz layout, as keras.datasets.mnist.load_data() reads it.
        var mnist = NF.Numpy.LoadNpz(_temp.File("mnist_like.npz"));
        Assert.Equal(["x_train", "y_train", "x_test", "y_test"], mnist.Keys);
        AssertSame(written.GetProperty("u8_images"), mnist["x_train"], DType.UInt8, "x_train");
        Assert.Equal(new byte[] { 3, 9 }, mnist["y_train"].ToArray<byte>());
        // Unnamed arrays of savez_compressed are arr_0, arr_1, deflated.
        var compressed = NF.Numpy.LoadNpz(_temp.File("compressed.npz"));
        Assert.Equal(["arr_0", "arr_1"], compressed.Keys);
        AssertSame(written.GetProperty("f32"), compressed["arr_0"], DType.Float32, "arr_0");
        AssertSame(written.GetProperty("i64"), compressed["arr_1"], DType.Int64, "arr_1");
    }

    [SkippableFact]
    public void NumPy_reads_what_NeuralFlow_saves()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["weights"] = NF.Constant(new[,] { { 1.5f, -2f, 3.25f }, { 0f, 1e-3f, 7f } }),
            ["ids"] = NF.Constant(new long[] { 1, -5, 1L << 40 }),
            ["mask"] = NF.Constant(new[] { true, false }),
            ["pixels"] = NF.Constant(new byte[] { 0, 128, 255 }, [1, 3]),
            ["half"] = NF.Cast(NF.Constant(new[] { 0.5f, 2048f }), DType.Float16),
            ["scalar"] = NF.Constant(2.5),
            ["column"] = NF.Transpose(NF.Constant(new[,] { { 1f, 2f, 3f }, { 4f, 5f, 6f } })),   // a strided view
        };
        foreach (var (name, tensor) in tensors)
        {
            string file = _temp.File(name + ".npy");
            NF.Numpy.Save(file, tensor);
            AssertSame(Peer("read", file).GetProperty("array"), tensor, tensor.DType, name);
            using var back = NF.Numpy.Load(file);
            AssertSame(Peer("read", file).GetProperty("array"), back, tensor.DType, name + " (reloaded)");
        }
        foreach (bool compressed in new[] { false, true })
        {
            string npz = _temp.File($"all-{compressed}.npz");
            NF.Numpy.SaveNpz(npz, tensors, compressed);
            var read = Peer("read", npz);
            foreach (var (name, tensor) in tensors) AssertSame(read.GetProperty(name), tensor, tensor.DType, $"{name} in {npz}");
            Assert.Equal(tensors.Keys.Order(), NF.Numpy.LoadNpz(npz).Keys.Order());
        }
    }

    // A .npy of the given header dict and data, as a file of another writer might be.
    private string Npy(string dict, byte[] data, byte major = 1)
    {
        var header = Encoding.ASCII.GetBytes(dict + "\n");
        using var stream = new MemoryStream();
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0]);
        if (major == 1) stream.Write(BitConverter.GetBytes((ushort)header.Length));
        else stream.Write(BitConverter.GetBytes((uint)header.Length));
        stream.Write(header);
        stream.Write(data);
        string path = _temp.File($"crafted-{Guid.NewGuid():N}.npy");
        File.WriteAllBytes(path, stream.ToArray());
        return path;
    }

    [Fact]
    public void Version_2_headers_and_Fortran_order_read_without_numpy()
    {
        var data = new[] { 1f, 2f, 3f, 4f, 5f, 6f }.SelectMany(BitConverter.GetBytes).ToArray();
        using var v2 = NF.Numpy.Load(Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data, major: 2));
        Assert.Equal(new Shape(2, 3), v2.Shape);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, v2.ToArray<float>());
        // Column-major data of [[1, 3, 5], [2, 4, 6]].
        using var fortran = NF.Numpy.Load(Npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", data));
        Assert.Equal(new[] { 1f, 3f, 5f, 2f, 4f, 6f }, fortran.ToArray<float>());
    }

    [Fact]
    public void Files_it_cannot_read_are_refused_naming_the_file_and_why()
    {
        var four = new byte[16];
        void Refused(string path, string because)
        {
            var e = Assert.Throws<InvalidDataException>(() => NF.Numpy.Load(path));
            Assert.Contains(path, e.Message);
            Assert.Contains(because, e.Message);
        }
        Refused(Npy("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", four), "pickles");
        Refused(Npy("{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }", four), "big-endian");
        Refused(Npy("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", four), "'<c8'");
        Refused(Npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", four), "header");
        Refused(Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", four), "truncated");
        Refused(Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", four), "dimension");
        Refused(Npy("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", [0, 7]), "bool");
        Refused(Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", four, major: 9), "version");
        string text = _temp.File("text.npy");
        File.WriteAllText(text, "not numpy at all");
        Refused(text, "magic");
        string notZip = _temp.File("plain.npz");
        File.WriteAllText(notZip, "not a zip");
        var e = Assert.Throws<InvalidDataException>(() => NF.Numpy.LoadNpz(notZip));
        Assert.Contains(notZip, e.Message);
        // An .npz entry that is not an array names the entry.
        string bad = _temp.File("bad.npz");
        using (var zip = ZipFile.Open(bad, ZipArchiveMode.Create))
        using (var entry = zip.CreateEntry("x.npy").Open()) entry.Write("junk"u8);
        var inZip = Assert.Throws<InvalidDataException>(() => NF.Numpy.LoadNpz(bad));
        Assert.Contains("x.npy", inZip.Message);
    }
}
