using System.Buffers.Binary;

namespace NeuralFlow;

public static partial class NF
{
    /// <summary>Audio files to and from tensors (<c>tf.audio</c>).</summary>
    public static class Audio
    {
        /// <summary>
        /// Decodes a WAV file (<c>tf.audio.decode_wav</c>) to float32 samples in [-1, 1], shape
        /// [samples, channels], and its sampling rate. Reads PCM of 8 bits (unsigned, (b - 128) / 128),
        /// 16, 24 and 32 bits (signed, divided by 2^(bits - 1): 16-bit s / 32768 as TensorFlow), and
        /// IEEE float of 32 or 64 bits (as stored), plain or WAVE_FORMAT_EXTENSIBLE. With
        /// <paramref name="desiredChannels"/> the file's first channels are kept, and channels past
        /// its last repeat the last one (TF's rule; a mono file becomes that many copies); with <paramref name="desiredSamples"/> the audio is cut or
        /// padded with zeros to that length (both -1: as in the file).
        /// </summary>
        /// <exception cref="InvalidDataException">The bytes are not a WAV file this reads, named by what is wrong.</exception>
        public static (Tensor Audio, int SampleRate) DecodeWav(byte[] contents, int desiredChannels = -1, int desiredSamples = -1)
        {
            ArgumentNullException.ThrowIfNull(contents);
            if (desiredChannels is 0 or < -1) throw new ArgumentOutOfRangeException(nameof(desiredChannels), desiredChannels, "DecodeWav: desiredChannels must be at least 1, or -1 for the file's.");
            if (desiredSamples < -1) throw new ArgumentOutOfRangeException(nameof(desiredSamples), desiredSamples, "DecodeWav: desiredSamples must be 0 or more, or -1 for the file's.");
            var wav = WavFormat.Parse(contents);
            int channels = desiredChannels == -1 ? wav.Channels : desiredChannels;
            int frames = wav.Frames, samples = desiredSamples == -1 ? frames : desiredSamples;
            if ((long)samples * channels > Array.MaxLength)
                throw new ArgumentOutOfRangeException(desiredSamples == -1 ? nameof(desiredChannels) : nameof(desiredSamples),
                    $"DecodeWav: {samples} samples of {channels} channels are {(long)samples * channels} values, more than one tensor holds; ask for fewer desiredSamples or desiredChannels.");
            var data = new float[(long)samples * channels];
            for (int t = 0; t < Math.Min(frames, samples); t++)
                for (int c = 0; c < channels; c++)
                    data[(long)t * channels + c] = wav.Sample(t, Math.Min(c, wav.Channels - 1));
            return (Constant(data, [samples, channels]), wav.SampleRate);
        }

        /// <summary>
        /// <see cref="DecodeWav(byte[], int, int)"/> of a scalar string holding the file's bytes, as
        /// <c>tf.audio.decode_wav(tf.io.read_file(path))</c> gets them (<see cref="IO.ReadFile(string)"/>).
        /// </summary>
        /// <exception cref="ArgumentException">contents is not a scalar (one file per call, as TF's).</exception>
        /// <exception cref="InvalidDataException">The bytes are not a WAV file this reads, named by what is wrong.</exception>
        public static (Tensor Audio, int SampleRate) DecodeWav(Data.StringTensor contents, int desiredChannels = -1, int desiredSamples = -1)
        {
            ArgumentNullException.ThrowIfNull(contents);
            if (contents.Rank != 0)
                throw new ArgumentException($"DecodeWav: contents must be a scalar string (one file's bytes), got shape {contents.Shape}.", nameof(contents));
            return DecodeWav(contents.ToBytes(), desiredChannels, desiredSamples);
        }

        /// <summary>
        /// Encodes float samples [samples, channels] as a 16-bit PCM WAV file
        /// (<c>tf.audio.encode_wav</c>): each sample times 32768, rounded and clamped to the int16 range.
        /// </summary>
        public static byte[] EncodeWav(Tensor audio, int sampleRate)
        {
            ArgumentNullException.ThrowIfNull(audio);
            if (audio.Rank != 2) throw new ArgumentException($"EncodeWav: audio must be [samples, channels], got shape {audio.Shape}.", nameof(audio));
            // tf.audio.encode_wav takes float32 in [-1, 1]; an integer or bool tensor is not that scale.
            if (!audio.DType.IsFloating())
                throw new ArgumentException($"EncodeWav: audio must be float samples in [-1, 1], got {audio.DType.Name()}; scale and cast it (int16 PCM: NF.Cast(x, DType.Float32) / 32768).", nameof(audio));
            if (sampleRate < 1) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "EncodeWav: the sampling rate must be positive.");
            int frames = audio.Shape[0], channels = audio.Shape[1];
            if (channels is < 1 or > ushort.MaxValue) throw new ArgumentException($"EncodeWav: audio must have 1 to 65535 channels, got {channels}.", nameof(audio));
            var values = audio.ToDoubleArray();
            long dataBytes = 2L * values.Length;
            if (dataBytes > uint.MaxValue - 36) throw new ArgumentException("EncodeWav: the audio is too long for a WAV file (4 GiB).", nameof(audio));
            var bytes = new byte[44 + dataBytes];
            var span = bytes.AsSpan();
            "RIFF"u8.CopyTo(span);
            BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)(36 + dataBytes));
            "WAVEfmt "u8.CopyTo(span[8..]);
            BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 16);
            BinaryPrimitives.WriteUInt16LittleEndian(span[20..], 1);
            BinaryPrimitives.WriteUInt16LittleEndian(span[22..], (ushort)channels);
            BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)sampleRate);
            BinaryPrimitives.WriteUInt32LittleEndian(span[28..], (uint)(sampleRate * 2L * channels));
            BinaryPrimitives.WriteUInt16LittleEndian(span[32..], (ushort)(2 * channels));
            BinaryPrimitives.WriteUInt16LittleEndian(span[34..], 16);
            "data"u8.CopyTo(span[36..]);
            BinaryPrimitives.WriteUInt32LittleEndian(span[40..], (uint)dataBytes);
            for (int i = 0; i < values.Length; i++)
            {
                double v = Math.Round(values[i] * 32768.0, MidpointRounding.AwayFromZero);
                BinaryPrimitives.WriteInt16LittleEndian(span[(44 + 2 * i)..], (short)Math.Clamp(double.IsNaN(v) ? 0 : v, short.MinValue, short.MaxValue));
            }
            return bytes;
        }
    }
}
