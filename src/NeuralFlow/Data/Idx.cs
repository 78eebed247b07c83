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
    private const byte UnsignedByte = 0x08;

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

    /// <summary>The values and shape of IDX data, without making a tensor (for checks and tests).</summary>
    internal static (byte[] Data, Shape Shape) ReadBytes(Stream stream, string name)
    {
        if (!stream.CanSeek)
        {
            // Telling gzip from raw needs a look back at the first bytes; streams that cannot
            // seek (a network response) are small compressed files, copied once.
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }
        var buffered = new BufferedStream(stream, 1 << 16);
        Span<byte> magic = stackalloc byte[4];
        int got = buffered.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        Stream input = buffered;
        if (got >= 2 && magic[0] == 0x1F && magic[1] == 0x8B)
        {
            buffered.Seek(-got, SeekOrigin.Current);
            input = new GZipStream(buffered, CompressionMode.Decompress);
            got = ReadFully(input, magic, name);
        }
        if (got < 4)
            throw new InvalidDataException($"{name} is not an IDX file: it is truncated before the end of its 4-byte magic number.");
        if (magic[0] != 0 || magic[1] != 0)
            throw new InvalidDataException(
                $"{name} is not an IDX file: wrong magic number 0x{Convert.ToHexString(magic)} (IDX files start with 0x0000, then a type code and the rank, e.g. 0x00000803 for MNIST images).");
        if (magic[2] != UnsignedByte)
            throw new InvalidDataException($"{name}: IDX type code 0x{magic[2]:X2} is not supported; only unsigned bytes (0x08) are, as in MNIST.");
        int rank = magic[3];
        if (rank is 0 or > Shape.MaxRank)
            throw new InvalidDataException($"{name}: the IDX header gives rank {rank}; expected 1 to {Shape.MaxRank}.");
        var header = new byte[4 * rank];
        if (ReadFully(input, header, name) < header.Length)
            throw new InvalidDataException($"{name} is truncated: it ends inside its header (the {rank} dimensions).");
        var dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 * i));
            count *= dims[i];
            if (dims[i] < 0 || count > Array.MaxLength)
                throw new InvalidDataException($"{name}: the IDX header gives impossible dimensions ({string.Join(", ", dims[..(i + 1)])}).");
        }
        var data = new byte[count];
        int read = ReadFully(input, data, name);
        if (read < count)
            throw new InvalidDataException(
                $"{name} is truncated: its header promises shape ({string.Join(", ", dims)}) = {count:N0} bytes of data, but only {read:N0} follow.");
        if (ReadFully(input, stackalloc byte[1], name) != 0)
            throw new InvalidDataException($"{name} has data beyond the {count:N0} bytes its header describes ({string.Join(", ", dims)}); it is not a valid IDX file.");
        return (data, new Shape(dims));
    }

    private static int ReadFully(Stream input, Span<byte> into, string name)
    {
        try
        {
            return input.ReadAtLeast(into, into.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{name} is not valid gzip data (a damaged or truncated download?): {e.Message}", e);
        }
    }

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
