namespace NeuralFlow.Data.Pipeline;

/// <summary>
/// How an element type maps to a flat list of tensors: <see cref="Tensor"/> is one,
/// <c>(A, B)</c> and <c>(A, B, C)</c> are their parts' lists in order, nesting allowed
/// (a zip of two pairs is <c>((Tensor, Tensor), (Tensor, Tensor))</c>). The pipeline itself only
/// sees flat lists; <see cref="Dataset{T}"/> converts at its edges.
/// </summary>
internal abstract class Structure<T>
{
    private static readonly Structure<T>? Cached = (Structure<T>?)Structure.For(typeof(T));

    /// <summary>The structure of <typeparamref name="T"/>, or a clear error when it is not a supported element type.</summary>
    public static Structure<T> Instance => Cached ?? throw new NotSupportedException(
        $"A dataset element must be a Tensor or a tuple of 2 or 3 parts that are Tensors (or such tuples), but {Structure.Describe(typeof(T))} is not; " +
        "return tensors from Map, e.g. (img, label) => (NF.Cast(img, DType.Float32), label).");

    /// <summary>Number of tensors in one element.</summary>
    public abstract int Width { get; }

    public abstract void Flatten(T value, Tensor[] into, int at);

    public abstract T Build(Tensor[] from, int at);

    public Tensor[] Flatten(T value)
    {
        var result = new Tensor[Width];
        Flatten(value, result, 0);
        foreach (var t in result)
            if (t is null) throw new ArgumentNullException(nameof(value), "A dataset function returned a null tensor.");
        return result;
    }

    public T Build(Tensor[] from) => Build(from, 0);
}

internal static class Structure
{
    public static object? For(Type type)
    {
        if (type == typeof(Tensor)) return new TensorStructure();
        if (!type.IsGenericType) return null;
        var definition = type.GetGenericTypeDefinition();
        var args = type.GetGenericArguments();
        if (args.Any(a => For(a) is null)) return null;
        if (definition == typeof(ValueTuple<,>))
            return Activator.CreateInstance(typeof(PairStructure<,>).MakeGenericType(args));
        if (definition == typeof(ValueTuple<,,>))
            return Activator.CreateInstance(typeof(TripleStructure<,,>).MakeGenericType(args));
        return null;
    }

    public static string Describe(Type type) => type.IsGenericType
        ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(Describe))}>"
        : type.Name;

    /// <summary><paramref name="fn"/> as a function on flat tensor lists.</summary>
    public static Func<Tensor[], Tensor[]> Lift<T, TResult>(Func<T, TResult> fn)
    {
        var input = Structure<T>.Instance;
        var output = Structure<TResult>.Instance;
        return args => output.Flatten(fn(input.Build(args)));
    }

    /// <summary><paramref name="predicate"/> as a function on flat tensor lists.</summary>
    public static Func<Tensor[], bool> Lift<T>(Func<T, bool> predicate)
    {
        var input = Structure<T>.Instance;
        return args => predicate(input.Build(args));
    }

    private sealed class TensorStructure : Structure<Tensor>
    {
        public override int Width => 1;
        public override void Flatten(Tensor value, Tensor[] into, int at) => into[at] = value;
        public override Tensor Build(Tensor[] from, int at) => from[at];
    }

    private sealed class PairStructure<A, B> : Structure<(A, B)>
    {
        private readonly Structure<A> _a = Structure<A>.Instance;
        private readonly Structure<B> _b = Structure<B>.Instance;

        public override int Width => _a.Width + _b.Width;

        public override void Flatten((A, B) value, Tensor[] into, int at)
        {
            _a.Flatten(value.Item1, into, at);
            _b.Flatten(value.Item2, into, at + _a.Width);
        }

        public override (A, B) Build(Tensor[] from, int at) =>
            (_a.Build(from, at), _b.Build(from, at + _a.Width));
    }

    private sealed class TripleStructure<A, B, C> : Structure<(A, B, C)>
    {
        private readonly Structure<A> _a = Structure<A>.Instance;
        private readonly Structure<B> _b = Structure<B>.Instance;
        private readonly Structure<C> _c = Structure<C>.Instance;

        public override int Width => _a.Width + _b.Width + _c.Width;

        public override void Flatten((A, B, C) value, Tensor[] into, int at)
        {
            _a.Flatten(value.Item1, into, at);
            _b.Flatten(value.Item2, into, at + _a.Width);
            _c.Flatten(value.Item3, into, at + _a.Width + _b.Width);
        }

        public override (A, B, C) Build(Tensor[] from, int at) =>
            (_a.Build(from, at), _b.Build(from, at + _a.Width), _c.Build(from, at + _a.Width + _b.Width));
    }
}
