using NeuralFlow.Backends;

namespace NeuralFlow;

/// <summary>
/// The one road from the API to a backend. The ops (NF, Tensor, Variable, the optimizers) keep
/// their API and gradient rules; they validate and shape their results here, and only the
/// Engine files call <see cref="IBackend"/>, holding the operands alive across each call with
/// <see cref="Operands"/>. This file: the rules shared by ops (devices, broadcasting, dtypes,
/// axes) and the elementwise ops; Engine.Memory.cs: creation, copies and transfers;
/// Engine.Kernels.cs: the other kernels.
/// </summary>
internal static partial class Engine
{
    /// <summary>The backend shared by the operands, or an error naming both devices.</summary>
    [MethodImpl(Hot)]
    public static IBackend BackendOf(string op, Tensor a, Tensor b)
    {
        var ba = a.Backend;
        var bb = b.Backend;
        if (ReferenceEquals(ba, bb)) return ba;
        throw new ArgumentException(
            $"{op}: operands are on different devices ({Describe(ba)} and {Describe(bb)}); move one with tensor.To(\"{ba.Device}\") or make both under the same NF.Device scope.");
    }

    // "gpu:0", "cpu", or "cpu (managed backend)" where two CPU backends must be told apart.
    private static string Describe(IBackend b) =>
        b.Device.Kind == DeviceKind.Cpu && b.Name != "cpu" ? $"cpu ({b.Name} backend)" : b.Device.ToString();

    /// <summary>NumPy broadcasting of two shapes, or an error naming both.</summary>
    [MethodImpl(Hot)]
    public static Shape BroadcastShapes(string op, Shape a, Shape b)
    {
        if (a == b) return a;
        int rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Rank) >= 0 ? a.Dims[i - (rank - a.Rank)] : 1;
            int db = i - (rank - b.Rank) >= 0 ? b.Dims[i - (rank - b.Rank)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException(
                    $"{op}: shapes {a} and {b} cannot be broadcast together (dimension {i} of the result: {da} vs {db}).");
            dims[i] = da == 1 ? db : da;
        }
        return new Shape(dims);
    }

    /// <summary>
    /// The dtype both operands take. Two tensors must agree; a weak scalar (a C# number) takes
    /// the tensor's dtype, except that a floating scalar with an integer tensor gives float32.
    /// </summary>
    [MethodImpl(Hot)]
    public static DType CommonDType(string op, Tensor a, Tensor b) => CommonDType(op, (a.DType, a.IsWeakScalar), (b.DType, b.IsWeakScalar));

    // The rule on dtypes alone (Weak: a C# number), for code that has no tensors (the ONNX exporter's casts).
    private static DType CommonDType(string op, (DType DType, bool Weak) a, (DType DType, bool Weak) b)
    {
        if (a.DType == b.DType) return a.DType;
        if (a.Weak != b.Weak)
        {
            var (tensor, scalar) = a.Weak ? (b, a) : (a, b);
            if (scalar.DType.IsFloating() && !tensor.DType.IsFloating()) return DType.Float32;
            if (tensor.DType == DType.Bool) return scalar.DType;
            return tensor.DType;
        }
        if (a.Weak && b.Weak)
            return a.DType.IsFloating() ? a.DType : b.DType.IsFloating() ? b.DType : DType.Int64;
        throw new ArgumentException(
            $"{op}: dtypes must match, got {a.DType.Name()} and {b.DType.Name()}; convert one with NF.Cast(x, DType.{(a.DType.IsFloating() ? a.DType : b.DType)}).");
    }

    /// <summary>
    /// The dtype of the NumPy-style ops (np.average, digitize, isin, hypot, where, ...), which
    /// keras.ops and NumPy let mix dtypes: <see cref="CommonDType(string, Tensor, Tensor)"/>'s rule, except that two
    /// tensors of different dtypes take the wider one instead of an error, in the order
    /// bool &lt; uint8 &lt; int32 &lt; int64 &lt; float16 &lt; float32 &lt; float64 (torch.promote_types for
    /// these dtypes: an integer with a float gives that float, as NF's int32 / int32 gives float32;
    /// float16 with int64 is float16, with float32 float32).
    /// </summary>
    public static DType PromotedDType(string op, Tensor a, Tensor b) => PromotedDType(op, (a.DType, a.IsWeakScalar), (b.DType, b.IsWeakScalar));

    /// <summary><see cref="PromotedDType(string, Tensor, Tensor)"/> of operands known by their dtypes (Weak: a C# number).</summary>
    internal static DType PromotedDType(string op, (DType DType, bool Weak) a, (DType DType, bool Weak) b) =>
        a.DType != b.DType && !a.Weak && !b.Weak
            ? (PromotionRank(a.DType) >= PromotionRank(b.DType) ? a.DType : b.DType)
            : CommonDType(op, a, b);

    private static int PromotionRank(DType dtype) => dtype switch
    {
        DType.Bool => 0,
        DType.UInt8 => 1,
        DType.Int32 => 2,
        DType.Int64 => 3,
        DType.Float16 => 4,
        DType.Float32 => 5,
        _ => 6,
    };

    /// <summary>
    /// Both tensors in their <see cref="PromotedDType(string, Tensor, Tensor)"/> (a C# number stays as it is, for the op to
    /// place as usual). The casts are recorded, so a gradient returns in each operand's own dtype;
    /// they are not disposed by the callers, as a tape may keep them.
    /// </summary>
    public static (Tensor A, Tensor B) Promote(string op, Tensor a, Tensor b)
    {
        var dtype = PromotedDType(op, a, b);
        return (a.IsWeakScalar ? a : As(a, dtype), b.IsWeakScalar ? b : As(b, dtype));
    }

    /// <summary>The tensor as <paramref name="dtype"/>: itself (a new reference) or a cast copy.</summary>
    [MethodImpl(Hot)]
    public static Tensor As(Tensor t, DType dtype) => t.DType == dtype ? t : NF.Cast(t, dtype);

    [MethodImpl(Hot)]
    public static Tensor Binary(BinaryOp op, Tensor a, Tensor b, string name)
    {
        if (WeakBinary(op, a, b, name) is { } number) return number;
        // A C# number, still only a value (WeakScalar), goes to the backend of the tensor it meets.
        if (!ReferenceEquals(a.Backend, b.Backend))
        {
            if (a.IsWeakScalar) a = Rehome(a, b.Backend);
            else if (b.IsWeakScalar) b = Rehome(b, a.Backend);
        }
        var backend = BackendOf(name, a, b);
        var dtype = CommonDType(name, a, b);
        if (op == BinaryOp.Div && !dtype.IsFloating()) dtype = DType.Float32; // true division, as in PyTorch
        if (dtype == DType.Bool && !op.TakesBool())
            throw new ArgumentException(op.IsBitwise()
                ? $"{name}: shifts are not defined on bool tensors (a shifted bool is no longer 0 or 1); cast them first with NF.Cast(x, DType.Int32)."
                : $"{name}: arithmetic on bool tensors is not defined; cast them first with NF.Cast(x, DType.Int32) or DType.Float32.");
        if (dtype.IsFloating() && op.IsBitwise())
            throw new ArgumentException(
                $"{name}: bitwise ops take integer or bool tensors, not {dtype.Name()} (operands {a.DType.Name()} and {b.DType.Name()}); cast first with NF.Cast(x, DType.Int32).");
        ScalarRange.CheckWeak(name, a, dtype);
        ScalarRange.CheckWeak(name, b, dtype);
        var ca = As(a, dtype);
        var cb = As(b, dtype);
        try
        {
            if (dtype == DType.Float16)
            {
                using var f = new Float16Compute();
                return Float16Compute.Narrowed(Binary(op, f.In(ca), f.In(cb), name));
            }
            var shape = BroadcastShapes(name, ca.Shape, cb.Shape);
            var result = Tensor.Empty(shape, op.IsComparison() ? DType.Bool : dtype, backend);
            using (var held = new Operands(ca, cb))
                backend.Binary(op, dtype, held.A, ca.Layout.BroadcastTo(shape), held.B, cb.Layout.BroadcastTo(shape), result.Data, result.Layout);
            return result;
        }
        finally
        {
            if (!ReferenceEquals(ca, a)) ca.Dispose();
            if (!ReferenceEquals(cb, b)) cb.Dispose();
        }
    }

    /// <summary>
    /// <paramref name="target"/> *= <paramref name="factor"/> in place, for a fresh tensor nothing
    /// else reads (the elementwise kernels may run in place: Aliasing.SameElements); factor
    /// broadcasts to target's shape and has its dtype and backend.
    /// </summary>
    [MethodImpl(Hot)]
    public static void MultiplyInPlace(Tensor target, Tensor factor)
    {
        if (Float16Compute.Involves(target, factor))
        {
            using var f = new Float16Compute();
            MultiplyInPlace(f.InOut(target), f.In(factor));
            return;
        }
        var backend = BackendOf(nameof(MultiplyInPlace), target, factor);
        using var held = new Operands(factor, target);
        backend.Binary(BinaryOp.Mul, target.DType, held.A, factor.Layout.BroadcastTo(target.Shape), held.B, target.Layout, held.B, target.Layout);
        target.Storage.BumpVersion();
    }

    [MethodImpl(Hot)]
    public static Tensor Unary(UnaryOp op, Tensor x)
    {
        if (WeakUnary(op, x) is { } number) return number;
        var dtype = x.DType;
        if (dtype == DType.Bool)
            throw new ArgumentException($"{op}: not defined for bool tensors; cast first with NF.Cast(x, DType.Float32).");
        // Exp, Log, Sqrt, Sigmoid and Tanh of integers compute in float32, as PyTorch does.
        if (dtype == DType.Float16)
        {
            using var f = new Float16Compute();
            return Float16Compute.Narrowed(Unary(op, f.In(x)));
        }
        var input = op.NeedsFloat() && !dtype.IsFloating() ? NF.Cast(x, DType.Float32) : x;
        try
        {
            var result = Tensor.Empty(input.Shape, input.DType, input.Backend);
            using (var held = new Operands(input))
                input.Backend.Unary(op, input.DType, held.A, input.Layout, result.Data, result.Layout);
            return result;
        }
        finally
        {
            if (!ReferenceEquals(input, x)) input.Dispose();
        }
    }

    /// <summary>Normalises axes (negative from the end, no repeats) into a bit mask.</summary>
    [MethodImpl(Hot)]
    public static uint AxesMask(string op, Shape shape, ReadOnlySpan<int> axes)
    {
        uint mask = 0;
        foreach (var axis in axes)
        {
            int a = shape.NormalizeAxis(axis);
            if ((mask & (1u << a)) != 0)
                throw new ArgumentException($"{op}: axis {axis} is listed twice for shape {shape}.");
            mask |= 1u << a;
        }
        return mask;
    }
}
