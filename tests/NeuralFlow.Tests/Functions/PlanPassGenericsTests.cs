using System.Reflection;
using System.Reflection.Emit;

namespace NeuralFlow.Tests;

/// <summary>
/// Issue 17 (a process's first Fit epoch): the passes that turn a trace into a replay plan run
/// once per trace, so in a fresh process every method they call for the first time is prepared
/// then, inside the first epoch. ReadyToRun precompiles the library's own code, but not a
/// framework generic instantiated over one of the library's structs (List of a struct, LINQ over
/// FunctionTrace.Ref, a tuple holding a Layout): those were JIT-compiled at the first trace, 260
/// of the 388 methods a cold process's first Fit epoch compiled. This reads the passes' IL and
/// fails on any call of such an instantiation, so a new LINQ query or list of structs in a pass
/// is caught here rather than as a slower first epoch.
/// </summary>
public sealed class PlanPassGenericsTests
{
    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;

    private static readonly Assembly Library = typeof(NF).Assembly;

    // The build-time passes: whole types, and ReplayPlan's Create with the helpers it calls.
    // ElementwiseFusion.Runner makes the replay's closure (the replay path, not a pass).
    private static IEnumerable<MethodBase> PassMethods()
    {
        static IEnumerable<Type> WithNested(Type t) => new[] { t }.Concat(t.GetNestedTypes(All).SelectMany(WithNested));
        foreach (var type in new[] { typeof(ElementwiseFusion), typeof(DeadCodeElimination), typeof(ConstantFolding), typeof(LinearCrossEntropyFusion), typeof(GatherMatMulFusion), typeof(PlanEdits) }.SelectMany(WithNested))
            foreach (var m in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
                if (!m.Name.Contains("Runner") && m.DeclaringType!.Name is not ("Planned" or "Value" or "Def" or "Input" or "Step"))
                    yield return m;
        var planHelpers = new[] { "Create", "Canonical", "Span", "TemporariesByFirstUse" };
        foreach (var type in WithNested(typeof(ReplayPlan)))
            foreach (var m in type.GetMethods(All))
                if (planHelpers.Any(h => m.Name == h || m.Name.Contains("<" + h + ">")))
                    yield return m;
    }

    // True for a library value type, or a generic type with one among its arguments (a tuple of a Layout).
    private static bool HoldsLibraryStruct(Type t) =>
        (t.IsValueType && t.Assembly == Library && !t.IsEnum) || (t.IsGenericType && t.GetGenericArguments().Any(HoldsLibraryStruct));

    // Framework generics over a library struct, except Nullable, whose members are inlined across
    // the version bubble (marked non-versionable) and so are never JIT-compiled on their own.
    private static bool NeedsJit(MethodBase callee)
    {
        var owner = callee.DeclaringType!;
        if (owner.Assembly == Library || (owner.IsGenericType && owner.GetGenericTypeDefinition() == typeof(Nullable<>))) return false;
        var arguments = (owner.IsGenericType ? owner.GetGenericArguments() : []).Concat(callee.IsGenericMethod ? callee.GetGenericArguments() : []);
        return arguments.Any(HoldsLibraryStruct);
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue =
        typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    // The methods a method's IL calls, creates or takes the address of.
    private static IEnumerable<MethodBase> Callees(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray() ?? [];
        var typeArgs = method.DeclaringType!.IsGenericType ? method.DeclaringType.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            var op = OpCodesByValue[value];
            i += op.Size;
            if (op.OperandType == OperandType.InlineMethod)
                yield return method.Module.ResolveMethod(BitConverter.ToInt32(il, i), typeArgs, null)!;
            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
        }
    }

    [Fact]
    public void The_plan_passes_call_no_framework_generic_over_a_library_struct()
    {
        var methods = PassMethods().ToList();
        Assert.Contains(methods, m => m.Name == "Create");
        Assert.Contains(methods, m => m.Name == "Build");
        Assert.Contains(methods, m => m.Name == "Prune");
        Assert.Contains(methods, m => m.Name == "Split");
        var found = methods.SelectMany(m => Callees(m).Where(NeedsJit).Select(c => $"{m.DeclaringType!.Name}.{m.Name} calls {c.DeclaringType}.{c.Name}")).Distinct().ToList();
        Assert.True(found.Count == 0, "JIT-compiled at a process's first trace:\n" + string.Join("\n", found));
    }

    [Fact]
    public void The_check_sees_a_list_of_a_library_struct()
    {
        // The detector itself: what the passes used before, a List of a struct and LINQ over Ref.
        Assert.True(NeedsJit(typeof(List<FunctionTrace.Ref>).GetMethod("Add")!));
        Assert.True(NeedsJit(typeof(List<(FunctionTrace.Ref, Layout)>).GetMethod("Add")!));
        Assert.True(NeedsJit(typeof(Array).GetMethod(nameof(Array.Exists))!.MakeGenericMethod(typeof(FunctionTrace.Ref))));
        Assert.False(NeedsJit(typeof(List<FunctionTrace.Op>).GetMethod("Add")!));
        Assert.False(NeedsJit(typeof(Layout?).GetProperty("Value")!.GetMethod!));
    }
}
