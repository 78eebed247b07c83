using System.Buffers.Binary;
using System.Text;
using static NeuralFlow.IO.Hdf5.Hdf5WriterMessages;

namespace NeuralFlow.IO.Hdf5;

/// <summary>
/// Writes an HDF5 file that libhdf5 (h5py, Keras) and <see cref="Hdf5File"/> read: groups,
/// contiguous datasets of little-endian numbers and attributes (fixed- and variable-length
/// strings, string arrays, int64 and float64 scalars). The tree is described first;
/// <see cref="WriteTo"/> then lays out every header, writes them, then the global heap
/// collections of the variable-length strings, and streams each dataset's bytes from its
/// source, so data is never held in memory. The format is the one libhdf5 1.10 writes with
/// <c>libver='latest'</c> (superblock version 2, checksummed "OHDR" headers, links and
/// attributes in the headers), without timestamps: the same tree writes the same bytes.
/// </summary>
internal sealed class Hdf5Writer
{
    /// <summary>The root group ("/").</summary>
    public GroupNode Root { get; } = new(null, "");

    /// <summary>
    /// Writes the file to <paramref name="stream"/> (written forward only; no seeking), calling each
    /// dataset's writer in turn. A writer that writes more or fewer bytes than its shape needs fails
    /// with an <see cref="ArgumentException"/> naming the dataset.
    /// </summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var objects = new List<Node>();
        Root.Collect(objects);
        // Header sizes do not depend on the addresses in them, so one pass with placeholder
        // addresses lays out the headers, then the heap collections of the variable-length
        // strings and the data after them; a second pass encodes the headers.
        ulong at = SuperblockSize;
        foreach (var o in objects)
        {
            o.Address = at;
            at += (ulong)o.Header().Length;
        }
        var heap = new Hdf5HeapCollections(objects.SelectMany(o => o.Strings));
        at = heap.Place(at);
        foreach (var o in objects)
            if (o is DatasetNode { ByteCount: > 0 } d)
            {
                d.DataAddress = at;
                at += (ulong)d.ByteCount;
            }
        stream.Write(Superblock(Root.Address, at));
        foreach (var o in objects) stream.Write(o.Header());
        heap.WriteTo(stream);
        // Every writer is called, a zero-size dataset's too: it is held to writing nothing.
        foreach (var o in objects)
            if (o is DatasetNode d) d.WriteData(stream);
    }

    /// <summary>A group or a dataset: its path and attributes.</summary>
    public abstract class Node
    {
        // An attribute is encoded when its header is: a variable-length string's heap ID is only known then.
        private readonly List<(string Name, Func<Message> Encode)> _attributes = [];
        private readonly List<Hdf5HeapString> _strings = [];

        private protected Node(GroupNode? parent, string name)
        {
            Path = parent is null ? "/" : parent.Path == "/" ? "/" + name : $"{parent.Path}/{name}";
        }

        /// <summary>The absolute path ("/layers/dense").</summary>
        public string Path { get; }
        internal ulong Address { get; set; }

        /// <summary>A string attribute, stored as a fixed-length null-padded string (h5py reads it as bytes).</summary>
        public void Attribute(string name, string value)
        {
            ArgumentNullException.ThrowIfNull(value);
            Attribute(name, [value], scalar: true);
        }

        /// <summary>
        /// A string attribute stored as a scalar variable-length UTF-8 string, as h5py writes a
        /// Python str (h5py reads it back as str): the attribute holds a heap ID and the bytes go
        /// to a global heap collection, so it has no size limit but .NET's (Keras' model_config of
        /// a large model is hundreds of kilobytes). A null character is refused: libhdf5 reads
        /// these strings as C strings and would cut the value there.
        /// </summary>
        public void VariableLengthAttribute(string name, string value)
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Contains('\0'))
                throw new ArgumentException($"HDF5 attribute '{name}' of '{Path}' holds a null character, which a variable-length HDF5 string cannot keep.", nameof(value));
            var heapString = new Hdf5HeapString(Encoding.UTF8.GetBytes(value));
            Add(name, VariableStringType(), [], heapString.Id);
            _strings.Add(heapString);
        }

        /// <summary>The variable-length strings of the node's attributes, in the order they were added.</summary>
        internal IReadOnlyList<Hdf5HeapString> Strings => _strings;

        /// <summary>A 1-D array of fixed-length strings, as h5py writes a numpy 'S' array (the width of the longest in UTF-8 bytes, at least 1).</summary>
        public void Attribute(string name, string[] values)
        {
            ArgumentNullException.ThrowIfNull(values);
            Attribute(name, values, scalar: false);
        }

        /// <summary>A scalar int64 attribute.</summary>
        public void Attribute(string name, long value)
        {
            var data = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(data, value);
            Add(name, DatatypeBody(Hdf5Element.Int64), [], data);
        }

        /// <summary>A scalar float64 attribute.</summary>
        public void Attribute(string name, double value)
        {
            var data = new byte[8];
            BinaryPrimitives.WriteDoubleLittleEndian(data, value);
            Add(name, DatatypeBody(Hdf5Element.Float64), [], data);
        }

        private void Attribute(string name, string[] values, bool scalar)
        {
            var encoded = new byte[values.Length][];
            for (int i = 0; i < values.Length; i++)
            {
                if (values[i] is null) throw new ArgumentException($"HDF5 attribute '{name}' of '{Path}': string {i} is null.", nameof(values));
                if (values[i].Contains('\0'))
                    throw new ArgumentException($"HDF5 attribute '{name}' of '{Path}': string {i} holds a null character, which a null-padded HDF5 string cannot keep.", nameof(values));
                encoded[i] = Encoding.UTF8.GetBytes(values[i]);
            }
            // HDF5 has no zero-width string type: an empty string (or array) takes one null byte, as in h5py.
            int width = Math.Max(1, encoded.Length == 0 ? 1 : encoded.Max(e => e.Length));
            long total = (long)width * encoded.Length;
            if (total > MaxMessageBody)
                throw TooLarge(name, total, scalar ? "use a variable-length string attribute, whose bytes go to the global heap" : "Keras splits a long list into name0, name1, ... attributes for the same reason");
            var data = new byte[total];
            for (int i = 0; i < encoded.Length; i++) encoded[i].CopyTo(data, i * width);
            Add(name, FixedStringType(width, encoded.All(e => Ascii(e))), scalar ? [] : [values.Length], data);
        }

        private void Add(string name, byte[] datatype, long[] dims, byte[] data) => Add(name, datatype, dims, () => data);

        /// <summary>Adds an attribute whose data (of a size fixed now) <paramref name="data"/> gives when the header is encoded.</summary>
        private void Add(string name, byte[] datatype, long[] dims, Func<byte[]> data)
        {
            CheckName(name, $"an attribute of '{Path}'", nameof(name));
            if (_attributes.Any(a => a.Name == name)) throw new ArgumentException($"'{Path}' already has an HDF5 attribute named '{name}'.", nameof(name));
            Message Encode() => AttributeMessage(name, datatype, dims, data());
            int size = Encode().Body.Length;
            if (size > MaxMessageBody) throw TooLarge(name, size, "Keras splits a long list into name0, name1, ... attributes for the same reason");
            _attributes.Add((name, Encode));
        }

        private ArgumentException TooLarge(string name, long bytes, string remedy) => new(
            $"HDF5 attribute '{name}' of '{Path}' needs {bytes} bytes; an attribute kept in its object's header holds at most {MaxMessageBody} ({remedy}).", nameof(name));

        /// <summary>Adds this node and what it holds to <paramref name="into"/>, in the order of the file.</summary>
        internal virtual void Collect(List<Node> into) => into.Add(this);

        /// <summary>The messages particular to the node (links or the dataset's description).</summary>
        private protected abstract IEnumerable<Message> Messages();

        /// <summary>The object header: the node's messages, then its attributes (with libhdf5's attribute info message).</summary>
        internal byte[] Header()
        {
            var messages = Messages().ToList();
            if (_attributes.Count > 0)
            {
                messages.Add(AttributeInfoMessage());
                messages.AddRange(_attributes.Select(a => a.Encode()));
            }
            return ObjectHeader(messages);
        }
    }

    /// <summary>A group: subgroups and datasets in the order they were created, plus attributes.</summary>
    public sealed class GroupNode : Node
    {
        private readonly List<(string Name, Node Node)> _members = [];

        internal GroupNode(GroupNode? parent, string name) : base(parent, name) { }

        /// <summary>
        /// The group at the relative <paramref name="path"/> ("a/b/c"), created with the groups
        /// above it where missing; an existing group is returned as it is. A group with nothing in
        /// it is written too.
        /// </summary>
        public GroupNode Group(string path)
        {
            ArgumentNullException.ThrowIfNull(path);
            var parts = path.Split('/');
            // Every name is checked before any group is made: a refused path leaves no group behind.
            foreach (var part in parts) CheckName(part, $"a group in '{path}' under '{Path}'", nameof(path));
            var group = this;
            foreach (var part in parts)
            {
                var existing = group._members.FirstOrDefault(m => m.Name == part).Node;
                if (existing is DatasetNode)
                    throw new ArgumentException($"'{existing.Path}' is an HDF5 dataset; a group cannot be created there (path '{path}').", nameof(path));
                if (existing is not GroupNode next)
                {
                    next = new GroupNode(group, part);
                    group._members.Add((part, next));
                }
                group = next;
            }
            return group;
        }

        /// <summary>
        /// A contiguous dataset named <paramref name="name"/> of <paramref name="element"/>s with
        /// <paramref name="shape"/> (empty: a scalar). <paramref name="writeData"/> is called by
        /// <see cref="WriteTo"/> and must write exactly product(shape) × element size bytes,
        /// little-endian, row-major.
        /// </summary>
        public DatasetNode Dataset(string name, Hdf5Element element, long[] shape, Action<Stream> writeData)
        {
            ArgumentNullException.ThrowIfNull(shape);
            ArgumentNullException.ThrowIfNull(writeData);
            if (!Enum.IsDefined(element)) throw new ArgumentException($"HDF5 dataset '{name}': element type {(int)element} is unknown.", nameof(element));
            CheckName(name, $"a dataset of '{Path}'", nameof(name));
            if (_members.Any(m => m.Name == name))
                throw new ArgumentException($"'{Path}' already has a member named '{name}'; an HDF5 dataset cannot be created there.", nameof(name));
            var dataset = new DatasetNode(this, name, element, (long[])shape.Clone(), writeData);
            _members.Add((name, dataset));
            return dataset;
        }

        /// <summary>
        /// A dataset holding <paramref name="tensor"/> (float32, float64, float16, int32, int64 or
        /// uint8), read from the tensor (on any device) when the file is written: the tensor must
        /// stay alive until then. A bool tensor is refused: h5py stores numpy bools as an HDF5
        /// enumeration, which <see cref="Hdf5File"/> does not read; cast it to uint8 first.
        /// </summary>
        public DatasetNode Dataset(string name, Tensor tensor)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            tensor.ThrowIfDisposed();
            var element = tensor.DType switch
            {
                DType.Float32 => Hdf5Element.Float32,
                DType.Float64 => Hdf5Element.Float64,
                DType.Float16 => Hdf5Element.Float16,
                DType.Int32 => Hdf5Element.Int32,
                DType.Int64 => Hdf5Element.Int64,
                DType.UInt8 => Hdf5Element.UInt8,
                _ => throw new ArgumentException(
                    $"HDF5 dataset '{name}': a {tensor.DType} tensor is not written (h5py stores bools as an HDF5 enumeration, " +
                    "which NeuralFlow's reader does not read); cast it to UInt8 first.", nameof(tensor)),
            };
            var shape = tensor.Shape.ToArray().Select(d => (long)d).ToArray();
            string path = Path == "/" ? "/" + name : $"{Path}/{name}";
            return Dataset(name, element, shape, s =>
            {
                if (tensor.IsDisposed)
                    throw new ObjectDisposedException(nameof(Tensor), $"The tensor of HDF5 dataset '{path}' was disposed before the file was written.");
                NF.Safetensors.WriteData(tensor, s);
            });
        }

        internal override void Collect(List<Node> into)
        {
            base.Collect(into);
            foreach (var (_, node) in _members) node.Collect(into);
        }

        private protected override IEnumerable<Message> Messages() =>
            GroupStart().Concat(_members.Select(m => HardLink(m.Name, m.Node.Address)));
    }

    /// <summary>A contiguous dataset, whose bytes come from its writer when the file is written.</summary>
    public sealed class DatasetNode : Node
    {
        private readonly Action<Stream> _write;

        internal DatasetNode(GroupNode parent, string name, Hdf5Element element, long[] shape, Action<Stream> write) : base(parent, name)
        {
            if (shape.Length > Hdf5Dataspace.MaxRank)
                throw new ArgumentException($"HDF5 dataset '{Path}' has rank {shape.Length}; HDF5 allows at most {Hdf5Dataspace.MaxRank}.", nameof(shape));
            long count = 1;
            foreach (var d in shape)
            {
                if (d < 0) throw new ArgumentException($"HDF5 dataset '{Path}' has shape [{string.Join(", ", shape)}] with a negative dimension.", nameof(shape));
                try { count = checked(count * d); }
                catch (OverflowException) { throw new ArgumentException($"HDF5 dataset '{Path}' has shape [{string.Join(", ", shape)}], too many elements.", nameof(shape)); }
            }
            try { ByteCount = checked(count * element.Size()); }
            catch (OverflowException) { throw new ArgumentException($"HDF5 dataset '{Path}' has shape [{string.Join(", ", shape)}], too many bytes.", nameof(shape)); }
            Element = element;
            Shape = shape;
            _write = write;
        }

        public Hdf5Element Element { get; }
        public long[] Shape { get; }
        /// <summary>The bytes the data takes: product(shape) × element size (0 for a zero-size dataset).</summary>
        public long ByteCount { get; }
        internal ulong DataAddress { get; set; } = Undefined;

        // A zero-size dataset has no data and, as libhdf5 writes it, an undefined address.
        private protected override IEnumerable<Message> Messages() =>
            DatasetMessages(Element, Shape, ByteCount > 0 ? DataAddress : Undefined, (ulong)ByteCount);

        internal void WriteData(Stream stream)
        {
            var counted = new Hdf5ExactStream(stream, ByteCount, Path);
            _write(counted);
            counted.CheckComplete();
        }
    }

    /// <summary>Refuses a name HDF5 cannot hold as one link or attribute name.</summary>
    private static void CheckName(string name, string what, string parameter)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException($"The name of {what} is empty.", parameter);
        if (name.Contains('/')) throw new ArgumentException($"The name '{name}' of {what} contains '/', HDF5's path separator.", parameter);
        if (name.Contains('\0')) throw new ArgumentException($"The name of {what} contains a null character.", parameter);
        if (name == ".") throw new ArgumentException($"The name '.' of {what} is reserved by HDF5 (the object itself).", parameter);
        if (Encoding.UTF8.GetByteCount(name) > MaxMessageBody / 2)
            throw new ArgumentException($"The name of {what} is {Encoding.UTF8.GetByteCount(name)} bytes long; at most {MaxMessageBody / 2} are written.", parameter);
    }
}
