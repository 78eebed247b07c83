using System.Collections;
using System.Reflection;
using NeuralFlow.Keras;

namespace NeuralFlow;

/// <summary>
/// A container of variables and other modules (<c>tf.Module</c>), the base class of the Core API guides' models:
/// <code>
/// sealed class Linear : Module
/// {
///     private Variable? _w, _b;   // made on the first call, as the guides' modules make them
///     public Tensor Call(Tensor x) { ... }
/// }
/// </code>
/// <see cref="Variables"/> finds the variables in the module's fields without registration, as TensorFlow finds a
/// module's attributes: held directly or in lists, arrays and dictionaries, and those of the modules and Keras layers it
/// holds (a layer's <see cref="Layer.Variables"/>). A <see cref="Train.Checkpoint"/> saves a module under its fields'
/// names (a leading underscore dropped, an auto-property by its property's name: <c>model/w</c>), so another instance
/// whose variables exist restores it. Unlike a <see cref="Layer"/>, a module has no call of its own, no build step, no
/// dtype policy and no training flag: its methods are what the subclass writes.
/// </summary>
public abstract class Module
{
    /// <summary>A module named <paramref name="name"/>, by default its class name in snake case (TensorFlow's default).</summary>
    protected Module(string? name = null) => Name = name ?? SnakeCase(GetType().Name);

    /// <summary>The module's name (<c>module.name</c>).</summary>
    public string Name { get; }

    /// <summary>
    /// Every variable of this module and the modules and layers it holds, each once (<c>module.variables</c>): this
    /// module's own first, its fields in name order as TensorFlow's attributes, then each submodule's in turn.
    /// </summary>
    public IReadOnlyList<Variable> Variables => Flatten(trainable: null);

    /// <summary>The variables whose <see cref="Variable.Trainable"/> is true (a frozen Keras layer's are not), as <c>module.trainable_variables</c>.</summary>
    public IReadOnlyList<Variable> TrainableVariables => Flatten(trainable: true);

    /// <summary>The modules under this one, each once, in the order <see cref="Variables"/> visits them (<c>module.submodules</c>).</summary>
    public IReadOnlyList<Module> Submodules
    {
        get
        {
            var found = new List<Module>();
            Visit(new HashSet<object>(ReferenceEqualityComparer.Instance) { this }, _ => { }, (_, _) => { }, found.Add);
            return found;
        }
    }

    // trainable null: every variable; true: the trainable ones (a Keras layer's TrainableVariables, so a frozen layer's are left out).
    private List<Variable> Flatten(bool? trainable)
    {
        var found = new List<Variable>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance) { this };
        void Add(Variable v)
        {
            if ((trainable != true || v.Trainable) && seen.Add(v)) found.Add(v);
        }
        Visit(seen, Add, (layer, add) =>
        {
            foreach (var v in trainable == true ? layer.TrainableVariables : layer.Variables) add(v);
        }, _ => { });
        return found;
    }

    // TensorFlow's order: this module's fields first, then each module they hold, depth first (each reported as it is entered).
    private void Visit(HashSet<object> seen, Action<Variable> variable, Action<Layer, Action<Variable>> layer, Action<Module> entered)
    {
        var subs = new List<Module>();
        foreach (var (_, value) in Fields()) Walk(value, seen, variable, layer, subs.Add);
        foreach (var sub in subs)
        {
            entered(sub);
            sub.Visit(seen, variable, layer, entered);
        }
    }

    // A field's value: a variable, a layer, a module (queued, as TensorFlow walks submodules after the module's own
    // attributes), or a collection of these, walked in order (a dictionary by key).
    private static void Walk(object? value, HashSet<object> seen, Action<Variable> variable, Action<Layer, Action<Variable>> layer, Action<Module> module)
    {
        switch (value)
        {
            case Variable v:
                variable(v);
                return;
            case Layer l:
                if (seen.Add(l)) layer(l, variable);
                return;
            case Module m:
                if (seen.Add(m)) module(m);
                return;
            case null or Tensor or string or Delegate:
                return;
            case IDictionary dictionary when MayHoldObjects(dictionary.GetType()) && seen.Add(dictionary):
                foreach (var (_, item) in InKeyOrder(dictionary)) Walk(item, seen, variable, layer, module);
                return;
            case IList list when MayHoldObjects(list.GetType()) && seen.Add(list):
                foreach (var item in list) Walk(item, seen, variable, layer, module);
                return;
        }
    }

    /// <summary>
    /// The module's fields that may hold variables, by name in ordinal order: a leading underscore dropped (<c>_w</c> is
    /// <c>w</c>), an auto-property's or primary constructor parameter's field by that name. Value-type and string fields are skipped.
    /// </summary>
    internal List<(string Name, object? Value)> Fields() => [.. TypedFields().Select(f => (f.Name, f.Value))];

    /// <summary>
    /// The fields declared to hold a variable, a module or a layer that hold none yet (a variable made on the first call),
    /// by the names <see cref="Fields"/> gives them: a checkpoint refuses to restore into them rather than skip them.
    /// </summary>
    internal IEnumerable<string> UnmadeFields() =>
        TypedFields().Where(f => f.Value is null && (typeof(Variable).IsAssignableFrom(f.Type) || typeof(Module).IsAssignableFrom(f.Type) || typeof(Layer).IsAssignableFrom(f.Type)))
                     .Select(f => f.Name);

    private List<(string Name, object? Value, Type Type)> TypedFields()
    {
        var fields = new List<(string Name, object? Value, Type Type)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var type = GetType(); type is not null && type != typeof(Module); type = type.BaseType)
            foreach (var f in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                if (!f.FieldType.IsValueType && f.FieldType != typeof(string) && !typeof(Delegate).IsAssignableFrom(f.FieldType))
                {
                    string name = FieldName(f.Name);
                    // Two fields that clean to one name (_w and w) keep the second's own name.
                    fields.Add((names.Add(name) ? name : f.Name, f.GetValue(this), f.FieldType));
                }
        fields.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return fields;
    }

    /// <summary>The dictionary's entries, sorted by key when the keys are strings (as TensorFlow's tracked dicts), else in its order.</summary>
    internal static List<(object Key, object? Value)> InKeyOrder(IDictionary dictionary)
    {
        var entries = new List<(object Key, object? Value)>();
        foreach (DictionaryEntry e in dictionary) entries.Add((e.Key, e.Value));
        if (entries.All(e => e.Key is string))
            entries.Sort((a, b) => string.CompareOrdinal((string)a.Key, (string)b.Key));
        return entries;
    }

    // Whether a collection can hold variables or modules: not a float[] or a List<int> (never walked element by element).
    internal static bool MayHoldObjects(Type type)
    {
        if (type.IsArray) return !type.GetElementType()!.IsValueType && type.GetElementType() != typeof(string);
        return !type.IsGenericType || type.GetGenericArguments()[^1] is var element && !element.IsValueType && element != typeof(string);
    }

    // "<W>k__BackingField" (an auto-property) and "<w>P" (a captured primary constructor parameter) are W and w; "_w" is w.
    private static string FieldName(string name)
    {
        if (name is ['<', ..] && name.IndexOf('>') is > 1 and var end) return name[1..end];
        string trimmed = name.TrimStart('_');
        return trimmed.Length > 0 ? trimmed : name;
    }

    // LogisticRegression is logistic_regression, MLP is mlp, as TensorFlow's camel_to_snake.
    private static string SnakeCase(string name)
    {
        int tick = name.IndexOf('`');
        if (tick > 0) name = name[..tick];
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool boundary = i > 0 && char.IsUpper(c) && (char.IsLower(name[i - 1]) || i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]));
            if (boundary) text.Append('_');
            text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }
}
