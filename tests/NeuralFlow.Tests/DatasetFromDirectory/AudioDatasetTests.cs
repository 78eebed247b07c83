using System.Buffers.Binary;
using NeuralFlow.Keras;
using static NeuralFlow.Tests.DatasetFromDirectory.DirectoryFixture;

namespace NeuralFlow.Tests.DatasetFromDirectory;

/// <summary>
/// NF.Audio.DecodeWav (tf.audio.decode_wav's scaling: 16-bit s / 32768, float32 [samples, channels];
/// 8-bit (b - 128) / 128 and float files besides) and AudioDatasetFromDirectory (Keras'
/// audio_dataset_from_directory): clips padded with zeros to the batch's longest, or cut / padded
/// to output_sequence_length, a sampling-rate mismatch and a corrupt file named in the error.
/// </summary>
public abstract class AudioDatasetTests(string backend) : BackendFileTest(backend)
{
    // A WAV file of the given format tag and sample bytes (interleaved frames).
    private static byte[] Wav(ushort format, int channels, int rate, int bits, byte[] data)
    {
        var b = new byte[44 + data.Length];
        "RIFF"u8.CopyTo(b);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4), 36 + data.Length);
        "WAVEfmt "u8.CopyTo(b.AsSpan(8));
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(16), 16);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(20), format);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(22), (ushort)channels);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(24), rate);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(28), rate * channels * bits / 8);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(32), (ushort)(channels * bits / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(34), (ushort)bits);
        "data"u8.CopyTo(b.AsSpan(36));
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(40), data.Length);
        data.CopyTo(b, 44);
        return b;
    }

    // A mono 16-bit clip of the given samples (in [-1, 1)) at 16 kHz.
    private static byte[] Clip(params float[] samples) => NF.Audio.EncodeWav(NF.Constant(samples, [samples.Length, 1]), 16000);

    [SkippableFact]
    public void Decode_wav_scales_each_sample_format()
    {
        RequireBackend();
        var pcm16 = new byte[8];
        short[] values = [-32768, -1, 16384, 32767];
        for (int i = 0; i < 4; i++) BinaryPrimitives.WriteInt16LittleEndian(pcm16.AsSpan(2 * i), values[i]);
        var (audio, rate) = NF.Audio.DecodeWav(Wav(1, 2, 8000, 16, pcm16));
        Assert.Equal(8000, rate);
        Assert.Equal(new[] { 2, 2 }, audio.Shape.ToArray());          // [samples, channels], frames interleaved
        Assert.Equal(new[] { -1f, -1f / 32768, 0.5f, 32767f / 32768 }, audio.ToArray<float>());
        // desired_channels keeps the first channels; extra ones repeat the last (TF's decode_wav).
        Assert.Equal(new[] { -1f, 0.5f }, NF.Audio.DecodeWav(Wav(1, 2, 8000, 16, pcm16), desiredChannels: 1).Audio.ToArray<float>());
        Assert.Equal(new[] { -1f, -1f / 32768, -1f / 32768, 0.5f, 32767f / 32768, 32767f / 32768 },
                     NF.Audio.DecodeWav(Wav(1, 2, 8000, 16, pcm16), desiredChannels: 3).Audio.ToArray<float>());
        var (u8, _) = NF.Audio.DecodeWav(Wav(1, 1, 8000, 8, [0, 128, 192, 255]));
        Assert.Equal(new[] { -1f, 0f, 0.5f, 127f / 128 }, u8.ToArray<float>());
        var floats = new byte[8];
        BinaryPrimitives.WriteSingleLittleEndian(floats, 0.25f);
        BinaryPrimitives.WriteSingleLittleEndian(floats.AsSpan(4), -0.75f);
        Assert.Equal(new[] { 0.25f, -0.75f }, NF.Audio.DecodeWav(Wav(3, 1, 8000, 32, floats)).Audio.ToArray<float>());
        // desired samples cut or pad with zeros; a mono file widens to desired channels.
        var (padded, _) = NF.Audio.DecodeWav(Wav(1, 1, 8000, 8, [192, 64]), desiredChannels: 2, desiredSamples: 3);
        Assert.Equal(new[] { 0.5f, 0.5f, -0.5f, -0.5f, 0f, 0f }, padded.ToArray<float>());
        // EncodeWav is tf.audio.encode_wav's 16-bit PCM: decoding gives the samples back on the int16 grid.
        var back = NF.Audio.DecodeWav(Clip(0.5f, -0.25f, 1f)).Audio.ToArray<float>();
        Assert.Equal(new[] { 0.5f, -0.25f, 32767f / 32768 }, back);
    }

    [SkippableFact]
    public void Decode_wav_names_what_is_wrong()
    {
        RequireBackend();
        Assert.Contains("not a WAV file", Assert.Throws<InvalidDataException>(() => NF.Audio.DecodeWav("hello world, no audio"u8.ToArray())).Message);
        var truncated = Clip(0.1f, 0.2f, 0.3f)[..^2];
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => NF.Audio.DecodeWav(truncated)).Message);
        Assert.Contains("format tag 85", Assert.Throws<InvalidDataException>(() => NF.Audio.DecodeWav(Wav(85, 1, 8000, 16, new byte[4]))).Message);
        Assert.Contains("12-bit", Assert.Throws<InvalidDataException>(() => NF.Audio.DecodeWav(Wav(1, 1, 8000, 12, new byte[4]))).Message);
    }

    [SkippableFact]
    public void Clips_pad_to_the_longest_of_their_batch_or_to_the_output_length()
    {
        RequireBackend();
        string root = Temp.Path;
        Write(root, "no/a.wav", Clip(0.5f, 0.5f));
        Write(root, "yes/b.wav", Clip(-0.5f, 0.25f, 0.25f, 0.25f));
        Write(root, "yes/c.wav", Clip(0.25f));
        Write(root, "yes/readme.txt", "not audio");
        var (ds, printed) = Capture(() => Utils.AudioDatasetFromDirectory(root, batchSize: 2, shuffle: false));
        Assert.Equal("Found 3 files belonging to 2 classes.\n", printed);
        Assert.Equal(new[] { "no", "yes" }, ds.ClassNames);
        var batches = ds.ToList();
        Assert.Equal(2, batches.Count);
        Assert.Equal(new[] { 2, 4, 1 }, batches[0].Item1.Shape.ToArray());
        Assert.Equal(new[] { 0.5f, 0.5f, 0, 0, -0.5f, 0.25f, 0.25f, 0.25f }, batches[0].Item1.ToArray<float>());
        Assert.Equal(new[] { 0, 1 }, batches[0].Item2.ToArray<int>());
        Assert.Equal(new[] { 1, 1, 1 }, batches[1].Item1.Shape.ToArray());
        var fixedLength = Utils.AudioDatasetFromDirectory(root, batchSize: 3, outputSequenceLength: 3, shuffle: false, verbose: false).Single().Item1;
        Assert.Equal(new[] { 3, 3, 1 }, fixedLength.Shape.ToArray());
        Assert.Equal(new[] { 0.5f, 0.5f, 0, -0.5f, 0.25f, 0.25f, 0.25f, 0, 0 }, fixedLength.ToArray<float>());
        var unlabeled = Utils.UnlabeledAudioDatasetFromDirectory(root, batchSize: null, shuffle: false, verbose: false).ToList();
        Assert.Equal(new[] { 2, 1 }, unlabeled[0].Shape.ToArray());
        Assert.Equal(3, unlabeled.Count);
    }

    [SkippableFact]
    public void A_wrong_rate_a_corrupt_file_and_ragged_are_errors()
    {
        RequireBackend();
        string root = Temp.Path;
        Write(root, "a/ok.wav", Clip(0.5f));
        string bad = Write(root, "b/broken.wav", "RIFF\0\0\0\0WAVEjunk");
        var wrongRate = Utils.UnlabeledAudioDatasetFromDirectory(root, samplingRate: 44100, shuffle: false, verbose: false);
        var e1 = Assert.Throws<InvalidDataException>(() => wrongRate.ToList());
        Assert.Contains("16000 Hz, not sampling_rate 44100", e1.Message);
        var corrupt = Utils.AudioDatasetFromDirectory(root, shuffle: false, verbose: false);
        var e2 = Assert.Throws<InvalidDataException>(() => corrupt.ToList());
        Assert.Contains(bad, e2.Message);
        Assert.Contains("Cannot set both `ragged` and `output_sequence_length`",
                        Assert.Throws<ArgumentException>(() => Utils.AudioDatasetFromDirectory(root, ragged: true, outputSequenceLength: 4)).Message);
        Assert.Throws<NotSupportedException>(() => Utils.AudioDatasetFromDirectory(root, ragged: true));
        Assert.Contains("UnlabeledAudioDatasetFromDirectory", Assert.Throws<ArgumentException>(() => Utils.AudioDatasetFromDirectory(root, labelMode: null)).Message);
    }
}

/// <summary>The audio utility on the managed backend.</summary>
public sealed class ManagedAudioDatasetTests() : AudioDatasetTests("managed");

/// <summary>The audio utility on the native CPU backend.</summary>
public sealed class NativeCpuAudioDatasetTests() : AudioDatasetTests("cpu");

/// <summary>The audio utility on CUDA.</summary>
public sealed class CudaAudioDatasetTests() : AudioDatasetTests("cuda");
