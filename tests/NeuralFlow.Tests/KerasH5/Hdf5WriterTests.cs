using System.Buffers.Binary;
using System.Text;
using NeuralFlow.IO.Hdf5;

namespace NeuralFlow.Tests.KerasH5;

/// <summary>
/// The HDF5 writer read back by NeuralFlow's own reader: the sample tree (<see cref="Hdf5WriterSample"/>)
/// with every value, group and attribute exact; tensors from the backend (contiguous or not)
/// written in C order; the same tree writing the same bytes. libhdf5's view is in
/// <see cref="Hdf5WriterH5pyTests"/>, the refusals in <see cref="Hdf5WriterRefusalTests"/>.
/// </summary>
public abstract class Hdf5WriterTests(string backend) : BackendFileTest(backend)
{
    private string WriteSample(bool variableLength = false)
    {
        var writer = new Hdf5Writer();
        Hdf5WriterSample.Build(writer, variableLength);
        string path = Temp.File("sample.h5");
        using (var f = File.Create(path)) writer.WriteTo(f);
        return path;
    }

    private static byte[] WriteSampleBytes(bool variableLength)
    {
        var writer = new Hdf5Writer();
        Hdf5WriterSample.Build(writer, variableLength);
        using var memory = new MemoryStream();
        writer.WriteTo(memory);
        return memory.ToArray();
    }

    [SkippableFact]
    public void Every_dataset_reads_back_with_its_shape_type_and_values()
    {
        RequireBackend();
        using var file = Hdf5File.Open(WriteSample());
        foreach (var want in Hdf5WriterSample.Datasets)
        {
            var d = Assert.IsType<Hdf5Dataset>(file.Root.Get(want.Path));
            Assert.Equal(want.Shape, d.Shape);
            Assert.Equal(want.Element.Size(), d.Type.Size);
            var bytes = d.ReadBytes();
            Assert.Equal(want.Count * want.Element.Size(), bytes.Length);
            if (want.Floats is not null)
            {
                Assert.Equal(Hdf5Class.Float, d.Type.Class);
                Assert.Equal(want.Floats, Hdf5Elements.ToDoubles(bytes, d.Type, want.Count));
            }
            else
            {
                Assert.Equal(Hdf5Class.Integer, d.Type.Class);
                Assert.Equal(want.Element != Hdf5Element.UInt8, d.Type.Signed);
                Assert.Equal(want.Integers, Hdf5Elements.ToLongs(bytes, d.Type, want.Count));
            }
        }
    }

    [SkippableFact]
    public void Groups_nested_and_empty_list_their_members_in_creation_order()
    {
        RequireBackend();
        using var file = Hdf5File.Open(WriteSample());
        foreach (var g in Hdf5WriterSample.Groups) Assert.IsType<Hdf5Group>(file.Root.Get(g));
        Assert.Equal(["layers", "a", "empty", "many", "big"], file.Root.Names);
        Assert.Equal(["b", "empty_too"], file.Root.Group("a")!.Names);
        Assert.Equal(["i64", "i32", "u8", "f16"], file.Root.Group("a/b/c")!.Names);
        Assert.Empty(file.Root.Group("empty")!.Names);
        Assert.Empty(file.Root.Group("a/empty_too")!.Names);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"g{i:D2}"), file.Root.Group("many")!.Names);
    }

    [SkippableFact]
    public void Attributes_on_the_root_a_group_and_a_dataset_read_back()
    {
        RequireBackend();
        using var file = Hdf5File.Open(WriteSample());
        var root = file.Root.Attributes;
        Assert.Equal("2.15.0", root["keras_version"]);
        Assert.Equal("tensorflow", root["backend"]);
        Assert.Equal(Hdf5WriterSample.LayerNames, root["layer_names"]);
        Assert.Equal(new long[] { 3 }, root["step"]);
        Assert.Equal(new double[] { 0.125 }, root["learning_rate"]);
        Assert.Equal("", root["blank"]);
        Assert.Equal(6, root.Count);
        var dense = file.Root.Group("layers/dense")!.Attributes;
        Assert.Equal(new[] { "vars/0", "vars/1" }, dense["weight_names"]);
        Assert.Equal(Array.Empty<string>(), dense["none"]);
        var data = file.Root.Get("a/b/c/i64")!.Attributes;
        Assert.Equal("integers", data["note"]);
        Assert.Equal(new double[] { -1.5 }, data["scale"]);
        var many = file.Root.Group("many")!.Attributes;
        Assert.Equal(20, many.Count);
        for (int i = 0; i < 20; i++) Assert.Equal(new long[] { i * 1000L }, many[$"a{i:D2}"]);
    }

    [SkippableFact]
    public void Variable_length_string_attributes_on_the_root_a_group_and_a_dataset_read_back()
    {
        RequireBackend();
        Assert.InRange(Encoding.UTF8.GetByteCount(Hdf5WriterSample.LargeConfig), 300_000, 400_000);
        using var file = Hdf5File.Open(WriteSample(variableLength: true));
        foreach (var v in Hdf5WriterSample.VariableStrings)
        {
            var attributes = (v.Path == "/" ? file.Root : file.Root.Get(v.Path)!).Attributes;
            Assert.Equal(v.Value, Assert.IsType<string>(attributes[v.Name]));
        }
        // The fixed-length attributes beside them and the data after the heap collections are intact.
        Assert.Equal("2.15.0", file.Root.Attributes["keras_version"]);
        Assert.Equal(9, file.Root.Attributes.Count);
        Assert.Equal("integers", file.Root.Get("a/b/c/i64")!.Attributes["note"]);
        Assert.Equal(new[] { "vars/0", "vars/1" }, file.Root.Group("layers/dense")!.Attributes["weight_names"]);
        foreach (var want in Hdf5WriterSample.Datasets.Where(d => d.Count > 0))
        {
            var d = (Hdf5Dataset)file.Root.Get(want.Path)!;
            var got = d.Type.Class == Hdf5Class.Float
                ? Hdf5Elements.ToDoubles(d.ReadBytes(), d.Type, want.Count)
                : Hdf5Elements.ToLongs(d.ReadBytes(), d.Type, want.Count).Select(x => (double)x).ToArray();
            Assert.Equal(want.Floats ?? want.Integers!.Select(x => (double)x).ToArray(), got);
        }
    }

    [SkippableFact]
    public void Variable_length_strings_fill_heap_collections_between_the_headers_and_the_data()
    {
        RequireBackend();
        var bytes = WriteSampleBytes(variableLength: true);
        Assert.Equal(bytes, WriteSampleBytes(variableLength: true));
        long data = Hdf5WriterSample.Datasets.Sum(d => (long)d.Count * d.Element.Size());
        var at = new List<int>();   // the collections' signatures, searched for before the data
        for (int from = 0, n; (n = bytes.AsSpan(from, bytes.Length - (int)data - from).IndexOf("GCOL"u8)) >= 0; from += n + 4)
            at.Add(from + n);
        Assert.Equal(3, at.Count);
        long U64(int offset) => (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offset));
        int U16(int offset) => BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(offset));
        // Each object: index, reference count 0, reserved, size, then its bytes padded to 8.
        void Object(int offset, int index, byte[] value)
        {
            Assert.Equal(index, U16(offset));
            Assert.Equal(0, U16(offset + 2));
            Assert.Equal(value.Length, U64(offset + 8));
            Assert.Equal(value, bytes.AsSpan(offset + 16, value.Length).ToArray());
        }
        static long Align(long n) => (n + 7) / 8 * 8;
        byte[] Utf8(string name) => Encoding.UTF8.GetBytes(Hdf5WriterSample.VariableStrings.Single(v => v.Name == name).Value);

        // The large string: a collection sized for it (header, object header, padded bytes), nothing free.
        var config = Utf8("model_config");
        Assert.Equal(1, bytes[at[0] + 4]);   // version
        Assert.Equal(16 + 16 + Align(config.Length), U64(at[0] + 8));
        Object(at[0] + 16, 1, config);
        // The small ones share a 4096-byte collection, in order of their objects, the rest of it one free-space object.
        Assert.Equal(at[0] + U64(at[0] + 8), at[1]);
        Assert.Equal(4096, U64(at[1] + 8));
        int o = at[1] + 16;
        int index = 1;
        foreach (var name in new[] { "empty", "short", "note", "unit" })
        {
            Object(o, index++, Utf8(name));
            o += 16 + (int)Align(Utf8(name).Length);
        }
        Assert.Equal(0, U16(o));
        Assert.Equal(at[1] + 4096 - o, U64(o + 8));   // the free space, its own header included
        // 4056 bytes take 4072 of a 4096-byte collection: the 8 left over are too few for a free-space object.
        Assert.Equal(at[1] + 4096, at[2]);
        Assert.Equal(4096, U64(at[2] + 8));
        Object(at[2] + 16, 1, Utf8("filler"));
        Assert.Equal(new byte[8], bytes.AsSpan(at[2] + 4088, 8).ToArray());
        // Then the data, to the end of the file (its address in the superblock).
        Assert.Equal(at[2] + 4096 + data, bytes.Length);
        Assert.Equal(bytes.Length, U64(28));
    }

    [SkippableFact]
    public void Tensors_of_every_written_dtype_are_stored_in_c_order()
    {
        RequireBackend();
        var f32 = NF.Constant(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        var transposed = NF.Transpose(f32);   // [3, 2]: C order is 1 4 2 5 3 6
        var tensors = new (string Name, Tensor Tensor, double[] Want)[]
        {
            ("f32", f32, [1, 2, 3, 4, 5, 6]),
            ("transposed", transposed, [1, 4, 2, 5, 3, 6]),
            ("f64", NF.Constant(new double[] { Math.E, -0.1 }, [2]), [Math.E, -0.1]),
            ("f16", NF.Constant(new Half[] { (Half)0.5, (Half)(-3) }, [1, 2]), [0.5, -3]),
            ("i32", NF.Constant(new int[] { -3, 9 }, [2]), [-3, 9]),
            ("i64", NF.Constant(new long[] { long.MinValue + 1, 5 }, [2]), [long.MinValue + 1, 5]),
            ("u8", NF.Constant(new byte[] { 0, 7, 255 }, [3]), [0, 7, 255]),
            ("scalar", NF.Constant(2.5f), [2.5]),
        };
        var writer = new Hdf5Writer();
        var group = writer.Root.Group("vars");
        foreach (var (name, tensor, _) in tensors) group.Dataset(name, tensor);
        string path = Temp.File("tensors.h5");
        using (var s = File.Create(path)) writer.WriteTo(s);
        using var file = Hdf5File.Open(path);
        foreach (var (name, tensor, want) in tensors)
        {
            var d = (Hdf5Dataset)file.Root.Get("vars/" + name)!;
            Assert.Equal(tensor.Shape.ToArray().Select(x => (long)x), d.Shape);
            Assert.Equal(tensor.DType.SizeInBytes(), d.Type.Size);
            var got = d.Type.Class == Hdf5Class.Float
                ? Hdf5Elements.ToDoubles(d.ReadBytes(), d.Type, want.Length)
                : Hdf5Elements.ToLongs(d.ReadBytes(), d.Type, want.Length).Select(v => (double)v).ToArray();
            Assert.Equal(want, got);
        }
        Assert.Equal(Hdf5Class.Integer, ((Hdf5Dataset)file.Root.Get("vars/i64")!).Type.Class);
    }

    [SkippableFact]
    public void The_same_tree_writes_the_same_bytes()
    {
        RequireBackend();
        byte[] Write()
        {
            var writer = new Hdf5Writer();
            Hdf5WriterSample.Build(writer);
            using var memory = new MemoryStream();
            writer.WriteTo(memory);
            return memory.ToArray();
        }
        var first = Write();
        Assert.Equal(first, Write());
        // The bytes are the headers then the data, nothing more: 300k float32 are most of the file.
        long data = Hdf5WriterSample.Datasets.Sum(d => (long)d.Count * d.Element.Size());
        Assert.InRange(first.Length - data, 1000, 8000);
    }

    [SkippableFact]
    public void The_data_is_streamed_to_a_forward_only_stream_after_the_headers()
    {
        RequireBackend();
        var writer = new Hdf5Writer();
        long position = -1;
        var sink = new ForwardOnlySink();
        writer.Root.VariableLengthAttribute("config", new string('c', 70_000));   // its heap collection too
        writer.Root.Group("g").Dataset("d", Hdf5Element.UInt8, [4], s =>
        {
            position = sink.Written;   // every header is written before any data
            s.Write([1, 2, 3, 4]);
        });
        writer.WriteTo(sink);
        Assert.Equal(sink.Written - 4, position);
    }

    /// <summary>A stream that cannot seek and counts what it is given.</summary>
    private sealed class ForwardOnlySink : Stream
    {
        public long Written { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Write(byte[] buffer, int offset, int count) => Written += count;
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

/// <summary>The HDF5 writer on the managed backend.</summary>
public sealed class ManagedHdf5WriterTests() : Hdf5WriterTests("managed");

/// <summary>The HDF5 writer on the native CPU backend.</summary>
public sealed class NativeCpuHdf5WriterTests() : Hdf5WriterTests("cpu");

/// <summary>The HDF5 writer on CUDA (tensors downloaded from the device).</summary>
public sealed class CudaHdf5WriterTests() : Hdf5WriterTests("cuda");
