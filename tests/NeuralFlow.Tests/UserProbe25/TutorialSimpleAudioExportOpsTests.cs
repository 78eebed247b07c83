using NeuralFlow.Data;

namespace NeuralFlow.Tests.UserProbe25;

/// <summary>
/// The ops the simple audio tutorial's ExportModel calls on a file name and on its class ids, which
/// NeuralFlow lacked: tf.io.read_file (NF.IO.ReadFile, a scalar string of the file's bytes),
/// tf.audio.decode_wav of that string, and tf.gather of a string tensor (class ids to class names).
/// </summary>
public abstract class TutorialSimpleAudioExportOpsTests(string backend) : BackendFileTest(backend)
{
    [SkippableFact]
    public void Read_file_then_decode_wav_gives_the_clip_the_bytes_overload_gives()
    {
        RequireBackend();
        var pcm = TutorialSimpleAudioFolder.Clip(2, 4);
        string path = Temp.File("no.wav");
        File.WriteAllBytes(path, NF.Audio.EncodeWav(NF.Constant(Array.ConvertAll(pcm, s => s / 32768f), [pcm.Length, 1]), 16000));

        var contents = NF.IO.ReadFile(path);
        Assert.Equal(Shape.Scalar, contents.Shape);
        Assert.Equal(File.ReadAllBytes(path), contents.ToBytes());   // the binary header's bytes kept exactly
        var (audio, rate) = NF.Audio.DecodeWav(contents, desiredChannels: 1, desiredSamples: 16000);
        Assert.Equal(16000, rate);
        Assert.Equal(new Shape(16000, 1), audio.Shape);
        Assert.Equal(Array.ConvertAll(pcm, s => s / 32768f), audio.ToArray<float>());
        // A scalar string tensor naming the file, as a traced function or a dataset of paths hands it over.
        Assert.Equal(contents, NF.IO.ReadFile(new StringTensor(path)));

        Assert.Throws<FileNotFoundException>(() => NF.IO.ReadFile(Temp.File("missing.wav")));
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => NF.IO.ReadFile(new StringTensor([path, path]))).Message);
        Assert.Contains("scalar", Assert.Throws<ArgumentException>(() => NF.Audio.DecodeWav(new StringTensor(["a", "b"]))).Message);
        Assert.Throws<InvalidDataException>(() => NF.Audio.DecodeWav(new StringTensor("not a wav file")));
    }

    [SkippableFact]
    public void Gather_of_a_string_tensor_names_class_ids_as_tf_gather()
    {
        RequireBackend();
        var labelNames = new StringTensor(["down", "go", "no", "yes"]);
        var classIds = NF.ArgMax(NF.Constant(new float[,] { { 0, 3, 1, 0 }, { 5, 0, 0, 1 }, { 0, 0, 0, 9 } }), axis: -1);
        var classNames = NF.Gather(labelNames, classIds);
        Assert.Equal(new StringTensor(["go", "down", "yes"]), classNames);
        // Any index shape, int32 too: x.shape[:axis] + indices.shape + x.shape[axis+1:].
        Assert.Equal(new StringTensor(["yes", "yes", "down", "no"], new Shape(2, 2)), NF.Gather(labelNames, NF.Constant(new[,] { { 3, 3 }, { 0, 2 } })));
        var table = new StringTensor(["a", "b", "c", "d", "e", "f"], new Shape(2, 3));
        Assert.Equal(new StringTensor(["c", "a", "f", "d"], new Shape(2, 2)), NF.Gather(table, NF.Constant(new[] { 2, 0 }), axis: 1));
        Assert.Equal(new StringTensor(["d", "e", "f"], new Shape(3)), NF.Gather(table, NF.Constant(1), axis: 0));

        Assert.Contains("indices[1] = 4", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Gather(labelNames, NF.Constant(new[] { 0, 4 }))).Message);
        Assert.Contains("-1", Assert.Throws<ArgumentOutOfRangeException>(() => NF.Gather(labelNames, NF.Constant(new[] { -1 }))).Message);
        Assert.Contains("float32", Assert.Throws<ArgumentException>(() => NF.Gather(labelNames, NF.Constant(new[] { 1f }))).Message);
        Assert.Throws<ArgumentException>(() => NF.Gather(new StringTensor("x"), NF.Constant(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => NF.Gather(labelNames, NF.Constant(0), axis: 1));
    }
}

/// <summary>The export's file and string ops on the managed backend.</summary>
public sealed class ManagedTutorialSimpleAudioExportOpsTests() : TutorialSimpleAudioExportOpsTests("managed");

/// <summary>The export's file and string ops on the native CPU backend.</summary>
public sealed class NativeCpuTutorialSimpleAudioExportOpsTests() : TutorialSimpleAudioExportOpsTests("cpu");

/// <summary>The export's file and string ops on CUDA.</summary>
public sealed class CudaTutorialSimpleAudioExportOpsTests() : TutorialSimpleAudioExportOpsTests("cuda");
