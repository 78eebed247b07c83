using System.Buffers.Binary;
using System.IO.Compression;

namespace NeuralFlow.Data;

/// <summary>
/// The IDX file format of MNIST and Fashion-MNIST (<c>train-images-idx3-ubyte</c>, ...): a magic
/// number (two zero bytes, a type code, the rank), the dimensions as big-endian int32, then the
/// values row-major. Files may be gzip-compressed; the reader tells by the first bytes, not the
/// name. Only unsigned bytes (type code 0x08) are read and written, into and from
/// <see cref="DType.UInt8"/> tensors, with one buffer of the data's size and one tensor.
/// </summary>
public static class Idx
{
    internal const byte UnsignedByte = 0x08;

    /// <summary>Reads an IDX file (raw or gzip) into a uint8 tensor; errors name the file.</summary>
    public static Tensor Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        NotADirectory("Idx.Read", path);
        using var file = File.OpenRead(path);
        return Read(file, path);
    }

    /// <summary>
    /// Reads IDX data (raw or gzip) from <paramref name="stream"/>; <paramref name="name"/> names
    /// it in error messages.
    /// </summary>
    public static Tensor Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var (data, shape) = ReadBytes(stream, name);
        return NF.Constant(data, shape);
    }

    /// <summary>
    /// The values and shape of IDX data, without making a tensor (for checks and tests); the
    /// parsing and its checks of untrusted bytes are in <see cref="IdxReader"/>.
    /// </summary>
    internal static (byte[] Data, Shape Shape) ReadBytes(Stream stream, string name) => IdxReader.Read(stream, name);

    /// <summary>
    /// Writes a uint8 tensor as an IDX file, gzip-compressed when <paramref name="path"/> ends in
    /// <c>.gz</c>. The file appears complete or not at all (written to a temporary name, then renamed).
    /// </summary>
    public static void Write(string path, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.DType != DType.UInt8)
            throw new ArgumentException($"Idx.Write writes uint8 tensors, got {tensor.DType.Name()}; convert with NF.Cast(x, DType.UInt8).", nameof(tensor));
        if (tensor.Rank == 0)
            throw new ArgumentException("Idx.Write: IDX files hold arrays of rank 1 or more, got a scalar.", nameof(tensor));
        NotADirectory("Idx.Write", path);
        var temp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".part";
        try
        {
            using (var file = File.Create(temp))
            using (Stream output = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
                ? new GZipStream(file, CompressionLevel.Optimal) : file)
            {
                Write(output, tensor);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// Throws when <paramref name="path"/> is a directory: the runtime would say only "access
    /// denied" (reading) or fail on a temporary file (writing), without naming the problem.
    /// </summary>
    internal static void NotADirectory(string method, string path)
    {
        if (Directory.Exists(path))
            throw new IOException($"{method}: {path} is a directory, not an IDX file; give the path of a file (e.g. {Path.Combine(path, "train-images-idx3-ubyte.gz")}).");
    }

    /// <summary>Writes a uint8 tensor as raw (uncompressed) IDX data to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> header = stackalloc byte[4 + 4 * tensor.Rank];
        header[2] = UnsignedByte;
        header[3] = (byte)tensor.Rank;
        for (int i = 0; i < tensor.Rank; i++) BinaryPrimitives.WriteInt32BigEndian(header[(4 + 4 * i)..], tensor.Shape[i]);
        stream.Write(header);
        stream.Write(tensor.ToArray<byte>());
    }
}
