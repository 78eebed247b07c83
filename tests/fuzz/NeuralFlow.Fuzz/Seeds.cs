namespace NeuralFlow.Fuzz;

/// <summary>
/// The seed corpora (tests/fuzz/corpus/&lt;kind&gt;/seed-*): small valid files and the edge cases
/// around them. `--make-seeds` rewrites these files; inputs the fuzzer found that once failed
/// are kept beside them as crash-* and are never rewritten.
/// </summary>
internal static class Seeds
{
    /// <summary>The corpus folders, one per kind of input.</summary>
    public static readonly string[] Kinds = ["idx", "safetensors", "nfmodel", "keras", "png", "jpeg", "gif", "bmp", "wav", "npy", "npz", "h5model", "h5weights", "text"];

    /// <summary>
    /// tests/NeuralFlow.Tests: the image and Keras-archive seeds are copies of the unit tests'
    /// fixtures (ImageCodecs/Fixtures, KerasH5/fixtures; their make_*fixtures.py write them).
    /// </summary>
    public static string TestsRoot { get; set; } = "";

    public static IEnumerable<(string Name, byte[] Bytes)> For(string kind) => kind switch
    {
        "idx" => Idx(),
        "safetensors" => Safetensors(),
        "nfmodel" => Models(),
        // Keras' archives, and NeuralFlow's own (Keras' entries plus neuralflow/, read by another path).
        "keras" => Fixtures("KerasH5/fixtures", "functional_two_heads.keras", "sequential_adam.keras")
            .Append(("seed-neuralflow-compiled.keras", Saved(compiled: true, ".keras"))),
        "png" => Fixtures("ImageCodecs/Fixtures", "palette4_trns.png", "gray2_adam7.png", "rgb16.png", "gray_alpha8.png", "rgb8_trns.png", "palette1.png"),
        "jpeg" => Fixtures("ImageCodecs/Fixtures", "jpeg420.jpg", "jpeg422.jpg", "jpeg444_progressive.jpg", "jpeg420_restart.jpg", "jpeg_gray_progressive.jpg", "arithmetic.jpg"),
        "gif" => Fixtures("ImageCodecs/Fixtures", "two_frames.gif", "offset_transparent.gif"),
        "bmp" => Fixtures("ImageCodecs/Fixtures", "rgb24.bmp", "rgb24_topdown.bmp", "rgba32.bmp", "palette8.bmp"),
        "wav" => FuzzSeeds.Wav(),
        "npy" => FuzzSeeds.Npy(),
        "npz" => FuzzSeeds.Npz(),
        // tf.keras 2 model.save("x.h5") files: a Sequential MLP, a CNN, a functional model with a nested one.
        "h5model" => Fixtures("KerasH5/fixtures", "mlp_model.h5", "cnn_model_latest.h5", "nested_functional_model.h5"),
        "h5weights" => FuzzSeeds.H5Weights(),
        "text" => FuzzSeeds.Text(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no such corpus"),
    };

    private static IEnumerable<(string Name, byte[] Bytes)> Fixtures(string folder, params string[] files) =>
        files.Select(f => ("seed-" + f, File.ReadAllBytes(Path.Combine(TestsRoot, folder, f))));

    // Small valid safetensors files of every dtype, and the edge cases the reader must refuse.
    private static IEnumerable<(string Name, byte[] Bytes)> Safetensors()
    {
        static byte[] File(string header, params byte[] data)
        {
            var json = System.Text.Encoding.UTF8.GetBytes(header);
            var bytes = new byte[8 + json.Length + data.Length];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
            json.CopyTo(bytes, 8);
            data.CopyTo(bytes, 8 + json.Length);
            return bytes;
        }
        yield return ("seed-empty-header.safetensors", File("{}"));
        yield return ("seed-f32.safetensors", File("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 0, 0, 128, 63, 0, 0, 0, 64));
        yield return ("seed-all-dtypes.safetensors", File(
            "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]}," +
            "\"b\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[8,16]},\"c\":{\"dtype\":\"I32\",\"shape\":[1,1],\"data_offsets\":[16,20]}," +
            "\"d\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[20,22]},\"e\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[22,24]}," +
            "\"f\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[24,24]}}",
            [.. new byte[8], .. new byte[8], 1, 0, 0, 0, 7, 9, 1, 0]));
        yield return ("seed-padded.safetensors", File("{\"x\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}    ", 5));
        yield return ("seed-overlap.safetensors", File("{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[1,3]}}", 1, 2, 3));
        yield return ("seed-huge-shape.safetensors", File("{\"a\":{\"dtype\":\"F64\",\"shape\":[2147483647,2147483647],\"data_offsets\":[0,8]}}", new byte[8]));
        yield return ("seed-header-cut.safetensors", File("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1)[..20]);
        yield return ("seed-length-only.safetensors", [8, 0, 0, 0, 0, 0, 0, 0]);
    }

    // Small saved models (compiled with optimizer state, and plain), stored uncompressed so that
    // mutations reach the JSON and safetensors inside, and a zip with a missing part.
    private static IEnumerable<(string Name, byte[] Bytes)> Models()
    {
        yield return ("seed-compiled.nfmodel", Saved(compiled: true));
        yield return ("seed-plain.nfmodel", Saved(compiled: false));
        using var partial = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(partial, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            using (var w = new StreamWriter(zip.CreateEntry("metadata.json", System.IO.Compression.CompressionLevel.NoCompression).Open()))
                w.Write("{\"format\": \"neuralflow.model\", \"format_version\": 1}");
        yield return ("seed-metadata-only.nfmodel", partial.ToArray());
    }

    // A small saved model (compiled and trained with optimizer state, or plain), stored uncompressed
    // so that mutations reach the JSON, safetensors and HDF5 inside.
    private static byte[] Saved(bool compiled, string extension = ".nfmodel")
    {
        NF.Random.SetSeed(1);
        var model = new NeuralFlow.Keras.Sequential(new NeuralFlow.Keras.Layers.Dense(3, activation: "relu"), new NeuralFlow.Keras.Layers.Dense(2));
        var x = NF.Random.Normal([4, 2]);
        if (compiled)
        {
            model.Compile(new NeuralFlow.Keras.Optimizers.Adam(), "mse");
            model.Fit(x, NF.Zeros([4, 2]), batchSize: 2, epochs: 1, verbose: 0);
        }
        else model.Call(x);
        string path = Path.Combine(Path.GetTempPath(), $"nf-seed-{Guid.NewGuid():N}{extension}");
        model.Save(path);
        var bytes = Stored(File.ReadAllBytes(path));
        File.Delete(path);
        return bytes;
    }

    // The archive rewritten with every entry stored (no compression).
    private static byte[] Stored(byte[] zipBytes)
    {
        using var source = new System.IO.Compression.ZipArchive(new MemoryStream(zipBytes));
        using var result = new MemoryStream();
        using (var target = new System.IO.Compression.ZipArchive(result, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            foreach (var e in source.Entries)
            {
                using var from = e.Open();
                using var to = target.CreateEntry(e.FullName, System.IO.Compression.CompressionLevel.NoCompression).Open();
                from.CopyTo(to);
            }
        return result.ToArray();
    }

    private static IEnumerable<(string Name, byte[] Bytes)> Idx()
    {
        byte[] labels = [.. Header(8, 3), 1, 7, 9];
        byte[] images = [.. Header(8, 2, 3, 3), .. Enumerable.Range(0, 18).Select(i => (byte)(i * 14))];
        yield return ("seed-labels-3.idx", labels);
        yield return ("seed-images-2x3x3.idx", images);
        yield return ("seed-labels-3.idx.gz", Mutator.Gzip(labels));
        yield return ("seed-images-2x3x3.idx.gz", Mutator.Gzip(images));
        yield return ("seed-empty-labels.idx", Header(8, 0));
        yield return ("seed-empty-images-0x28x28.idx", Header(8, 0, 28, 28));
        yield return ("seed-rank-8.idx", [.. Header(8, 1, 1, 1, 1, 1, 1, 1, 2), 5, 6]);
        yield return ("seed-rank-9.idx", [.. Header(8, 1, 1, 1, 1, 1, 1, 1, 1, 1), 5]);
        yield return ("seed-rank-0.idx", [0, 0, 8, 0, 5]);
        yield return ("seed-empty.bin", []);
        yield return ("seed-magic-only.idx", [0, 0, 8, 1]);
        yield return ("seed-header-cut.idx", Header(8, 2, 3, 3)[..9]);
        yield return ("seed-data-cut.idx", images[..^4]);
        yield return ("seed-trailing-data.idx", [.. labels, 42]);
        yield return ("seed-type-float.idx", [.. Header(0x0D, 1), 0, 0, 0x80, 0x3F]);
        yield return ("seed-negative-dim.idx", [.. Header(8, 2, -1, 3), 1, 2, 3]);
        yield return ("seed-dims-overflow.idx", [.. Header(8, 65536, 65536, 65536), 1]);
        yield return ("seed-zip-magic.bin", [0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0]);
        yield return ("seed-gzip-cut.gz", Mutator.Gzip(images)[..^6]);
        yield return ("seed-gzip-trailing-garbage.gz", [.. Mutator.Gzip(labels), 0xDE, 0xAD, 0xBE, 0xEF]);
        // A valid file split over two gzip members (what `cat a.gz b.gz` makes); gunzip reads both.
        yield return ("seed-gzip-two-members.gz", [.. Mutator.Gzip(labels[..6]), .. Mutator.Gzip(labels[6..])]);
        yield return ("seed-gzip-of-gzip.gz", Mutator.Gzip(Mutator.Gzip(labels)));
    }

    public static byte[] Header(byte type, params int[] dims)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)dims.Length };
        foreach (var d in dims) bytes.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        return bytes.ToArray();
    }
}
