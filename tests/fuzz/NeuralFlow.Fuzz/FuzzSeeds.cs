using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace NeuralFlow.Fuzz;

/// <summary>
/// Seeds made here rather than copied from the unit tests' fixtures: WAV files of every sample
/// format DecodeWav reads, .npy files of every dtype NF.Numpy.Load reads and the header forms
/// NumPy writes (versions 1 to 3, Fortran order, 0-d and empty arrays), .npz archives stored
/// uncompressed (so mutants reach the arrays) and deflated, and the weights of a small model.
/// </summary>
internal static class FuzzSeeds
{
    /// <summary>The model the h5weights target loads into: the same layers <see cref="H5Weights"/> saved.</summary>
    public static NeuralFlow.Keras.Sequential SmallModel()
    {
        var model = new NeuralFlow.Keras.Sequential(new NeuralFlow.Keras.Layers.Dense(3, activation: "relu"), new NeuralFlow.Keras.Layers.Dense(2));
        model.Build([2]);
        return model;
    }

    public static IEnumerable<(string Name, byte[] Bytes)> H5Weights()
    {
        NF.Random.SetSeed(1);
        var model = SmallModel();
        string path = Path.Combine(Path.GetTempPath(), $"nf-seed-{Guid.NewGuid():N}.weights.h5");
        model.SaveWeights(path);
        yield return ("seed-small.weights.h5", File.ReadAllBytes(path));
        File.Delete(path);
    }

    public static IEnumerable<(string Name, byte[] Bytes)> Wav()
    {
        using (var stereo = NF.Constant(new float[] { 0f, 0.5f, -0.5f, 1f, -1f, 0.25f }, [3, 2]))
            yield return ("seed-pcm16-stereo.wav", NF.Audio.EncodeWav(stereo, 16000));
        byte[] samples8 = [0, 128, 255, 64];
        yield return ("seed-pcm8-mono.wav", Wave(1, 1, 8, 8000, samples8));
        yield return ("seed-pcm24-mono.wav", Wave(1, 1, 24, 22050, [0, 0, 0x80, 0xFF, 0xFF, 0x7F, 1, 2, 3]));
        yield return ("seed-pcm32-stereo.wav", Wave(1, 2, 32, 44100, new byte[16]));
        var floats = new byte[12];
        BinaryPrimitives.WriteSingleLittleEndian(floats, 0.5f);
        BinaryPrimitives.WriteSingleLittleEndian(floats.AsSpan(4), -2f);
        yield return ("seed-float32-mono.wav", Wave(3, 1, 32, 48000, floats));
        yield return ("seed-float64-mono.wav", Wave(3, 1, 64, 48000, new byte[16]));
        yield return ("seed-extensible-pcm16.wav", Wave(0xFFFE, 1, 16, 16000, [1, 0, 2, 0], extensibleFormat: 1));
        yield return ("seed-empty-data.wav", Wave(1, 1, 16, 16000, []));
    }

    // A RIFF/WAVE file with one fmt chunk (18 + 22 bytes when extensible) and one data chunk.
    private static byte[] Wave(ushort format, ushort channels, ushort bits, uint rate, byte[] data, ushort extensibleFormat = 0)
    {
        int fmtSize = format == 0xFFFE ? 40 : 16;
        var b = new byte[12 + 8 + fmtSize + 8 + data.Length];
        var s = b.AsSpan();
        "RIFF"u8.CopyTo(s);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], (uint)(b.Length - 8));
        "WAVEfmt "u8.CopyTo(s[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], (uint)fmtSize);
        BinaryPrimitives.WriteUInt16LittleEndian(s[20..], format);
        BinaryPrimitives.WriteUInt16LittleEndian(s[22..], channels);
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], rate);
        BinaryPrimitives.WriteUInt32LittleEndian(s[28..], rate * channels * (uint)(bits / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(s[32..], (ushort)(channels * bits / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(s[34..], bits);
        if (format == 0xFFFE)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(s[36..], 22);
            BinaryPrimitives.WriteUInt16LittleEndian(s[38..], bits);
            BinaryPrimitives.WriteUInt16LittleEndian(s[44..], extensibleFormat);
        }
        int at = 20 + fmtSize;
        "data"u8.CopyTo(s[at..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[(at + 4)..], (uint)data.Length);
        data.CopyTo(s[(at + 8)..]);
        return b;
    }

    public static IEnumerable<(string Name, byte[] Bytes)> Npy()
    {
        yield return ("seed-f4-2x3.npy", Npy(1, "<f4", "(2, 3)", new byte[24]));
        yield return ("seed-f8-scalar.npy", Npy(1, "<f8", "()", BitConverter.GetBytes(2.5)));
        yield return ("seed-i8-vector.npy", Npy(1, "<i8", "(3,)", new byte[24]));
        yield return ("seed-i2-widened.npy", Npy(1, "<i2", "(2,)", [1, 0, 0xFF, 0xFF]));
        yield return ("seed-u4-widened.npy", Npy(1, "<u4", "(1,)", [0xFF, 0xFF, 0xFF, 0xFF]));
        yield return ("seed-b1-fortran.npy", Npy(1, "|b1", "(2, 2)", [1, 0, 0, 1], fortran: true));
        yield return ("seed-u1-empty.npy", Npy(1, "|u1", "(0, 5)", []));
        yield return ("seed-f2-version2.npy", Npy(2, "<f2", "(2,)", [0, 0x3C, 0, 0xC0]));
        yield return ("seed-f4-version3.npy", Npy(3, "<f4", "(1, 1, 1)", [0, 0, 0x80, 0x3F]));
        yield return ("seed-big-endian.npy", Npy(1, ">f4", "(1,)", [0x3F, 0x80, 0, 0]));
        yield return ("seed-unicode-dtype.npy", Npy(1, "<U3", "(1,)", new byte[12]));
    }

    // A .npy file as numpy/lib/format.py writes it: magic, version, header length, the dict padded to 64 bytes.
    private static byte[] Npy(int version, string descr, string shape, byte[] data, bool fortran = false)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";
        int prefix = version == 1 ? 10 : 12;
        int padded = (prefix + dict.Length + 1 + 63) / 64 * 64;
        var header = Encoding.Latin1.GetBytes(dict.PadRight(padded - prefix - 1) + "\n");
        var b = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)version, 0 };
        if (version == 1) b.AddRange([(byte)header.Length, (byte)(header.Length >> 8)]);
        else b.AddRange(BitConverter.GetBytes(header.Length));
        b.AddRange(header);
        b.AddRange(data);
        return b.ToArray();
    }

    public static IEnumerable<(string Name, byte[] Bytes)> Npz()
    {
        var arrays = Npy().Take(3).ToList();
        yield return ("seed-stored.npz", Zip(arrays, CompressionLevel.NoCompression));
        yield return ("seed-deflated.npz", Zip(arrays, CompressionLevel.Optimal));
        yield return ("seed-empty.npz", Zip([], CompressionLevel.NoCompression));
    }

    private static byte[] Zip(List<(string Name, byte[] Bytes)> entries, CompressionLevel level)
    {
        using var result = new MemoryStream();
        using (var zip = new ZipArchive(result, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes) in entries)
            {
                // NumPy names the entries after the keyword arguments: arr_0.npy, ...
                using var to = zip.CreateEntry(name["seed-".Length..], level).Open();
                to.Write(bytes);
            }
        return result.ToArray();
    }

    public static IEnumerable<(string Name, byte[] Bytes)> Text()
    {
        yield return ("seed-numbers.csv", Encoding.UTF8.GetBytes("a,b,c\n1,2.5,-3\n4,5e3,6\n# a comment\n7,,9\n"));
        yield return ("seed-quoted.csv", Encoding.UTF8.GetBytes("name,x\n\"a, b\",1\n\"say \"\"hi\"\"\",2\nplain,3\n"));
        yield return ("seed-crlf-nan.csv", Encoding.UTF8.GetBytes("x,y\r\nnan,inf\r\n-inf,1\r\n"));
        yield return ("seed-header-only.csv", Encoding.UTF8.GetBytes("x,y\n"));
        yield return ("seed-ragged.csv", Encoding.UTF8.GetBytes("x,y\n1,2\n3\n"));
    }
}
