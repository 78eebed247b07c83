using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NeuralFlow.Backends;

namespace NeuralFlow;

/// <summary>
/// An immutable n-dimensional array with a <see cref="DType"/>, a <see cref="Shape"/> and a
/// value held by a backend (TensorFlow <c>tf.Tensor</c>). Operations return new tensors;
/// slices, transposes and reshapes of contiguous data are views over the same buffer.
/// <c>Dispose</c> frees the buffer at once; tensors nobody disposes are freed by the GC.
/// </summary>
public partial class Tensor : IDisposable
{
    private Storage _storage;
    private Layout _layout;
    private int _disposed; // 0 or 1, set once by Interlocked.Exchange

    [MethodImpl(Hot)]
    internal Tensor(Storage storage, Layout layout, DType dtype) : this(storage, layout, dtype, track: true) { }

    [MethodImpl(Hot)]
    private Tensor(Storage storage, Layout layout, DType dtype, bool track)
    {
        _storage = storage;
        _layout = layout;
        DType = dtype;
        if (track && this is not Variable) TensorScope.Track(this);
    }

    /// <summary>Element type.</summary>
    public DType DType { get; }

    /// <summary>Dimensions.</summary>
    public Shape Shape => _layout.Shape;

    /// <summary>Number of dimensions (0 for a scalar).</summary>
    public int Rank => _layout.Shape.Rank;

    /// <summary>Number of elements.</summary>
    public long Count => _layout.Shape.Count;

    /// <summary>The backend that holds the value ("managed", "cpu", ...).</summary>
    public IBackend Backend => _storage.Backend;

    /// <summary>True once <see cref="Dispose"/> ran.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// True for tensors made implicitly from a C# number (<c>2 * x</c>): such a "weak" scalar
    /// takes the other operand's dtype, as in PyTorch and JAX.
    /// </summary>
    internal bool IsWeakScalar { get; init; }

    /// <summary>The C# number a weak scalar was made from (boxed), so that its range is checked against the dtype it takes without reading the device.</summary>
    internal object? WeakValue { get; init; }

    internal Layout Layout
    {
        get { ThrowIfDisposed(); return _layout; }
    }

    internal nint Data
    {
        [MethodImpl(Hot)]
        get
        {
            ThrowIfDisposed();
            var pointer = _storage.Pointer;
            // A recording NF.Function trace learns which buffer (input, variable, constant) each address is.
            FunctionTrace.Current?.Saw(this, _storage, pointer);
            return pointer;
        }
    }

    internal Storage Storage
    {
        get { ThrowIfDisposed(); return _storage; }
    }

    /// <summary>
    /// Frees this tensor's hold on its buffer (views keep it alive until they go too). Idempotent
    /// and thread-safe: of two threads disposing one tensor at once (an owner and a consumer, a
    /// scope and another thread), exactly one releases the reference.
    /// </summary>
    [MethodImpl(Hot)]
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _storage.Release();
    }

    [MethodImpl(Hot)]
    internal void ThrowIfDisposed()
    {
        if (IsDisposed)
            throw new ObjectDisposedException(nameof(Tensor),
                $"This {DType.Name()} tensor of shape {_layout.Shape} was disposed and can no longer be used.");
    }

    /// <summary>Swaps in new contents (used by <see cref="Variable"/>); the old buffer is released.</summary>
    internal void ReplaceStorage(Storage storage, Layout layout)
    {
        ThrowIfDisposed();
        var old = _storage;
        if (this is Variable v) FunctionTrace.Current?.Rebound(v, old, storage);
        _storage = storage;
        _layout = layout;
        old.Release();
    }

    /// <summary>A new, uninitialised, contiguous tensor.</summary>
    [MethodImpl(Hot)]
    internal static Tensor Empty(Shape shape, DType dtype, IBackend backend) =>
        new(new Storage(backend, shape.ByteCount(dtype)), Layout.Contiguous(shape), dtype);

    /// <summary>Another tensor over the same buffer with <paramref name="layout"/>.</summary>
    [MethodImpl(Hot)]
    internal Tensor View(Layout layout)
    {
        ThrowIfDisposed();
        _storage.AddRef();
        return new Tensor(_storage, layout, DType);
    }

    /// <summary>
    /// A view no <see cref="TensorScope"/> disposes: the caller owns it outright (a gradient tape
    /// keeps these of the variables an op read, beyond the step's scope if it must).
    /// </summary>
    [MethodImpl(Hot)]
    internal Tensor UntrackedView()
    {
        ThrowIfDisposed();
        _storage.AddRef();
        return new Tensor(_storage, _layout, DType, track: false);
    }

    /// <summary>True when the elements are row-major and packed from element 0 of the view.</summary>
    internal bool IsContiguous => Layout.IsContiguous;

    /// <summary>This tensor as a packed row-major tensor: a view when it already is one, else a copy.</summary>
    [MethodImpl(Hot)]
    internal Tensor Contiguous()
    {
        if (IsContiguous) return View(_layout);
        var result = Empty(Shape, DType, Backend);
        Engine.Copy(this, _layout, result, result._layout);
        return result;
    }

    /// <summary>
    /// A copy of the elements in row-major order (TensorFlow <c>numpy()</c>). <typeparamref name="T"/>
    /// must be the element type of <see cref="DType"/> (float for float32, int for int32, byte
    /// for uint8, bool for bool, ...).
    /// </summary>
    [MethodImpl(Hot)]
    public T[] ToArray<T>() where T : unmanaged
    {
        CheckElementType<T>(nameof(ToArray));
        if (Count > Array.MaxLength)
            throw new InvalidOperationException(
                $"ToArray<{typeof(T).Name}>(): a tensor of shape {Shape} has {Count} elements, more than a .NET array holds ({Array.MaxLength}); read it in slices.");
        var result = new T[Count];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>The single element of a one-element tensor (TensorFlow <c>numpy()</c> on a scalar, PyTorch <c>item()</c>).</summary>
    [MethodImpl(Hot)]
    public T Item<T>() where T : unmanaged
    {
        CheckElementType<T>(nameof(Item));
        if (Count != 1)
            throw new InvalidOperationException(
                $"Item<{typeof(T).Name}>() needs a tensor with exactly one element, but this one has shape {Shape} ({Count} elements); use ToArray<{typeof(T).Name}>() or index it first.");
        Span<T> one = stackalloc T[1];
        CopyTo(one);
        return one[0];
    }

    [MethodImpl(Hot)]
    private void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        if (destination.Length == 0) { ThrowIfDisposed(); return; }
        if (IsContiguous)
        {
            Engine.Download(this, destination);
        }
        else
        {
            using var packed = Contiguous();
            Engine.Download(packed, destination);
        }
    }

    [MethodImpl(Hot)]
    private void CheckElementType<T>(string method) where T : unmanaged
    {
        ThrowIfDisposed();
        DType wanted;
        try { wanted = DTypeExtensions.Of<T>(); }
        catch (NotSupportedException e) { throw new InvalidCastException(e.Message); }
        if (wanted != DType)
            throw new InvalidCastException(
                $"{method}<{typeof(T).Name}>() reads a {wanted.Name()} tensor, but this tensor is {DType.Name()}; " +
                $"use {method}<{DType.ClrName()}>(), or convert first with NF.Cast(tensor, DType.{wanted}).");
    }

    /// <summary>Elements as doubles (any dtype), row-major: handy for tests and printing.</summary>
    internal double[] ToDoubleArray()
    {
        using var asDouble = DType == DType.Float64 ? View(_layout) : NF.Cast(this, DType.Float64);
        return asDouble.ToArray<double>();
    }
}
