using System.Buffers;
using System.Text.Json;

namespace NeuralFlow.IO;

/// <summary>
/// One tensor of a safetensors file: the dtype it loads as, its shape and byte range in the data
/// section, and whether the file stores it as bfloat16, which loads widened to float32 (F16 loads
/// as float16 itself).
/// </summary>
internal readonly record struct SafetensorsEntry(string Name, DType DType, Shape Shape, long Begin, long End, HalfFloat Half = HalfFloat.None);

/// <summary>The 16-bit float format a safetensors file may hold that NeuralFlow has no dtype for, and widens to float32 on load.</summary>
internal enum HalfFloat
{
    /// <summary>Stored as the dtype it loads as.</summary>
    None,
    /// <summary>bfloat16: the upper half of a float32.</summary>
    BF16,
}

/// <summary>
/// The safetensors header (https://github.com/huggingface/safetensors): after an 8-byte
/// little-endian length N, N bytes of JSON mapping each tensor name to
/// <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> (offsets into the data section that
/// follows), plus an optional <c>"__metadata__"</c> map of strings. Parsing trusts nothing: the
/// header is capped, every field is type-checked, names are unique, every size is checked for
/// overflow and against its byte range, and the ranges must tile the data section exactly (no
/// gap, no overlap, nothing past the end), as the reference implementation requires. Every
/// failure is an <see cref="InvalidDataException"/> naming the file and what is wrong.
/// </summary>
internal static class SafetensorsHeader
{
    /// <summary>The largest header read (the reference implementation's cap): a hostile length cannot make us allocate more.</summary>
    public const long MaxHeaderBytes = 100L << 20;

    /// <summary>The reserved name of the metadata map.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The dtype code of the specification for <paramref name="dtype"/>.</summary>
    public static string Code(DType dtype) => dtype switch
    {
        DType.Float32 => "F32",
        DType.Float64 => "F64",
        DType.Int32 => "I32",
        DType.Int64 => "I64",
        DType.UInt8 => "U8",
        DType.Bool => "BOOL",
        DType.Float16 => "F16",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "no safetensors code for this dtype"),
    };

    private static DType? FromCode(string code) => code switch
    {
        "F32" => DType.Float32,
        "F64" => DType.Float64,
        "I32" => DType.Int32,
        "I64" => DType.Int64,
        "U8" => DType.UInt8,
        "BOOL" => DType.Bool,
        "F16" => DType.Float16,
        _ => null,
    };

    /// <summary>
    /// Parses and validates <paramref name="json"/> for a data section of
    /// <paramref name="dataBytes"/> bytes: the entries in header order, and the metadata.
    /// </summary>
    public static (List<SafetensorsEntry> Entries, Dictionary<string, string> Metadata) Parse(
        ReadOnlySpan<byte> json, long dataBytes, string file)
    {
        var entries = new List<SafetensorsEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            Expect(ref reader, JsonTokenType.StartObject, "the header", file);
            while (true)
            {
                Next(ref reader, "the header", file);
                if (reader.TokenType == JsonTokenType.EndObject) break;
                string name = reader.GetString()!;
                if (!names.Add(name)) throw Bad(file, $"the name '{name}' appears twice in the header");
                if (name == MetadataKey) ReadMetadata(ref reader, metadata, file);
                else entries.Add(ReadEntry(ref reader, name, file));
            }
            if (reader.Read()) throw Bad(file, "the header has content after its closing brace");
        }
        catch (JsonException e)
        {
            throw Bad(file, $"the header is not valid JSON ({e.Message})");
        }
        catch (InvalidOperationException e)  // a name or string that is not valid UTF-8
        {
            throw Bad(file, $"the header is not valid UTF-8 JSON ({e.Message})");
        }
        CheckRanges(entries, dataBytes, file);
        return (entries, metadata);
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata, string file)
    {
        Expect(ref reader, JsonTokenType.StartObject, $"'{MetadataKey}'", file);
        while (true)
        {
            Next(ref reader, $"'{MetadataKey}'", file);
            if (reader.TokenType == JsonTokenType.EndObject) return;
            string key = reader.GetString()!;
            Expect(ref reader, JsonTokenType.String, $"'{MetadataKey}' entry '{key}' (values are strings)", file);
            if (!metadata.TryAdd(key, reader.GetString()!)) throw Bad(file, $"'{MetadataKey}' has the key '{key}' twice");
        }
    }

    private static SafetensorsEntry ReadEntry(ref Utf8JsonReader reader, string name, string file)
    {
        string what = $"tensor '{name}'";
        Expect(ref reader, JsonTokenType.StartObject, what, file);
        DType? dtype = null;
        var half = HalfFloat.None;
        int[]? dims = null;
        long[]? offsets = null;
        while (true)
        {
            Next(ref reader, what, file);
            if (reader.TokenType == JsonTokenType.EndObject) break;
            string field = reader.GetString()!;
            switch (field)
            {
                case "dtype" when dtype is null:
                    Expect(ref reader, JsonTokenType.String, $"{what}: dtype", file);
                    string code = reader.GetString()!;
                    half = code == "BF16" ? HalfFloat.BF16 : HalfFloat.None;
                    dtype = (half != HalfFloat.None ? DType.Float32 : FromCode(code)) ?? throw Bad(file,
                        $"{what} has dtype '{code}', which NeuralFlow does not read (F16, F32, F64, I32, I64, U8 and BOOL, and BF16 widened to F32); convert it when writing the file");
                    break;
                case "shape" when dims is null:
                    dims = ReadIntegers(ref reader, $"{what}: shape", file, Shape.MaxRank, int.MaxValue).Select(d => (int)d).ToArray();
                    break;
                case "data_offsets" when offsets is null:
                    offsets = ReadIntegers(ref reader, $"{what}: data_offsets", file, 2, long.MaxValue);
                    if (offsets.Length != 2) throw Bad(file, $"{what}: data_offsets must be [begin, end], got {offsets.Length} numbers");
                    break;
                case "dtype" or "shape" or "data_offsets":
                    throw Bad(file, $"{what} has '{field}' twice");
                default:
                    reader.Skip();  // fields a later version of the format may add
                    break;
            }
        }
        if (dtype is null || dims is null || offsets is null)
            throw Bad(file, $"{what} lacks {(dtype is null ? "dtype" : dims is null ? "shape" : "data_offsets")}");
        if (offsets[0] > offsets[1]) throw Bad(file, $"{what} has data_offsets [{offsets[0]}, {offsets[1]}]: begin after end");
        Shape shape;
        try { shape = new Shape(dims); }
        catch (Exception e) when (e is ArgumentException or OverflowException) { throw Bad(file, $"{what}: {e.Message}"); }
        long bytes;
        // Named as the file names it where NF's name differs (F16, BF16: the codes users see in the header).
        string stored = half != HalfFloat.None ? half.ToString() : dtype.Value == DType.Float16 ? Code(DType.Float16) : dtype.Value.Name();
        try { bytes = half != HalfFloat.None ? checked(shape.Count * 2) : shape.ByteCount(dtype.Value); }
        catch (OverflowException) { throw Bad(file, $"{what} of shape {shape} and dtype {stored} is larger than any file"); }
        if (bytes != offsets[1] - offsets[0])
            throw Bad(file, $"{what} of shape {shape} and dtype {stored} needs {bytes} bytes, but its data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]}");
        return new SafetensorsEntry(name, dtype.Value, shape, offsets[0], offsets[1], half);
    }

    private static long[] ReadIntegers(ref Utf8JsonReader reader, string what, string file, int maxCount, long maxValue)
    {
        Expect(ref reader, JsonTokenType.StartArray, what, file);
        var values = new List<long>();
        while (true)
        {
            Next(ref reader, what, file);
            if (reader.TokenType == JsonTokenType.EndArray) return [.. values];
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long v) || v < 0 || v > maxValue)
                throw Bad(file, $"{what} must hold whole numbers from 0 to {maxValue}");
            if (values.Count == maxCount) throw Bad(file, $"{what} has more than {maxCount} numbers");
            values.Add(v);
        }
    }

    // The byte ranges, in file order, must tile [0, dataBytes) exactly.
    private static void CheckRanges(List<SafetensorsEntry> entries, long dataBytes, string file)
    {
        var byStart = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        long expected = 0;
        string previous = "the start of the data";
        foreach (var e in byStart)
        {
            if (e.Begin != expected)
                throw Bad(file, e.Begin < expected
                    ? $"tensor '{e.Name}' (bytes {e.Begin}-{e.End}) overlaps {previous}, which ends at byte {expected}"
                    : $"there is a gap of {e.Begin - expected} bytes between {previous} and tensor '{e.Name}'");
            expected = e.End;
            previous = $"tensor '{e.Name}'";
        }
        if (expected != dataBytes)
            throw Bad(file, expected > dataBytes
                ? $"{previous} ends at byte {expected} of the data, but the file holds only {dataBytes} data bytes (truncated?)"
                : $"the file has {dataBytes - expected} bytes after the last tensor's data");
    }

    private static void Next(ref Utf8JsonReader reader, string what, string file)
    {
        if (!reader.Read()) throw Bad(file, $"{what} ends early");
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what, string file)
    {
        Next(ref reader, what, file);
        if (reader.TokenType != type) throw Bad(file, $"{what} should be {Describe(type)}, found {Describe(reader.TokenType)}");
    }

    private static string Describe(JsonTokenType t) => t switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        _ => t.ToString().ToLowerInvariant(),
    };

    /// <summary>The header for <paramref name="entries"/> (in data order), padded with spaces to a multiple of 8 bytes as the reference writer does.</summary>
    public static byte[] Write(IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            foreach (var e in entries)
            {
                w.WriteStartObject(e.Name);
                w.WriteString("dtype", Code(e.DType));
                w.WriteStartArray("shape");
                foreach (int d in e.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(e.Begin);
                w.WriteNumberValue(e.End);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        int padded = (buffer.WrittenCount + 7) / 8 * 8;
        var header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    public static InvalidDataException Bad(string file, string what) => new($"safetensors file '{file}': {what}.");
}
