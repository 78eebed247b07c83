using System.Diagnostics;
using System.Reflection;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace NeuralFlow.GpuCheck;

/// <summary>
/// Runs xunit facts and theories of the concrete backend suites (classes named Cuda*, NativeCpu*
/// or Managed*) by reflection, as xunit would: a new instance per test case, theory rows from
/// their data attributes, Dispose after each, SkipException as a skip. No test host needed.
/// </summary>
internal static class TestRunner
{
    private sealed class ConsoleOutput : ITestOutputHelper
    {
        public void WriteLine(string message) => Console.WriteLine("      " + message);
        public void WriteLine(string format, params object[] args) => WriteLine(string.Format(format, args));
    }

    public static int Run(string prefix, IReadOnlyList<string> filters)
    {
        var assembly = typeof(NeuralFlow.Tests.DeviceTests).Assembly;
        var classes = assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && t.Name.StartsWith(prefix, StringComparison.Ordinal))
            .Where(t => filters.Count == 0 || filters.Any(f => t.Name.Contains(f, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(t => t.Name).ToList();
        int passed = 0, failed = 0, skipped = 0;
        var clock = Stopwatch.StartNew();
        foreach (var type in classes)
        {
            Console.WriteLine($"== {type.Name}");
            var methods = type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .Where(m => m.GetCustomAttribute<FactAttribute>() is not null).OrderBy(m => m.Name);
            foreach (var method in methods)
            {
                var fact = method.GetCustomAttribute<FactAttribute>()!;
                foreach (var row in Rows(method))
                {
                    string name = row.Length == 0 ? method.Name : $"{method.Name}({string.Join(", ", row.Select(Show))})";
                    if (fact.Skip is not null)
                    {
                        skipped++;
                        Console.WriteLine($"  SKIP {name}: {fact.Skip}");
                        continue;
                    }
                    var (outcome, message) = RunOne(type, method, row);
                    switch (outcome)
                    {
                        case "PASS": passed++; Console.WriteLine($"  PASS {name}"); break;
                        case "SKIP": skipped++; Console.WriteLine($"  SKIP {name}: {message}"); break;
                        default: failed++; Console.WriteLine($"  FAIL {name}: {message}"); break;
                    }
                }
            }
        }
        Console.WriteLine($"{classes.Count} suites, {clock.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
        return failed == 0 && passed > 0 ? 0 : 1;
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        Array a => $"[{string.Join(", ", a.Cast<object>().Select(Show))}]",
        _ => value.ToString() ?? "",
    };

    private static IEnumerable<object?[]> Rows(MethodInfo method)
    {
        var data = method.GetCustomAttributes<DataAttribute>().ToList();
        if (data.Count == 0) return [[]];
        return data.SelectMany(d => d.GetData(method));
    }

    private static (string Outcome, string Message) RunOne(Type type, MethodInfo method, object?[] row)
    {
        object? instance = null;
        try
        {
            var ctor = type.GetConstructors().Single();
            var args = ctor.GetParameters().Select(p => p.ParameterType == typeof(ITestOutputHelper) ? new ConsoleOutput() : (object?)null).ToArray();
            instance = ctor.Invoke(args);
            // Optional parameters a data row leaves out take their defaults, as xunit fills them.
            var parameters = method.GetParameters();
            var full = parameters.Select((p, i) => i < row.Length ? row[i] : p.HasDefaultValue ? p.DefaultValue : Type.Missing).ToArray();
            var result = method.Invoke(instance, full);
            if (result is Task task) task.GetAwaiter().GetResult();
            return ("PASS", "");
        }
        catch (Exception e)
        {
            var inner = e is TargetInvocationException { InnerException: { } ie } ? ie : e;
            if (inner.GetType().Name == "SkipException") return ("SKIP", inner.Message);
            // A bundle made without ONNX Runtime's native library (an older scripts/gpu-check.sh left it out
            // for the device tool's 64 MiB): the ONNX export suites run on every CI build.
            if (inner is TypeInitializationException { TypeName: { } t } && t.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal))
                return ("SKIP", "ONNX Runtime's native library is not in the GPU bundle");
            // The data-parallel suites start their worker project with dotnet and mpirun from the repository.
            if (inner is TypeInitializationException { TypeName: "NeuralFlow.Tests.Distributed.MpiJob" })
                return ("SKIP", "the distributed suites need the repository's worker, dotnet and mpirun");
            return ("FAIL", $"{inner.GetType().Name}: {inner.Message.Split('\n')[0]}");
        }
        finally
        {
            try { (instance as IDisposable)?.Dispose(); } catch { /* reported by the test itself */ }
        }
    }
}
