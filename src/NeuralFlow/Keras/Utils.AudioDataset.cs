using NeuralFlow.Data;

namespace NeuralFlow.Keras;

public static partial class Utils
{
    /// <summary>
    /// The .wav files of <paramref name="directory"/> as batches of (audio, labels) (Keras'
    /// <c>audio_dataset_from_directory</c>): audio float32 [batch, samples, channels] in [-1, 1]
    /// (<see cref="NF.Audio.DecodeWav"/>), each clip cut or zero-padded to
    /// <paramref name="outputSequenceLength"/>, or, when that is null, padded with zeros to the
    /// longest clip of its batch (Keras' padded_batch). Labels, classes, shuffling with
    /// <paramref name="seed"/> (the exact file order Keras gives that seed) and the
    /// <paramref name="validationSplit"/> / <paramref name="subset"/> split work as in
    /// <see cref="TextDatasetFromDirectory"/>. NeuralFlow does not resample: with
    /// <paramref name="samplingRate"/> a file recorded at another rate is an error naming it
    /// (Keras resamples with tensorflow-io). There are no ragged tensors, so
    /// <paramref name="ragged"/> must stay false. Without labels call
    /// <see cref="UnlabeledAudioDatasetFromDirectory"/>; for both subsets at once,
    /// <see cref="AudioDatasetsFromDirectory"/>.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="ArgumentException">An argument Keras refuses (with its message), or no .wav file was found.</exception>
    public static DirectoryDataset<(Tensor, Tensor)> AudioDatasetFromDirectory(
        string directory, DirectoryLabels labels = default, string? labelMode = "int", IReadOnlyList<string>? classNames = null,
        int? batchSize = 32, int? samplingRate = null, int? outputSequenceLength = null, bool ragged = false, bool shuffle = true,
        int? seed = null, double? validationSplit = null, string? subset = null, bool followLinks = false, bool verbose = true)
    {
        const string op = "AudioDatasetFromDirectory";
        RequireLabels(op, labels, labelMode, "UnlabeledAudioDatasetFromDirectory");
        var contents = AudioContents(op, directory, labels, labelMode, classNames, batchSize, samplingRate, outputSequenceLength, ragged,
                                     shuffle, seed, validationSplit, subset, followLinks, verbose, both: false);
        return DirectoryPipeline.Labeled(contents.Splits[0], contents, batchSize, AudioLoader(op, samplingRate, outputSequenceLength));
    }

    /// <summary>
    /// <see cref="AudioDatasetFromDirectory"/> with Keras' <c>subset="both"</c>: the training and
    /// validation datasets of the same shuffled list (disjoint; validation not reshuffled per pass).
    /// </summary>
    public static (DirectoryDataset<(Tensor, Tensor)> Training, DirectoryDataset<(Tensor, Tensor)> Validation) AudioDatasetsFromDirectory(
        string directory, double validationSplit, int? seed, DirectoryLabels labels = default, string? labelMode = "int",
        IReadOnlyList<string>? classNames = null, int? batchSize = 32, int? samplingRate = null, int? outputSequenceLength = null,
        bool shuffle = true, bool followLinks = false, bool verbose = true)
    {
        const string op = "AudioDatasetsFromDirectory";
        RequireLabels(op, labels, labelMode, "UnlabeledAudioDatasetFromDirectory");
        var contents = AudioContents(op, directory, labels, labelMode, classNames, batchSize, samplingRate, outputSequenceLength, false,
                                     shuffle, seed, validationSplit, null, followLinks, verbose, both: true);
        var load = AudioLoader(op, samplingRate, outputSequenceLength);
        return (DirectoryPipeline.Labeled(contents.Splits[0], contents, batchSize, load), DirectoryPipeline.Labeled(contents.Splits[1], contents, batchSize, load));
    }

    /// <summary>
    /// <see cref="AudioDatasetFromDirectory"/> without labels (Keras' <c>labels=None</c>): batches
    /// of audio alone, from every .wav file under <paramref name="directory"/> in sorted order.
    /// </summary>
    public static DirectoryDataset<Tensor> UnlabeledAudioDatasetFromDirectory(
        string directory, int? batchSize = 32, int? samplingRate = null, int? outputSequenceLength = null, bool shuffle = true,
        int? seed = null, double? validationSplit = null, string? subset = null, bool followLinks = false, bool verbose = true)
    {
        const string op = "UnlabeledAudioDatasetFromDirectory";
        var contents = AudioContents(op, directory, DirectoryLabels.None, null, null, batchSize, samplingRate, outputSequenceLength, false,
                                     shuffle, seed, validationSplit, subset, followLinks, verbose, both: false);
        return DirectoryPipeline.Unlabeled(contents.Splits[0], contents, batchSize, AudioLoader(op, samplingRate, outputSequenceLength));
    }

    private static DirectoryContents AudioContents(string op, string directory, DirectoryLabels labels, string? labelMode, IReadOnlyList<string>? classNames,
        int? batchSize, int? samplingRate, int? outputSequenceLength, bool ragged, bool shuffle, int? seed, double? validationSplit,
        string? subset, bool followLinks, bool verbose, bool both)
    {
        if (ragged && outputSequenceLength is not null)
            throw new ArgumentException($"{op}: Cannot set both `ragged` and `output_sequence_length`", nameof(ragged));
        if (ragged)
            throw new NotSupportedException($"{op}: ragged=true is not supported: NeuralFlow has no ragged tensors; clips are padded with zeros to the batch's longest.");
        if (samplingRate is <= 0)
            throw new ArgumentOutOfRangeException(nameof(samplingRate), samplingRate, $"{op}: `sampling_rate` should be higher than 0. Received: sampling_rate={samplingRate}");
        if (outputSequenceLength is < 1)
            throw new ArgumentOutOfRangeException(nameof(outputSequenceLength), outputSequenceLength, $"{op}: output_sequence_length must be at least 1, or null for the batch's longest clip.");
        return DirectoryIndex.Read(new(op, "audio files", [".wav"], directory, labels, labelMode, classNames, batchSize, shuffle, seed,
                                       validationSplit, subset, followLinks, verbose), both);
    }

    // Reads a batch of clips, padded with zeros to the longest (Keras' padded_batch), as [n, samples, channels].
    private static Func<string[], Tensor> AudioLoader(string op, int? samplingRate, int? outputSequenceLength) => paths =>
    {
        var clips = new Tensor[paths.Length];
        for (int i = 0; i < paths.Length; i++)
        {
            var (audio, rate) = ReadFile(op, paths[i], bytes => NF.Audio.DecodeWav(bytes, desiredSamples: outputSequenceLength ?? -1));
            if (samplingRate is { } wanted && rate != wanted)
                throw new InvalidDataException($"{op}: {paths[i]} is sampled at {rate} Hz, not sampling_rate {wanted}; NeuralFlow does not resample (Keras uses tensorflow-io): convert the file or leave samplingRate null.");
            if (i > 0 && audio.Shape[1] != clips[0].Shape[1])
                throw new InvalidDataException($"{op}: {paths[i]} has {audio.Shape[1]} channels but {paths[0]} has {clips[0].Shape[1]}; a batch needs one channel count.");
            clips[i] = audio;
        }
        int longest = clips.Max(c => c.Shape[0]);
        return NF.Stack(clips.Select(c => c.Shape[0] == longest ? c : NF.Pad(c, new[,] { { 0, longest - c.Shape[0] }, { 0, 0 } })).ToArray());
    };

    /// <summary>Reads and decodes one file; a failure names the file (as a corrupt image or clip should).</summary>
    private static T ReadFile<T>(string op, string path, Func<byte[], T> decode)
    {
        byte[] bytes = File.ReadAllBytes(path);
        try { return decode(bytes); }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or ArgumentException)
        {
            throw new InvalidDataException($"{op}: could not decode {path}: {e.Message}", e);
        }
    }

    // C# gives each element type its own method: labels null or label_mode null (Keras' way to get
    // inputs alone) is refused here with the method that returns them.
    private static void RequireLabels(string op, DirectoryLabels labels, string? labelMode, string unlabeled)
    {
        if (labels.IsNone || labelMode is null)
            throw new ArgumentException($"{op}: labels and labelMode null (Keras' inputs without labels) give a dataset of another element type in C#: call Utils.{unlabeled}.",
                                        labels.IsNone ? nameof(labels) : nameof(labelMode));
    }
}
