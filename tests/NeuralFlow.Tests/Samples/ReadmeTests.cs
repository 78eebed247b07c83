using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NeuralFlow.Tests.Samples;

/// <summary>
/// Every <c>```csharp</c> block of README.md compiles, as a top-level program against the NeuralFlow
/// assemblies with the SDK's implicit usings (the samples' settings), so the README cannot drift from the API.
/// </summary>
public sealed class ReadmeTests
{
    /// <summary>The global usings of a project with ImplicitUsings (Microsoft.NET.Sdk), as the README's readers have.</summary>
    private const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    /// <summary>The csharp blocks of README.md: the line of their first code line, and their text.</summary>
    public static IReadOnlyList<(int Line, string Code)> CodeBlocks(string markdown)
    {
        var blocks = new List<(int, string)>();
        foreach (Match m in Regex.Matches(markdown, @"^```(?:csharp|cs|c#)[ \t]*\r?\n(.*?)^```[ \t]*$", RegexOptions.Multiline | RegexOptions.Singleline))
        {
            int line = markdown.AsSpan(0, m.Groups[1].Index).Count('\n') + 1;
            blocks.Add((line, m.Groups[1].Value));
        }
        return blocks;
    }

    public static TheoryData<int> BlockLines() =>
        new(CodeBlocks(File.ReadAllText(Path.Combine(Repo.Root, "README.md"))).Select(b => b.Line));

    [Fact]
    public void ReadmeHasCsharpBlocks() => Assert.NotEmpty(BlockLines());

    [Theory]
    [MemberData(nameof(BlockLines))]
    public void ReadmeCodeBlockCompiles(int line)
    {
        var (_, code) = CodeBlocks(File.ReadAllText(Path.Combine(Repo.Root, "README.md"))).Single(b => b.Line == line);
        var errors = Compile(code);
        Assert.True(errors.Count == 0,
            $"README.md block at line {line} does not compile:\n" +
            string.Join("\n", errors.Select(d => $"  README.md({line + d.Location.GetLineSpan().StartLinePosition.Line},{d.Location.GetLineSpan().StartLinePosition.Character + 1}): {d.Id}: {d.GetMessage()}")));
    }

    [Fact]
    public void BrokenCodeIsCaughtWithItsLine()
    {
        var errors = Compile("using NeuralFlow;\nvar x = NF.Constant(new[] { 1, 2 });\nvar y = NF.NoSuchOp(x);\n");
        var error = Assert.Single(errors);
        Assert.Equal("CS0117", error.Id);
        Assert.Equal(2, error.Location.GetLineSpan().StartLinePosition.Line);
        var blocks = CodeBlocks("intro\n\n```csharp\nvar a = 1;\n```\n\n```bash\nls\n```\n```csharp\nvar b = 2;\n```\n");
        Assert.Equal([(4, "var a = 1;\n"), (11, "var b = 2;\n")], blocks);
    }

    /// <summary>The compile errors of <paramref name="code"/> as a console program, located in its own text.</summary>
    private static List<Diagnostic> Compile(string code)
    {
        var options = new CSharpParseOptions(LanguageVersion.Preview);
        var program = CSharpSyntaxTree.ParseText(code, options, path: "README.md");
        var usings = CSharpSyntaxTree.ParseText(GlobalUsings, options, path: "GlobalUsings.g.cs");
        var compilation = CSharpCompilation.Create("ReadmeBlock", [usings, program], References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
        using var pe = new MemoryStream();
        var result = compilation.Emit(pe);
        return result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
    }

    /// <summary>The framework (the test host's trusted platform assemblies) and NeuralFlow, NeuralFlow.Plotting and their dependencies.</summary>
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat([typeof(NF).Assembly.Location, typeof(NeuralFlow.Plotting.Plots).Assembly.Location])
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "NeuralFlow*.dll"))
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "ScottPlot.dll"))
            .Where(p => p.Length > 0 && File.Exists(p))
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase).Select(g => g.First());
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray();
    });
}
