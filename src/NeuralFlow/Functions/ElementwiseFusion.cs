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
    /// <remarks>
    /// A class, not a struct: the plan passes keep these in lists, and a List of a library struct
    /// is a framework generic instantiation that ReadyToRun cannot precompile, so every one of its
    /// methods was JIT-compiled in a process's first traced step (List of a class shares the
    /// framework's precompiled code). The same holds for the passes' other collections: plain
    /// arrays and loops rather than LINQ or lists of tuples over library types.
    /// </remarks>
    internal sealed record Planned(FunctionTrace.Op Op, R[] Reads, R[] Writes);

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

    /// <summary>
    /// True when NEURALFLOW_FUSION=0 turns fusion and constant folding off (to compare a plan with
    /// and without them), or while a function compiled with jitCompile false is planned.
    /// </summary>
    public static bool Disabled => t_off || Environment.GetEnvironmentVariable("NEURALFLOW_FUSION") == "0";

    // Planning runs on the thread that traced, so a thread's flag is the one function's choice.
    [ThreadStatic] private static bool t_off;

    /// <summary>While the returned scope lasts, plans on this thread are made without fusion when <paramref name="off"/>.</summary>
    public static Scope Off(bool off)
    {
        var scope = new Scope(t_off);
        t_off |= off;
        return scope;
    }

    public readonly struct Scope(bool previous) : IDisposable
    {
        public void Dispose() => t_off = previous;
    }

    /// <summary>Replaces each fusable run of <paramref name="ops"/> by one program call.</summary>
    public static List<Planned> Fuse(List<Planned> ops, IReadOnlyList<FunctionTrace.Buffer> buffers, bool[] isOutput)
    {
        if (Disabled) return ops;
        var result = new List<Planned>(ops.Count);
        // The last op that touches each buffer, so that "no later op touches it" is one lookup
        // instead of a scan of the later ops per candidate (quadratic in the op count). For an
        // LSTM step over 40 time steps (2,000 ops) this pass took 57 ms; the lookup brought it to
        // 34 ms, the shared arrays (Scratch) to 5 ms.
        var lastUse = new int[buffers.Count];
        Array.Fill(lastUse, -1);
        for (int j = 0; j < ops.Count; j++)
        {
            foreach (var r in ops[j].Reads) if (r.Buffer >= 0) lastUse[r.Buffer] = j;
            foreach (var w in ops[j].Writes) if (w.Buffer >= 0) lastUse[w.Buffer] = j;
        }
        var scratch = new Scratch();
        for (int i = 0; i < ops.Count;)
        {
            var fused = LongestGroup(ops, i, buffers, isOutput, lastUse, scratch, out int length);
            if (fused is null)
            {
                result.Add(ops[i++]);
                continue;
            }
            result.Add(fused);
            i += length;
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
    private static Planned? LongestGroup(List<Planned> ops, int start, IReadOnlyList<FunctionTrace.Buffer> buffers, bool[] isOutput, int[] lastUse,
                                         Scratch scratch, out int length)
    {
        int end = start;
        while (end < ops.Count && Fusable(ops[end].Op.Call)) end++;
        for (length = end - start; length >= 2; length--)
            if (Build(ops, start, length, buffers, isOutput, lastUse, scratch) is { } fused) return fused;
        return null;
    }

    // A value a group computed: the step that holds it, and whether it is a comparison's bool (usable only through a cast).
    private struct Value
    {
        public int Step;
        public bool IsBool;
    }

    // A value's key and the value: the buffer and offset it was written to, and the layout it was written with.
    private struct Def
    {
        public R Ref;
        public Layout Layout;
        public Value Value;
    }

    // An input of the program: its canonical reference (for analyses), the one the call recorded (for the replay), its layout.
    private struct Input
    {
        public R Canonical, Original;
        public Layout Layout;
    }

    // One step of the program: operands >= 0 are steps, < 0 input ~k.
    private struct Step
    {
        public FusedKind Kind;
        public int Op, A, B;
    }

    private static bool SameKey(R r, Layout l, R r2, Layout l2) =>
        r == r2 && l.Offset == l2.Offset && l.Shape.Equals(l2.Shape) && SameStrides(l.Strides, l2.Strides);

    private static bool SameStrides(long[] a, long[] b)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++)
            if (a[i] != b[i]) return false;
        return true;
    }

    // The working arrays of Build, reused by every candidate group of one Fuse: a trace tries
    // thousands of groups, and arrays per try were garbage the collector kept meeting.
    private sealed class Scratch
    {
        // Sized by `new`, not `[]`: Array.Empty over these structs is a framework generic that
        // ReadyToRun cannot precompile (PlanPassGenericsTests).
        public Def[] Defs = new Def[16];
        public Input[] Inputs = new Input[32];
        public Step[] Steps = new Step[16];
        public bool[] Consumed = new bool[16];
        public readonly int[] Operands = new int[2];

        public void Reset(int length)
        {
            if (Defs.Length < length) (Defs, Inputs, Steps, Consumed) = (new Def[length], new Input[2 * length], new Step[length], new bool[length]);
            else Array.Clear(Consumed, 0, length);
        }
    }

    private static Planned? Build(List<Planned> ops, int start, int length, IReadOnlyList<FunctionTrace.Buffer> buffers, bool[] isOutput, int[] lastUse,
                                  Scratch scratch)
    {
        var first = ops[start].Op.Call!;
        var shape = first.OutLayout.Shape;
        var backend = first.Backend;
        DType dtype = first.StepKind is null ? first.OutDType : first.InDType;
        // Each op writes one value and reads at most two, so `length` bounds the values and steps.
        scratch.Reset(length);
        var defs = scratch.Defs;                  // values computed so far, latest last
        var inputs = scratch.Inputs;
        var steps = scratch.Steps;
        var consumed = scratch.Consumed;          // steps[i]'s value is read by a later step
        int ndefs = 0, nin = 0, nsteps = 0;
        for (int j = start; j < start + length; j++)
        {
            var (op, reads, writes) = ops[j];
            var e = op.Call!;
            if (!ReferenceEquals(e.Backend, backend) || !e.OutLayout.Shape.Equals(shape)) return null;
            if ((e.StepKind is null ? e.OutDType : e.InDType) != dtype) return null;
            if (reads.Length > 2) return null;
            var operands = scratch.Operands;
            bool anyBool = false, firstBool = false;
            for (int k = 0; k < reads.Length; k++)
            {
                int d = ndefs - 1;
                while (d >= 0 && defs[d].Ref.Buffer != reads[k].Buffer) d--;
                if (d >= 0)
                {
                    // Read back with the layout it was written with, or not at all.
                    if (!SameKey(defs[d].Ref, defs[d].Layout, reads[k], e.InLayout(k))) return null;
                    operands[k] = defs[d].Value.Step;
                    consumed[defs[d].Value.Step] = true;
                    anyBool |= defs[d].Value.IsBool;
                    if (k == 0) firstBool = defs[d].Value.IsBool;
                    continue;
                }
                int at = 0;
                while (at < nin && !SameKey(inputs[at].Canonical, inputs[at].Layout, reads[k], e.InLayout(k))) at++;
                if (at == nin) inputs[nin++] = new Input { Canonical = reads[k], Original = op.Reads[k], Layout = e.InLayout(k) };
                operands[k] = ~at;
            }
            Value result;
            if (e.StepKind is not { } stepKind)
            {
                if (operands[0] < 0 || !firstBool) return null;    // only a comparison's mask casts for free
                result = new Value { Step = operands[0] };
            }
            else
            {
                if (anyBool) return null;                          // a bool feeds only a cast
                steps[nsteps++] = new Step { Kind = stepKind, Op = e.Code, A = operands[0], B = reads.Length > 1 ? operands[1] : 0 };
                result = new Value { Step = nsteps - 1, IsBool = stepKind == FusedKind.Binary && FusedProgram.IsComparison((BinaryOp)e.Code) };
            }
            defs[ndefs++] = new Def { Ref = writes[0], Layout = e.OutLayout, Value = result };
        }
        if (nin > FusedStep.MaxInputs || nsteps > FusedStep.MaxSteps || nsteps == 0) return null;
        var final = defs[ndefs - 1];
        if (final.Value.IsBool || final.Value.Step != nsteps - 1) return null;
        // Every step but the last feeds a later one (a chain, or a tree such as g * y * (1 - y)):
        // an unrelated call gains nothing from the program and would hide where the run ends.
        for (int i = 0; i < nsteps - 1; i++)
            if (!consumed[i]) return null;
        var last = ops[start + length - 1];
        // Every other value is gone after the group: a temporary that is not an output of the
        // function and that no later op touches (unless it is the final value's own buffer).
        for (int d = 0; d < ndefs - 1; d++)
        {
            var r = defs[d].Ref;
            if (r.Buffer == final.Ref.Buffer)
            {
                if (!SameKey(r, defs[d].Layout, final.Ref, final.Layout)) return null;
                continue;
            }
            if (buffers[r.Buffer].Kind != Kind.Temporary || isOutput[r.Buffer] || lastUse[r.Buffer] >= start + length) return null;
        }
        // The output may be an input's buffer only as that very element order (read, then written, per element).
        for (int i = 0; i < nin; i++)
            if (inputs[i].Canonical.Buffer == final.Ref.Buffer && !SameKey(inputs[i].Canonical, inputs[i].Layout, final.Ref, final.Layout)) return null;
        int Reg(int operand) => operand >= 0 ? nin + operand : ~operand;
        var program = new FusedStep[nsteps];
        var names = new string[nsteps];
        for (int i = 0; i < nsteps; i++)
        {
            var st = steps[i];
            program[i] = new FusedStep(st.Kind, st.Op, Reg(st.A), st.Kind == FusedKind.Binary ? Reg(st.B) : 0);
            names[i] = st.Kind == FusedKind.Binary ? ((BinaryOp)st.Op).ToString() : ((UnaryOp)st.Op).ToString();
        }
        var originals = new R[nin];
        var layouts = new Layout[nin];
        var inputRefs = new R[nin];
        for (int i = 0; i < nin; i++) (originals[i], layouts[i], inputRefs[i]) = (inputs[i].Original, inputs[i].Layout, inputs[i].Canonical);
        var run = Runner(backend, dtype, originals, layouts, program, last.Op.Writes[0], final.Layout);
        var name = $"FusedElementwise[{string.Join(",", names)}] {shape}";
        return new Planned(new FunctionTrace.Op(run, inputRefs, [final.Ref], kernel: name), inputRefs, [final.Ref]);
    }
}
