using System.Buffers.Binary;

namespace NeuralFlow;

/// <summary>
/// A parsed WAV file for <see cref="NF.Audio.DecodeWav"/>: the RIFF chunks walked (each padded to an
/// even size), the "fmt " chunk read, and the "data" chunk's frames read as normalised samples.
/// </summary>
internal sealed class WavFormat
{
    private const ushort Pcm = 1, IeeeFloat = 3, Extensible = 0xFFFE;
    private readonly byte[] _bytes;
    private readonly int _data, _bytesPerSample, _blockAlign;
    private readonly bool _float;

    public int Channels { get; }
    public int SampleRate { get; }
    public int Frames { get; }

    private WavFormat(byte[] bytes, int data, int dataLength, int channels, int sampleRate, int bits, int blockAlign, bool isFloat)
    {
        (_bytes, _data, _bytesPerSample, _blockAlign, _float) = (bytes, data, bits / 8, blockAlign, isFloat);
        (Channels, SampleRate, Frames) = (channels, sampleRate, dataLength / blockAlign);
    }

    public static WavFormat Parse(byte[] b)
    {
        static InvalidDataException Bad(string why) => new($"DecodeWav: {why}");
        if (b.Length < 12 || !b.AsSpan(0, 4).SequenceEqual("RIFF"u8) || !b.AsSpan(8, 4).SequenceEqual("WAVE"u8))
            throw Bad("the contents are not a WAV file (no RIFF/WAVE header).");
        int? format = null, channels = null, rate = null, bits = null, align = null;
        for (long at = 12; at + 8 <= b.Length;)
        {
            var id = b.AsSpan((int)at, 4);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)at + 4));
            long body = at + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || body + size > b.Length) throw Bad($"the fmt chunk is {size} bytes{(body + size > b.Length ? ", past the end of the file" : "")}; it needs 16.");
                var f = b.AsSpan((int)body);
                format = BinaryPrimitives.ReadUInt16LittleEndian(f);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(f[2..]);
                rate = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(f[4..]), int.MaxValue);
                align = BinaryPrimitives.ReadUInt16LittleEndian(f[12..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(f[14..]);
                // WAVE_FORMAT_EXTENSIBLE names the real format in the first two bytes of its sub-format GUID.
                if (format == Extensible)
                    format = size >= 26 ? BinaryPrimitives.ReadUInt16LittleEndian(f[24..]) : throw Bad("the extensible fmt chunk is too short to name its sub-format.");
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (format is null) throw Bad("the data chunk comes before any fmt chunk.");
                // Streaming writers leave the size unknown (0 or 0xFFFFFFFF): the data runs to the end.
                long available = b.Length - body;
                if (size > available && size != uint.MaxValue && size != 0) throw Bad($"the data chunk declares {size} bytes but only {available} follow: the file is truncated.");
                if (size == uint.MaxValue || size == 0 && available > 0) size = available;
                return Make(b, (int)body, (int)Math.Min(size, int.MaxValue), format.Value, channels!.Value, rate!.Value, bits!.Value, align!.Value);
            }
            at = body + size + (size & 1);
        }
        throw Bad(format is null ? "no fmt chunk." : "no data chunk.");
    }

    private static WavFormat Make(byte[] b, int data, int length, int format, int channels, int rate, int bits, int align)
    {
        bool isFloat = format == IeeeFloat;
        if (format is not (Pcm or IeeeFloat))
            throw new InvalidDataException($"DecodeWav: format tag {format} is not PCM (1) or IEEE float (3); compressed WAV files are not read.");
        if (channels < 1) throw new InvalidDataException("DecodeWav: the fmt chunk declares 0 channels.");
        if (isFloat ? bits is not (32 or 64) : bits is not (8 or 16 or 24 or 32))
            throw new InvalidDataException($"DecodeWav: {bits}-bit {(isFloat ? "float" : "PCM")} samples are not supported (PCM: 8, 16, 24, 32 bits; float: 32, 64).");
        if (align != channels * bits / 8)
            throw new InvalidDataException($"DecodeWav: the block align {align} does not match {channels} channels of {bits} bits.");
        if (rate < 1) throw new InvalidDataException("DecodeWav: the fmt chunk declares a sampling rate of 0.");
        return new WavFormat(b, data, length, channels, rate, bits, align, isFloat);
    }

    /// <summary>Frame <paramref name="frame"/>'s sample of <paramref name="channel"/>, in [-1, 1] for PCM.</summary>
    public float Sample(int frame, int channel)
    {
        var s = _bytes.AsSpan(_data + frame * _blockAlign + channel * _bytesPerSample, _bytesPerSample);
        return (_bytesPerSample, _float) switch
        {
            (1, false) => (s[0] - 128) / 128f,
            (2, false) => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768f,
            (3, false) => ((s[0] | s[1] << 8 | (sbyte)s[2] << 16)) / 8388608f,
            (4, false) => (float)(BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648.0),
            (4, true) => BinaryPrimitives.ReadSingleLittleEndian(s),
            _ => (float)BinaryPrimitives.ReadDoubleLittleEndian(s),
        };
    }
}
