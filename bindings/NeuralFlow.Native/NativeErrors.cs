namespace NeuralFlow.Native;

/// <summary>The one path from an <see cref="NfStatus"/> to a .NET exception.</summary>
public static class NativeErrors
{
    /// <summary>Throws the exception that matches <paramref name="status"/>, with the CPU engine's message.</summary>
    public static void ThrowIfFailed(NfStatus status)
    {
        if (status != NfStatus.Ok) Throw(status, LastError());
    }

    /// <summary>Throws the exception that matches <paramref name="status"/>, with the CUDA engine's message.</summary>
    public static void ThrowIfCudaFailed(NfStatus status)
    {
        if (status != NfStatus.Ok) Throw(status, CudaLastError());
    }

    /// <summary>The calling thread's last CPU-engine error message.</summary>
    public static string LastError() => NativeLibraryLoader.Kernels.LastError();

    /// <summary>The calling thread's last CUDA-engine error message.</summary>
    public static string CudaLastError() => NativeLibraryLoader.CudaKernels.LastError();

    /// <summary>
    /// An op kernel's message as the managed engine words it: the leading C function name
    /// (<c>nf_gather:</c>, <c>nf_cuda_gather:</c>) becomes the op's name (<c>Gather:</c>), so a user
    /// reads the same message whichever engine ran the op. Other messages are returned as they are.
    /// </summary>
    public static string OpNamed(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, @"^nf_(?:cuda_)?([a-z0-9_]+):");
        if (!match.Success) return message;
        var name = string.Concat(match.Groups[1].Value.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
        return name + message[(match.Length - 1)..];
    }

    /// <summary>
    /// The exception for a failed native call: bad arguments are <see cref="ArgumentException"/>,
    /// unsupported requests <see cref="NotSupportedException"/>, exhausted memory
    /// <see cref="InsufficientMemoryException"/> (an <see cref="OutOfMemoryException"/>).
    /// </summary>
    public static Exception ToException(NfStatus status, string message)
    {
        if (message.Length == 0) message = $"native call failed with {status}";
        return status switch
        {
            NfStatus.InvalidArgument => new ArgumentException(message),
            NfStatus.Unsupported => new NotSupportedException(message),
            NfStatus.OutOfMemory => new InsufficientMemoryException(message),
            _ => new InvalidOperationException($"NeuralFlow native engine: {message}"),
        };
    }

    private static void Throw(NfStatus status, string message) => throw ToException(status, message);
}
