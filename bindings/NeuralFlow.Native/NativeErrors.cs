using System.Runtime.InteropServices;

namespace NeuralFlow.Native;

/// <summary>The one path from an <see cref="NfStatus"/> to a .NET exception.</summary>
public static class NativeErrors
{
    /// <summary>Throws the exception that matches <paramref name="status"/>, with the library's message.</summary>
    public static void ThrowIfFailed(NfStatus status)
    {
        if (status != NfStatus.Ok) Throw(status);
    }

    /// <summary>The calling thread's last native error message.</summary>
    public static string LastError() => Marshal.PtrToStringUTF8(NativeMethods.nf_last_error()) ?? "";

    private static void Throw(NfStatus status)
    {
        string message = LastError();
        if (message.Length == 0) message = $"native call failed with {status}";
        throw status switch
        {
            NfStatus.InvalidArgument => new ArgumentException(message),
            NfStatus.Unsupported => new NotSupportedException(message),
            NfStatus.OutOfMemory => new InsufficientMemoryException(message),
            _ => new InvalidOperationException($"NeuralFlow native engine: {message}"),
        };
    }
}
