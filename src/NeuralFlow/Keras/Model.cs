using System.Text;

namespace NeuralFlow.Keras;

/// <summary>
/// A model (<c>tf.keras.Model</c>): a layer that holds layers and can be trained with
/// <c>Compile</c>/<c>Fit</c>. Subclass it and override <see cref="Layer.Call(Tensor)"/>; the layers and
/// variables held in its fields are found without registration.
/// </summary>
public abstract partial class Model(string? name = null) : Layer(name)
{
    /// <summary>Set by a callback to end <c>Fit</c> after the current epoch (Keras' stop_training).</summary>
    public bool StopTraining { get; set; }

    /// <summary>Prints a Keras-like table of layers, output shapes and parameter counts.</summary>
    public void Summary(TextWriter? writer = null) => (writer ?? Console.Out).Write(SummaryText());

    /// <summary>The text <see cref="Summary"/> prints.</summary>
    public string SummaryText()
    {
        var rows = SubLayers.Select(l => (
            Name: $"{l.Name} ({l.GetType().Name})",
            Shape: l.OutputShape is { } s ? "(None" + string.Concat(s.ToArray().Skip(1).Select(d => $", {d}")) + ")" : "(unbuilt)",
            Params: l.CountParams())).ToList();
        int w1 = Math.Max(28, rows.Select(r => r.Name.Length).DefaultIfEmpty(0).Max() + 2);
        int w2 = Math.Max(25, rows.Select(r => r.Shape.Length).DefaultIfEmpty(0).Max() + 2);
        int width = w1 + w2 + 12;
        var sb = new StringBuilder();
        sb.AppendLine($"Model: \"{Name}\"");
        sb.AppendLine(new string('_', width));
        sb.AppendLine("Layer (type)".PadRight(w1) + "Output Shape".PadRight(w2) + "Param #");
        sb.AppendLine(new string('=', width));
        for (int i = 0; i < rows.Count; i++)
        {
            sb.AppendLine(rows[i].Name.PadRight(w1) + rows[i].Shape.PadRight(w2) + rows[i].Params.ToString("N0"));
            sb.AppendLine(new string(i == rows.Count - 1 ? '=' : '_', width));
        }
        if (rows.Count == 0) sb.AppendLine(new string('=', width));
        long total = CountParams();
        long trainable = TrainableVariables.Sum(v => v.Count);
        sb.AppendLine($"Total params: {total:N0}");
        sb.AppendLine($"Trainable params: {trainable:N0}");
        sb.AppendLine($"Non-trainable params: {total - trainable:N0}");
        sb.AppendLine(new string('_', width));
        return sb.ToString();
    }
}

/// <summary>A plain stack of layers, each feeding the next (<c>tf.keras.Sequential</c>).</summary>
public class Sequential : Model
{
    private readonly List<Layer> _layers = [];

    /// <summary>A model of <paramref name="layers"/>, in order.</summary>
    public Sequential(params Layer[] layers) : this(layers, null) { }

    /// <summary>A named model of <paramref name="layers"/>.</summary>
    public Sequential(IEnumerable<Layer> layers, string? name = null) : base(name)
    {
        foreach (var l in layers) Add(l);
    }

    /// <summary>Appends a layer.</summary>
    public void Add(Layer layer) => _layers.Add(layer ?? throw new ArgumentNullException(nameof(layer)));

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    /// <inheritdoc/>
    public override IReadOnlyList<Layer> SubLayers => _layers;

    /// <inheritdoc/>
    [MethodImpl(Hot)]
    public override Tensor Call(Tensor x)
    {
        foreach (var layer in _layers) x = layer.Call(x);
        OutputShape = x.Shape;
        return x;
    }
}
