using System.Buffers;
using System.Buffers.Binary;
using NeuralFlow.Backends;
using NeuralFlow.IO;

namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Tensors in the safetensors format (https://github.com/huggingface/safetensors), the file
    /// Hugging Face, PyTorch and JAX users share weights in: an 8-byte little-endian header
    /// length, a JSON header naming each tensor's dtype, shape and byte range (plus a
    /// <c>__metadata__</c> map of strings), then the raw row-major data.
    /// </summary>
    public static class Safetensors
    {
        // Staging for tensors the host cannot address (GPU memory), a slice at a time.
        private const int Chunk = 4 << 20;

        // Tensors from this size up are mapped from the file rather than read into fresh memory:
        // the weights that matter for memory, while small tensors (a bias) do not each pin a view.
        internal const long MapThreshold = 1 << 20;

        /// <summary>
        /// Writes <paramref name="tensors"/> to <paramref name="path"/>, atomically (a temporary
        /// file renamed over the target: a crash mid-write never leaves a truncated file there).
        /// Tensors are stored by name in ordinal order; any backend, any layout.
        /// </summary>
        /// <param name="tensors">The tensors by name (any strings but <c>__metadata__</c>).</param>
        /// <param name="path">The file to write.</param>
        /// <param name="metadata">Free-form string pairs stored in the header's <c>__metadata__</c>.</param>
        public static void Save(IReadOnlyDictionary<string, Tensor> tensors, string path, IReadOnlyDictionary<string, string>? metadata = null)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            var write = Writer(tensors, metadata);
            AtomicFile.Write(path, write);
        }

        /// <summary>
        /// Checks <paramref name="tensors"/> and <paramref name="metadata"/> and returns what writes
        /// them as one safetensors file to a stream (a file, or an entry of a model archive).
        /// </summary>
        internal static Action<Stream> Writer(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
        {
            ArgumentNullException.ThrowIfNull(tensors);
            var entries = new List<SafetensorsEntry>(tensors.Count);
            var values = new List<Tensor>(tensors.Count);
            long offset = 0;
            foreach (var (name, tensor) in tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                if (name == SafetensorsHeader.MetadataKey)
                    throw new ArgumentException($"Safetensors.Save: '{name}' is the format's reserved key for metadata; pass metadata in the metadata argument.", nameof(tensors));
                if (tensor is null) throw new ArgumentException($"Safetensors.Save: the tensor named '{name}' is null.", nameof(tensors));
                tensor.ThrowIfDisposed();
                long bytes = tensor.Shape.ByteCount(tensor.DType);
                entries.Add(new SafetensorsEntry(name, tensor.DType, tensor.Shape, offset, checked(offset + bytes)));
                values.Add(tensor);
                offset += bytes;
            }
            if (metadata is not null)
                foreach (var (k, v) in metadata)
                    if (k is null || v is null) throw new ArgumentException("Safetensors.Save: metadata keys and values must not be null.", nameof(metadata));
            var header = SafetensorsHeader.Write(entries, metadata);
            return stream =>
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                stream.Write(length);
                stream.Write(header);
                foreach (var t in values) WriteData(t, stream);
            };
        }

        /// <summary>
        /// Reads every tensor of the safetensors file <paramref name="path"/> onto the default
        /// device, in the file's header order. The header is validated whole before any data is
        /// read (size cap, field types, unique names, sizes against byte ranges, ranges tiling
        /// the data exactly); a corrupt, truncated or hostile file is an
        /// <see cref="InvalidDataException"/> naming the file and what is wrong. On the CPU engines
        /// a tensor of 1 MiB or more is not copied at all: it maps the file (copy-on-write, so
        /// nothing written to the tensor reaches the file) and its bytes come from the page cache
        /// as they are first read; smaller tensors, and tensors for a GPU, are read straight into
        /// their memory. A mapped file stays mapped until its last tensor is disposed (or
        /// collected); do not truncate it in place meanwhile (NeuralFlow's writers never do: they
        /// rename a new file over the old).
        /// </summary>
        public static Dictionary<string, Tensor> Load(string path) => Load(path, out _);

        /// <summary>As <see cref="Load(string)"/>, also giving the header's <c>__metadata__</c>.</summary>
        public static Dictionary<string, Tensor> Load(string path, out IReadOnlyDictionary<string, string> metadata)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var (entries, meta, dataStart) = ReadHeader(file, path);
            metadata = meta;
            var result = new Dictionary<string, Tensor>(entries.Count, StringComparer.Ordinal);
            var backend = Backend;
            MappedFile? mapped = null;
            try
            {
                foreach (var e in entries)
                {
                    if (Mappable(backend, e, dataStart))
                    {
                        mapped ??= MappedFile.Open(file);
                        result.Add(e.Name, MapTensor(mapped, path, e, dataStart, backend));
                    }
                    else if (e.Half != HalfFloat.None) result.Add(e.Name, ReadWidened(file, path, e, dataStart, backend));
                    else result.Add(e.Name, ReadTensor(file, path, e, dataStart));
                }
            }
            catch
            {
                foreach (var t in result.Values) t.Dispose();
                throw;
            }
            finally
            {
                mapped?.Release(); // the tensors hold their own references
            }
            return result;
        }

        /// <summary>The <c>__metadata__</c> of a safetensors file, reading only its header.</summary>
        public static IReadOnlyDictionary<string, string> ReadMetadata(string path)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            return ReadHeader(file, path).Metadata;
        }

        private static (List<SafetensorsEntry> Entries, Dictionary<string, string> Metadata, long DataStart) ReadHeader(
            Microsoft.Win32.SafeHandles.SafeFileHandle file, string path)
        {
            long length = RandomAccess.GetLength(file);
            if (length < 8)
                throw SafetensorsHeader.Bad(path, $"it has {length} bytes, fewer than the 8 of the header length");
            Span<byte> prefix = stackalloc byte[8];
            ReadExactly(file, prefix, 0, path);
            ulong n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (n > (ulong)SafetensorsHeader.MaxHeaderBytes)
                throw SafetensorsHeader.Bad(path, $"the header claims {n} bytes, more than the {SafetensorsHeader.MaxHeaderBytes} allowed");
            if ((long)n > length - 8)
                throw SafetensorsHeader.Bad(path, $"the header claims {n} bytes, but only {length - 8} follow the length (truncated?)");
            var json = new byte[n];
            ReadExactly(file, json, 8, path);
            long dataStart = 8 + (long)n;
            var (entries, metadata) = SafetensorsHeader.Parse(json, length - dataStart, path);
            return (entries, metadata, dataStart);
        }

        // A host-memory tensor big enough to be worth a mapping, whose first byte is aligned for
        // its element type (the kernels read elements with aligned loads).
        private static bool Mappable(IBackend backend, SafetensorsEntry e, long dataStart) =>
            backend.IsHostMemory && e.Half == HalfFloat.None && e.End - e.Begin >= MapThreshold && (dataStart + e.Begin) % e.DType.SizeInBytes() == 0;

        private static Tensor MapTensor(MappedFile mapped, string path, SafetensorsEntry e, long dataStart, IBackend backend)
        {
            long bytes = e.End - e.Begin;
            var tensor = new Tensor(new Storage(backend, mapped.Buffer(dataStart + e.Begin, bytes)), Layout.Contiguous(e.Shape), e.DType);
            try
            {
                if (e.DType == DType.Bool)
                    for (long done = 0; done < bytes; done += Chunk)
                        CheckBools(HostSpan(tensor.Data, done, (int)Math.Min(Chunk, bytes - done)), e, path);
                GC.KeepAlive(tensor);
                return tensor;
            }
            catch
            {
                tensor.Dispose();
                throw;
            }
        }

        private static Tensor ReadTensor(Microsoft.Win32.SafeHandles.SafeFileHandle file, string path, SafetensorsEntry e, long dataStart)
        {
            var backend = Backend;
            long bytes = e.End - e.Begin;
            var tensor = new Tensor(new Storage(backend, bytes), Layout.Contiguous(e.Shape), e.DType);
            try
            {
                for (long done = 0; done < bytes; done += Chunk)
                {
                    int n = (int)Math.Min(Chunk, bytes - done);
                    if (backend.IsHostMemory)
                    {
                        Span<byte> target = HostSpan(tensor.Data, done, n);
                        ReadExactly(file, target, dataStart + e.Begin + done, path);
                        if (e.DType == DType.Bool) CheckBools(target, e, path);
                    }
                    else
                    {
                        byte[] stage = ArrayPool<byte>.Shared.Rent(n);
                        try
                        {
                            ReadExactly(file, stage.AsSpan(0, n), dataStart + e.Begin + done, path);
                            if (e.DType == DType.Bool) CheckBools(stage.AsSpan(0, n), e, path);
                            backend.Upload(stage.AsSpan(0, n), tensor.Data, done);
                        }
                        finally { ArrayPool<byte>.Shared.Return(stage); }
                    }
                }
                GC.KeepAlive(tensor);
                return tensor;
            }
            catch
            {
                tensor.Dispose();
                throw;
            }
        }

        // BF16 (PyTorch's bfloat16 checkpoints; NF has no bfloat16 dtype): the 2-byte values are read
        // a chunk at a time and widened to float32, which holds every one of them exactly. (F16 loads
        // as float16, byte for byte, like the other dtypes.)
        private static Tensor ReadWidened(Microsoft.Win32.SafeHandles.SafeFileHandle file, string path, SafetensorsEntry e, long dataStart, IBackend backend)
        {
            const int PerChunk = Chunk / sizeof(float);
            long count = e.Shape.Count;
            var tensor = new Tensor(new Storage(backend, count * sizeof(float)), Layout.Contiguous(e.Shape), DType.Float32);
            byte[] raw = ArrayPool<byte>.Shared.Rent(PerChunk * 2);
            float[] wide = ArrayPool<float>.Shared.Rent(PerChunk);
            try
            {
                for (long done = 0; done < count; done += PerChunk)
                {
                    int n = (int)Math.Min(PerChunk, count - done);
                    ReadExactly(file, raw.AsSpan(0, 2 * n), dataStart + e.Begin + 2 * done, path);
                    for (int i = 0; i < n; i++)
                    {
                        ushort bits = BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(2 * i));
                        wide[i] = BitConverter.Int32BitsToSingle(bits << 16);
                    }
                    var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(wide.AsSpan(0, n));
                    if (backend.IsHostMemory) bytes.CopyTo(HostSpan(tensor.Data, done * sizeof(float), bytes.Length));
                    else backend.Upload(bytes, tensor.Data, done * sizeof(float));
                }
                GC.KeepAlive(tensor);
                return tensor;
            }
            catch
            {
                tensor.Dispose();
                throw;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(raw);
                ArrayPool<float>.Shared.Return(wide);
            }
        }

        // NeuralFlow's bool holds 0 or 1 in a byte; any other byte would break sums and masks.
        private static void CheckBools(ReadOnlySpan<byte> values, SafetensorsEntry e, string path)
        {
            int bad = values.IndexOfAnyExcept((byte)0, (byte)1);
            if (bad >= 0) throw SafetensorsHeader.Bad(path, $"tensor '{e.Name}' is BOOL but holds the byte {values[bad]}");
        }

        /// <summary>
        /// Streams <paramref name="tensor"/>'s elements (row-major, little-endian, from any device
        /// in chunks) to <paramref name="stream"/>; also the data of HDF5 datasets (<see cref="NeuralFlow.IO.Hdf5.Hdf5Writer"/>).
        /// </summary>
        internal static void WriteData(Tensor tensor, Stream stream)
        {
            using var packed = tensor.Contiguous();
            long bytes = packed.Shape.ByteCount(packed.DType);
            long start = packed.Layout.Offset * packed.DType.SizeInBytes();
            var backend = packed.Backend;
            byte[]? stage = backend.IsHostMemory ? null : ArrayPool<byte>.Shared.Rent(Chunk);
            try
            {
                for (long done = 0; done < bytes; done += Chunk)
                {
                    int n = (int)Math.Min(Chunk, bytes - done);
                    if (stage is null) stream.Write(HostSpan(packed.Data, start + done, n));
                    else
                    {
                        backend.Download(packed.Data, start + done, stage.AsSpan(0, n));
                        stream.Write(stage, 0, n);
                    }
                }
            }
            finally
            {
                if (stage is not null) ArrayPool<byte>.Shared.Return(stage);
            }
            GC.KeepAlive(packed);
        }

        private static unsafe Span<byte> HostSpan(nint data, long offset, int length) => new((byte*)data + offset, length);

        private static void ReadExactly(Microsoft.Win32.SafeHandles.SafeFileHandle file, Span<byte> buffer, long offset, string path)
        {
            while (buffer.Length > 0)
            {
                int n = RandomAccess.Read(file, buffer, offset);
                if (n == 0) throw SafetensorsHeader.Bad(path, $"the file ended at byte {offset} while reading (it changed while being read?)");
                buffer = buffer[n..];
                offset += n;
            }
        }
    }
}
