using System.Security.Cryptography;
using NeuralFlow.Data;
using NeuralFlow.IO;
using NeuralFlow.Train;

namespace NeuralFlow.Tests.UserProbe24;

/// <summary>
/// TFRecord files and tf.train.Example (the load_data/tfrecord tutorial), which did not exist: Example's bytes and
/// a TFRecordWriter file equal an independent Python encoder's (tfrecord_references.py), TFRecordDataset reads them
/// back (GZIP too), NF.IO.ParseSingleExample / ParseExample give tensors with TF's rules and errors, binary records keep
/// their exact bytes through StringTensor, and damaged files fail with the offset instead of garbage.
/// </summary>
public abstract class TFRecordTests(string backend) : BackendTest(backend)
{
    private static readonly string[] Animals = ["cat", "dog", "chicken", "horse", "goat"];

    private static Example Row(int i) => new()
    {
        ["flag"] = Feature.Int64(i % 2),
        ["n"] = Feature.Int64(i),
        ["animal"] = Feature.Bytes(Animals[i]),
        ["pair"] = Feature.Float(0.5f * i - 1, MathF.Pow(2, i)),
        ["ids"] = Feature.Int64(-i, 1L << 40),
    };

    private static readonly Dictionary<string, NF.IO.FeatureSpec> Spec = new()
    {
        ["n"] = new NF.IO.FixedLenFeature([], DType.Int64),
        ["animal"] = new NF.IO.FixedLenFeature([], DType.String),
        ["pair"] = new NF.IO.FixedLenFeature([2], DType.Float32),
        ["ids"] = new NF.IO.VarLenFeature(DType.Int64),
    };

    [SkippableFact]
    public void Examples_and_files_have_the_bytes_tensorflow_writes()
    {
        RequireBackend();
        var goat = new Example
        {
            ["feature0"] = Feature.Int64(0), ["feature1"] = Feature.Int64(4),
            ["feature2"] = Feature.Bytes("goat"), ["feature3"] = Feature.Float(0.9876f),
        };
        Assert.Equal("0a520a110a08666561747572653012051a030a01000a110a08666561747572653112051a030a01040a140a08666561747572653212080a060a04676f61740a140a086665617475726533120812060a045bd37c3f",
                     Convert.ToHexStringLower(goat.ToByteArray()));
        var back = Example.Parse(goat.ToByteArray());
        Assert.Equal(["feature0", "feature1", "feature2", "feature3"], back.Names);
        Assert.Equal(0.9876f, back["feature3"].FloatList![0]);
        Assert.Equal("goat"u8.ToArray(), back["feature2"].BytesList![0]);

        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "rows.tfrecord");
        using (var writer = new TFRecordWriter(path))
            for (int i = 0; i < 3; i++) writer.Write(Row(i));
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(340, bytes.Length);
        Assert.Equal("648d9eb74cda4424ce72506c9c0d37cb3d259e21d1b34bb02ccd49c4af46d0b7", Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    [SkippableFact]
    public void A_dataset_of_records_parses_into_tensors_one_by_one_or_by_batch()
    {
        RequireBackend();
        using var dir = new TempDir();
        foreach (var compression in new[] { "", "GZIP" })
        {
            string path = Path.Combine(dir.Path, $"rows{compression}.tfrecord");
            using (var writer = new TFRecordWriter(path, compression))
                for (int i = 0; i < 3; i++) writer.Write(Row(i));
            var raw = new TFRecordDataset([path], compressionType: compression);
            Assert.Equal("<TFRecordDatasetV2 element_spec=TensorSpec(shape=(), dtype=tf.string, name=None)>", raw.ToString());
            var parsed = raw.Map(r => NF.IO.ParseSingleExample(r, Spec)).ToList();
            Assert.Equal(3, parsed.Count);
            Assert.Equal(2L, ((Tensor)parsed[2]["n"]).Item<long>());
            Assert.Equal("chicken", ((StringTensor)parsed[2]["animal"]).Item());
            Assert.Equal(new[] { 0f, 4f }, ((Tensor)parsed[2]["pair"]).ToArray<float>());
            Assert.Equal(new[] { -2L, 1L << 40 }, ((Tensor)parsed[2]["ids"]).ToArray<long>());
            Assert.Equal(new[] { "n", "animal", "pair", "ids" }, parsed[0].Keys);

            // Batch first, then parse the batch (TF's advice for speed): stacked features, [batch, ...].
            var batch = raw.Batch(3).ToList().Single();
            var columns = NF.IO.ParseExample(batch, Spec);
            Assert.Equal(new long[] { 0, 1, 2 }, ((Tensor)columns["n"]).ToArray<long>());
            Assert.Equal(new Shape(3, 2), ((Tensor)columns["pair"]).Shape);
            Assert.Equal(new[] { "cat", "dog", "chicken" }, ((StringTensor)columns["animal"]).ToArray());
        }
    }

    [SkippableFact]
    public void Parsing_follows_tensorflows_rules_and_errors()
    {
        RequireBackend();
        var record = StringTensor.FromBytes(Row(1).ToByteArray());
        // Defaults for missing features; a scalar default fills a shape; VarLen of a missing feature is empty.
        var withDefaults = NF.IO.ParseSingleExample(record, new Dictionary<string, NF.IO.FeatureSpec>
        {
            ["missing"] = new NF.IO.FixedLenFeature([2], DType.Float32, -1f),
            ["absent"] = new NF.IO.VarLenFeature(DType.String),
            ["pairs"] = new NF.IO.FixedLenSequenceFeature([1], DType.Float32, allowMissing: true),
            ["pair"] = new NF.IO.FixedLenSequenceFeature([1], DType.Float32),
        });
        Assert.Equal(new[] { -1f, -1f }, ((Tensor)withDefaults["missing"]).ToArray<float>());
        Assert.Equal(new Shape(0), ((StringTensor)withDefaults["absent"]).Shape);
        Assert.Equal(new Shape(0, 1), ((Tensor)withDefaults["pairs"]).Shape);
        Assert.Equal(new Shape(2, 1), ((Tensor)withDefaults["pair"]).Shape);

        string Error(NF.IO.FeatureSpec spec, string name = "pair") => Assert.Throws<ArgumentException>(() =>
            NF.IO.ParseSingleExample(record, new Dictionary<string, NF.IO.FeatureSpec> { [name] = spec })).Message;
        Assert.Contains("Feature: missing (data type: float) is required but could not be found", Error(new NF.IO.FixedLenFeature([], DType.Float32), "missing"));
        Assert.Contains("Data types don't match. Data type: float but expected type: int64", Error(new NF.IO.FixedLenFeature([2], DType.Int64)));
        Assert.Contains("Values size: 2 but output shape: (3,)", Error(new NF.IO.FixedLenFeature([3], DType.Float32)));
        Assert.Throws<ArgumentException>(() => new NF.IO.VarLenFeature(DType.Float64));
        Assert.Throws<ArgumentException>(() => NF.IO.ParseSingleExample(StringTensor.FromBytes([0xff, 0x01, 0x02]), Spec));
    }

    [SkippableFact]
    public void Binary_records_keep_their_bytes_and_damaged_files_fail_with_the_offset()
    {
        RequireBackend();
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "binary.tfrecord");
        byte[] png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0x00, 0xc3];
        var floats = new byte[8];
        BitConverter.TryWriteBytes(floats.AsSpan(0, 4), 1.5f);
        BitConverter.TryWriteBytes(floats.AsSpan(4, 4), -2.25f);
        using (var writer = new TFRecordWriter(path))
        {
            writer.Write(png);
            writer.Write(floats);
            writer.Write("héllo");
            writer.Write(new Example { ["image"] = Feature.Bytes(png) });
        }
        var records = new TFRecordDataset(path).ToList();
        Assert.Equal(png, records[0].ToBytes());
        Assert.Equal(new[] { 1.5f, -2.25f }, NF.IO.DecodeRaw(records[1], DType.Float32).ToArray<float>());
        Assert.Equal("héllo", records[2].Item());
        var image = (StringTensor)NF.IO.ParseSingleExample(records[3], new Dictionary<string, NF.IO.FeatureSpec> { ["image"] = new NF.IO.FixedLenFeature([], DType.String) })["image"];
        Assert.Equal(png, image.ToBytes());

        var bytes = File.ReadAllBytes(path);
        string cut = Path.Combine(dir.Path, "cut.tfrecord");
        File.WriteAllBytes(cut, bytes[..^3]);
        var truncated = Assert.Throws<InvalidDataException>(() => new TFRecordDataset(cut).ToList());
        Assert.Contains("truncated record at", truncated.Message);
        string flipped = Path.Combine(dir.Path, "flipped.tfrecord");
        bytes[13] ^= 0x40;   // inside the first record's data
        File.WriteAllBytes(flipped, bytes);
        var corrupted = Assert.Throws<InvalidDataException>(() => new TFRecordDataset(flipped).ToList());
        Assert.Contains("corrupted record at 0", corrupted.Message);
        Assert.Throws<FileNotFoundException>(() => new TFRecordDataset(Path.Combine(dir.Path, "none.tfrecord")).ToList());
        Assert.Throws<ArgumentException>(() => new TFRecordDataset([path], compressionType: "LZ4"));
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("nf-tfrecord-").FullName;
        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}

/// <summary>TFRecord files on the managed backend.</summary>
public sealed class ManagedTFRecordTests() : TFRecordTests("managed");

/// <summary>TFRecord files on the native CPU backend.</summary>
public sealed class NativeCpuTFRecordTests() : TFRecordTests("cpu");

/// <summary>TFRecord files on CUDA.</summary>
public sealed class CudaTFRecordTests() : TFRecordTests("cuda");
