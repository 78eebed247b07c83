using Google.Protobuf;
using NeuralFlow.Data;
using NeuralFlow.IO;

namespace NeuralFlow.Train;

/// <summary>
/// One value of an <see cref="Example"/> (<c>tf.train.Feature</c>): a list of byte strings
/// (<c>bytes_list</c>), of float32 (<c>float_list</c>) or of int64 (<c>int64_list</c>).
/// </summary>
public sealed class Feature
{
    private Feature(DType dtype, byte[][]? bytes, float[]? floats, long[]? ints) =>
        (DType, BytesList, FloatList, Int64List) = (dtype, bytes, floats, ints);

    /// <summary>A <c>bytes_list</c> of <paramref name="values"/> (<c>tf.train.Feature(bytes_list=tf.train.BytesList(value=[...]))</c>).</summary>
    public static Feature Bytes(params byte[][] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (Array.IndexOf(values, null) is var at and >= 0) throw new ArgumentException($"Feature.Bytes: value {at} is null.", nameof(values));
        return new(DType.String, values.Select(v => (byte[])v.Clone()).ToArray(), null, null);
    }

    /// <summary>A <c>bytes_list</c> of the UTF-8 bytes of <paramref name="values"/> (escaped bytes as they were).</summary>
    public static Feature Bytes(params string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (Array.IndexOf(values, null) is var at and >= 0) throw new ArgumentException($"Feature.Bytes: value {at} is null.", nameof(values));
        return new(DType.String, values.Select(ByteStrings.Encode).ToArray(), null, null);
    }

    /// <summary>A <c>float_list</c> (<c>tf.train.FloatList(value=[...])</c>).</summary>
    public static Feature Float(params float[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new(DType.Float32, null, (float[])values.Clone(), null);
    }

    /// <summary>An <c>int64_list</c> (<c>tf.train.Int64List(value=[...])</c>); bools and ints go here in TensorFlow too.</summary>
    public static Feature Int64(params long[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new(DType.Int64, null, null, (long[])values.Clone());
    }

    /// <summary>The dtype its list parses to: String (bytes_list), Float32 or Int64.</summary>
    public DType DType { get; }

    /// <summary>The byte strings, or null for another kind of list.</summary>
    public IReadOnlyList<byte[]>? BytesList { get; }

    /// <summary>The floats, or null for another kind of list.</summary>
    public IReadOnlyList<float>? FloatList { get; }

    /// <summary>The int64s, or null for another kind of list.</summary>
    public IReadOnlyList<long>? Int64List { get; }

    /// <summary>The number of values in the list.</summary>
    public int Count => BytesList?.Count ?? FloatList?.Count ?? Int64List!.Count;

    // Feature { oneof kind { BytesList bytes_list = 1; FloatList float_list = 2; Int64List int64_list = 3; } },
    // each list's `repeated value = 1` (floats and int64s packed, as proto3 writes them).
    internal byte[] ToByteArray() => ProtoFields.Message(f =>
    {
        if (BytesList is { } bytes) f.Bytes(1, ProtoFields.Message(l => { foreach (var b in bytes) l.Bytes(1, b); }));
        else if (FloatList is { } floats) f.Bytes(2, ProtoFields.Message(l => l.PackedFloats(1, floats)));
        else f.Bytes(3, ProtoFields.Message(l => l.PackedInt64s(1, Int64List!)));
    });

    internal static Feature Parse(ByteString message)
    {
        Feature? kind = null;
        var input = message.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            int field = WireFormat.GetTagFieldNumber(tag);
            if (field is < 1 or > 3 || WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited) { input.SkipLastField(); continue; }
            var list = input.ReadBytes().CreateCodedInput();
            var bytes = new List<byte[]>();
            var floats = new List<float>();
            var ints = new List<long>();
            uint item;
            while ((item = list.ReadTag()) != 0)
            {
                if (WireFormat.GetTagFieldNumber(item) != 1) { list.SkipLastField(); continue; }
                var wire = WireFormat.GetTagWireType(item);
                if (field == 1 && wire == WireFormat.WireType.LengthDelimited) bytes.Add(list.ReadBytes().ToByteArray());
                else if (field == 2 && wire == WireFormat.WireType.Fixed32) floats.Add(list.ReadFloat());
                else if (field == 3 && wire == WireFormat.WireType.Varint) ints.Add(list.ReadInt64());
                else if (field is 2 or 3 && wire == WireFormat.WireType.LengthDelimited)
                {
                    var packed = list.ReadBytes().CreateCodedInput();
                    while (!packed.IsAtEnd)
                        if (field == 2) floats.Add(packed.ReadFloat()); else ints.Add(packed.ReadInt64());
                }
                else list.SkipLastField();
            }
            // A oneof: the last kind written wins, as protobuf's parsers take it.
            kind = field switch
            {
                1 => new Feature(DType.String, [.. bytes], null, null),
                2 => new Feature(DType.Float32, null, [.. floats], null),
                _ => new Feature(DType.Int64, null, null, [.. ints]),
            };
        }
        return kind ?? new Feature(DType.Int64, null, null, []);   // no kind set: an empty list, as TF reads it
    }
}

/// <summary>
/// A record of named features (<c>tf.train.Example</c>), the usual content of a TFRecord file:
/// <c>new Example { ["label"] = Feature.Int64(3), ["image"] = Feature.Bytes(png) }</c>, serialized by
/// <see cref="ToByteArray"/> (<c>SerializeToString</c>) and read back by <see cref="Parse(byte[])"/> or, into tensors,
/// by NF.IO.ParseSingleExample. Features keep the order they were added in.
/// </summary>
public sealed class Example : IEnumerable<KeyValuePair<string, Feature>>
{
    private readonly List<KeyValuePair<string, Feature>> _features = [];

    /// <summary>The feature named <paramref name="name"/>; setting one adds it, or replaces it where the name exists.</summary>
    /// <exception cref="KeyNotFoundException">No feature of that name (reading).</exception>
    public Feature this[string name]
    {
        get => TryGet(name, out var f) ? f : throw new KeyNotFoundException($"Example: no feature named '{name}' (it has {string.Join(", ", _features.Select(p => $"'{p.Key}'"))}).");
        set
        {
            ArgumentNullException.ThrowIfNull(name);
            ArgumentNullException.ThrowIfNull(value);
            int at = _features.FindIndex(p => p.Key == name);
            if (at >= 0) _features[at] = new(name, value);
            else _features.Add(new(name, value));
        }
    }

    /// <summary>Adds a feature (collection initializer form: <c>new Example { { "label", Feature.Int64(3) } }</c>).</summary>
    public void Add(string name, Feature feature) => this[name] = feature;

    /// <summary>Whether a feature of that name exists, and it.</summary>
    public bool TryGet(string name, out Feature feature)
    {
        foreach (var p in _features)
            if (p.Key == name) { feature = p.Value; return true; }
        feature = null!;
        return false;
    }

    /// <summary>The features' names, in order.</summary>
    public IEnumerable<string> Names => _features.Select(p => p.Key);

    /// <summary>The serialized message (<c>example.SerializeToString()</c>): Example { Features features = 1 }, Features { map&lt;string, Feature&gt; feature = 1 }.</summary>
    public byte[] ToByteArray() => ProtoFields.Message(e => e.Bytes(1, ProtoFields.Message(fs =>
    {
        foreach (var (name, feature) in _features)
            fs.Bytes(1, ProtoFields.Message(entry => entry.String(1, name).Bytes(2, feature.ToByteArray())));
    })));

    /// <summary>Reads a serialized Example (<c>tf.train.Example.FromString</c>); unknown fields are skipped, as protobuf does.</summary>
    /// <exception cref="ArgumentException">The bytes are not a protobuf message of this form.</exception>
    public static Example Parse(byte[] serialized)
    {
        ArgumentNullException.ThrowIfNull(serialized);
        try
        {
            var example = new Example();
            var input = new CodedInputStream(serialized);
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (tag != WireFormat.MakeTag(1, WireFormat.WireType.LengthDelimited)) { input.SkipLastField(); continue; }
                foreach (var (name, value) in MapEntries(input.ReadBytes())) example[name] = Feature.Parse(value);
            }
            return example;
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ArgumentException($"Example.Parse: the {serialized.Length} bytes are not a serialized tf.train.Example ({e.Message}).", nameof(serialized), e);
        }
    }

    // The entries of a message's map<string, message> field 1 (Features' feature, FeatureLists' feature_list): each
    // key and value's bytes, in order; a key written twice is there twice, so a dictionary built from them keeps the last, as protobuf does.
    internal static List<(string Key, ByteString Value)> MapEntries(ByteString message)
    {
        var entries = new List<(string, ByteString)>();
        var input = message.CreateCodedInput();
        uint entryTag;
        while ((entryTag = input.ReadTag()) != 0)
        {
            if (entryTag != WireFormat.MakeTag(1, WireFormat.WireType.LengthDelimited)) { input.SkipLastField(); continue; }
            var entry = input.ReadBytes().CreateCodedInput();
            string name = "";
            ByteString value = ByteString.Empty;
            uint t;
            while ((t = entry.ReadTag()) != 0)
            {
                if (t == WireFormat.MakeTag(1, WireFormat.WireType.LengthDelimited)) name = entry.ReadString();
                else if (t == WireFormat.MakeTag(2, WireFormat.WireType.LengthDelimited)) value = entry.ReadBytes();
                else entry.SkipLastField();
            }
            entries.Add((name, value));
        }
        return entries;
    }

    /// <summary>Reads the serialized Example a scalar string holds (a TFRecordDataset's record).</summary>
    public static Example Parse(StringTensor serialized)
    {
        ArgumentNullException.ThrowIfNull(serialized);
        if (serialized.Count != 1)
            throw new ArgumentException($"Example.Parse: a serialized Example is one string; the tensor has shape {serialized.Shape}.", nameof(serialized));
        return Parse(serialized.ToBytes());
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, Feature>> GetEnumerator() => _features.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
