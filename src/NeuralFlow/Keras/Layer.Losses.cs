using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public abstract partial class Layer
{
    private Tensor? _activityLoss;

    /// <summary>A penalty on this layer's output (Keras' <c>activity_regularizer</c>), added to <see cref="Losses"/> by each call.</summary>
    public Regularizers.Regularizer? ActivityRegularizer { get; set; }

    /// <summary>
    /// The penalties this layer and the layers it holds add to the training loss (Keras'
    /// <c>layer.losses</c>): each weight regularizer on the current weights, and each activity
    /// regularizer on the output of the layer's last call. <c>Fit</c> adds their sum to the loss
    /// it minimizes; a custom loop adds it itself.
    /// </summary>
    public IReadOnlyList<Tensor> Losses
    {
        get
        {
            var all = new List<Tensor>();
            GatherLosses(this, all, new HashSet<Layer>(ReferenceEqualityComparer.Instance));
            return all;
        }
    }

    private static void GatherLosses(Layer layer, List<Tensor> all, HashSet<Layer> seen)
    {
        if (!seen.Add(layer)) return;
        all.AddRange(layer.OwnLosses());
        foreach (var sub in layer.SubLayers) GatherLosses(sub, all, seen);
    }

    private IEnumerable<Tensor> OwnLosses() =>
        _activityLoss is { IsDisposed: false } activity ? WeightPenalties().Append(activity) : WeightPenalties();

    /// <summary>
    /// This layer and those it holds that have a regularizer set: found once per <c>Fit</c>, so a
    /// step sums their penalties without walking the model (a subclassed model's fields are found
    /// by reflection).
    /// </summary>
    internal List<Layer> LayersWithPenalties() =>
        LayerTree().Where(layer => layer.ActivityRegularizer is not null || layer.HasWeightRegularizer).ToList();

    /// <summary>The penalties of <paramref name="layers"/> (from <see cref="LayersWithPenalties"/>).</summary>
    internal static IReadOnlyList<Tensor> LossesOf(List<Layer> layers) =>
        layers.Count == 0 ? [] : layers.SelectMany(l => l.OwnLosses()).ToList();

    /// <summary>The penalties of this layer's own weights (Dense and the convolutions: kernel and bias regularizers).</summary>
    private protected virtual IEnumerable<Tensor> WeightPenalties() => [];

    /// <summary>Whether a kernel or bias regularizer is set (asked without computing a penalty).</summary>
    private protected virtual bool HasWeightRegularizer => false;

    /// <summary>The penalties of a kernel and a bias whose regularizers are set (and which exist).</summary>
    private protected static IEnumerable<Tensor> Penalties(Regularizers.Regularizer? kernelRegularizer, Variable? kernel,
                                                           Regularizers.Regularizer? biasRegularizer, Variable? bias)
    {
        if (kernelRegularizer is not null && kernel is not null) yield return kernelRegularizer.Call(kernel);
        if (biasRegularizer is not null && bias is not null) yield return biasRegularizer.Call(bias);
    }

    /// <summary>Records the activity penalty of an output (called by <see cref="Call(Tensor)"/>).</summary>
    private protected void RecordActivity(Tensor output) =>
        _activityLoss = ActivityRegularizer?.Call(output);

    /// <summary>Adds the regularizers that are set to a config (Keras' keys), leaving unset ones out.</summary>
    private protected static void AddRegularizerConfig(JsonObject c, Regularizers.Regularizer? kernel, Regularizers.Regularizer? bias,
                                                      string kernelKey = "kernel_regularizer")
    {
        if (kernel is not null) c[kernelKey] = kernel.GetConfig();
        if (bias is not null) c["bias_regularizer"] = bias.GetConfig();
    }

    /// <summary>The sum of <paramref name="penalties"/> added to <paramref name="loss"/> (the loss itself when there are none).</summary>
    internal static Tensor WithPenalties(Tensor loss, IReadOnlyList<Tensor> penalties)
    {
        foreach (var p in penalties) loss = loss + (p.DType == loss.DType ? p : NF.Cast(p, loss.DType));
        return loss;
    }
}
