using Google.Protobuf;
using NeuralFlow.IO;

namespace NeuralFlow.Train;

/// <summary>
/// A record of context features and named lists of features, one per time step (<c>tf.train.SequenceExample</c>):
/// <c>var s = new SequenceExample(); s.Context["length"] = Feature.Int64(3); s.SetFeatureList("tokens", Feature.Int64(4), Feature.Int64(7))</c>,
/// serialized by <see cref="ToByteArray"/> and read into tensors by NF.IO.ParseSingleSequenceExample.
/// SequenceExample { Features context = 1; FeatureLists feature_lists = 2; }, FeatureLists { map&lt;string, FeatureList&gt;
/// feature_list = 1; }, FeatureList { repeated Feature feature = 1; } (tensorflow/core/example/example.proto, feature.proto).
/// </summary>
public sealed class SequenceExample
{
    private readonly List<KeyValuePair<string, Feature[]>> _lists = [];

    /// <summary>The context features (the <c>context</c> field, a Features message as an Example holds).</summary>
    public Example Context { get; private init; } = new();

    /// <summary>Sets the feature list <paramref name="name"/> (its features in time order), replacing one of that name.</summary>
    public void SetFeatureList(string name, params Feature[] features)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(features);
        if (Array.IndexOf(features, null) is var at and >= 0) throw new ArgumentException($"SequenceExample: feature {at} of list '{name}' is null.", nameof(features));
        int index = _lists.FindIndex(p => p.Key == name);
        var entry = new KeyValuePair<string, Feature[]>(name, (Feature[])features.Clone());
        if (index >= 0) _lists[index] = entry; else _lists.Add(entry);
    }

    /// <summary>Whether a feature list of that name exists, and its features.</summary>
    public bool TryGetFeatureList(string name, out IReadOnlyList<Feature> features)
    {
        foreach (var p in _lists)
            if (p.Key == name) { features = p.Value; return true; }
        features = [];
        return false;
    }

    /// <summary>The feature lists' names, in the order they were set.</summary>
    public IEnumerable<string> FeatureListNames => _lists.Select(p => p.Key);

    /// <summary>The serialized message (<c>SerializeToString()</c>): the context as field 1, the feature lists as field 2.</summary>
    public byte[] ToByteArray()
    {
        // An Example is `Features features = 1`: the same bytes as SequenceExample's `Features context = 1`.
        var context = Context.ToByteArray();
        var lists = ProtoFields.Message(m =>
        {
            if (_lists.Count == 0) return;
            m.Bytes(2, ProtoFields.Message(fl =>
            {
                foreach (var (name, features) in _lists)
                    fl.Bytes(1, ProtoFields.Message(entry => entry.String(1, name).Bytes(2, ProtoFields.Message(l => { foreach (var f in features) l.Bytes(1, f.ToByteArray()); }))));
            }));
        });
        return [.. context, .. lists];
    }

    /// <summary>Reads a serialized SequenceExample (<c>tf.train.SequenceExample.FromString</c>); unknown fields are skipped.</summary>
    /// <exception cref="ArgumentException">The bytes are not a protobuf message of this form.</exception>
    public static SequenceExample Parse(byte[] serialized)
    {
        ArgumentNullException.ThrowIfNull(serialized);
        try
        {
            var result = new SequenceExample { Context = Example.Parse(serialized) };   // field 1 read as an Example's features; field 2 skipped there
            var input = new CodedInputStream(serialized);
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (tag != WireFormat.MakeTag(2, WireFormat.WireType.LengthDelimited)) { input.SkipLastField(); continue; }
                foreach (var (name, value) in Example.MapEntries(input.ReadBytes()))
                {
                    var features = new List<Feature>();
                    var list = value.CreateCodedInput();
                    uint t;
                    while ((t = list.ReadTag()) != 0)
                        if (t == WireFormat.MakeTag(1, WireFormat.WireType.LengthDelimited)) features.Add(Feature.Parse(list.ReadBytes()));
                        else list.SkipLastField();
                    result.SetFeatureList(name, [.. features]);
                }
            }
            return result;
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or ArgumentException { InnerException: InvalidProtocolBufferException })
        {
            throw new ArgumentException($"SequenceExample.Parse: the {serialized.Length} bytes are not a serialized tf.train.SequenceExample ({e.Message}).", nameof(serialized), e);
        }
    }
}
