using NeuralFlow.Data;
using NeuralFlow.Data.Sources;

namespace NeuralFlow.Fuzz;

/// <summary>
/// One parser under test: it gets the fuzzed bytes and may only return or throw a clear error.
/// Its corpus is the folder tests/fuzz/corpus/<see cref="Corpus"/>. It may allocate
/// <see cref="FixedAllocation"/> bytes plus <see cref="PerInputByte"/> per input byte (a model
/// loader builds layers and reads a zip whatever the input; a parser needs little; an image
/// decoder legitimately expands: deflate up to 1032:1, a JPEG block of 64 pixels from one bit).
/// An image decoder has no file name to put in its messages: <see cref="ErrorMark"/> (its format)
/// must appear instead, and NotSupportedException (a valid feature it does not decode) is clear too.
/// </summary>
internal sealed record Target(string Name, string Corpus, string Description, Action<byte[]> Run, long FixedAllocation = 1 << 20, long PerInputByte = 4, string? ErrorMark = null);

/// <summary>
/// The parsers of untrusted bytes: the IDX reader of src/NeuralFlow/Data (raw and gzip), through
/// a seekable stream (a file) and a non-seekable one that hands out a few bytes per read (a
/// network response), the MNIST-layout pair check of IdxSource on top of it; the
/// safetensors, NumPy and HDF5 readers of src/NeuralFlow/IO, on a file, and the model loaders
/// on them; the image and audio decoders, on bytes.
/// </summary>
internal static class Targets
{
    /// <summary>The name every target gives its input; a clear error must mention it.</summary>
    public const string InputName = "fuzz-input";

    public static readonly Target[] All =
    [
        new("idx", "idx", "Idx.ReadBytes on a seekable stream (a file)",
            input => Idx.ReadBytes(new MemoryStream(input, writable: false), InputName)),
        new("idx-stream", "idx", "Idx.ReadBytes on a non-seekable stream with short reads (a download)",
            input => Idx.ReadBytes(new TrickleStream(input), InputName)),
        new("idx-source", "idx", "IdxSource's images/labels pair check, the input as either file",
            input =>
            {
                ReadPair(input, asImages: true);
                ReadPair(input, asImages: false);
            }),
        new("safetensors", "safetensors", "NF.Safetensors.Load on the input as a file",
            input =>
            {
                File.WriteAllBytes(SafetensorsFile, input);
                foreach (var t in NF.Safetensors.Load(SafetensorsFile).Values) t.Dispose();
            }),
        new("nfmodel", "nfmodel", "Model.Load on the input as a .nfmodel file (a zip of JSON and safetensors)",
            input =>
            {
                File.WriteAllBytes(ModelFile, input);
                NeuralFlow.Keras.Model.Load(ModelFile);
            }, FixedAllocation: 16 << 20),
        new("keras", "keras", "Model.Load on the input as a Keras 3 .keras file (a zip of JSON and HDF5)",
            input =>
            {
                File.WriteAllBytes(KerasFile, input);
                NeuralFlow.Keras.Model.Load(KerasFile);
            }, FixedAllocation: 16 << 20),
        new("png", "png", "NF.Image.DecodePng on the input, then its RGBA conversion (the inflated rows grow up to 1032:1, 1-bit palettes 64 bytes of samples per row byte)",
            input =>
            {
                // Mutants mostly fail their chunk's CRC; with the CRCs made right they reach the parser.
                try { NF.Image.DecodePng(input).Dispose(); }
                catch (InvalidDataException e) when (e.Message.Contains("CRC", StringComparison.Ordinal)) { }
                NF.Image.DecodePng(WithValidCrcs(input), channels: 4, dtype: DType.Float32).Dispose();
            }, FixedAllocation: 16 << 20, PerInputByte: 256 << 10, ErrorMark: "PNG"),
        new("jpeg", "jpeg", "NF.Image.DecodeJpeg on the input, in colour and gray (a block needs one bit, and becomes up to 256 pixels of planes)",
            input =>
            {
                NF.Image.DecodeJpeg(input).Dispose();
                NF.Image.DecodeJpeg(input, channels: 1).Dispose();
            }, FixedAllocation: 16 << 20, PerInputByte: 64 << 10, ErrorMark: "JPEG"),
        new("gif", "gif", "NF.Image.DecodeGif on the input (frames are whole screens, at most 4096 pixels per input byte beyond 2^22)",
            input => NF.Image.DecodeGif(input).Dispose(),
            FixedAllocation: 96 << 20, PerInputByte: 96 << 10, ErrorMark: "GIF"),
        new("bmp", "bmp", "NF.Image.DecodeBmp on the input, as stored and as float RGBA (a palette byte is up to 8 pixels)",
            input =>
            {
                NF.Image.DecodeBmp(input).Dispose();
                NF.Image.DecodeBmp(input, channels: 4, dtype: DType.Float32).Dispose();
            }, FixedAllocation: 16 << 20, PerInputByte: 1 << 10, ErrorMark: "BMP"),
        new("wav", "wav", "NF.Audio.DecodeWav on the input, as stored and as two channels of 100 samples",
            input =>
            {
                NF.Audio.DecodeWav(input).Audio.Dispose();
                NF.Audio.DecodeWav(input, desiredChannels: 2, desiredSamples: 100).Audio.Dispose();
            }, FixedAllocation: 1 << 20, PerInputByte: 16, ErrorMark: "DecodeWav"),
        new("npy", "npy", "NF.Numpy.Load on the input as a .npy file",
            input =>
            {
                File.WriteAllBytes(NpyFile, input);
                NF.Numpy.Load(NpyFile).Dispose();
            }),
        new("npz", "npz", "NF.Numpy.LoadNpz on the input as a .npz file (a zip of .npy files)",
            input =>
            {
                File.WriteAllBytes(NpzFile, input);
                foreach (var t in NF.Numpy.LoadNpz(NpzFile).Values) t.Dispose();
            }, FixedAllocation: 4 << 20),
        new("h5model", "h5model", "Model.Load on the input as a legacy Keras model.save(\"x.h5\") file (HDF5 with the config in an attribute)",
            input =>
            {
                File.WriteAllBytes(H5ModelFile, input);
                NeuralFlow.Keras.Model.Load(H5ModelFile);
            }, FixedAllocation: 16 << 20),
        new("h5weights", "h5weights", "Model.LoadWeights on the input as a .weights.h5 file, into the small model FuzzSeeds.SmallModel builds",
            input =>
            {
                File.WriteAllBytes(H5WeightsFile, input);
                FuzzSeeds.SmallModel().LoadWeights(H5WeightsFile);
            }, FixedAllocation: 16 << 20),
        new("text", "text", "NF.Numpy.LoadTxt, NF.Numpy.GenFromTxt and Csv.MakeCsvDataset (one pass, batches of 4) on the input as a text file",
            input =>
            {
                File.WriteAllBytes(TextFile, input);
                // Each reader gets the input whatever the one before it said of it.
                IfClear(() => NF.Numpy.LoadTxt(TextFile, delimiter: ',').Dispose());
                IfClear(() => NF.Numpy.GenFromTxt(TextFile, delimiter: ',', skipHeader: 1).Dispose());
                foreach (var batch in NeuralFlow.Data.Csv.MakeCsvDataset(TextFile, 4, numEpochs: 1, shuffle: false))
                {
                    foreach (var t in batch.Features.Values) t.Dispose();
                    batch.Label?.Dispose();
                }
            }),
    ];

    // Runs one reader of a target that tries several, letting only a clear error of its own through.
    private static void IfClear(Action read)
    {
        try { read(); }
        catch (Exception e) when (e is InvalidDataException or FormatException && e.Message.Contains(InputName, StringComparison.Ordinal)) { }
    }

    // One file per process and kind, named after the input so that error messages name it.
    private static readonly string Folder = Directory.CreateTempSubdirectory("nf-fuzz-").FullName;
    private static readonly string SafetensorsFile = Path.Combine(Folder, $"{InputName}.safetensors");
    private static readonly string ModelFile = Path.Combine(Folder, $"{InputName}.nfmodel");
    private static readonly string KerasFile = Path.Combine(Folder, $"{InputName}.keras");
    private static readonly string TextFile = Path.Combine(Folder, $"{InputName}.csv");
    private static readonly string NpyFile = Path.Combine(Folder, $"{InputName}.npy");
    private static readonly string NpzFile = Path.Combine(Folder, $"{InputName}.npz");
    private static readonly string H5ModelFile = Path.Combine(Folder, $"{InputName}.h5");
    private static readonly string H5WeightsFile = Path.Combine(Folder, $"{InputName}.weights.h5");

    // A valid partner file for the pair check: two 2x2 images, or two labels.
    private static readonly byte[] TwoImages = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8];
    private static readonly byte[] TwoLabels = [0, 0, 8, 1, 0, 0, 0, 2, 3, 7];

    // A PNG's bytes with every whole chunk's CRC recomputed (anything after the signature that is not a chunk is left alone).
    private static byte[] WithValidCrcs(byte[] png)
    {
        var bytes = (byte[])png.Clone();
        for (long at = 8; at + 12 <= bytes.Length;)
        {
            long length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan((int)at));
            if (at + 12 + length > bytes.Length) break;
            uint crc = NeuralFlow.IO.Crc32.Append(0, bytes.AsSpan((int)at + 4, (int)length + 4));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan((int)(at + 8 + length)), crc);
            at += 12 + length;
        }
        return bytes;
    }

    private static void ReadPair(byte[] input, bool asImages)
    {
        IdxSource.ReadPairBytes(file => file == "images"
            ? (new MemoryStream(asImages ? input : TwoImages, writable: false), asImages ? InputName : "images")
            : (new MemoryStream(asImages ? TwoLabels : input, writable: false), asImages ? "labels" : InputName),
            "images", "labels");
    }

    /// <summary>
    /// Whether <paramref name="e"/> is what malformed input may raise: an InvalidDataException or
    /// FormatException whose message names the input (so a user knows which file is bad), or for an
    /// image decoder its format.
    /// </summary>
    public static bool IsClearError(Exception e, Target target) => target.ErrorMark is { } mark
        ? e is InvalidDataException or FormatException or NotSupportedException && e.Message.Contains(mark, StringComparison.Ordinal)
        : e is InvalidDataException or FormatException && e.Message.Contains(InputName, StringComparison.Ordinal);
}

/// <summary>A read-only, non-seekable stream that returns 1 to 7 bytes per read, as a network response may.</summary>
internal sealed class TrickleStream(byte[] data) : NeuralFlow.Data.ForwardOnlyStream
{
    private int _position;

    public override int Read(Span<byte> buffer)
    {
        // The chunk size depends on the position only, so a run is reproducible.
        int n = Math.Min(Math.Min(buffer.Length, data.Length - _position), 1 + _position % 7);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }
}
