using System.Buffers.Binary;
using System.Text;

namespace NeuralFlow.Tests;

/// <summary>
/// NF.Safetensors.Load maps large tensors instead of copying them (issue 14: "no double copy of
/// large weights"): values right, the mapping released with the last tensor, the file safe to
/// replace, unaligned data read instead of mapped, hostile bools still refused.
/// </summary>
public abstract class SafetensorsMappingTests(string backend) : BackendFileTest(backend)
{
    private static bool Mapped(string path) =>
        File.ReadAllLines("/proc/self/maps").Any(line => line.EndsWith(Path.GetFileName(path), StringComparison.Ordinal));

    private static float[] Ramp(int n, float scale = 1)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i * scale;
        return v;
    }

    [SkippableFact]
    public void Large_tensors_load_mapped_with_the_right_values_and_unmap_when_disposed()
    {
        RequireBackend();
        int n = (int)(NF.Safetensors.MapThreshold / sizeof(float)) + 7; // just over the threshold
        string path = Temp.File("big.safetensors");
        using (var big = NF.Constant(Ramp(n)))
        using (var small = NF.Constant(new[] { 1f, 2f }))
            NF.Safetensors.Save(new Dictionary<string, Tensor> { ["big"] = big, ["small"] = small }, path);

        var loaded = NF.Safetensors.Load(path);
        Assert.Equal(Ramp(n), loaded["big"].ToArray<float>());
        Assert.Equal(new[] { 1f, 2f }, loaded["small"].ToArray<float>());
        using (var doubled = loaded["big"] * 2f)                         // kernels read the mapped bytes
            Assert.Equal(2f * (n - 1), doubled[n - 1].Item<float>());
        if (!OperatingSystem.IsLinux() || !NF.Backend.IsHostMemory) return; // a GPU tensor is always a copy
        Assert.True(Mapped(path), "the large tensor should map the file, not copy it");
        loaded["big"].Dispose();
        Assert.False(Mapped(path), "disposing the last tensor over the mapping should unmap the file");
        loaded["small"].Dispose();
    }

    [SkippableFact]
    public void A_file_replaced_by_a_new_save_leaves_the_loaded_tensor_as_it_was()
    {
        RequireBackend();
        Skip.IfNot(OperatingSystem.IsLinux(), "replacing a mapped file is refused on Windows; Linux keeps the old inode");
        int n = (int)(NF.Safetensors.MapThreshold / sizeof(float));
        string path = Temp.File("replaced.safetensors");
        using (var first = NF.Constant(Ramp(n)))
            NF.Safetensors.Save(new Dictionary<string, Tensor> { ["w"] = first }, path);
        var loaded = NF.Safetensors.Load(path);
        using (var second = NF.Constant(Ramp(n, -1)))
            NF.Safetensors.Save(new Dictionary<string, Tensor> { ["w"] = second }, path); // atomic rename over the mapped file
        Assert.Equal(Ramp(n), loaded["w"].ToArray<float>());
        using var reloaded = NF.Safetensors.Load(path)["w"];
        Assert.Equal(Ramp(n, -1), reloaded.ToArray<float>());
        loaded["w"].Dispose();
    }

    // A file whose data starts at an odd byte (the specification allows any header length):
    // a float there cannot be mapped, so it is read; the values are the same.
    [SkippableFact]
    public void Data_at_an_unaligned_offset_is_read_instead_of_mapped()
    {
        RequireBackend();
        int n = (int)(NF.Safetensors.MapThreshold / sizeof(float)) + 1;
        string header = $"{{\"w\":{{\"dtype\":\"F32\",\"shape\":[{n}],\"data_offsets\":[0,{n * 4}]}}}}";
        if ((8 + Encoding.UTF8.GetByteCount(header)) % 4 == 0) header += " ";
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + n * 4];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        var values = Ramp(n, 0.5f);
        for (int i = 0; i < n; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(8 + json.Length + 4 * i), values[i]);
        string path = Temp.File("unaligned.safetensors");
        File.WriteAllBytes(path, bytes);

        using var w = NF.Safetensors.Load(path)["w"];
        Assert.Equal(values, w.ToArray<float>());
        if (OperatingSystem.IsLinux()) Assert.False(Mapped(path));
    }

    [SkippableFact]
    public void A_large_bool_tensor_holding_another_byte_is_refused_and_unmapped()
    {
        RequireBackend();
        int n = (int)NF.Safetensors.MapThreshold;
        string header = $"{{\"b\":{{\"dtype\":\"BOOL\",\"shape\":[{n}],\"data_offsets\":[0,{n}]}}}}";
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + n];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        bytes[^1] = 2;
        string path = Temp.File("bools.safetensors");
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<InvalidDataException>(() => NF.Safetensors.Load(path));
        Assert.Contains("holds the byte 2", e.Message);
        if (OperatingSystem.IsLinux()) Assert.False(Mapped(path));
    }
}

public sealed class ManagedSafetensorsMappingTests() : SafetensorsMappingTests("managed");
public sealed class NativeCpuSafetensorsMappingTests() : SafetensorsMappingTests("cpu");
public sealed class CudaSafetensorsMappingTests() : SafetensorsMappingTests("cuda");

/// <summary>PyTorch's float16 checkpoints load as float16 and bfloat16 ones widened to float32 (exactly), on every backend.</summary>
public abstract class SafetensorsHalfTests(string backend) : BackendFileTest(backend)
{
    // A file written by hand from the specification: F16 and BF16 tensors and an F32 one.
    private string HalfFile(ushort[] f16, ushort[] bf16)
    {
        string header = $"{{\"h\":{{\"dtype\":\"F16\",\"shape\":[{f16.Length}],\"data_offsets\":[0,{2 * f16.Length}]}}," +
                        $"\"b\":{{\"dtype\":\"BF16\",\"shape\":[1,{bf16.Length}],\"data_offsets\":[{2 * f16.Length},{2 * (f16.Length + bf16.Length)}]}}}}";
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + 2 * (f16.Length + bf16.Length)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        int at = 8 + json.Length;
        foreach (var v in f16.Concat(bf16)) { BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), v); at += 2; }
        string path = Temp.File("half.safetensors");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [SkippableFact]
    public void F16_loads_as_float16_and_BF16_as_the_float32_values_it_holds()
    {
        RequireBackend();
        // float16 bit patterns: 1.5, -2, 65504 (largest), 2^-24 (smallest subnormal), +inf, -0
        ushort[] f16 = [0x3E00, 0xC000, 0x7BFF, 0x0001, 0x7C00, 0x8000];
        float[] f16Values = [1.5f, -2f, 65504f, MathF.Pow(2, -24), float.PositiveInfinity, -0f];
        // bfloat16 = the upper 16 bits of a float32: pi rounded down, -1e30's upper half, 1
        float[] bfSource = [MathF.PI, -1e30f, 1f];
        ushort[] bf16 = bfSource.Select(v => (ushort)(BitConverter.SingleToInt32Bits(v) >>> 16)).ToArray();
        float[] bfValues = bf16.Select(b => BitConverter.Int32BitsToSingle(b << 16)).ToArray();

        var loaded = NF.Safetensors.Load(HalfFile(f16, bf16));
        Assert.Equal(DType.Float16, loaded["h"].DType);
        Assert.Equal(new Shape(6), loaded["h"].Shape);
        Assert.Equal(f16, loaded["h"].ToArray<Half>().Select(BitConverter.HalfToUInt16Bits));
        using var widened = NF.Cast(loaded["h"], DType.Float32);
        Assert.Equal(f16Values.Select(BitConverter.SingleToInt32Bits), widened.ToArray<float>().Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(new Shape(1, 3), loaded["b"].Shape);
        Assert.Equal(bfValues, loaded["b"].ToArray<float>());
        Assert.Equal(3.140625f, loaded["b"].ToArray<float>()[0]);
        foreach (var t in loaded.Values) t.Dispose();
    }

    [SkippableFact]
    public void A_half_tensor_whose_range_does_not_fit_its_shape_is_refused()
    {
        RequireBackend();
        string header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,12]}}";
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + 12];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        string path = Temp.File("badhalf.safetensors");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => NF.Safetensors.Load(path));
        Assert.Contains("dtype F16 needs 6 bytes", e.Message);
    }
}

public sealed class ManagedSafetensorsHalfTests() : SafetensorsHalfTests("managed");
public sealed class NativeCpuSafetensorsHalfTests() : SafetensorsHalfTests("cpu");
public sealed class CudaSafetensorsHalfTests() : SafetensorsHalfTests("cuda");
