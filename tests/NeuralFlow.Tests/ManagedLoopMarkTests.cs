using System.Reflection;
using System.Reflection.Emit;
using NeuralFlow.Backends.Managed;

namespace NeuralFlow.Tests;

/// <summary>
/// The managed engine's per-element loops are compiled optimized at their first call
/// (Jit.ManagedKernel). The kernels carried the mark, but the op structs' span loops they call
/// (ReluOp.Vec, the scalar fallbacks, the reductions' row loops) did not, and ran as tier-0 code
/// for the first 0.1-1 s of a process (issue 17: a 256x50 relu 11-42 us instead of 2). A loop in
/// one of these types without the mark fails here, whoever adds it.
/// </summary>
public sealed class ManagedLoopMarkTests
{
    private static readonly Type[] OpInterfaces =
        [typeof(IBinaryOp<>), typeof(IUnaryOp<>), typeof(IConvertOp<,>), typeof(IReducer<,>), typeof(ISpanFn<>)];

    private static readonly Type[] LoopClasses =
        [typeof(ScalarLoops), typeof(PickLoops), typeof(VectorLoops), typeof(Widening), typeof(WholeVectors)];

    // The op structs of the managed engine and its shared loop classes.
    private static IEnumerable<Type> LoopTypes() =>
        typeof(ManagedBackend).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(ManagedBackend).Namespace &&
                        (LoopClasses.Contains(t) || t.GetInterfaces().Any(i => i.IsGenericType && OpInterfaces.Contains(i.GetGenericTypeDefinition()))));

    [Fact]
    public void Every_loop_of_the_managed_op_structs_compiles_optimized_at_first_call()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
        var types = LoopTypes().ToList();
        Assert.Contains(typeof(ReluOp<>), types);
        Assert.Contains(typeof(AddOp<>), types);
        var unmarked = types
            .SelectMany(t => t.GetMethods(all))
            .Where(m => HasLoop(m) && (m.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) == 0)
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToList();
        Assert.True(unmarked.Count == 0, "loops without [MethodImpl(ManagedKernel)]: " + string.Join(", ", unmarked));
    }

    [Fact]
    public void The_loop_finder_sees_loops_and_straight_code()
    {
        Assert.True(HasLoop(typeof(ScalarLoops).GetMethod(nameof(ScalarLoops.Map))!));
        Assert.False(HasLoop(typeof(AddOp<float>).GetMethod("Vec")!));  // forwards to VectorLoops
    }

    private static readonly Dictionary<short, OpCode> Codes = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(c => c.Value);

    // Whether the method's IL branches backwards (a loop).
    private static bool HasLoop(MethodInfo m)
    {
        var il = m.GetMethodBody()?.GetILAsByteArray();
        if (il is null) return false;
        int ip = 0;
        while (ip < il.Length)
        {
            int at = ip;
            short value = il[ip] == 0xFE ? (short)(0xFE00 | il[ip + 1]) : il[ip];
            ip += il[ip] == 0xFE ? 2 : 1;
            var code = Codes[value];
            switch (code.OperandType)
            {
                case OperandType.ShortInlineBrTarget:
                    if (ip + 1 + (sbyte)il[ip] <= at) return true;
                    ip += 1;
                    break;
                case OperandType.InlineBrTarget:
                    if (ip + 4 + BitConverter.ToInt32(il, ip) <= at) return true;
                    ip += 4;
                    break;
                case OperandType.InlineSwitch:
                    ip += 4 + 4 * BitConverter.ToInt32(il, ip);
                    break;
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineI or OperandType.ShortInlineVar: ip += 1; break;
                case OperandType.InlineVar: ip += 2; break;
                case OperandType.InlineI8 or OperandType.InlineR: ip += 8; break;
                default: ip += 4; break;
            }
        }
        return false;
    }
}
