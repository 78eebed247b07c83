using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// A fingerprint of the pipeline a <c>Snapshot</c> follows, the name of the snapshot's directory
/// (tf.data's snapshot is keyed by a hash of the dataset's graph): a changed pipeline writes a new
/// snapshot instead of reading the one written for the old.
/// </summary>
/// <remarks>
/// <para>What it covers: the element spec; each step's kind and its settings (counts, sizes, seeds,
/// file names, flags: the fields it was built with); the values of the tensors it was built from
/// (<c>FromTensorSlices</c>' data, <c>Scan</c>'s initial state); and each C# function (Map, Filter,
/// a generator...) by its method and its compiled IL, found through the library's wrappers.</para>
/// <para>Its limits, as tf.data's (which hashes file names, not contents, and cannot see inside a
/// py_function): the contents of the files a pipeline reads; what a generator yields; the values a
/// function captures (a factor in a closure: left out on purpose, as a counter a Map increments
/// would otherwise change the key on every pass); and the methods a function calls. When one of
/// those changes, delete the snapshot or give Snapshot another path. A rebuilt program may get a new
/// key for an unchanged function (its IL or names shifted): that snapshot is written again, never misread.</para>
/// </remarks>
internal static class PipelineFingerprint
{
    public static string Of(Node upstream, ElementSpec spec)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Add(hash, "spec " + spec);
        Visit(hash, upstream, new HashSet<object>(ReferenceEqualityComparer.Instance));
        return Convert.ToHexString(hash.GetHashAndReset(), 0, 8).ToLowerInvariant();
    }

    private static void Add(IncrementalHash hash, string text)
    {
        hash.AppendData(Encoding.UTF8.GetBytes(text));
        hash.AppendData([0]);
    }

    private static void Visit(IncrementalHash hash, object? value, HashSet<object> seen)
    {
        switch (value)
        {
            case null:
                Add(hash, "null");
                return;
            case string s:
                Add(hash, "string " + s);
                return;
            case Enum or bool or char or sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal:
                Add(hash, value.GetType().Name + " " + Convert.ToString(value, CultureInfo.InvariantCulture));
                return;
        }
        if (!value.GetType().IsValueType && !seen.Add(value))
        {
            Add(hash, "seen");   // shared once: a Zip of a dataset with itself, a closure's own delegate
            return;
        }
        switch (value)
        {
            case Tensor tensor:
                Add(hash, "tensor");
                using (var sink = new HashingStream(hash)) ElementFile.WriteComponent(sink, tensor);
                return;
            case StringTensor strings:
                Add(hash, "strings " + strings.Shape);
                foreach (var s in strings.ToArray()) Add(hash, s);
                return;
            case SavedDataset saved:
                Add(hash, "saved " + saved.Path);
                return;
            case Delegate fn:
                foreach (var single in fn.GetInvocationList()) VisitFunction(hash, single, seen);
                return;
            case Node node:
                Add(hash, "node " + node.GetType().FullName);
                foreach (var field in SettingsOf(node.GetType())) Visit(hash, field.GetValue(node), seen);
                return;
            case System.Collections.IEnumerable items when value is Array || IsReadOnlyList(value.GetType()):
                Add(hash, "list " + value.GetType().Name);
                foreach (var item in items) Visit(hash, item, seen);
                Add(hash, "end");
                return;
            default:
                // Other state (a structure, options, a random generator, a buffer) is not a setting
                // that changes what the pipeline yields, or changes while it runs.
                Add(hash, "object " + value.GetType().FullName);
                return;
        }
    }

    // A function: its method and IL, then the functions and pipelines its closure holds (the user's
    // function inside a wrapper of the library), but none of its captured plain values.
    private static void VisitFunction(IncrementalHash hash, Delegate fn, HashSet<object> seen)
    {
        var method = fn.Method;
        Add(hash, $"function {method.DeclaringType?.FullName}::{method}");
        if (method.GetMethodBody()?.GetILAsByteArray() is { } il) hash.AppendData(il);
        var target = fn.Target;
        if (target is null || target.GetType().Name == "<>c") return;   // a static lambda's cache holds every lambda of its class
        if (!seen.Add(target)) return;
        foreach (var field in target.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            if (typeof(Delegate).IsAssignableFrom(field.FieldType) || typeof(Node).IsAssignableFrom(field.FieldType)
                || field.FieldType == typeof(Tensor) || field.FieldType.IsArray && field.FieldType.GetElementType() is { } e && (typeof(Node).IsAssignableFrom(e) || e == typeof(Tensor)))
                Visit(hash, field.GetValue(target), seen);
    }

    // A step's settings: the fields of its own classes that are set once (readonly, or a primary
    // constructor's parameters), not the base Node's cached signature nor state that changes per pass.
    private static IEnumerable<FieldInfo> SettingsOf(Type type)
    {
        for (var t = type; t is not null && t != typeof(Node); t = t.BaseType)
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                                   .OrderBy(f => f.Name, StringComparer.Ordinal))
                if (field.IsInitOnly || field.Name.StartsWith('<') && field.Name.EndsWith(">P", StringComparison.Ordinal))
                    yield return field;
    }

    private static bool IsReadOnlyList(Type type) =>
        type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyList<>)
                                      && i.GetGenericArguments()[0] is var e && (typeof(Node).IsAssignableFrom(e) || e == typeof(Tensor) || e == typeof(string) || e.IsPrimitive));

    /// <summary>A write-only stream into the hash, for a tensor's bytes as the element files write them.</summary>
    private sealed class HashingStream(IncrementalHash hash) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => hash.AppendData(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => hash.AppendData(buffer);
    }
}
