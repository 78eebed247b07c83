using System.Buffers.Binary;
using System.Text;
using static NeuralFlow.Tests.Float16.Float16Testing;

namespace NeuralFlow.Tests.Float16;

/// <summary>
/// float16 tensors saved and loaded through safetensors as "F16" (PyTorch's float16 checkpoints:
/// safetensors.torch.load_file gives float16 tensors), bit for bit, on every engine.
/// </summary>
public abstract class Float16SaveLoadTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Safetensors_round_trips_float16_bit_for_bit()
    {
        RequireBackend();
        ushort[] bits = [0x3C00, 0x8000, 0x0001, 0x7BFF, 0x7C00, 0xFC00, 0x7E00, 0x2E66, 0xC100, 0x03FF, 0x0400, 0x3555];
        using var h = NF.Reshape(FromBits(bits), [3, 4]);
        using var f = NF.Constant(new[] { 1f, 2f });
        string path = Temp.File("half.safetensors");
        NF.Safetensors.Save(new Dictionary<string, Tensor> { ["h"] = h, ["f"] = f }, path);
        // The header names the dtype F16 and the data holds the 2-byte patterns little-endian.
        var bytes = File.ReadAllBytes(path);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string header = Encoding.UTF8.GetString(bytes, 8, headerLength);
        Assert.Contains("\"F16\"", header);
        var loaded = NF.Safetensors.Load(path);
        try
        {
            Assert.Equal(DType.Float16, loaded["h"].DType);
            Assert.Equal(new Shape(3, 4), loaded["h"].Shape);
            Assert.Equal(bits, Bits(loaded["h"]));
            Assert.Equal(DType.Float32, loaded["f"].DType);
            // A loaded float16 tensor computes like any other.
            using var doubled = loaded["h"] * 2;
            Assert.Equal((Half)2, doubled.ToArray<Half>()[0]);
        }
        finally
        {
            foreach (var t in loaded.Values) t.Dispose();
        }
    }

    [SkippableFact]
    public void A_float16_variable_round_trips_through_safetensors()
    {
        RequireBackend();
        var v = new Variable(NF.Constant(new[] { (Half)0.5, (Half)(-3), (Half)1e-3 }), name: "w");
        string path = Temp.File("vars.safetensors");
        NF.Safetensors.Save(new Dictionary<string, Tensor> { ["w"] = v }, path);
        var loaded = NF.Safetensors.Load(path);
        using var w = loaded["w"];
        Assert.Equal(Bits(v), Bits(w));
    }
}

public sealed class ManagedFloat16SaveLoadTests() : Float16SaveLoadTests("managed");

public sealed class NativeCpuFloat16SaveLoadTests() : Float16SaveLoadTests("cpu");

public sealed class CudaFloat16SaveLoadTests() : Float16SaveLoadTests("cuda");
