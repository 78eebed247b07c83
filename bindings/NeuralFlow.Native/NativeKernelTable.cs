using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuralFlow.Native;

/// <summary>
/// The entry points both native engines export with one argument list: the CPU engine as
/// <c>nf_&lt;field&gt;</c>, the CUDA engine as <c>nf_cuda_&lt;field&gt;</c> (with device pointers).
/// This is the one C# declaration of each kernel: a field's name is its export's name without
/// the prefix, its type the C signature (enums as <c>int</c>, layouts by pointer, all blittable,
/// so a call is a plain unmanaged function-pointer call with no marshalling stub). Adding a
/// kernel is adding a field here (and the C function to both headers and engines); the bindings
/// test checks this table against both headers and both libraries' exports.
/// </summary>
/// <remarks>
/// Entry points of one engine only, or with different arguments per engine (threads, device
/// queries, memory statistics, host/device copies), stay in <see cref="NativeMethods"/> and
/// <see cref="NativeCudaMethods"/>. Field names are the C names so that reflection maps them to
/// exports with no second spelling.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Style", "IDE1006:Naming Styles", Justification = "Field names are the C export names.")]
public readonly unsafe struct NativeKernelTable
{
    // ---- library
    /// <summary>NF_ABI_VERSION of the library (the loader checks it before filling the rest).</summary>
    public readonly delegate* unmanaged<int> abi_version;
    /// <summary>Thread-local, library-owned UTF-8 message of the calling thread's last failure.</summary>
    public readonly delegate* unmanaged<nint> last_error;
    /// <summary>One line: version, GEMM or CUDA provider, threading.</summary>
    public readonly delegate* unmanaged<nint> build_info;

    // ---- memory (host for the CPU engine, device for the CUDA engine)
    /// <summary>(bytes, out pointer): a block of at least bytes.</summary>
    public readonly delegate* unmanaged<long, nint*, NfStatus> buffer_alloc;
    /// <summary>(pointer): returns a block to the engine's cache; 0 is ignored.</summary>
    public readonly delegate* unmanaged<nint, NfStatus> buffer_free;

    // ---- kernels
    /// <summary>(op, dtype, a, aLayout, b, bLayout, output, outLayout)</summary>
    public readonly delegate* unmanaged<int, int, nint, NfLayout*, nint, NfLayout*, nint, NfLayout*, NfStatus> binary;
    /// <summary>(op, dtype, x, xLayout, output, outLayout)</summary>
    public readonly delegate* unmanaged<int, int, nint, NfLayout*, nint, NfLayout*, NfStatus> unary;
    /// <summary>(op, dtype, x, xLayout, axesMask, output, outDtype)</summary>
    public readonly delegate* unmanaged<int, int, nint, NfLayout*, uint, nint, int, NfStatus> reduce;
    /// <summary>(log, dtype, x, xLayout, axis, output)</summary>
    public readonly delegate* unmanaged<int, int, nint, NfLayout*, int, nint, NfStatus> softmax;
    /// <summary>(dtype, a, aLayout, b, bLayout, output, outLayout); a transposed operand is a layout with its last two axes swapped</summary>
    public readonly delegate* unmanaged<int, nint, NfLayout*, nint, NfLayout*, nint, NfLayout*, NfStatus> matmul;
    /// <summary>(source, x, xLayout, destination, output)</summary>
    public readonly delegate* unmanaged<int, nint, NfLayout*, int, nint, NfStatus> cast;
    /// <summary>(dtype, x, xLayout, output, outLayout)</summary>
    public readonly delegate* unmanaged<int, nint, NfLayout*, nint, NfLayout*, NfStatus> copy;
    /// <summary>(dtype, x, xLayout, axis, indexDtype, indices, indexCount, output)</summary>
    public readonly delegate* unmanaged<int, nint, NfLayout*, int, int, nint, long, nint, NfStatus> gather;
    /// <summary>(dtype, src, srcLayout, axis, indexDtype, indices, rows, output): output (contiguous, prefilled) += src slices at indices</summary>
    public readonly delegate* unmanaged<int, nint, NfLayout*, int, int, nint, long, nint, NfStatus> scatter_add;
    /// <summary>(indexDtype, indices, indicesLayout, depth, onValue, offValue, outDtype, output)</summary>
    public readonly delegate* unmanaged<int, nint, NfLayout*, long, double, double, int, nint, NfStatus> one_hot;
    /// <summary>(dtype, x, xLayout, window, output, outLayout)</summary>
    public readonly delegate* unmanaged<int, nint, NfLayout*, NfWindow2D*, nint, NfLayout*, NfStatus> im2col;
    /// <summary>(dtype, cols, colsLayout, window, output, outLayout)</summary>
    public readonly delegate* unmanaged<int, nint, NfLayout*, NfWindow2D*, nint, NfLayout*, NfStatus> col2im;
    /// <summary>(op, dtype, x, xLayout, window, output, outLayout)</summary>
    public readonly delegate* unmanaged<int, int, nint, NfLayout*, NfWindow2D*, nint, NfLayout*, NfStatus> pool2d;
    /// <summary>(op, dtype, x, xLayout, dy, dyLayout, window, dx, dxLayout)</summary>
    public readonly delegate* unmanaged<int, int, nint, NfLayout*, nint, NfLayout*, NfWindow2D*, nint, NfLayout*, NfStatus> pool2d_backward;
    /// <summary>(dtype, x, outer, features, inner, gamma, beta, mean, variance, epsilon, output, batchMean, batchVariance)</summary>
    public readonly delegate* unmanaged<int, nint, long, long, long, nint, nint, nint, nint, double, nint, nint, nint, NfStatus> batch_norm;
    /// <summary>(dtype, x, outer, features, inner, dy, gamma, mean, variance, epsilon, training, dx, dgamma, dbeta)</summary>
    public readonly delegate* unmanaged<int, nint, long, long, long, nint, nint, nint, nint, double, int, nint, nint, nint, NfStatus> batch_norm_backward;
    /// <summary>(dtype, x, rows, cols, gamma, beta, epsilon, output)</summary>
    public readonly delegate* unmanaged<int, nint, long, long, nint, nint, double, nint, NfStatus> layer_norm;
    /// <summary>(dtype, x, rows, cols, dy, gamma, epsilon, dx, dgamma, dbeta)</summary>
    public readonly delegate* unmanaged<int, nint, long, long, nint, nint, double, nint, nint, nint, NfStatus> layer_norm_backward;
    /// <summary>(dtype, output, count, value)</summary>
    public readonly delegate* unmanaged<int, nint, long, double, NfStatus> fill;
    /// <summary>(dtype, output, count, start, delta)</summary>
    public readonly delegate* unmanaged<int, nint, long, double, double, NfStatus> range;
    /// <summary>(dtype, output, count, seed, offset, low, high)</summary>
    public readonly delegate* unmanaged<int, nint, long, ulong, ulong, double, double, NfStatus> random_uniform;
    /// <summary>(dtype, output, count, seed, offset, mean, stddev)</summary>
    public readonly delegate* unmanaged<int, nint, long, ulong, ulong, double, double, NfStatus> random_normal;

    // ---- training
    /// <summary>(kind, dtype, param, grad, slot0, slot1, count, params)</summary>
    public readonly delegate* unmanaged<int, int, nint, nint, nint, nint, long, NfOptimizerParams*, NfStatus> optimizer_update;
    /// <summary>(kind, dtype, param, grad, slot0, slot1, slot2, count, params, options): issue 16's kinds and options</summary>
    public readonly delegate* unmanaged<int, int, nint, nint, nint, nint, nint, long, NfOptimizerParams*, NfOptimizerOptions*, NfStatus> optimizer_update_ex;
    /// <summary>(dtype, logits, logitsLayout, labelDtype, labels, sparse, lossOut, gradOut)</summary>
    public readonly delegate* unmanaged<int, nint, NfLayout*, int, nint, int, nint, nint, NfStatus> softmax_cross_entropy;

    // ---- issue 16 (ops2): select, scans, sort
    /// <summary>(dtype, cond, condLayout, x, xLayout, y, yLayout, output, outLayout)</summary>
    public readonly delegate* unmanaged<int, nint, NfLayout*, nint, NfLayout*, nint, NfLayout*, nint, NfLayout*, NfStatus> where;
    /// <summary>(op, dtype, x, xLayout, axis, exclusive, reverse, output)</summary>
    public readonly delegate* unmanaged<int, int, nint, NfLayout*, int, int, int, nint, NfStatus> scan;
    /// <summary>(dtype, x, xLayout, axis, descending, valuesOut, indexDtype, indicesOut)</summary>
    public readonly delegate* unmanaged<int, nint, NfLayout*, int, int, nint, int, nint, NfStatus> sort;

    // ---- linalg
    /// <summary>(dtype, a, aLayout, luOut, pivotsOut, permOut, infoOut, check)</summary>
    public readonly delegate* unmanaged<int, nint, NfLayout*, nint, nint, nint, nint, int, NfStatus> lu;
    /// <summary>(dtype, a, aLayout, b, bLayout, lower, unitDiagonal, output)</summary>
    public readonly delegate* unmanaged<int, nint, NfLayout*, nint, NfLayout*, int, int, nint, NfStatus> triangular_solve;
    /// <summary>(dtype, a, aLayout, lOut, infoOut, check)</summary>
    public readonly delegate* unmanaged<int, nint, NfLayout*, nint, nint, int, NfStatus> cholesky;

    // ---- issue 17: compiled steps
    /// <summary>(dtype, inputCount, inputs, inputLayouts, stepCount, steps, output, outLayout)</summary>
    public readonly delegate* unmanaged<int, int, nint*, NfLayout*, int, NfFusedStep*, nint, NfLayout*, NfStatus> fused_elementwise;
    /// <summary>(kind, dtype, tensors, tensorCount, params, options): the optimizer over many variables in one call</summary>
    public readonly delegate* unmanaged<int, int, NfOptimizerTensor*, int, NfOptimizerParams*, NfOptimizerOptions*, NfStatus> optimizer_update_multi;

    /// <summary>The table's fields: one per export.</summary>
    public static IReadOnlyList<FieldInfo> Fields { get; } =
        typeof(NativeKernelTable).GetFields(BindingFlags.Public | BindingFlags.Instance);

    /// <summary>
    /// Fills every field from <paramref name="handle"/> (a library loaded with
    /// <see cref="NativeLibrary"/>) by export name, <paramref name="prefix"/> + field name.
    /// Throws <see cref="EntryPointNotFoundException"/> naming every missing export and
    /// <paramref name="library"/>: a library without one of them is a broken build, and failing
    /// here beats failing at the first call of that kernel.
    /// </summary>
    public static NativeKernelTable FromLibrary(nint handle, string prefix, string? library = null)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (handle == 0) throw new ArgumentException("no library handle", nameof(handle));
        object table = default(NativeKernelTable);
        var missing = new List<string>();
        foreach (var field in Fields)
        {
            if (NativeLibrary.TryGetExport(handle, prefix + field.Name, out nint address))
                field.SetValue(table, address);
            else
                missing.Add(prefix + field.Name);
        }
        if (missing.Count > 0)
            throw new EntryPointNotFoundException(
                $"{library ?? "the native library"} does not export {string.Join(", ", missing)}; " +
                "it is older or newer than these bindings: rebuild it from the same sources");
        return (NativeKernelTable)table;
    }

    /// <summary>The calling thread's last error message of this engine.</summary>
    public string LastError() => Marshal.PtrToStringUTF8(last_error()) ?? "";

    /// <summary>Throws the exception for a failed call of this engine, with its message.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ThrowIfFailed(NfStatus status)
    {
        if (status != NfStatus.Ok) Throw(status);
    }

    // Out of line: keeps the callers' hot path to a compare and a branch.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Throw(NfStatus status) => throw NativeErrors.ToException(status, NativeErrors.OpNamed(LastError()));
}
