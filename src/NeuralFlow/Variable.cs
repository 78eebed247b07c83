using NeuralFlow.Backends;

namespace NeuralFlow;

/// <summary>
/// A mutable tensor (TensorFlow <c>tf.Variable</c>): model weights and anything updated in
/// place. It reads like any tensor; <see cref="Assign"/>, <see cref="AssignAdd"/> and
/// <see cref="AssignSub"/> change its value, keeping shape and dtype.
/// </summary>
public partial class Variable : Tensor
{
    /// <summary>A variable holding a copy of <paramref name="initialValue"/>.</summary>
    public Variable(Tensor initialValue, bool trainable = true, string? name = null)
        : this(CopyOf(initialValue), trainable, name) { }

    private Variable((Storage Storage, Layout Layout, DType DType) v, bool trainable, string? name)
        : base(v.Storage, v.Layout, v.DType)
    {
        Trainable = trainable;
        CreatedTrainable = trainable;
        Name = name;
        // tf.function's rule: variables are created on the first call only. A model that builds
        // its weights on its first call is traced again on the next one.
        FunctionTrace.Current?.Fail($"the function created variable '{name ?? "?"}' (a model or optimizer building its state on the first call); the next call traces again", retryLater: true);
    }

    /// <summary>A float32 scalar variable.</summary>
    public Variable(float value, bool trainable = true, string? name = null) : this(NF.Constant(value), trainable, name) { }
    /// <summary>A float64 scalar variable.</summary>
    public Variable(double value, bool trainable = true, string? name = null) : this(NF.Constant(value), trainable, name) { }
    /// <summary>An int32 scalar variable.</summary>
    public Variable(int value, bool trainable = true, string? name = null) : this(NF.Constant(value), trainable, name) { }
    /// <summary>An int64 scalar variable.</summary>
    public Variable(long value, bool trainable = true, string? name = null) : this(NF.Constant(value), trainable, name) { }
    /// <summary>
    /// A variable holding a rectangular C# array of any rank, with its shape and the dtype of its
    /// elements: <c>tf.Variable([2., 2.])</c> is <c>new Variable(new[] { 2f, 2f })</c>, a matrix
    /// <c>new Variable(new float[,] { { 1, 2 }, { 3, 4 } })</c>.
    /// </summary>
    public Variable(Array values, bool trainable = true, string? name = null) : this(NF.ConstantOf(values), trainable, name) { }

    /// <summary>
    /// Whether gradient tapes watch this variable automatically and <c>Fit</c> updates it. Settable,
    /// as Keras 3's <c>variable.trainable</c>; <see cref="Keras.Layer.Trainable"/> sets it for all of
    /// a layer's weights that were made trainable.
    /// </summary>
    public bool Trainable { get; set; }

    /// <summary>Whether the variable was made trainable: the ones <see cref="Keras.Layer.Trainable"/> freezes and thaws (Keras' <c>_trainable_variables</c>).</summary>
    internal bool CreatedTrainable { get; }

    /// <summary>
    /// A weight a layer gained after files were written without it (Normalization's count): a file
    /// that lacks it loads, leaving it at its initial value; a file that has it must still match.
    /// </summary>
    internal bool AbsentFromOlderFiles { get; set; }

    /// <summary>An optional name (shown by model summaries).</summary>
    public string? Name { get; }

    /// <summary>
    /// A projection the optimizer applies after each step that updates this variable (Keras'
    /// <c>variable.constraint</c>): the variable becomes <c>Constraint.Call(variable)</c>. Layers set
    /// it from their <c>KernelConstraint</c> / <c>BiasConstraint</c>; null (the default) for none.
    /// </summary>
    public Keras.Constraints.Constraint? Constraint { get; set; }

    // A variable owns a fresh buffer (never a temporary tensor's), so no tensor scope can free it.
    // copyContents false: a buffer of the value's size whose contents the caller overwrites.
    private static (Storage, Layout, DType) CopyOf(Tensor value, bool copyContents = true)
    {
        ArgumentNullException.ThrowIfNull(value);
        var storage = new Storage(value.Backend, value.Shape.ByteCount(value.DType));
        var layout = Layout.Contiguous(value.Shape);
        if (copyContents) Engine.Copy(value, value.Layout, storage, layout);
        return (storage, layout, value.DType);
    }

    /// <summary>
    /// TensorFlow's rendering of a variable: <c>&lt;Variable 'dense/kernel' shape=(2, 3)
    /// dtype=float32, numpy=array([...], dtype=float32)&gt;</c> (NumPy's repr, which names the
    /// dtype unless it is float64, int64 or bool).
    /// </summary>
    public override string ToString()
    {
        string head = $"<Variable '{Name ?? "Variable"}' shape={Shape} dtype={DType.Name()}";
        if (IsDisposed) return head + ", <disposed>>";
        if (Rank == 0) return $"{head}, numpy={Body(0)}>";
        string dtype = DType is DType.Float64 or DType.Int64 or DType.Bool ? "" : $", dtype={DType.Name()}";
        return $"{head}, numpy=array({Body("array(".Length)}{dtype})>";
    }

    /// <summary>Sets the value (<c>assign</c>); <paramref name="value"/> must have this shape, or broadcast to it.</summary>
    public Variable Assign(Tensor value)
    {
        Write(nameof(Assign), value);
        return this;
    }

    /// <summary>Adds to the value in place (<c>assign_add</c>).</summary>
    public Variable AssignAdd(Tensor delta)
    {
        CheckFits(nameof(AssignAdd), delta, nameof(delta));
        using var sum = Engine.Binary(BinaryOp.Add, this, delta, nameof(AssignAdd)); // an update, not a differentiable op: not recorded
        Write(nameof(AssignAdd), sum);
        return this;
    }

    /// <summary>Subtracts from the value in place (<c>assign_sub</c>).</summary>
    public Variable AssignSub(Tensor delta)
    {
        CheckFits(nameof(AssignSub), delta, nameof(delta));
        using var difference = Engine.Binary(BinaryOp.Sub, this, delta, nameof(AssignSub)); // an update, not a differentiable op: not recorded
        Write(nameof(AssignSub), difference);
        return this;
    }

    /// <summary>
    /// Call before any in-place write to this variable's buffer (assign, optimizer step). When a
    /// live gradient tape still reads the current value (an op recorded on a persistent tape, or a
    /// second tape not yet used, as in a GAN's two steps), the variable moves to a fresh buffer and
    /// the tape keeps the old one: the gradient then uses the value the op read, as TensorFlow's.
    /// Otherwise (the usual loop: tape used, then the optimizer step) the write happens in place,
    /// with no copy. Either way the buffer's version goes up.
    /// </summary>
    /// <param name="keepContents">Whether the write reads the current value (an optimizer update), so a fresh buffer must start as a copy.</param>
    [MethodImpl(Hot)]
    internal void BeginWrite(bool keepContents)
    {
        if (Storage.SavedByTape)
        {
            var (fresh, layout, _) = CopyOf(this, keepContents);
            ReplaceStorage(fresh, layout);
        }
        Storage.BumpVersion();
    }

    // Checked before any broadcast, so the message says what was wrong (a resize, as TensorFlow's
    // "Shape mismatch") instead of the broadcast's "cannot be broadcast".
    private void CheckFits(string op, Tensor value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (!value.Shape.BroadcastsTo(Shape))
            throw new ArgumentException(
                $"{op}: a value of shape {value.Shape} does not fit {(Name is null ? "the variable" : $"variable '{Name}'")} of shape {Shape}; a variable keeps its shape (make a new Variable to resize).",
                paramName);
    }

    private void Write(string op, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Engine.BackendOf(op, this, value);
        var source = InDType(op, value);
        try
        {
            CheckFits(op, source, nameof(value));
            // Every element is overwritten: a fresh buffer, if one is needed, need not start as a copy.
            BeginWrite(keepContents: false);
            // The value may be a view of this variable (v.Assign(NF.Transpose(v))).
            Aliasing.Copy(source, source.Layout.BroadcastTo(Shape), this, Layout);
        }
        finally
        {
            if (!ReferenceEquals(source, value)) source.Dispose();
        }
    }
}
