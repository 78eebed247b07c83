using System.Text.RegularExpressions;
using NeuralFlow.Backends;

namespace NeuralFlow.Tests;

/// <summary>
/// The C# enums that cross the C ABI as values (dtypes, op codes, optimizer kinds) against
/// native/include/neuralflow.h, and the C# list of float-only unary ops against the native op
/// list (native/src/common/elementwise_list.h): a value added or renumbered on one side only
/// would run another op than the one asked for, silently.
/// </summary>
public sealed class EnumsMatchHeaderTests
{
    private static string Source(params string[] parts) => File.ReadAllText(Path.Combine([Samples.Repo.Root, .. parts]));

    // NAME = value of the header's `typedef NF_ENUM(name) { ... }`, keyed without prefix and
    // underscores, lower case ("NF_BINARY_NOT_EQUAL" -> "notequal").
    private static Dictionary<string, int> HeaderEnum(string name, string prefix)
    {
        var header = Source("native", "include", "neuralflow.h");
        var block = Regex.Match(header, @"typedef NF_ENUM\(" + name + @"\)\s*\{(?<body>[^}]*)\}");
        Assert.True(block.Success, $"neuralflow.h has no enum {name}");
        return Regex.Matches(block.Groups["body"].Value, @"\b" + prefix + @"(?<key>\w+)\s*=\s*(?<value>\d+)")
            .ToDictionary(m => Key(m.Groups["key"].Value), m => int.Parse(m.Groups["value"].Value));
    }

    private static Dictionary<string, int> CSharpEnum<T>() where T : struct, Enum =>
        Enum.GetValues<T>().ToDictionary(v => Key(v.ToString()), v => Convert.ToInt32(v));

    private static string Key(string name) => name.Replace("_", "").ToLowerInvariant();

    public static TheoryData<string, string, string> Pairs() => new()
    {
        { "nf_dtype", "NF_", nameof(DType) },
        { "nf_binary_op", "NF_BINARY_", nameof(BinaryOp) },
        { "nf_unary_op", "NF_UNARY_", nameof(UnaryOp) },
        { "nf_reduce_op", "NF_REDUCE_", nameof(ReduceOp) },
        { "nf_optimizer", "NF_OPTIMIZER_", nameof(OptimizerKind) },
        { "nf_pool_op", "NF_POOL_", nameof(PoolOp) },
        { "nf_scan_op", "NF_SCAN_", nameof(ScanOp) },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Every_value_has_the_same_name_and_number_on_both_sides(string header, string prefix, string csharp)
    {
        var native = HeaderEnum(header, prefix);
        var managed = csharp switch
        {
            // DType.String is host text (StringTensor, tf.string): no tensor has it, so the native engine never
            // sees it and its header has no such value; every other dtype must match.
            nameof(DType) => CSharpEnum<DType>().Where(kv => kv.Key != Key(nameof(DType.String))).ToDictionary(),
            nameof(BinaryOp) => CSharpEnum<BinaryOp>(),
            nameof(UnaryOp) => CSharpEnum<UnaryOp>(),
            nameof(ReduceOp) => CSharpEnum<ReduceOp>(),
            nameof(PoolOp) => CSharpEnum<PoolOp>(),
            nameof(ScanOp) => CSharpEnum<ScanOp>(),
            _ => CSharpEnum<OptimizerKind>(),
        };
        Assert.Equal(native.OrderBy(kv => kv.Value), managed.OrderBy(kv => kv.Value));
    }

    [Fact]
    public void The_float_only_unary_ops_are_the_native_lists()
    {
        // X(NF_UNARY_EXP, Exp, "exp", 0, 8): a flag of 0 means floats only.
        var list = Source("native", "src", "common", "elementwise_list.h");
        var floatOnly = Regex.Matches(list, @"X\(NF_UNARY_(?<key>\w+),\s*\w+,\s*""\w+"",\s*(?<flag>[01])")
            .Where(m => m.Groups["flag"].Value == "0").Select(m => Key(m.Groups["key"].Value)).Order().ToList();
        Assert.NotEmpty(floatOnly);
        Assert.Equal(floatOnly, Enum.GetValues<UnaryOp>().Where(op => op.NeedsFloat()).Select(op => Key(op.ToString())).Order());
    }
}
