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
        : this(CopyOf(initialValue, name: name), trainable, name) { }

    private Variable((Storage Storage, Layout Layout, DType DType) v, bool trainable, string? name)
        : base(v.Storage, v.Layout, v.DType)
    {
        Trainable = trainable;
        CreatedTrainable = trainable;
        Name = name;
        _createdVersion = Storage.Version;
        // tf.function's rule: variables are created on the first trace only, and lifted out of the
        // plan (FunctionTrace.Lifting.cs: CopyOf ran unrecorded).
        FunctionTrace.Current?.VariableCreated(this);
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

    private readonly long _createdVersion;
    private bool _storageReplaced;

    /// <summary>
    /// Whether the value is still the one it was made with (nothing assigned, no optimizer step): a checkpoint's delayed
    /// restoration, which notices a variable added to a plain list only later, restores such a one and leaves one the
    /// caller has set since.
    /// </summary>
    internal bool Unwritten => !_storageReplaced && Storage.Version == _createdVersion;

    /// <summary>An optional name (shown by model summaries).</summary>
    public string? Name { get; private set; }

    /// <summary>Names a variable the library made unnamed (an optimizer's slot, named after its optimizer and variable).</summary>
    internal void Rename(string name) => Name = name;

    /// <summary>
    /// A projection the optimizer applies after each step that updates this variable (Keras'
    /// <c>variable.constraint</c>): the variable becomes <c>Constraint.Call(variable)</c>. Layers set
    /// it from their <c>KernelConstraint</c> / <c>BiasConstraint</c>; null (the default) for none.
    /// </summary>
    public Keras.Constraints.Constraint? Constraint { get; set; }

    // A variable owns a fresh buffer (never a temporary tensor's), so no tensor scope can free it.
    // copyContents false: a buffer of the value's size whose contents the caller overwrites.
    // creating: a new variable's initial value, which a recording trace lifts out of its plan.
    private static (Storage, Layout, DType) CopyOf(Tensor value, bool copyContents = true, string? name = null, bool creating = true)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (creating) FunctionTrace.Current?.Creating(value, name);
        using var unrecorded = creating ? FunctionTrace.Suspend() : null;
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

    /// <summary>
    /// Sets the value (<c>assign</c>); <paramref name="value"/> must have exactly this shape, as
    /// TensorFlow's and Keras' assign require (a scalar is not spread over a vector: use
    /// <c>NF.Fill</c> or <c>NF.ZerosLike</c> for that).
    /// </summary>
    /// <exception cref="ArgumentException">The value's shape is not the variable's, or its dtype is another.</exception>
    public Variable Assign(Tensor value)
    {
        Write(nameof(Assign), value, exact: true);
        return this;
    }

    /// <summary>Adds to the value in place (<c>assign_add</c>); <paramref name="delta"/> must have exactly this shape, as TensorFlow's.</summary>
    /// <exception cref="ArgumentException">The delta's shape is not the variable's, or its dtype is another.</exception>
    public Variable AssignAdd(Tensor delta) => Update(nameof(AssignAdd), BinaryOp.Add, delta, exact: true);

    /// <summary>Subtracts from the value in place (<c>assign_sub</c>); <paramref name="delta"/> must have exactly this shape, as TensorFlow's.</summary>
    /// <exception cref="ArgumentException">The delta's shape is not the variable's, or its dtype is another.</exception>
    public Variable AssignSub(Tensor delta) => Update(nameof(AssignSub), BinaryOp.Sub, delta, exact: true);

    /// <summary>
    /// AssignAdd of a delta that broadcasts to this shape, for the library's own state updates
    /// (a metric's per-class counts fed a scalar); users get TensorFlow's exact-shape rule.
    /// </summary>
    internal Variable AssignAddBroadcast(Tensor delta) => Update(nameof(AssignAdd), BinaryOp.Add, delta, exact: false);

    // The delta is read in the variable's dtype first (a C# number out of range is an
    // OverflowException, as TensorFlow's conversion fails before any shape check).
    private Variable Update(string op, BinaryOp combine, Tensor delta, bool exact)
    {
        ArgumentNullException.ThrowIfNull(delta);
        var source = InDType(op, delta);
        try
        {
            CheckShape(op, source, nameof(delta), exact);
            using var result = Engine.Binary(combine, this, source, op); // an update, not a differentiable op: not recorded
            Write(op, result, exact: true);
        }
        finally
        {
            if (!ReferenceEquals(source, delta)) source.Dispose();
        }
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
            var (fresh, layout, _) = CopyOf(this, keepContents, creating: false);
            ReplaceStorage(fresh, layout);
            _storageReplaced = true;
        }
        Storage.BumpVersion();
    }

    // TensorFlow's assign ops require the value's shape to be the variable's ("Cannot update
    // variable with shape [3] using a Tensor with shape [], shapes must be equal"); Keras 3's
    // assign says the same. A broadcast would quietly spread a scalar or a row over the whole.
    // Checked before any broadcast, so the message says what was wrong (a resize, as TensorFlow's
    // "Shape mismatch") instead of the broadcast's "cannot be broadcast".
    private void CheckShape(string op, Tensor value, string paramName, bool exact)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (value.Shape == Shape || (!exact && value.Shape.BroadcastsTo(Shape))) return;
        string target = Name is null ? "the variable" : $"variable '{Name}'";
        throw new ArgumentException(
            value.Shape.BroadcastsTo(Shape)
                ? $"{op}: a value of shape {value.Shape} does not match {target} of shape {Shape}; assign takes exactly the variable's shape, as TensorFlow's (spread it on purpose: NF.BroadcastTo(value, {Shape}))."
                : $"{op}: a value of shape {value.Shape} does not fit {target} of shape {Shape}; a variable keeps its shape (make a new Variable to resize).",
            paramName);
    }

    private void Write(string op, Tensor value, bool exact)
    {
        ArgumentNullException.ThrowIfNull(value);
        Engine.BackendOf(op, this, value);
        var source = InDType(op, value);
        try
        {
            CheckShape(op, source, nameof(value), exact);
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
