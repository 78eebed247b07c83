using NeuralFlow.IO.Hdf5;

namespace NeuralFlow.Tests.KerasH5;

/// <summary>
/// What the HDF5 writer refuses, each with an <see cref="ArgumentException"/> naming what was
/// wrong: names HDF5 cannot hold or that are taken, a writer that writes the wrong number of
/// bytes, shapes and attributes HDF5 cannot store, and bool tensors.
/// </summary>
public abstract class Hdf5WriterRefusalTests(string backend) : BackendFileTest(backend)
{
    private static void Refused(Action act, params string[] mentions)
    {
        var e = Assert.Throws<ArgumentException>(act);
        foreach (var m in mentions) Assert.Contains(m, e.Message);
    }

    private static void Bytes(Stream s, int count) => s.Write(new byte[count]);

    [SkippableFact]
    public void Empty_names_and_names_with_a_slash_or_null_are_refused()
    {
        RequireBackend();
        var root = new Hdf5Writer().Root;
        Refused(() => root.Group(""), "empty");
        Refused(() => root.Group("a//b"), "empty", "a//b");
        Refused(() => root.Group("/a"), "empty", "/a");
        Refused(() => root.Group("a/."), "'.'");
        Assert.Null(Record.Exception(() => root.Dataset("a", Hdf5Element.UInt8, [1], s => Bytes(s, 1))));   // the refused paths made no group 'a'
        Refused(() => root.Dataset("", Hdf5Element.Float32, [1], s => Bytes(s, 4)), "empty");
        Refused(() => root.Dataset("x/y", Hdf5Element.Float32, [1], s => Bytes(s, 4)), "'x/y'", "'/'");
        Refused(() => root.Dataset("n\0ull", Hdf5Element.Float32, [1], s => Bytes(s, 4)), "null");
        Refused(() => root.Attribute("", "v"), "empty");
        Refused(() => root.Attribute("a/b", 1L), "'a/b'", "'/'");
        Refused(() => root.Attribute("s", "nul\0l"), "'s'", "null character");
        Refused(() => root.VariableLengthAttribute("config", "{\0}"), "'config'", "null character");
        Refused(() => root.VariableLengthAttribute("", "v"), "empty");
        Assert.Throws<ArgumentNullException>(() => root.VariableLengthAttribute("config", null!));
        Refused(() => root.Attribute("names", new[] { "ok", null! }), "'names'", "string 1 is null");
    }

    [SkippableFact]
    public void A_name_already_taken_is_refused_and_an_existing_group_is_returned()
    {
        RequireBackend();
        var root = new Hdf5Writer().Root;
        var vars = root.Group("layers/dense/vars");
        Assert.Same(vars, root.Group("layers/dense/vars"));
        Assert.Same(vars, root.Group("layers").Group("dense/vars"));
        vars.Dataset("0", Hdf5Element.Float32, [2], s => Bytes(s, 8));
        Refused(() => vars.Dataset("0", Hdf5Element.Float32, [2], s => Bytes(s, 8)), "'/layers/dense/vars'", "'0'");
        Refused(() => root.Dataset("layers", Hdf5Element.Float32, [2], s => Bytes(s, 8)), "'layers'");
        Refused(() => root.Group("layers/dense/vars/0/deeper"), "'/layers/dense/vars/0'", "dataset");
        root.Attribute("step", 1L);
        Refused(() => root.Attribute("step", 2.0), "'step'", "already");
        Refused(() => root.VariableLengthAttribute("step", "x"), "'step'", "already");
        root.VariableLengthAttribute("config", "{}");
        Refused(() => root.VariableLengthAttribute("config", "{}"), "'config'", "already");
        Refused(() => root.Attribute("config", "{}"), "'config'", "already");
        vars.Attribute("step", 1L);   // attributes are per object
    }

    [SkippableFact]
    public void A_writer_that_writes_too_few_or_too_many_bytes_fails_naming_the_dataset()
    {
        RequireBackend();
        var few = new Hdf5Writer();
        few.Root.Group("g").Dataset("short", Hdf5Element.Float32, [2, 3], s => Bytes(s, 23));
        Refused(() => few.WriteTo(new MemoryStream()), "'/g/short'", "wrote 23 bytes", "24");
        var many = new Hdf5Writer();
        many.Root.Dataset("long", Hdf5Element.Int64, [2], s => Bytes(s, 17));
        Refused(() => many.WriteTo(new MemoryStream()), "'/long'", "more than the 16 bytes");
        var scalar = new Hdf5Writer();
        scalar.Root.Dataset("scalar", Hdf5Element.Float64, [], s => Bytes(s, 0));
        Refused(() => scalar.WriteTo(new MemoryStream()), "'/scalar'", "wrote 0 bytes", "8");
        var none = new Hdf5Writer();
        none.Root.Dataset("none", Hdf5Element.UInt8, [3, 0], s => Bytes(s, 1));
        Refused(() => none.WriteTo(new MemoryStream()), "'/none'", "more than the 0 bytes");
    }

    [SkippableFact]
    public void Shapes_hdf5_cannot_hold_are_refused()
    {
        RequireBackend();
        var root = new Hdf5Writer().Root;
        Refused(() => root.Dataset("neg", Hdf5Element.Float32, [2, -1], s => { }), "'/neg'", "negative");
        Refused(() => root.Dataset("deep", Hdf5Element.Float32, new long[33], s => { }), "'/deep'", "rank 33");
        Refused(() => root.Dataset("huge", Hdf5Element.Float64, [long.MaxValue / 2, 4], s => { }), "'/huge'", "too many");
        Refused(() => root.Dataset("kind", (Hdf5Element)99, [1], s => { }), "'kind'", "99");
    }

    [SkippableFact]
    public void An_attribute_past_what_an_object_header_holds_is_refused()
    {
        RequireBackend();
        var root = new Hdf5Writer().Root;
        Refused(() => root.Attribute("long", new string('x', 70_000)), "'long'", "65535", "variable-length");
        root.VariableLengthAttribute("long", new string('x', 70_000));
        Refused(() => root.Attribute("layer_names", Enumerable.Range(0, 8000).Select(i => $"dense_{i}").ToArray()), "'layer_names'", "name0, name1");
        root.Attribute("fits", new string('x', 60_000));
    }

    [SkippableFact]
    public void A_bool_tensor_is_refused_naming_the_cast_to_make()
    {
        RequireBackend();
        var root = new Hdf5Writer().Root;
        using var mask = NF.Constant(new[] { true, false }, [2]);
        Refused(() => root.Dataset("mask", mask), "'mask'", "Bool", "UInt8");
        var disposed = NF.Constant(new float[] { 1 }, [1]);
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => root.Dataset("gone", disposed));
        // A tensor disposed after it was added fails when the file is written, naming the dataset.
        var writer = new Hdf5Writer();
        var late = NF.Constant(new float[] { 1, 2 }, [2]);
        writer.Root.Group("vars").Dataset("late", late);
        late.Dispose();
        var e = Assert.Throws<ObjectDisposedException>(() => writer.WriteTo(new MemoryStream()));
        Assert.Contains("'/vars/late'", e.Message);
    }
}

/// <summary>The writer's refusals on the managed backend.</summary>
public sealed class ManagedHdf5WriterRefusalTests() : Hdf5WriterRefusalTests("managed");

/// <summary>The writer's refusals on the native CPU backend.</summary>
public sealed class NativeCpuHdf5WriterRefusalTests() : Hdf5WriterRefusalTests("cpu");

/// <summary>The writer's refusals on CUDA.</summary>
public sealed class CudaHdf5WriterRefusalTests() : Hdf5WriterRefusalTests("cuda");
