using System.Runtime.InteropServices;

namespace NeuralFlow.Native;

/// <summary>
/// The entry points of <c>native/include/neuralflow_dist.h</c> (libneuralflow_dist, collectives
/// over MPI). Nothing here is touched unless <see cref="NativeLibraryLoader.TryLoadDist"/>
/// succeeded, so a process that never trains on several machines never loads MPI.
/// </summary>
public static unsafe partial class NativeDistMethods
{
    /// <summary>The library name the resolver maps to libneuralflow_dist.so / neuralflow_dist.dll.</summary>
    public const string LibraryName = "neuralflow_dist";

    /// <summary>What the MPI engine's exports start with.</summary>
    public const string Prefix = "nf_dist_";

    /// <summary>nf_dist_op: SUM, or MEAN (the sum divided by the world size).</summary>
    public const int Sum = 0, Mean = 1;

    /// <summary>nf_dist_abi_version</summary>
    [LibraryImport(LibraryName)] public static partial int nf_dist_abi_version();
    /// <summary>nf_dist_last_error</summary>
    [LibraryImport(LibraryName)] public static partial nint nf_dist_last_error();
    /// <summary>nf_dist_build_info</summary>
    [LibraryImport(LibraryName)] public static partial nint nf_dist_build_info();
    /// <summary>nf_dist_init</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_dist_init(int* rank, int* size);
    /// <summary>nf_dist_finalize</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_dist_finalize();
    /// <summary>nf_dist_rank</summary>
    [LibraryImport(LibraryName)] public static partial int nf_dist_rank();
    /// <summary>nf_dist_size</summary>
    [LibraryImport(LibraryName)] public static partial int nf_dist_size();
    /// <summary>nf_dist_allreduce</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_dist_allreduce(void* buffer, long count, int dtype, int op, double timeoutSeconds);
    /// <summary>nf_dist_iallreduce</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_dist_iallreduce(void* buffer, long count, int dtype, int op, long* handle);
    /// <summary>nf_dist_test</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_dist_test(long handle, int* done);
    /// <summary>nf_dist_wait</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_dist_wait(long handle, double timeoutSeconds);
    /// <summary>nf_dist_broadcast</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_dist_broadcast(void* buffer, long bytes, int root, double timeoutSeconds);
    /// <summary>nf_dist_barrier</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_dist_barrier(double timeoutSeconds);
    /// <summary>nf_dist_allgather</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_dist_allgather(void* send, long count, int dtype, void* recv, double timeoutSeconds);
    /// <summary>nf_dist_abort</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_dist_abort(int code);
    /// <summary>nf_dist_announce_failure</summary>
    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)] public static partial NfStatus nf_dist_announce_failure(string message);
    /// <summary>nf_dist_linger</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_dist_linger(double timeoutSeconds, int* remaining);

    // ---- issue 18 (distgpu): collectives on GPU memory
    /// <summary>nf_dist_cuda_aware</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_dist_cuda_aware(int* aware, nint* source);
    /// <summary>nf_dist_nccl_init</summary>
    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)] public static partial NfStatus nf_dist_nccl_init(string? library, int required, int* available, double timeoutSeconds);
    /// <summary>nf_dist_nccl_status</summary>
    [LibraryImport(LibraryName)] public static partial nint nf_dist_nccl_status();
    /// <summary>nf_dist_nccl_allreduce</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_dist_nccl_allreduce(nint deviceBuffer, long count, int dtype, int op, nint stream);
    /// <summary>nf_dist_nccl_broadcast</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_dist_nccl_broadcast(nint deviceBuffer, long bytes, int root, nint stream);
    /// <summary>nf_dist_nccl_allgather</summary>
    [LibraryImport(LibraryName)] public static partial NfStatus nf_dist_nccl_allgather(nint deviceSend, long count, int dtype, nint deviceReceive, nint stream);

    /// <summary>The calling thread's last MPI-engine error message.</summary>
    public static string LastError() => Marshal.PtrToStringUTF8(nf_dist_last_error()) ?? "";

    /// <summary>Throws the exception that matches <paramref name="status"/>, with the MPI engine's message.</summary>
    public static void ThrowIfFailed(NfStatus status)
    {
        if (status != NfStatus.Ok) throw NativeErrors.ToException(status, LastError());
    }
}
