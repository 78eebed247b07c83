using System.Text;
using System.Text.Json.Nodes;
using NeuralFlow.Keras;

namespace NeuralFlow.Tests.TextPreprocessing;

/// <summary>
/// Keras 3's Hashing (keras/src/layers/preprocessing/hashing.py) on every backend, and the two
/// string hashes under it. References: FarmHash's Fingerprint64 values of the Go port's test
/// table (github.com/leemcloughlin/gofarmhash, farmhash_test.go, TestHash64: every length class
/// but 33..64 bytes); SipHash-2-4's test vectors of its paper (Aumasson and Bernstein, appendix A:
/// key 00..0f, messages 00..0e and empty); TensorFlow's to_hash_bucket_fast/strong docstring
/// examples; the Hashing docstring's printed bins and those of keras' hashing_test.py.
/// </summary>
public abstract class HashingTests(string backend) : BackendTest(backend)
{
    private static long[] Bins(Tensor t) => t.ToArray<long>();
    private static string[,] Column(params string[] values)
    {
        var column = new string[values.Length, 1];
        for (int i = 0; i < values.Length; i++) column[i, 0] = values[i];
        return column;
    }

    private static readonly string[] AToE = ["A", "B", "C", "D", "E"];
    private static readonly string[] Wire = ["omar", "stringer", "marlo", "wire", "skywalker"];

    [SkippableFact]
    public void The_hashes_give_their_published_values()
    {
        RequireBackend();
        ulong Farm(string s) => StringHashes.Fingerprint64(Encoding.UTF8.GetBytes(s));
        Assert.Equal(0x9ae16a3b2f90404fUL, Farm(""));
        Assert.Equal(0xb3454265b6df75e3UL, Farm("a"));
        Assert.Equal(0x6a5d2fba44f012f8UL, Farm("hi"));
        Assert.Equal(0x588fb7478bd6b01bUL, Farm("hello world"));
        Assert.Equal(0x61bec68db00fa2ffUL, Farm("lee@lmmrtech.com"));
        Assert.Equal(0x7fbbcd6191d8dce0UL, Farm("fred@example.com"));
        Assert.Equal(0xb678cf3842309f40UL, Farm("docklandsman@gmail.com"));
        Assert.Equal(0xafe256550e4567c9UL, Farm(GoHelpText));
        // SipHash's paper: key 00 01 .. 0f read little-endian, message 00 01 .. 0e.
        const ulong k0 = 0x0706050403020100UL, k1 = 0x0f0e0d0c0b0a0908UL;
        Assert.Equal(0xa129ca6149be45e5UL, StringHashes.SipHash24(k0, k1, Enumerable.Range(0, 15).Select(i => (byte)i).ToArray()));
        Assert.Equal(0x726fdb47dd0e0e31UL, StringHashes.SipHash24(k0, k1, []));
        // tf.strings.to_hash_bucket_fast(["Hello", "TensorFlow", "2.x"], 3) and to_hash_bucket_strong(["Hello", "TF"], 3, [1, 2]).
        Assert.Equal([0L, 2, 2], new[] { "Hello", "TensorFlow", "2.x" }.Select(s => StringHashes.Bucket(s, 3)));
        Assert.Equal([2L, 0], new[] { "Hello", "TF" }.Select(s => StringHashes.Bucket(s, 3, (1, 2))));
    }

    [SkippableFact]
    public void Docstring_and_keras_test_examples_give_their_bins()
    {
        RequireBackend();
        var farm = new Layers.Hashing(3).Call(Column(AToE));
        Assert.Equal(new Shape(5, 1), farm.Shape);
        Assert.Equal(DType.Int64, farm.DType);
        Assert.Equal([1L, 0, 1, 1, 2], Bins(farm));
        Assert.Equal([1L, 1, 0, 2, 2], Bins(new Layers.Hashing(3, maskValue: "").Call(Column("A", "B", "", "C", "D"))));
        Assert.Equal([1L, 2, 1, 0, 2], Bins(new Layers.Hashing(3, salt: [133, 137]).Call(Column(AToE))));
        Assert.Equal([0L, 0, 2, 1, 0], Bins(new Layers.Hashing(3, salt: [133]).Call(Column(AToE))));
        // hashing_test.py: longer strings, masks, keys and integer inputs (hashed as their decimal strings).
        Assert.Equal([0L, 0, 1, 0, 0], Bins(new Layers.Hashing(2).Call(Wire)));
        Assert.Equal([1L, 1, 2, 1, 1], Bins(new Layers.Hashing(3, maskValue: "").Call(Column(Wire))));
        Assert.Equal([0L, 1, 2, 1, 1], Bins(new Layers.Hashing(3, maskValue: "omar").Call(Column(Wire))));
        Assert.Equal([0L, 1, 0, 1, 0], Bins(new Layers.Hashing(2, salt: [133, 137]).Call(Column(Wire))));
        Assert.Equal([1L, 0, 1, 0, 1], Bins(new Layers.Hashing(2, salt: [211, 137]).Call(Column(Wire))));
        var integers = NF.Constant(new long[] { 0, 1, 2, 3, 4 }, [5, 1]);
        Assert.Equal([1L, 0, 1, 0, 2], Bins(new Layers.Hashing(3).Call(integers)));
        Assert.Equal([1L, 1, 2, 0, 1], Bins(new Layers.Hashing(3, salt: [133, 137]).Call(integers)));
        Assert.Equal([1L, 0, 1, 0, 2], Bins(new Layers.Hashing(3).Call(NF.Constant(new[] { 0.5f, 1, 2.9f, 3, 4 }, [5, 1]))));   // floats truncate
        // hashing_test.py's one_hot/multi_hot/count of ['A'..'E'] (bins 1, 0, 1, 1, 2 above).
        Assert.Equal([0f, 1, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1], new Layers.Hashing(3, outputMode: "one_hot").Call(Column(AToE)).ToArray<float>());
        Assert.Equal([1f, 1, 1], new Layers.Hashing(3, outputMode: "multi_hot").Call(AToE).ToArray<float>());
        Assert.Equal([1f, 3, 1], new Layers.Hashing(3, outputMode: "count").Call(AToE).ToArray<float>());
    }

    [SkippableFact]
    public void Bad_arguments_raise_clear_errors_and_the_config_round_trips()
    {
        RequireBackend();
        Assert.Contains("num_bins", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Hashing(0)).Message);
        Assert.Contains("unknown output_mode 'tf_idf'", Assert.Throws<ArgumentException>(() => new Layers.Hashing(3, outputMode: "tf_idf")).Message);
        Assert.Contains("one integer or two", Assert.Throws<ArgumentException>(() => new Layers.Hashing(3, salt: [1, 2, 3])).Message);
        Assert.Contains("unsigned", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.Hashing(3, salt: [-1])).Message);
        Assert.Contains("sparse", Assert.Throws<ArgumentException>(() => new Layers.Hashing(3, sparse: true)).Message);
        Assert.Contains("null string", Assert.Throws<ArgumentException>(() => new Layers.Hashing(3).Call(new string[] { "a", null! })).Message);
        Assert.Contains("bool", Assert.Throws<ArgumentException>(() => new Layers.Hashing(3).Call(NF.Zeros([2], DType.Bool))).Message);
        var layer = new Layers.Hashing(5, maskValue: "", salt: [133, 137], outputMode: "count", name: "hash");
        var loaded = Layers.Hashing.FromConfig(JsonNode.Parse(layer.GetConfig().ToJsonString())!.AsObject());
        Assert.True(JsonNode.DeepEquals(layer.GetConfig(), loaded.GetConfig()));
        Assert.Equal(layer.Call(Wire).ToArray<float>(), loaded.Call(Wire).ToArray<float>());
    }

    [SkippableFact]
    public void Integer_hashing_trains_in_a_model_and_round_trips()
    {
        RequireBackend();
        NF.Random.SetSeed(4);
        var x = NF.Cast(NF.Random.Uniform([64, 2], minval: 0, maxval: 6, dtype: DType.Int32), DType.Int64);
        var y = NF.Cast(NF.Equal(NF.Slice(x, [0, 0], [64, 1]), 3L), DType.Float32);
        var model = new Sequential(new Layers.Hashing(16), new Layers.Embedding(16, 4), new Layers.Flatten(), new Layers.Dense(1, activation: "sigmoid"));
        model.Compile(new Optimizers.Adam(0.05f), "binary_crossentropy");
        var history = model.Fit(x, y, batchSize: 16, epochs: 15, verbose: 0);
        Assert.True(history["loss"][^1] < history["loss"][0] * 0.5, $"the loss falls: {history["loss"][0]} -> {history["loss"][^1]}");
    }

    // The Go port's long test string (965 bytes: FarmHash's loop over 64-byte blocks).
    private const string GoHelpText = "Go is a tool for managing Go source code.Usage:\tgo command [arguments]The commands are:    build       compile packages and dependencies    clean       remove object files    env         print Go environment information    fix         run go tool fix on packages    fmt         run gofmt on package sources    generate    generate Go files by processing source    get         download and install packages and dependencies    install     compile and install packages and dependencies    list        list packages    run         compile and run Go program    test        test packages    tool        run specified go tool    version     print Go version    vet         run go tool vet on packagesUse go help [command] for more information about a command.Additional help topics:    c           calling between Go and C    filetype    file types    gopath      GOPATH environment variable    importpath  import path syntax    packages    description of package lists    testflag    description of testing flags    testfunc    description of testing functionsUse go help [topic] for more information about that topic.";
}

public sealed class ManagedHashingTests() : HashingTests("managed");

public sealed class NativeCpuHashingTests() : HashingTests("cpu");

public sealed class CudaHashingTests() : HashingTests("cuda");
