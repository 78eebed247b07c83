using NeuralFlow.Backends;
using Kind = NeuralFlow.FunctionTrace.BufferKind;
using R = NeuralFlow.FunctionTrace.Ref;

namespace NeuralFlow;

/// <summary>
/// Issue 17's elementwise fusion at plan time: a run of consecutive elementwise calls of one
/// float dtype and shape (a bias add and its activation; an activation's gradient: sigmoid's
/// g * y * (1 - y), relu's compare, cast to the mask, multiply; a scale by a constant), each of
/// whose results feeds a later call of the run, and whose intermediate results are temporaries
/// nothing else reads, becomes one <see cref="IBackend.FusedElementwise"/> call. The
/// intermediates then need no memory and no pass over it; each step is the op the unfused call
/// ran, computed by the backend's own function for it, so the replay keeps its bits. The calls
/// are read from their <see cref="KernelCall"/> records.
/// </summary>
internal static class ElementwiseFusion
{
    /// <summary>A kept op with its references mapped to canonical buffers (ReplayPlan).</summary>
    internal readonly record struct Planned(FunctionTrace.Op Op, R[] Reads, R[] Writes);

    /// <summary>The replay closure of one program call; also the recorder's, so a traced FusedElementwise replays the same way.</summary>
    public static Action<nint[]> Runner(IBackend backend, DType dtype, R[] inputs, Layout[] inputLayouts, FusedStep[] steps, R output, Layout outLayout)
    {
        var pointers = new nint[inputs.Length];
        return bases =>
        {
            for (int i = 0; i < pointers.Length; i++) pointers[i] = inputs[i].At(bases);
            backend.FusedElementwise(dtype, pointers, inputLayouts, steps, output.At(bases), outLayout);
        };
    }

    /// <summary>True when NEURALFLOW_FUSION=0 turns fusion and constant folding off (to compare a plan with and without them).</summary>
    public static bool Disabled => Environment.GetEnvironmentVariable("NEURALFLOW_FUSION") == "0";

    /// <summary>Replaces each fusable run of <paramref name="ops"/> by one program call.</summary>
    public static List<Planned> Fuse(List<Planned> ops, IReadOnlyList<FunctionTrace.Buffer> buffers, bool[] isOutput)
    {
        if (Disabled) return ops;
        var result = new List<Planned>(ops.Count);
        for (int i = 0; i < ops.Count;)
        {
            var group = LongestGroup(ops, i, buffers, isOutput);
            if (group is null)
            {
                result.Add(ops[i++]);
                continue;
            }
            result.Add(group.Value.Fused);
            i += group.Value.Length;
        }
        return result;
    }

    private static bool Fusable(KernelCall? e) => e is { Kind: CallKind.Binary or CallKind.Unary or CallKind.Cast } &&
        e.Backend is Backends.Managed.ManagedBackend or Backends.Native.NativeKernelBackend && (e.StepKind switch
        {
            null => e.InDType == DType.Bool && e.OutDType is DType.Float32 or DType.Float64,  // a cast: a comparison's mask
            FusedKind k => e.InDType is DType.Float32 or DType.Float64 && FusedProgram.Supports(k, e.Code),
        });

    // The longest run from `start` (two ops at least) that fuses into a valid program, or null.
    private static (Planned Fused, int Length)? LongestGroup(List<Planned> ops, int start, IReadOnlyList<FunctionTrace.Buffer> buffers, bool[] isOutput)
    {
        int end = start;
        while (end < ops.Count && Fusable(ops[end].Op.Call)) end++;
        for (int length = end - start; length >= 2; length--)
            if (Build(ops, start, length, buffers, isOutput) is { } fused) return (fused, length);
        return null;
    }

    // A value a group computed: the step that holds it, and whether it is a comparison's bool (usable only through a cast).
    private readonly record struct Value(int Step, bool IsBool);

    // The key of a value: the buffer and offset it was written to, and the layout it was written with.
    private static bool SameKey(R r, Layout l, R r2, Layout l2) =>
        r == r2 && l.Offset == l2.Offset && l.Shape.Equals(l2.Shape) && l.Strides.AsSpan().SequenceEqual(l2.Strides);

    private static Planned? Build(List<Planned> ops, int start, int length, IReadOnlyList<FunctionTrace.Buffer> buffers, bool[] isOutput)
    {
        var first = ops[start].Op.Call!;
        var shape = first.OutLayout.Shape;
        var backend = first.Backend;
        DType dtype = first.StepKind is null ? first.OutDType : first.InDType;
        var defs = new List<(R Ref, Layout Layout, Value Value)>();     // values computed so far, latest last
        var inputs = new List<(R Canonical, R Original, Layout Layout)>();
        var steps = new List<(FusedKind Kind, int Op, int A, int B)>(); // operands: >= 0 step, < 0 input ~k
        var consumed = new List<bool>();                                // steps[i]'s value is read by a later step
        for (int j = start; j < start + length; j++)
        {
            var (op, reads, writes) = ops[j];
            var e = op.Call!;
            if (!ReferenceEquals(e.Backend, backend) || !e.OutLayout.Shape.Equals(shape)) return null;
            if ((e.StepKind is null ? e.OutDType : e.InDType) != dtype) return null;
            var operands = new int[reads.Length];
            var bools = new bool[reads.Length];
            for (int k = 0; k < reads.Length; k++)
            {
                int d = defs.FindLastIndex(v => v.Ref.Buffer == reads[k].Buffer);
                if (d >= 0)
                {
                    // Read back with the layout it was written with, or not at all.
                    if (!SameKey(defs[d].Ref, defs[d].Layout, reads[k], e.InLayout(k))) return null;
                    operands[k] = defs[d].Value.Step;
                    consumed[defs[d].Value.Step] = true;
                    bools[k] = defs[d].Value.IsBool;
                    continue;
                }
                int at = inputs.FindIndex(x => SameKey(x.Canonical, x.Layout, reads[k], e.InLayout(k)));
                if (at < 0)
                {
                    at = inputs.Count;
                    inputs.Add((reads[k], op.Reads[k], e.InLayout(k)));
                }
                operands[k] = ~at;
            }
            Value result;
            if (e.StepKind is not { } stepKind)
            {
                if (operands[0] < 0 || !bools[0]) return null;      // only a comparison's mask casts for free
                result = new Value(operands[0], false);
            }
            else
            {
                if (bools.Any(b => b)) return null;                 // a bool feeds only a cast
                steps.Add((stepKind, e.Code, operands[0], operands.Length > 1 ? operands[1] : 0));
                consumed.Add(false);
                result = new Value(steps.Count - 1, stepKind == FusedKind.Binary && FusedProgram.IsComparison((BinaryOp)e.Code));
            }
            defs.Add((writes[0], e.OutLayout, result));
        }
        if (inputs.Count > FusedStep.MaxInputs || steps.Count > FusedStep.MaxSteps || steps.Count == 0) return null;
        var final = defs[^1];
        if (final.Value.IsBool || final.Value.Step != steps.Count - 1) return null;
        // Every step but the last feeds a later one (a chain, or a tree such as g * y * (1 - y)):
        // an unrelated call gains nothing from the program and would hide where the run ends.
        if (consumed.Take(steps.Count - 1).Contains(false)) return null;
        var last = ops[start + length - 1];
        // Every other value is gone after the group: a temporary that is not an output of the
        // function and that no later op touches (unless it is the final value's own buffer).
        for (int d = 0; d < defs.Count - 1; d++)
        {
            var r = defs[d].Ref;
            if (r.Buffer == final.Ref.Buffer)
            {
                if (!SameKey(r, defs[d].Layout, final.Ref, final.Layout)) return null;
                continue;
            }
            if (buffers[r.Buffer].Kind != Kind.Temporary || isOutput[r.Buffer]) return null;
            for (int j = start + length; j < ops.Count; j++)
                if (Array.Exists(ops[j].Reads, x => x.Buffer == r.Buffer) || Array.Exists(ops[j].Writes, x => x.Buffer == r.Buffer)) return null;
        }
        // The output may be an input's buffer only as that very element order (read, then written, per element).
        foreach (var x in inputs)
            if (x.Canonical.Buffer == final.Ref.Buffer && !SameKey(x.Canonical, x.Layout, final.Ref, final.Layout)) return null;
        int nin = inputs.Count;
        int Reg(int operand) => operand >= 0 ? nin + operand : ~operand;
        var program = steps.Select(s => new FusedStep(s.Kind, s.Op, Reg(s.A), s.Kind == FusedKind.Binary ? Reg(s.B) : 0)).ToArray();
        var run = Runner(backend, dtype, inputs.Select(x => x.Original).ToArray(), inputs.Select(x => x.Layout).ToArray(), program,
                         last.Op.Writes[0], final.Layout);
        var inputRefs = inputs.Select(x => x.Canonical).ToArray();
        var name = $"FusedElementwise[{string.Join(",", program.Select(p => p.Kind == FusedKind.Binary ? ((BinaryOp)p.Op).ToString() : ((UnaryOp)p.Op).ToString()))}] {shape}";
        return new Planned(new FunctionTrace.Op(run, inputRefs, [final.Ref], kernel: name), inputRefs, [final.Ref]);
    }
}
