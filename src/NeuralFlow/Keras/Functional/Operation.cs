using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

/// <summary>
/// A Keras 3 operation applied to symbolic tensors (<c>keras.ops.add</c>, <c>ops.sigmoid</c>,
/// <c>x[:, 0]</c>, Keras' <c>Operation.symbolic_call</c>): <c>x * 2 + 1</c>, <c>NF.Sigmoid(x)</c> or
/// <c>NF.ReduceMean(x, -1)</c> on a <see cref="KerasTensor"/> records one node of the functional
/// graph, which runs the eager NF op (so gradients, Fit and every engine work as in eager code).
/// As in Keras 3 an operation has no weights and is not one of a model's layers (<c>model.layers</c>,
/// <see cref="Model.GetLayer(string)"/>), but <see cref="Model.Summary"/> shows it ("add (Add)")
/// and config.json holds it as Keras 3 writes it: <c>{"module": "keras.src.ops.numpy",
/// "class_name": "Add", "config": {"name": "add"}, "registered_name": "Add"}</c>, its call's
/// arguments (tensors, numbers, constants) in <c>inbound_nodes</c>.
/// </summary>
public sealed class Operation : Layer
{
    private Operation(OperationDefinition definition, JsonObject settings, string? name)
        : base(name ?? NextName(ToSnakeCase(definition.ClassName)))
    {
        Definition = definition;
        Settings = settings;
    }

    /// <summary>Keras' class of the operation ("Add", "Mean", "GetItem").</summary>
    public string ClassName => Definition.ClassName;

    /// <summary>The Python module Keras 3 keeps the class in ("keras.src.ops.numpy").</summary>
    public string Module => Definition.Module;

    internal OperationDefinition Definition { get; }

    /// <summary>Keras' constructor arguments of the op (axis, keepdims, newshape, dtype), in Keras' names.</summary>
    internal JsonObject Settings { get; }

    /// <summary>The positional arguments of its call; empty until it is called (an op read from a file).</summary>
    internal OperationArg[] Arguments { get; private set; } = [];

    private int Slots => Count(Arguments);

    private static int Count(IEnumerable<OperationArg> args) =>
        args.Sum(a => a switch { OperationArg.Symbolic => 1, OperationArg.Sequence s => Count(s.Items), _ => 0 });

    /// <summary>
    /// Records a call of the op of <paramref name="className"/> on <paramref name="arguments"/>:
    /// symbolic tensors (the node's inputs), lists of them, C# numbers (weak scalar tensors),
    /// concrete tensors (captured as constants, as Keras captures a tensor argument) and index keys.
    /// </summary>
    internal static KerasTensor Apply(string className, JsonObject settings, params object[] arguments)
    {
        var op = new Operation(OperationDefinitions.Of(className), settings, name: null);
        var inputs = new List<KerasTensor>();
        op.Arguments = arguments.Select(a => Argument(a, inputs, op.Name)).ToArray();
        return op.CallSymbolic([.. inputs], CallArgs.One)[0];
    }

    private static OperationArg Argument(object a, List<KerasTensor> inputs, string op)
    {
        switch (a)
        {
            case KerasTensor t:
                inputs.Add(t);
                return new OperationArg.Symbolic(inputs.Count - 1);
            case Tensor { IsWeakScalar: true } weak: return OperationArg.Number.Of(weak.WeakValue!, op);
            case Tensor constant: return new OperationArg.Constant(constant);
            case IReadOnlyList<KerasTensor> list:
                if (list.Count == 0) throw new ArgumentException($"{op}: the list of tensors is empty.");
                return new OperationArg.Sequence(list.Select(t => Argument(t ?? throw new ArgumentNullException(nameof(a), $"{op}: a tensor of the list is null."), inputs, op)).ToArray());
            case TensorIndex[] key: return new OperationArg.IndexKey(key);
            default: throw new ArgumentException($"{op}: an argument of type {a?.GetType().Name ?? "null"} cannot be recorded.");
        }
    }

    // The op on concrete inputs: each symbolic argument's value in order, numbers as weak scalars.
    internal override IReadOnlyList<Tensor> CallNode(Tensor[] inputs, CallArgs args)
    {
        if (inputs.Length != Slots)
            throw new ArgumentException($"{Name} ({ClassName}) takes {Slots} tensor(s), got {inputs.Length}.", nameof(inputs));
        var slots = Bind(inputs);
        return [Definition.Run(new OperationValues<Tensor>(this, a => a switch
        {
            OperationArg.Symbolic => slots[a],
            OperationArg.Number n => n.Weak(),
            OperationArg.Constant c => c.Value,
            _ => throw new InvalidOperationException($"{Name} ({ClassName}): argument {a.GetType().Name} is not a tensor."),
        }))];
    }

    // Each symbolic argument (in lists too) with its value among the node's inputs, in order.
    private Dictionary<OperationArg, T> Bind<T>(IReadOnlyList<T> inputs)
    {
        int next = 0;
        var bound = new Dictionary<OperationArg, T>(ReferenceEqualityComparer.Instance);
        void Walk(IEnumerable<OperationArg> items)
        {
            foreach (var a in items)
                if (a is OperationArg.Symbolic) bound[a] = inputs[next++];
                else if (a is OperationArg.Sequence s) Walk(s.Items);
        }
        Walk(Arguments);
        return bound;
    }

    /// <summary>Runs the op on a concrete tensor (Keras' op called eagerly), for an op of one tensor argument.</summary>
    public override Tensor Call(Tensor x) => Call([x]);

    /// <summary>Runs the op on concrete tensors, one per symbolic argument of its call, in order.</summary>
    public override Tensor Call(IReadOnlyList<Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return CallNode([.. inputs], CallArgs.One)[0];
    }

    // The shape by Keras' rule (null where unknown), the dtype from the eager op itself on zeros
    // (unknown dimensions 1), so the promotion is the eager ops' by construction.
    private protected override (int?[] Shape, DType DType)[]? OwnOutputSpec(KerasTensor[] inputs)
    {
        if (inputs.Length != Slots)
            throw new ArgumentException($"{Name} ({ClassName}) takes {Slots} symbolic tensor(s), as in its first call; got {inputs.Length}.", nameof(inputs));
        var shapes = Bind(inputs.Select(t => t.Shape.ToArray()).ToArray());
        var symbolic = new OperationValues<int?[]>(this, a => a switch
        {
            OperationArg.Symbolic => shapes[a],
            OperationArg.Number => [],
            OperationArg.Constant c => c.Value.Shape.ToArray().Select(d => (int?)d).ToArray(),
            _ => throw new InvalidOperationException($"{Name} ({ClassName}): argument {a.GetType().Name} has no shape."),
        });
        Definition.Settle?.Invoke(symbolic, Settings);
        var shape = Definition.Shape(symbolic);
        (int[] Shape, DType DType) probed;
        try { probed = Probe(inputs.Select(t => new Shape(t.Shape.Select(d => d ?? 1).ToArray())).ToArray(), inputs.Select(t => t.DType).ToArray(), CallArgs.One)[0]; }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException or NotSupportedException)
        {
            throw new ArgumentException($"{Name} ({ClassName}) on {string.Join(", ", inputs.Select(t => KerasTensor.Format(t.Shape)))}: {e.Message}", e);
        }
        if (probed.Shape.Length != shape.Length || shape.Where((d, i) => d is int k && k != probed.Shape[i]).Any())
            throw new InvalidOperationException(
                $"{Name} ({ClassName}): the symbolic shape {KerasTensor.Format(shape)} disagrees with the op's run on zeros ({string.Join(", ", probed.Shape)}); this is a NeuralFlow bug.");
        return [(shape, probed.DType)];
    }

    /// <summary>A new op of the same kind, settings, name and call arguments (for CloneModel to replay the call on other tensors).</summary>
    internal Operation Copy() => new(Definition, (JsonObject)Settings.DeepClone(), Name) { Arguments = Arguments };

    /// <summary>Keras' get_config of an operation: its name and constructor arguments.</summary>
    public override JsonObject GetConfig()
    {
        var config = new JsonObject { ["name"] = Name };
        foreach (var (key, value) in Settings) config[key] = value?.DeepClone();
        return config;
    }

    /// <summary>The op's config.json entry as Keras 3's serialize_keras_object writes a class of no public name.</summary>
    internal JsonObject Entry() => new()
    {
        ["module"] = Module,
        ["class_name"] = ClassName,
        ["config"] = GetConfig(),
        ["registered_name"] = ClassName,
    };

    /// <summary>True for an entry of config.json that holds an operation (a class of Keras' ops modules).</summary>
    internal static bool IsEntry(JsonObject entry) =>
        entry["module"] is JsonValue m && m.TryGetValue(out string? module) && module.StartsWith("keras.src.ops.", StringComparison.Ordinal);

    /// <summary>The op an <see cref="Entry"/> describes, not yet called.</summary>
    internal static Operation FromEntry(JsonObject entry, string file)
    {
        var className = entry["class_name"]?.GetValue<string>() ?? throw new InvalidDataException($"{file}: an operation entry lacks class_name.");
        var definition = OperationDefinitions.Find(className) ?? throw new InvalidDataException(
            $"{file}: the model holds the Keras operation '{className}' ({entry["module"]}), which NeuralFlow cannot rebuild; the operations it reads are {string.Join(", ", OperationDefinitions.ClassNames)}.");
        var settings = entry["config"] is JsonObject c ? (JsonObject)c.DeepClone() : [];
        var name = settings["name"]?.GetValue<string>();
        settings.Remove("name");
        if (definition.NullOnly.FirstOrDefault(k => settings[k] is not null) is { } key)
            throw new InvalidDataException($"{file}: operation '{name}' ({className}) sets {key}={settings[key]!.ToJsonString()}, which NeuralFlow does not take; it reads {className} with {key} None (null).");
        return new Operation(definition, settings, name);
    }

    /// <summary>The node's call as Keras 3 writes it: <c>{"args": [...], "kwargs": {}}</c>, each symbolic input by <paramref name="tensor"/>.</summary>
    internal JsonObject CallEntry(Node node, Func<KerasTensor, JsonNode> tensor) => new()
    {
        ["args"] = new JsonArray(Arguments.Select(a => a.ToJson(slot => tensor(node.Inputs[slot]))).ToArray()),
        ["kwargs"] = new JsonObject(),
    };

    /// <summary>
    /// Replays a saved call (<see cref="CallEntry"/>) on the tensors <paramref name="tensor"/>
    /// resolves from their <c>keras_history</c>, or null while one of them is not made yet.
    /// </summary>
    internal IReadOnlyList<KerasTensor>? Replay(JsonObject call, Func<JsonObject, KerasTensor?> tensor, string file)
    {
        if (InboundNodes.Count > 0)
            throw new InvalidDataException($"{file}: operation '{Name}' ({ClassName}) is called more than once; each Keras operation records one call.");
        var inputs = new List<KerasTensor>();
        bool missing = false;
        var where = $"{file}: operation '{Name}' ({ClassName})";
        var args = (call["args"] as JsonArray ?? throw new InvalidDataException($"{where}: its call lacks args."))
            .Select((a, i) => OperationArg.FromJson(a, o =>
            {
                var t = tensor(o);
                if (t is null) missing = true;
                else inputs.Add(t);
                return inputs.Count - 1;
            }, i == Definition.KeyArgument, where)).ToArray();
        if (call["kwargs"] is JsonObject { Count: > 0 } kwargs)
            throw new InvalidDataException($"{where}: its call has keyword arguments ({string.Join(", ", kwargs.Select(k => k.Key))}), which NeuralFlow's operations do not take.");
        if (missing) return null;
        Arguments = args;
        return CallSymbolic([.. inputs], CallArgs.One);
    }
}
