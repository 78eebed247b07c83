using NeuralFlow.Data;
using NeuralFlow.Keras;
using NeuralFlow.Tests.UserProbe24;
using static NeuralFlow.Tests.UserProbe25.TutorialSimpleAudioFolder;

namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// TensorFlow's "Simple audio recognition" tutorial (site/en/tutorials/audio/simple_audio.ipynb), its
/// data cells in C# on a synthetic folder (TutorialSimpleAudioFolder): audio_dataset_from_directory with
/// subset 'both', label_names, squeeze, the shard of the validation set into test and validation,
/// get_spectrogram (tf.signal.stft 255/128, tf.abs, a channels axis), make_spec_ds, and the Resizing and
/// adapted Normalization the model starts with. Every number is simple_audio_references.py's: the
/// `wave` module's decoding, Keras' split of the seeded file list, torch.stft and torch's bilinear resize.
/// </summary>
public abstract class TutorialSimpleAudioTests(string backend) : BackendFileTest(backend)
{
    // simple_audio_references.py: the validation files in order (not reshuffled); test_ds is the first batch of 4.
    private static readonly string[] ValFiles =
        ["down/06_nohash_0.wav", "no/03_nohash_0.wav", "no/01_nohash_0.wav", "go/09_nohash_0.wav",
         "down/09_nohash_0.wav", "yes/08_nohash_0.wav", "down/03_nohash_0.wav", "down/00_nohash_0.wav"];
    private static readonly int[] ValLabels = [0, 2, 2, 1, 0, 3, 0, 0];
    // simple_audio_references.py: each validation clip's frames in the file, sum of its 16000 decoded samples, sample 8999.
    private static readonly int[] ValFrames = [13200, 11100, 16000, 15300, 15300, 16000, 11100, 9000];
    private static readonly double[] ValSums = [-1.55639648, -48.0612488, -50.2915649, 45.5932617, -1.95584106, 34.2559814, -0.663391113, 0];
    private static readonly float[] ValSample8999 = [0.102996826f, -0.100830078f, -0.0215454102f, -0.274658203f, 0.115631104f, -0.0152587891f, -0.140869141f, -0.164794922f];
    // simple_audio_references.py: each test clip's spectrogram sum and entries [10, 5], [60, 40], [123, 128].
    private static readonly double[] SpecSums = [2423.84358, 13841.9902, 19781.6257, 15715.3075];
    private static readonly float[,] SpecEntries =
        { { 4.76185149f, 0.000117686158f, 0 }, { 1.49397854f, 2.15714578f, 0 }, { 0.410763065f, 2.43093913f, 0.799924347f }, { 6.59070307f, 4.00305458f, 0 } };

    private (Dataset<(Tensor, Tensor)> Train, Dataset<(Tensor, Tensor)> Val, Dataset<(Tensor, Tensor)> Test, string[] LabelNames, DirectoryDataset<(Tensor, Tensor)> RawVal) Load()
    {
        string dataDir = Write(Temp.Path);
        var (trainDs, valDs) = Utils.AudioDatasetsFromDirectory(dataDir, validationSplit: 0.2, seed: 0, batchSize: 4,
                                                                 outputSequenceLength: 16000, verbose: false);
        var labelNames = trainDs.ClassNames!.ToArray();
        var val = Squeeze(valDs);
        return (Squeeze(trainDs), val.Shard(numShards: 2, index: 1), val.Shard(numShards: 2, index: 0), labelNames, valDs);
    }

    [SkippableFact]
    public void The_seeded_split_decodes_pads_and_cuts_the_clips_as_keras_and_the_wave_module()
    {
        RequireBackend();
        string dataDir = Write(Temp.Path);
        // commands = listdir(data_dir) minus README.md
        var commands = Directory.GetDirectories(dataDir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Labels, commands);

        var (trainDs, valDs) = Utils.AudioDatasetsFromDirectory(dataDir, validationSplit: 0.2, seed: 0, batchSize: 4,
                                                                 outputSequenceLength: 16000, verbose: false);
        Assert.Equal(Labels, trainDs.ClassNames);
        Assert.Equal(32, trainDs.FilePaths.Count);
        Assert.Equal(ValFiles, valDs.FilePaths.Select(p => Path.GetRelativePath(dataDir, p).Replace('\\', '/')));
        Assert.Empty(trainDs.FilePaths.Intersect(valDs.FilePaths));
        // The tutorial's one call with subset='both' is the method that returns both; the one-dataset method says so.
        Assert.Contains("AudioDatasetsFromDirectory", Assert.Throws<ArgumentException>(() => Utils.AudioDatasetFromDirectory(
            dataDir, batchSize: 4, validationSplit: 0.2, seed: 0, outputSequenceLength: 16000, subset: "both", verbose: false)).Message);
        Assert.Equal("(TensorSpec(shape=(None, 16000, 1), dtype=tf.float32, name=None), TensorSpec(shape=(None,), dtype=tf.int32, name=None))",
                     trainDs.ElementSpec.ToString());

        // The validation subset is not shuffled: its batches are the files above, decoded as `wave` reads them.
        int k = 0;
        foreach (var (audio, labels) in valDs)
        {
            Assert.Equal(new Shape(4, 16000, 1), audio.Shape);
            for (int j = 0; j < 4; j++, k++)
            {
                Assert.Equal(ValLabels[k], labels[j].Item<int>());
                var clip = audio[j, .., 0];
                Assert.Equal(ValSums[k], NF.ReduceSum(NF.Cast(clip, DType.Float64)).Item<double>(), 1e-6);
                Assert.Equal(ValSample8999[k], clip[8999].Item<float>());
                // Zero-padded past the file's end: output_sequence_length pads with exact zeros.
                if (ValFrames[k] < 16000)
                    Assert.Equal(0f, NF.ReduceMax(NF.Abs(clip[ValFrames[k]..])).Item<float>());
            }
        }
        Assert.Equal(8, k);

        // A 17000-sample file is cut to the first 16000, as decode_wav(desired_samples=16000).
        var (cut, rate) = NF.Audio.DecodeWav(File.ReadAllBytes(Path.Combine(dataDir, "yes", "05_nohash_0.wav")), desiredChannels: 1, desiredSamples: 16000);
        Assert.Equal(16000, rate);
        Assert.Equal(new Shape(16000, 1), cut.Shape);
        Assert.Equal(90.5609131, NF.ReduceSum(NF.Cast(cut, DType.Float64)).Item<double>(), 1e-6);   // simple_audio_references.py
    }

    [SkippableFact]
    public void Squeeze_and_shard_give_the_tutorials_test_and_validation_batches()
    {
        RequireBackend();
        var (train, val, test, labelNames, _) = Load();
        var (exampleAudio, exampleLabels) = train.Take(1).First();
        Assert.Equal(new Shape(4, 16000), exampleAudio.Shape);
        Assert.Equal(new Shape(4), exampleLabels.Shape);
        // label_names[[1,1,3,0]]
        Assert.Equal(["go", "go", "yes", "down"], new[] { 1, 1, 3, 0 }.Select(i => labelNames[i]));

        var testBatches = test.ToList();
        var valBatches = val.ToList();
        Assert.Single(testBatches);
        Assert.Single(valBatches);
        Assert.Equal(ValLabels[..4], testBatches[0].Item2.ToArray<int>());
        Assert.Equal(ValLabels[4..], valBatches[0].Item2.ToArray<int>());
        Assert.Equal(new Shape(4, 16000), valBatches[0].Item1.Shape);
    }

    [SkippableFact]
    public void Get_spectrogram_is_tf_signal_stfts_magnitude_and_make_spec_ds_maps_it_over_batches()
    {
        RequireBackend();
        var (_, _, test, _, _) = Load();
        var (waveforms, _) = test.First();
        for (int i = 0; i < 4; i++)
        {
            var spectrogram = GetSpectrogram(waveforms[i]);
            Assert.Equal(new Shape(124, 129, 1), spectrogram.Shape);
            Assert.Equal(DType.Float32, spectrogram.DType);
            Assert.Equal(SpecSums[i], NF.ReduceSum(NF.Cast(spectrogram, DType.Float64)).Item<double>(), SpecSums[i] * 2e-6);
            Assert.Equal(SpecEntries[i, 0], spectrogram[10, 5, 0].Item<float>(), 2e-4f);
            Assert.Equal(SpecEntries[i, 1], spectrogram[60, 40, 0].Item<float>(), 2e-4f);
            Assert.Equal(SpecEntries[i, 2], spectrogram[123, 128, 0].Item<float>(), 2e-4f);
        }

        // make_spec_ds: the same function over a batch gives each clip's spectrogram.
        var (spectrograms, labels) = MakeSpecDs(test).First();
        Assert.Equal(new Shape(4, 124, 129, 1), spectrograms.Shape);
        Assert.Equal(ValLabels[..4], labels.ToArray<int>());
        Assert.Equal(GetSpectrogram(waveforms[2]).ToArray<float>(), spectrograms[2].ToArray<float>(), new Near(1e-5f));
    }

    [SkippableFact]
    public void Resizing_and_normalization_adapted_on_the_spectrograms_match_torch_and_numpy()
    {
        RequireBackend();
        var (train, _, test, _, _) = Load();
        var trainSpectrogramDs = MakeSpecDs(train).Cache().Shuffle(10000).Prefetch(Dataset.Autotune);
        var (exampleSpectrograms, _) = trainSpectrogramDs.Take(1).First();
        var inputShape = exampleSpectrograms.Shape[1..];
        Assert.Equal(new Shape(124, 129, 1), inputShape);

        // Resizing(32, 32): bilinear with half-pixel centers, no antialiasing (torch's align_corners=False).
        var (testSpectrograms, _) = MakeSpecDs(test).First();
        var resized = new Layers.Resizing(32, 32).Call(testSpectrograms[..1])[0, .., .., 0];
        Assert.Equal(new Shape(32, 32), resized.Shape);
        Assert.Equal(70.6108763, NF.ReduceSum(NF.Cast(resized, DType.Float64)).Item<double>(), 2e-4);   // simple_audio_references.py
        Assert.Equal(0.01008931f, resized[0, 0].Item<float>(), 1e-6f);
        Assert.Equal(5.91621036e-05f, resized[7, 19].Item<float>(), 1e-7f);
        Assert.Equal(0f, resized[31, 31].Item<float>(), 1e-7f);

        // norm_layer.adapt(data=train_spectrogram_ds.map(map_func=lambda spec, label: spec))
        var normLayer = new Layers.Normalization();
        normLayer.Adapt(trainSpectrogramDs.Map((spec, label) => spec));
        Assert.Equal(0.780290708f, normLayer.Mean!.ToArray<float>().Single(), 2e-5f);   // simple_audio_references.py
        Assert.Equal(2.2250365f, normLayer.Variance!.ToArray<float>().Single(), 1e-4f);
    }
}

/// <summary>The simple audio tutorial's data cells on the managed backend.</summary>
public sealed class ManagedTutorialSimpleAudioTests() : TutorialSimpleAudioTests("managed");

/// <summary>The simple audio tutorial's data cells on the native CPU backend.</summary>
public sealed class NativeCpuTutorialSimpleAudioTests() : TutorialSimpleAudioTests("cpu");

/// <summary>The simple audio tutorial's data cells on CUDA.</summary>
public sealed class CudaTutorialSimpleAudioTests() : TutorialSimpleAudioTests("cuda");
