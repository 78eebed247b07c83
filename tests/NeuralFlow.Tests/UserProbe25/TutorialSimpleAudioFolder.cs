using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// The stand-in for the tutorial's mini Speech Commands download: 4 labels x 10 mono 16 kHz WAV
/// files in one folder per label, from integer formulas that simple_audio_references.py repeats
/// exactly (a triangle wave, a square-wave chirp, LCG noise and a pulse train). Clips 0, 3, 6 and 9
/// are shorter than a second (zero-padded by output_sequence_length) and clip 5 longer (cut).
/// Also the tutorial's get_spectrogram and squeeze, shared by its test classes.
/// </summary>
internal static class TutorialSimpleAudioFolder
{
    public static readonly string[] Labels = ["down", "go", "no", "yes"];
    public const int PerClass = 10;

    public static int ClipLength(int i) => i == 5 ? 17000 : i % 3 == 0 ? 9000 + 700 * i : 16000;

    public static short[] Clip(int c, int i)
    {
        int n = ClipLength(i);
        var pcm = new short[n];
        long x = 1 + i;
        for (int t = 0; t < n; t++)
        {
            pcm[t] = (short)(c switch
            {
                0 => Triangle(t, 40 + 4 * i),
                1 => (long)t * (t + 100 * i) / 8192 % 64 < 32 ? 9000 : -9000,
                2 => Lcg(ref x),
                _ => t % (100 + 10 * i) < 5 ? 20000 : -500,
            });
        }
        return pcm;
    }

    private static int Triangle(int t, int period)
    {
        int phase = t % period;
        int tri = phase < period / 2 ? phase : period - phase;
        return tri * 24000 / period - 6000;
    }

    private static int Lcg(ref long x)
    {
        x = (1103515245L * x + 12345) % (1L << 31);
        return (int)((x >> 16) % 16001) - 8000;
    }

    /// <summary>Writes the folder under <paramref name="parent"/>; returns data_dir.</summary>
    public static string Write(string parent)
    {
        string root = Path.Combine(parent, "mini_speech_commands");
        for (int c = 0; c < Labels.Length; c++)
        {
            Directory.CreateDirectory(Path.Combine(root, Labels[c]));
            for (int i = 0; i < PerClass; i++)
            {
                var pcm = Clip(c, i);
                // s / 32768 is exact in float32, and EncodeWav's s / 32768 * 32768 gives s back.
                var audio = NF.Constant(Array.ConvertAll(pcm, s => s / 32768f), [pcm.Length, 1]);
                File.WriteAllBytes(Path.Combine(root, Labels[c], $"{i:00}_nohash_0.wav"), NF.Audio.EncodeWav(audio, 16000));
            }
        }
        // The tutorial drops README.md from the command list; Keras ignores non-WAV files.
        File.WriteAllText(Path.Combine(root, "README.md"), "synthetic stand-in for mini_speech_commands");
        return root;
    }

    /// <summary>The tutorial's get_spectrogram: |tf.signal.stft(waveform, 255, 128)| with a channels axis.</summary>
    public static Tensor GetSpectrogram(Tensor waveform)
    {
        var spectrogram = NF.Abs(NF.Signal.Stft(waveform, frameLength: 255, frameStep: 128));
        return spectrogram[NF.Ellipsis, NF.NewAxis];
    }

    /// <summary>The tutorial's squeeze, mapped over the (audio, labels) batches.</summary>
    public static Dataset<(Tensor, Tensor)> Squeeze(Dataset<(Tensor, Tensor)> ds) =>
        ds.Map((audio, labels) => (NF.Squeeze(audio, axis: -1), labels), Dataset.Autotune);

    /// <summary>The tutorial's make_spec_ds.</summary>
    public static Dataset<(Tensor, Tensor)> MakeSpecDs(Dataset<(Tensor, Tensor)> ds) =>
        ds.Map((audio, label) => (GetSpectrogram(audio), label), Dataset.Autotune);
}
