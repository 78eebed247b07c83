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
