using System.IO.Compression;
using NeuralFlow.IO;

namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// NumPy's array files: <c>np.save</c>'s .npy (one array) and <c>np.savez</c> /
    /// <c>np.savez_compressed</c>'s .npz (a zip of named .npy files), as Python users share data
    /// (Keras' cached <c>~/.keras/datasets/mnist.npz</c>, arrays written by a preprocessing script).
    /// float16/32/64, int32/64, uint8 and bool arrays load as those dtypes; int8, int16 and uint16 as
    /// int32, uint32 as int64 (widened, values kept); Fortran-ordered arrays come back row-major.
    /// Object arrays (pickles) are never loaded, big-endian and structured arrays are refused: a
    /// file NeuralFlow cannot read is an <see cref="InvalidDataException"/> naming it and why.
    /// </summary>
    public static partial class Numpy
    {
        /// <summary>The array of the .npy file <paramref name="path"/> (<c>np.load("x.npy")</c>), on the default device.</summary>
        public static Tensor Load(string path)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            using var stream = File.OpenRead(path);
            return NpyFormat.Read(new BufferedStream(stream, 1 << 16), path);
        }

        /// <summary>
        /// The arrays of the .npz file <paramref name="path"/> by name (<c>np.load("x.npz")</c>: its
        /// entries without ".npy", <c>arr_0</c>, ... for arrays saved unnamed), in the archive's order.
        /// </summary>
        public static Dictionary<string, Tensor> LoadNpz(string path)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            ZipArchive zip;
            try { zip = ZipFile.OpenRead(path); }
            catch (InvalidDataException e) { throw new InvalidDataException($"'{path}' is not a .npz file (a zip archive of .npy files): {e.Message}", e); }
            var arrays = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            try
            {
                using (zip)
                    foreach (var entry in zip.Entries)
                    {
                        string name = entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName[..^4] : entry.FullName;
                        if (arrays.ContainsKey(name)) throw new InvalidDataException($"'{path}' holds two arrays named '{name}'.");
                        using var stream = entry.Open();
                        arrays.Add(name, NpyFormat.Read(new BufferedStream(stream, 1 << 16), $"{path}:{entry.FullName}"));
                    }
                return arrays;
            }
            catch (Exception e)
            {
                foreach (var t in arrays.Values) t.Dispose();
                // The archive's own errors (its central directory read lazily by Entries, a corrupt
                // local header, a broken deflate stream) do not say which file they are about.
                if (e is InvalidDataException or EndOfStreamException && !e.Message.Contains(path, StringComparison.Ordinal))
                    throw new InvalidDataException($"'{path}' is a damaged .npz file: {e.Message}", e);
                throw;
            }
        }

        /// <summary>Writes <paramref name="array"/> to <paramref name="path"/> as a .npy (<c>np.save</c>), atomically.</summary>
        public static void Save(string path, Tensor array)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            ArgumentNullException.ThrowIfNull(array);
            array.ThrowIfDisposed();
            AtomicFile.Write(path, stream => NpyFormat.Write(stream, array));
        }

        /// <summary>
        /// Writes <paramref name="arrays"/> to <paramref name="path"/> as a .npz (<c>np.savez</c>; with
        /// <paramref name="compressed"/>, <c>np.savez_compressed</c>), each as "name.npy", atomically.
        /// </summary>
        public static void SaveNpz(string path, IReadOnlyDictionary<string, Tensor> arrays, bool compressed = false)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            ArgumentNullException.ThrowIfNull(arrays);
            foreach (var (name, array) in arrays)
            {
                if (string.IsNullOrEmpty(name)) throw new ArgumentException("Numpy.SaveNpz: an array's name is empty.", nameof(arrays));
                if (array is null) throw new ArgumentException($"Numpy.SaveNpz: the array named '{name}' is null.", nameof(arrays));
                array.ThrowIfDisposed();
            }
            AtomicFile.Write(path, stream =>
            {
                using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
                foreach (var (name, array) in arrays)
                {
                    using var entry = zip.CreateEntry(name + ".npy", compressed ? CompressionLevel.Optimal : CompressionLevel.NoCompression).Open();
                    NpyFormat.Write(entry, array);
                }
            });
        }
    }
}
