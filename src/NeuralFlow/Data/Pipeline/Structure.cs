namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// How one dataset's elements map to a flat list of tensors: <see cref="Tensor"/> is one,
/// <see cref="StringTensor"/> is one (an int64 carrier of its strings, see <see cref="StringCarrier"/>),
/// <c>(A, B)</c> and <c>(A, B, C)</c> are their parts' lists in order, nesting allowed
/// (a zip of two pairs is <c>((Tensor, Tensor), (Tensor, Tensor))</c>), and a dictionary of named
/// tensors (<c>IReadOnlyDictionary&lt;string, Tensor&gt;</c> or <c>Dictionary&lt;string, Tensor&gt;</c>,
/// tf.data's dict elements) is its values in ordinal key order, as <c>tf.nest</c> flattens a dict;
/// so is a dictionary of columns that mixes text and numbers (<c>IReadOnlyDictionary&lt;string, object&gt;</c>,
/// each value a Tensor or a StringTensor: tf.data's <c>{"title": texts, "year": years}</c>).
/// The pipeline itself only sees flat lists; <see cref="Dataset{T}"/> converts at its edges.
/// </summary>
/// <remarks>
/// The type alone fixes a structure of tensors and tuples, but not which keys a dictionary holds,
/// so every dataset has its own structure object (<see cref="New"/>). A dictionary's keys are
/// known from the start for <c>FromTensorSlices</c>, and are taken from the first element for a
/// <c>Map</c> or a generator (tf.data knows them by tracing the function; here its first run is
/// the trace); every later element must have the same keys.
/// </remarks>
internal abstract class Structure<T> : ElementStructure
{
    private static readonly Structure<T>? Template = (Structure<T>?)Structure.For(typeof(T));

    /// <summary>
    /// A structure for a new dataset of <typeparamref name="T"/> (shared when it holds no dictionary,
    /// whose keys are per dataset), or a clear error when <typeparamref name="T"/> is not a supported element type.
    /// </summary>
    public static Structure<T> New()
    {
        var template = Template ?? throw new NotSupportedException(
            $"A dataset element must be a Tensor, a StringTensor, a dictionary of named tensors (IReadOnlyDictionary<string, Tensor>) or a tuple of 2 or 3 such parts, but {Structure.Describe(typeof(T))} is not; " +
            "return tensors from Map, e.g. (img, label) => (NF.Cast(img, DType.Float32), label).");
        return template.HasDictionary ? (Structure<T>)Structure.For(typeof(T))! : template;
    }

    public abstract void Flatten(T value, Tensor[] into, int at);

    public abstract T Build(Tensor[] from, int at);

    /// <summary>Learns a dictionary's keys from <paramref name="value"/> the first time, and checks them every later time.</summary>
    public virtual void Bind(T value) { }

    public Tensor[] Flatten(T value)
    {
        Bind(value);
        var result = new Tensor[Width];
        Flatten(value, result, 0);
        foreach (var t in result)
            if (t is null) throw new ArgumentNullException(nameof(value), "A dataset element has a null Tensor or StringTensor (from the tensors given, a Map function or a generator).");
        return result;
    }

    public T Build(Tensor[] from) => Build(from, 0);
}

/// <summary>
/// The untyped view of a dataset's element structure, for consumers such as <c>Model.Fit</c>
/// that match its parts to a model's inputs and outputs.
/// </summary>
internal abstract class ElementStructure
{
    /// <summary>Number of tensors in one element (unknown, and an error, until a dictionary's keys are known).</summary>
    public abstract int Width { get; }

    /// <summary>The parts of a tuple; null for a tensor or a dictionary.</summary>
    public virtual IReadOnlyList<ElementStructure>? Parts => null;

    /// <summary>A dictionary's keys in flat order (null for a tensor or a tuple, or before they are known).</summary>
    public virtual IReadOnlyList<string>? Keys => null;

    /// <summary>Whether every dictionary's keys are known (always, without dictionaries).</summary>
    public abstract bool IsKnown { get; }

    /// <summary>Whether a dictionary is part of the element (its keys then belong to one dataset).</summary>
    public abstract bool HasDictionary { get; }

    /// <summary>Whether a <see cref="StringTensor"/> is part of the element (a component a model cannot take).</summary>
    public virtual bool HasStrings => Parts?.Any(p => p.HasStrings) ?? false;

    /// <summary>Whether a <see cref="RaggedTensor"/> is part of the element (a carrier in the flat list, which a model cannot take).</summary>
    public virtual bool HasRagged => Parts?.Any(p => p.HasRagged) ?? false;

    /// <summary>Whether the structure is the same, keys included (false while a dictionary's keys are unknown).</summary>
    public abstract bool SameAs(ElementStructure other);

    /// <summary>The element spec nested as this structure, from the flat component specs starting at <paramref name="at"/> (keys must be known).</summary>
    public abstract ElementSpec Describe(IReadOnlyList<TensorSpec> flat, int at);

    /// <summary>Checks that <paramref name="spec"/> has this structure (learning a dictionary's keys from it), else an <see cref="ArgumentException"/> naming both.</summary>
    public void Match(ElementSpec spec, string op)
    {
        if (!TryMatch(spec))
            throw new ArgumentException($"{op}: the signature {spec} does not have the elements' structure {this}.", nameof(spec));
    }

    protected internal abstract bool TryMatch(ElementSpec spec);
}

internal static class Structure
{
    public static object? For(Type type)
    {
        if (type == typeof(Tensor)) return new TensorStructure();
        if (type == typeof(StringTensor)) return new StringStructure();
        if (type == typeof(RaggedTensor)) return new RaggedStructure();
        if (type == typeof(IReadOnlyDictionary<string, Tensor>)) return new DictionaryStructure<IReadOnlyDictionary<string, Tensor>, Tensor>();
        if (type == typeof(Dictionary<string, Tensor>)) return new DictionaryStructure<Dictionary<string, Tensor>, Tensor>();
        if (type == typeof(IReadOnlyDictionary<string, object>)) return new DictionaryStructure<IReadOnlyDictionary<string, object>, object>();
        if (type == typeof(Dictionary<string, object>)) return new DictionaryStructure<Dictionary<string, object>, object>();
        if (!type.IsGenericType) return null;
        var definition = type.GetGenericTypeDefinition();
        var args = type.GetGenericArguments();
        var parts = args.Select(For).ToArray();
        if (parts.Any(p => p is null)) return null;
        if (definition == typeof(ValueTuple<,>))
            return Activator.CreateInstance(typeof(PairStructure<,>).MakeGenericType(args), parts);
        if (definition == typeof(ValueTuple<,,>))
            return Activator.CreateInstance(typeof(TripleStructure<,,>).MakeGenericType(args), parts);
        return null;
    }

    public static string Describe(Type type) => type.IsGenericType
        ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(Describe))}>"
        : type.Name;

    /// <summary><paramref name="fn"/> as a function on flat tensor lists.</summary>
    public static Func<Tensor[], Tensor[]> Lift<T, TResult>(Structure<T> input, Structure<TResult> output, Func<T, TResult> fn) =>
        args => output.Flatten(fn(input.Build(args)));

    /// <summary><paramref name="predicate"/> as a function on flat tensor lists.</summary>
    public static Func<Tensor[], bool> Lift<T>(Structure<T> input, Func<T, bool> predicate) =>
        args => predicate(input.Build(args));

    internal sealed class TensorStructure : Structure<Tensor>
    {
        public override int Width => 1;
        public override bool IsKnown => true;
        public override bool HasDictionary => false;
        public override bool SameAs(ElementStructure other) => other is TensorStructure;
        public override void Flatten(Tensor value, Tensor[] into, int at) => into[at] = value;
        // A carrier here is a ragged row of a batch with two or more ragged axes, which a Tensor cannot stand for.
        public override Tensor Build(Tensor[] from, int at) => RaggedCarrier.Of(from[at]) is { } ragged
            ? throw new InvalidOperationException(
                $"A dataset of Tensor elements met a RaggedTensor ({ragged.Shape}): the rows of a batch with two or more ragged axes are ragged themselves, " +
                "so unbatch it with Unbatch() (a Dataset<RaggedTensor>) rather than UnbatchRows().")
            : from[at];
        public override ElementSpec Describe(IReadOnlyList<TensorSpec> flat, int at) => flat[at];
        protected internal override bool TryMatch(ElementSpec spec) => spec is TensorSpec { DType: not DType.String };
        public override string ToString() => "Tensor";
    }

    /// <summary>A <see cref="StringTensor"/>: one int64 carrier of its strings in the flat list (<see cref="StringCarrier"/>).</summary>
    internal sealed class StringStructure : Structure<StringTensor>
    {
        public override int Width => 1;
        public override bool IsKnown => true;
        public override bool HasDictionary => false;
        public override bool HasStrings => true;
        public override bool SameAs(ElementStructure other) => other is StringStructure;
        public override void Flatten(StringTensor value, Tensor[] into, int at) => into[at] = value is null ? null! : StringCarrier.Carry(value);
        public override StringTensor Build(Tensor[] from, int at) => StringCarrier.Read(from[at]);
        public override ElementSpec Describe(IReadOnlyList<TensorSpec> flat, int at) => flat[at];
        protected internal override bool TryMatch(ElementSpec spec) => spec is TensorSpec { DType: DType.String };
        public override string ToString() => "StringTensor";
    }

    /// <summary>A <see cref="RaggedTensor"/>: one carrier of it in the flat list (<see cref="RaggedCarrier"/>).</summary>
    internal sealed class RaggedStructure : Structure<RaggedTensor>
    {
        public override int Width => 1;
        public override bool IsKnown => true;
        public override bool HasDictionary => false;
        public override bool HasRagged => true;
        public override bool SameAs(ElementStructure other) => other is RaggedStructure;
        public override void Flatten(RaggedTensor value, Tensor[] into, int at) => into[at] = value is null ? null! : RaggedCarrier.Carry(value);

        public override RaggedTensor Build(Tensor[] from, int at) => RaggedCarrier.Of(from[at]) ?? throw new InvalidOperationException(
            $"A dataset of RaggedTensor elements met a dense tensor of shape {from[at].Shape}: the rows of a ragged-rank-1 batch are dense tensors, " +
            "so unbatch it with UnbatchRows() (a Dataset<Tensor>) rather than Unbatch().");

        public override ElementSpec Describe(IReadOnlyList<TensorSpec> flat, int at) => flat[at];
        protected internal override bool TryMatch(ElementSpec spec) => spec is TensorSpec { RaggedRank: > 0 };
        public override string ToString() => "RaggedTensor";
    }

    /// <summary>
    /// A dictionary of named tensors: its values flat in ordinal key order (tf.nest's sorted order, so
    /// that the flat layout does not hang on how a dictionary was filled), while the dictionaries it
    /// builds and its element spec list the keys in the first element's own order, as tf.nest packs a
    /// dict back in its key order (<c>{'b': ..., 'a': ...}</c> stays b, a). With <typeparamref name="TValue"/>
    /// <c>object</c>, a dictionary of columns each a <see cref="Tensor"/> or a <see cref="StringTensor"/>
    /// (a string carrier in the flat list, told apart by its table when the element is built).
    /// </summary>
    private sealed class DictionaryStructure<TDictionary, TValue> : Structure<TDictionary>
        where TDictionary : class, IReadOnlyDictionary<string, TValue>
        where TValue : class
    {
        private static readonly bool Mixed = typeof(TValue) == typeof(object);
        private string[]? _keys;    // ordinal order: the flat components'
        private int[]? _shown;      // the user's key order, as indices into _keys

        // Whether a column may hold text; which ones do, the element spec tells (Dataset.RefuseStrings).
        public override bool HasStrings => Mixed;

        public override IReadOnlyList<string>? Keys => Volatile.Read(ref _keys);

        public override int Width => (Volatile.Read(ref _keys) ?? throw new InvalidOperationException(
            "The keys of the dictionaries this dataset makes are known once it has made its first element (they come from a Map function or a generator); enumerate it first.")).Length;

        public override bool HasDictionary => true;
        public override bool IsKnown => Keys is not null;

        public override bool SameAs(ElementStructure other) =>
            other is DictionaryStructure<TDictionary, TValue> d && Keys is { } mine && d.Keys is { } theirs && mine.SequenceEqual(theirs);

        public override void Bind(TDictionary value)
        {
            ArgumentNullException.ThrowIfNull(value, "a dataset element's dictionary");
            var order = value.Keys.ToArray();
            var keys = order.Order(StringComparer.Ordinal).ToArray();
            if (keys.Length == 0) throw new ArgumentException("A dataset element's dictionary is empty; it needs at least one named tensor.");
            var known = Know(keys, order);
            if (!known.SequenceEqual(keys))
                throw new InvalidOperationException(
                    $"A dataset element is a dictionary of keys {Describe(keys)}, but the dataset's elements have keys {Describe(known)}: every element needs the same keys (tf.data's fixed element structure).");
        }

        public override void Flatten(TDictionary value, Tensor[] into, int at)
        {
            var keys = Volatile.Read(ref _keys)!;
            for (int i = 0; i < keys.Length; i++) into[at + i] = Component(keys[i], value[keys[i]]);
        }

        // A column as a flat component: a tensor itself, text as its carrier.
        private static Tensor Component(string key, TValue value) => value switch
        {
            null => null!,
            Tensor t => t,
            StringTensor s => StringCarrier.Carry(s),
            _ => throw new ArgumentException(
                $"A dataset element's dictionary holds a {value.GetType().Name} under '{key}'; each value must be a Tensor or a StringTensor (text).", nameof(value)),
        };

        public override TDictionary Build(Tensor[] from, int at)
        {
            var keys = Volatile.Read(ref _keys)!;
            var result = new Dictionary<string, TValue>(keys.Length);
            foreach (int i in Volatile.Read(ref _shown)!)
                result[keys[i]] = Mixed && StringCarrier.DTypeOf(from[at + i]) == DType.String ? (TValue)(object)StringCarrier.Read(from[at + i]) : (TValue)(object)from[at + i];
            return (TDictionary)(IReadOnlyDictionary<string, TValue>)result;
        }

        public override ElementSpec Describe(IReadOnlyList<TensorSpec> flat, int at)
        {
            var keys = Volatile.Read(ref _keys) ?? throw new InvalidOperationException("Internal: a dictionary's keys are described before they are known.");
            var shown = Volatile.Read(ref _shown)!;
            return new DictionarySpec(Array.ConvertAll(shown, i => keys[i]), Array.ConvertAll(shown, i => (ElementSpec)flat[at + i]));
        }

        protected internal override bool TryMatch(ElementSpec spec)
        {
            if (spec is not DictionarySpec d || d.Keys.Any(k => d[k] is not TensorSpec { DType: var dtype } || dtype == DType.String && !Mixed)) return false;
            var keys = d.Keys.Order(StringComparer.Ordinal).ToArray();
            return Know(keys, d.Keys.ToArray()).SequenceEqual(keys);
        }

        // The first keys seen win, with their order; later ones are checked against them by the caller.
        private string[] Know(string[] keys, string[] order)
        {
            var shown = Array.ConvertAll(order, k => Array.BinarySearch(keys, k, StringComparer.Ordinal));
            Interlocked.CompareExchange(ref _shown, shown, null);
            return Interlocked.CompareExchange(ref _keys, keys, null) ?? keys;
        }

        public override string ToString() => Keys is { } keys ? Describe(Volatile.Read(ref _shown)!.Select(i => keys[i])) : "{keys not known yet}";

        private static string Describe(IEnumerable<string> keys) => "{" + string.Join(", ", keys.Select(k => $"'{k}'")) + "}";
    }

    internal sealed class PairStructure<A, B>(Structure<A> a, Structure<B> b) : Structure<(A, B)>
    {
        public override int Width => a.Width + b.Width;
        public override IReadOnlyList<ElementStructure> Parts => [a, b];
        public override bool HasDictionary => a.HasDictionary || b.HasDictionary;
        public override bool IsKnown => a.IsKnown && b.IsKnown;
        public override bool SameAs(ElementStructure other) => other is PairStructure<A, B> p && a.SameAs(p.Parts[0]) && b.SameAs(p.Parts[1]);

        public override void Bind((A, B) value)
        {
            a.Bind(value.Item1);
            b.Bind(value.Item2);
        }

        public override void Flatten((A, B) value, Tensor[] into, int at)
        {
            a.Flatten(value.Item1, into, at);
            b.Flatten(value.Item2, into, at + a.Width);
        }

        public override (A, B) Build(Tensor[] from, int at) => (a.Build(from, at), b.Build(from, at + a.Width));

        public override ElementSpec Describe(IReadOnlyList<TensorSpec> flat, int at) => new TupleSpec([a.Describe(flat, at), b.Describe(flat, at + a.Width)]);
        protected internal override bool TryMatch(ElementSpec spec) => spec is TupleSpec { Items.Count: 2 } t && a.TryMatch(t[0]) && b.TryMatch(t[1]);

        public override string ToString() => $"({a}, {b})";
    }

    internal sealed class TripleStructure<A, B, C>(Structure<A> a, Structure<B> b, Structure<C> c) : Structure<(A, B, C)>
    {
        public override int Width => a.Width + b.Width + c.Width;
        public override IReadOnlyList<ElementStructure> Parts => [a, b, c];
        public override bool HasDictionary => a.HasDictionary || b.HasDictionary || c.HasDictionary;
        public override bool IsKnown => a.IsKnown && b.IsKnown && c.IsKnown;
        public override bool SameAs(ElementStructure other) =>
            other is TripleStructure<A, B, C> t && a.SameAs(t.Parts[0]) && b.SameAs(t.Parts[1]) && c.SameAs(t.Parts[2]);

        public override void Bind((A, B, C) value)
        {
            a.Bind(value.Item1);
            b.Bind(value.Item2);
            c.Bind(value.Item3);
        }

        public override void Flatten((A, B, C) value, Tensor[] into, int at)
        {
            a.Flatten(value.Item1, into, at);
            b.Flatten(value.Item2, into, at + a.Width);
            c.Flatten(value.Item3, into, at + a.Width + b.Width);
        }

        public override (A, B, C) Build(Tensor[] from, int at) =>
            (a.Build(from, at), b.Build(from, at + a.Width), c.Build(from, at + a.Width + b.Width));

        public override ElementSpec Describe(IReadOnlyList<TensorSpec> flat, int at) =>
            new TupleSpec([a.Describe(flat, at), b.Describe(flat, at + a.Width), c.Describe(flat, at + a.Width + b.Width)]);
        protected internal override bool TryMatch(ElementSpec spec) => spec is TupleSpec { Items.Count: 3 } t && a.TryMatch(t[0]) && b.TryMatch(t[1]) && c.TryMatch(t[2]);

        public override string ToString() => $"({a}, {b}, {c})";
    }
}
