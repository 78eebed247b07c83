using NeuralFlow.Data;
using NeuralFlow.Train;
using static NeuralFlow.NF.IO;

namespace NeuralFlow.Tests.UserProbe27;

/// <summary>
/// tf.train.SequenceExample and tf.io.parse_single_sequence_example (Train.SequenceExample, NF.IO.ParseSingleSequenceExample):
/// context features as an Example's, feature lists to [steps, ...] tensors. Expected bytes: strings2_references.py
/// "sequence example" (protobuf's own encoder, map keys sorted, on messages built from TF's example.proto / feature.proto).
/// </summary>
public abstract class Strings2SequenceExampleTests(string backend) : BackendTest(backend)
{
    // strings2_references.py "sequence example": context length=3, title="hi"; lists tokens [4], [7], [9];
    // vectors [1, 2], [3, 4], [5, 6]; words ["a", "b"], [], ["c"].
    private static readonly byte[] Reference =
    [
        10, 34, 10, 15, 10, 6, 108, 101, 110, 103, 116, 104, 18, 5, 26, 3, 10, 1, 3, 10, 15, 10, 5, 116, 105, 116, 108, 101, 18, 6, 10, 4,
        10, 2, 104, 105, 18, 120, 10, 31, 10, 6, 116, 111, 107, 101, 110, 115, 18, 21, 10, 5, 26, 3, 10, 1, 4, 10, 5, 26, 3, 10, 1, 7,
        10, 5, 26, 3, 10, 1, 9, 10, 53, 10, 7, 118, 101, 99, 116, 111, 114, 115, 18, 42, 10, 12, 18, 10, 10, 8, 0, 0, 128, 63, 0, 0, 0,
        64, 10, 12, 18, 10, 10, 8, 0, 0, 64, 64, 0, 0, 128, 64, 10, 12, 18, 10, 10, 8, 0, 0, 160, 64, 0, 0, 192, 64, 10, 30, 10, 5, 119,
        111, 114, 100, 115, 18, 21, 10, 8, 10, 6, 10, 1, 97, 10, 1, 98, 10, 2, 10, 0, 10, 5, 10, 3, 10, 1, 99,
    ];

    private static SequenceExample Built()
    {
        var record = new SequenceExample();
        record.Context["length"] = Feature.Int64(3);
        record.Context["title"] = Feature.Bytes("hi");
        record.SetFeatureList("tokens", Feature.Int64(4), Feature.Int64(7), Feature.Int64(9));
        record.SetFeatureList("vectors", Feature.Float(1, 2), Feature.Float(3, 4), Feature.Float(5, 6));
        record.SetFeatureList("words", Feature.Bytes("a", "b"), Feature.Bytes(Array.Empty<string>()), Feature.Bytes("c"));
        return record;
    }

    [SkippableFact]
    public void A_SequenceExample_serializes_to_the_reference_bytes_and_parses_back()
    {
        RequireBackend();
        Assert.Equal(Reference, Built().ToByteArray());
        var parsed = SequenceExample.Parse(Reference);
        Assert.Equal(["length", "title"], parsed.Context.Names);
        Assert.Equal(["tokens", "vectors", "words"], parsed.FeatureListNames);
        Assert.True(parsed.TryGetFeatureList("vectors", out var vectors));
        Assert.Equal(3, vectors.Count);
        Assert.Equal(new[] { 3f, 4f }, vectors[1].FloatList);
        Assert.False(parsed.TryGetFeatureList("labels", out _));
    }

    [SkippableFact]
    public void Context_and_sequence_features_parse_to_tensors()
    {
        RequireBackend();
        var (context, sequence) = ParseSingleSequenceExample(StringTensor.FromBytes(Reference),
            new Dictionary<string, FeatureSpec>
            {
                ["length"] = new FixedLenFeature(Shape.Scalar, DType.Int64),
                ["title"] = new FixedLenFeature(Shape.Scalar, DType.String),
                ["genre"] = new FixedLenFeature(Shape.Scalar, DType.String, "none"),
            },
            new Dictionary<string, FeatureSpec>
            {
                ["tokens"] = new FixedLenSequenceFeature(Shape.Scalar, DType.Int64),
                ["vectors"] = new FixedLenSequenceFeature(new Shape(2), DType.Float32),
                ["words"] = new VarLenFeature(DType.String),
                ["labels"] = new FixedLenSequenceFeature(Shape.Scalar, DType.Int64, allowMissing: true),
            });
        Assert.Equal(3L, ((Tensor)context["length"]).ToArray<long>().Single());
        Assert.Equal("hi", ((StringTensor)context["title"]).Item());
        Assert.Equal("none", ((StringTensor)context["genre"]).Item());

        var tokens = (Tensor)sequence["tokens"];
        Assert.Equal(new Shape(3), tokens.Shape);
        Assert.Equal(new[] { 4L, 7L, 9L }, tokens.ToArray<long>());
        var vectors = (Tensor)sequence["vectors"];
        Assert.Equal(new Shape(3, 2), vectors.Shape);
        Assert.Equal(new[] { 1f, 2, 3, 4, 5, 6 }, vectors.ToArray<float>());
        // VarLen: TF's SparseTensor [3, 2] made dense with "".
        var words = (StringTensor)sequence["words"];
        Assert.Equal(new Shape(3, 2), words.Shape);
        Assert.Equal(["a", "b", "", "", "c", ""], words.ToArray());
        var labels = (Tensor)sequence["labels"];
        Assert.Equal(new Shape(0), labels.Shape);
        Assert.Equal(DType.Int64, labels.DType);
    }

    [SkippableFact]
    public void Missing_mistyped_and_misshapen_lists_and_wrong_spec_kinds_are_refused_naming_them()
    {
        RequireBackend();
        Dictionary<string, FeatureSpec> Seq(string name, FeatureSpec spec) => new() { [name] = spec };
        var missing = Assert.Throws<ArgumentException>(() => ParseSingleSequenceExample(Reference, null, Seq("labels", new FixedLenSequenceFeature(Shape.Scalar, DType.Int64))));
        Assert.Contains("Feature list 'labels' is required but could not be found", missing.Message);
        var typed = Assert.Throws<ArgumentException>(() => ParseSingleSequenceExample(Reference, null, Seq("tokens", new FixedLenSequenceFeature(Shape.Scalar, DType.Float32))));
        Assert.Contains("Key: tokens, Index: 0. Data types don't match. Data type: int64 but expected type: float", typed.Message);
        var shaped = Assert.Throws<ArgumentException>(() => ParseSingleSequenceExample(Reference, null, Seq("vectors", new FixedLenSequenceFeature(new Shape(3), DType.Float32))));
        Assert.Contains("Key: vectors, Index: 0. Number of float values != expected. values size: 2", shaped.Message);
        var context = Assert.Throws<ArgumentException>(() => ParseSingleSequenceExample(Reference, new Dictionary<string, FeatureSpec> { ["missing"] = new FixedLenFeature(Shape.Scalar, DType.Int64) }));
        Assert.StartsWith("ParseSingleSequenceExample: Feature: missing (data type: int64) is required", context.Message);

        Assert.Equal("sequenceFeatures", Assert.Throws<ArgumentException>(() => ParseSingleSequenceExample(Reference, null, Seq("tokens", new FixedLenFeature(Shape.Scalar, DType.Int64)))).ParamName);
        Assert.Equal("contextFeatures", Assert.Throws<ArgumentException>(() => ParseSingleSequenceExample(Reference, Seq("length", new FixedLenSequenceFeature(Shape.Scalar, DType.Int64)))).ParamName);
        Assert.Equal("sequenceFeatures", Assert.Throws<ArgumentException>(() => ParseSingleSequenceExample(Reference, Seq("tokens", new VarLenFeature(DType.Int64)), Seq("tokens", new VarLenFeature(DType.Int64)))).ParamName);
        var garbage = Assert.Throws<ArgumentException>(() => ParseSingleSequenceExample(new byte[] { 18, 9, 1 }));
        Assert.Contains("not a serialized tf.train.SequenceExample", garbage.Message);
        Assert.Contains("one string (a scalar)", Assert.Throws<ArgumentException>(() => ParseSingleSequenceExample(new StringTensor(["a", "b"]))).Message);
        // A missing VarLen list is [0, 0].
        Assert.Equal(new Shape(0, 0), ((Tensor)ParseSingleSequenceExample(Reference, null, Seq("labels", new VarLenFeature(DType.Int64))).Sequence["labels"]).Shape);
    }
}

/// <summary>parse_single_sequence_example on the managed backend.</summary>
public sealed class ManagedStrings2SequenceExampleTests() : Strings2SequenceExampleTests("managed");

/// <summary>parse_single_sequence_example on the native CPU backend.</summary>
public sealed class NativeCpuStrings2SequenceExampleTests() : Strings2SequenceExampleTests("cpu");

/// <summary>parse_single_sequence_example on CUDA.</summary>
public sealed class CudaStrings2SequenceExampleTests() : Strings2SequenceExampleTests("cuda");
