using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using NeuralFlow.IO;

namespace NeuralFlow.Tests;

/// <summary>
/// NF.Safetensors (issue 14): every dtype, shape and layout round-trips on every backend; files
/// of an independent writer (Python + NumPy, from the specification) load with the right values
/// and ours parse with its reader; and corrupt or hostile files are clear errors.
/// </summary>
public abstract class SafetensorsTests(string backend) : BackendFileTest(backend)
{

    private string PathOf(string name) => Temp.File(name);


    [SkippableFact]
    public void Every_dtype_shape_and_layout_round_trips_with_metadata()
    {
        RequireBackend();
        var matrix = NF.Constant(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        var tensors = new Dictionary<string, Tensor>
        {
            ["f32"] = NF.Constant(new[] { 1.5f, -0f, float.NaN, float.PositiveInfinity, float.Epsilon }),
            ["f64"] = NF.Constant(new[] { Math.PI, -1e300 }),
            ["i32"] = NF.Constant(new[] { int.MinValue, 0, int.MaxValue }),
            ["i64"] = NF.Constant(long.MaxValue),                          // a scalar: shape []
            ["u8"] = NF.Constant(new byte[] { 0, 128, 255 }),
            ["bool"] = NF.Constant(new[] { true, false, true }),
            ["empty"] = NF.Zeros([0, 4]),
            ["transposed"] = NF.Transpose(matrix),                         // not contiguous: stored row-major
            ["slice"] = matrix[1..2],                                      // a view at an offset
        };
        string path = PathOf("all.safetensors");
        NF.Safetensors.Save(tensors, path, new Dictionary<string, string> { ["epoch"] = "3", ["note"] = "ünïcode" });

        var loaded = NF.Safetensors.Load(path, out var metadata);
        Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), loaded.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("3", metadata["epoch"]);
        Assert.Equal("ünïcode", metadata["note"]);
        foreach (var (name, want) in tensors)
        {
            var got = loaded[name];
            Assert.Equal(want.Shape, got.Shape);
            Assert.Equal(want.DType, got.DType);
            Assert.Equal(NF.Backend, got.Backend);
            Assert.Equal(Bytes(want), Bytes(got));
        }
        Assert.Equal(new float[] { 1, 4, 2, 5, 3, 6 }, loaded["transposed"].ToArray<float>());
        Assert.Equal(new float[] { 4, 5, 6 }, loaded["slice"].ToArray<float>());
        Assert.Equal(metadata, NF.Safetensors.ReadMetadata(path));
    }

    [SkippableFact]
    public void The_file_is_the_specifications_layout()
    {
        RequireBackend();
        string path = PathOf("layout.safetensors");
        NF.Safetensors.Save(new Dictionary<string, Tensor> { ["b"] = NF.Constant(new[] { 1, 2 }), ["a"] = NF.Constant(new[] { 0.5f }) }, path);
        byte[] file = File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.Equal(0, n % 8);                                            // padded as the reference writer pads
        using var header = JsonDocument.Parse(file.AsMemory(8, (int)n));
        var a = header.RootElement.GetProperty("a");
        Assert.Equal("F32", a.GetProperty("dtype").GetString());
        Assert.Equal([1], a.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([0L, 4L], a.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([4L, 12L], header.RootElement.GetProperty("b").GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(8 + n + 12, file.Length);
        Assert.Equal(0.5f, BitConverter.ToSingle(file, 8 + (int)n));
    }

    [SkippableFact]
    public void A_file_of_an_independent_writer_loads_and_ours_parses_with_its_reader()
    {
        RequireBackend();
        string python = Python();
        string theirs = PathOf("theirs.safetensors");
        Run(python, "write", theirs);
        var loaded = NF.Safetensors.Load(theirs, out var metadata);
        Assert.Equal("safetensors_peer.py", metadata["writer"]);
        Assert.Equal([2, 3], loaded["dense/kernel"].Shape.ToArray());
        Assert.Equal(new[] { -1f, -0.5f, 0f, 0.5f, 1f, 1.5f }, loaded["dense/kernel"].ToArray<float>());
        Assert.Equal(new[] { 0.25f, -3.5f, 1e-7f }, loaded["dense/bias"].ToArray<float>());
        Assert.Equal(0, loaded["step"].Shape.Rank);
        Assert.Equal(123456789012L, loaded["step"].Item<long>());
        Assert.Equal(new[] { Math.PI, -Math.E }, loaded["scale"].ToArray<double>());
        Assert.Equal(new byte[] { 0, 255, 17, 128 }, loaded["pixels"].ToArray<byte>());
        Assert.Equal(new[] { true, false, true }, loaded["mask"].ToArray<bool>());
        Assert.Equal([0, 5], loaded["empty"].Shape.ToArray());

        string ours = PathOf("ours.safetensors");
        NF.Safetensors.Save(loaded, ours, new Dictionary<string, string> { ["by"] = "neuralflow" });
        using var read = JsonDocument.Parse(Run(python, "read", ours));
        Assert.Equal("neuralflow", read.RootElement.GetProperty("metadata").GetProperty("by").GetString());
        var tensors = read.RootElement.GetProperty("tensors");
        Assert.Equal(loaded.Count, tensors.EnumerateObject().Count());
        Assert.Equal(new[] { -1.0, -0.5, 0, 0.5, 1, 1.5 }, tensors.GetProperty("dense/kernel").GetProperty("values").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal("I64", tensors.GetProperty("step").GetProperty("dtype").GetString());
        Assert.Equal(123456789012L, tensors.GetProperty("step").GetProperty("values")[0].GetInt64());
        Assert.Equal([true, false, true], tensors.GetProperty("mask").GetProperty("values").EnumerateArray().Select(v => v.GetBoolean()));
    }

    // The machine's Python with NumPy (/usr/bin/python3 on Debian; .ci/run installs python3-numpy).
    private static string Python()
    {
        foreach (var candidate in new[] { "/usr/bin/python3", "python3", "python" })
        {
            try
            {
                var (code, _) = Exec(candidate, "-c \"import numpy\"");
                if (code == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception) { }
        }
        throw new SkipException("no Python with NumPy here (Debian: apt-get install python3-numpy): the independent safetensors writer cannot run");
    }

    private static string Run(string python, string command, string path)
    {
        string script = System.IO.Path.Combine(AppContext.BaseDirectory, "Persistence", "safetensors_peer.py");
        var (code, output) = Exec(python, $"\"{script}\" {command} \"{path}\"");
        Assert.True(code == 0, $"safetensors_peer.py {command} failed: {output}");
        return output;
    }

    private static (int Code, string Output) Exec(string file, string args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout + stderr.Result);
    }

    private static byte[] Bytes(Tensor t) => t.DType switch
    {
        DType.Float32 => ToBytes(t.ToArray<float>()),
        DType.Float64 => ToBytes(t.ToArray<double>()),
        DType.Int32 => ToBytes(t.ToArray<int>()),
        DType.Int64 => ToBytes(t.ToArray<long>()),
        DType.UInt8 => t.ToArray<byte>(),
        DType.Bool => ToBytes(t.ToArray<bool>()),
        _ => throw new NotSupportedException(),
    };

    private static byte[] ToBytes<T>(T[] values) where T : unmanaged => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}

public sealed class ManagedSafetensorsTests() : SafetensorsTests("managed");
public sealed class NativeCpuSafetensorsTests() : SafetensorsTests("cpu");
public sealed class CudaSafetensorsTests() : SafetensorsTests("cuda");

/// <summary>
/// Corrupt, truncated and hostile safetensors files (issue 14, "trust nothing"): each is an
/// <see cref="InvalidDataException"/> naming what is wrong, before any tensor is made.
/// </summary>
public sealed class SafetensorsUntrustedInputTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private TempDirectory Temp => _temp;
    private string _dir => _temp.Path;

    public void Dispose() => _temp.Dispose();

    // A file with this header text and this many data bytes.
    private string File_(string header, int dataBytes = 0, ulong? claimedLength = null, byte fill = 0)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, claimedLength ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        bytes.AsSpan(8 + json.Length).Fill(fill);
        string path = Path.Combine(_dir, $"{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static void Rejects(string path, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => NF.Safetensors.Load(path));
        Assert.Contains(expected, e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Shorter_than_the_length_prefix() =>
        Rejects(WriteRaw([1, 2, 3]), "fewer than the 8 of the header length");

    [Fact]
    public void Header_length_beyond_the_cap_allocates_nothing() =>
        Rejects(File_("{}", claimedLength: ulong.MaxValue), "more than the");

    [Fact]
    public void Header_length_beyond_the_file() =>
        Rejects(File_("{}", claimedLength: 1000), "truncated");

    [Fact]
    public void Not_json() => Rejects(File_("{\"a\" \"b\"}"), "not valid JSON");

    [Fact]
    public void Names_that_are_not_utf8()
    {
        // Found by the fuzzer: the JSON reader's string decoding threw InvalidOperationException.
        byte[] header = Encoding.UTF8.GetBytes("{\"a\u00e9\":{}}");
        header[3] = 0xFF;
        var path = WriteRaw([.. BitConverter.GetBytes((ulong)header.Length), .. header]);
        Rejects(path, "not valid UTF-8");
    }

    [Fact]
    public void Not_an_object() => Rejects(File_("[1, 2, 3]"), "the header should be an object");

    [Fact]
    public void Duplicate_names() =>
        Rejects(File_("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2), "appears twice");

    [Fact]
    public void Unknown_dtype() =>
        Rejects(File_("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1), "dtype 'F8_E4M3'");

    [Fact]
    public void Size_does_not_match_the_byte_range() =>
        Rejects(File_("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "needs 12 bytes");

    [Fact]
    public void Overlapping_ranges() =>
        Rejects(File_("{\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[2,6]}}", 6), "overlaps");

    [Fact]
    public void A_gap_between_ranges() =>
        Rejects(File_("{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[4,6]}}", 6), "gap of 2 bytes");

    [Fact]
    public void Data_past_the_end_of_the_file() =>
        Rejects(File_("{\"a\":{\"dtype\":\"F64\",\"shape\":[4],\"data_offsets\":[0,32]}}", 16), "truncated");

    [Fact]
    public void Bytes_after_the_last_tensor() =>
        Rejects(File_("{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 5), "3 bytes after the last tensor");

    [Fact]
    public void A_shape_whose_size_overflows() =>
        Rejects(File_("{\"a\":{\"dtype\":\"F64\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,8]}}", 8), "tensor 'a'");

    [Fact]
    public void Negative_and_fractional_numbers() =>
        Rejects(File_("{\"a\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,0]}}"), "whole numbers");

    [Fact]
    public void Too_many_dimensions() =>
        Rejects(File_("{\"a\":{\"dtype\":\"U8\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,1]}}", 1), "more than 8 numbers");

    [Fact]
    public void A_missing_field() => Rejects(File_("{\"a\":{\"dtype\":\"U8\",\"shape\":[1]}}", 1), "lacks data_offsets");

    [Fact]
    public void Metadata_values_must_be_strings() =>
        Rejects(File_("{\"__metadata__\":{\"epoch\":3}}"), "values are strings");

    [Fact]
    public void Deep_nesting_is_refused() =>
        Rejects(File_("{\"a\":{\"future_field\":" + new string('[', 5000) + new string(']', 5000) + "}}"), "not valid JSON");

    [Fact]
    public void Bool_bytes_other_than_0_and_1() =>
        Rejects(File_("{\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[0,3]}}", 3, fill: 2), "holds the byte 2");

    /// <summary>Every file of the fuzz corpus (tests/fuzz/corpus/safetensors: seeds and inputs that once failed) loads or is a clear error.</summary>
    [Fact]
    public void Every_fuzz_corpus_file_loads_or_is_a_clear_error()
    {
        var files = Directory.GetFiles(Path.Combine(NeuralFlow.Tests.Samples.Repo.Root, "tests", "fuzz", "corpus", "safetensors"));
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            try
            {
                foreach (var t in NF.Safetensors.Load(file).Values) t.Dispose();
            }
            catch (InvalidDataException e)
            {
                Assert.Contains(file, e.Message);
            }
        }
    }

    [Fact]
    public void Saving_refuses_the_reserved_name()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            NF.Safetensors.Save(new Dictionary<string, Tensor> { ["__metadata__"] = NF.Zeros([1]) }, Path.Combine(_dir, "x.safetensors")));
        Assert.Contains("reserved", e.Message);
    }

    private string WriteRaw(byte[] bytes)
    {
        string path = Path.Combine(_dir, $"{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}

/// <summary>Atomic writes: a write that fails midway leaves the old file whole and no temporary behind.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private TempDirectory Temp => _temp;
    private string _dir => _temp.Path;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_failed_write_keeps_the_previous_file_and_leaves_no_temporary()
    {
        string path = Path.Combine(_dir, "model.safetensors");
        NF.Safetensors.Save(new Dictionary<string, Tensor> { ["w"] = NF.Constant(new[] { 1f, 2f }) }, path);
        byte[] before = File.ReadAllBytes(path);
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[1000]);
            throw new InvalidOperationException("disk full, say");
        }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void A_write_replaces_the_file_whole()
    {
        string path = Path.Combine(_dir, "w.safetensors");
        NF.Safetensors.Save(new Dictionary<string, Tensor> { ["w"] = NF.Zeros([1000]) }, path);
        NF.Safetensors.Save(new Dictionary<string, Tensor> { ["w"] = NF.Ones([3]) }, path);
        Assert.Equal(new[] { 1f, 1f, 1f }, NF.Safetensors.Load(path)["w"].ToArray<float>());
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void A_missing_directory_is_named()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() =>
            NF.Safetensors.Save(new Dictionary<string, Tensor> { ["w"] = NF.Zeros([1]) }, Path.Combine(_dir, "nope", "w.safetensors")));
        Assert.Contains("nope", e.Message);
    }
}
