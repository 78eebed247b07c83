using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public abstract partial class Layer
{
    private Tensor? _activityLoss;

    /// <summary>A penalty on this layer's output (Keras' <c>activity_regularizer</c>), added to <see cref="Losses"/> by each call.</summary>
    public Regularizers.Regularizer? ActivityRegularizer { get; set; }

    /// <summary>
    /// The penalties this layer and the layers it holds add to the training loss (Keras'
    /// <c>layer.losses</c>): each weight regularizer on the current weights, each activity
    /// regularizer on the output of the layer's last call, and what <see cref="AddLoss"/> added in
    /// the last forward pass. <c>Fit</c> adds their sum to the loss it minimizes; a custom loop
    /// adds it itself.
    /// </summary>
    public Losses Losses
    {
        get
        {
            var all = new List<Tensor>();
            GatherLosses(this, all, new HashSet<Layer>(ReferenceEqualityComparer.Instance));
            return new Losses(all);
        }
    }

    private static void GatherLosses(Layer layer, List<Tensor> all, HashSet<Layer> seen)
    {
        if (!seen.Add(layer)) return;
        all.AddRange(layer.OwnLosses());
        foreach (var sub in layer.SubLayers) GatherLosses(sub, all, seen);
    }

    private IEnumerable<Tensor> OwnLosses()
    {
        var own = _activityLoss is { IsDisposed: false } activity ? WeightPenalties().Append(activity) : WeightPenalties();
        return _addsLosses ? own.Concat(AddedLosses()) : own;
    }

    /// <summary>
    /// This layer and those it holds that have a regularizer set: found once per <c>Fit</c>, so a
    /// step sums their penalties without walking the model (a subclassed model's fields are found
    /// by reflection).
    /// </summary>
    internal List<Layer> LayersWithPenalties() =>
        LayerTree().Where(layer => layer.ActivityRegularizer is not null || layer.HasWeightRegularizer || layer._addsLosses).ToList();

    /// <summary>The penalties of <paramref name="layers"/> (from <see cref="LayersWithPenalties"/>).</summary>
    internal static IReadOnlyList<Tensor> LossesOf(List<Layer> layers) =>
        layers.Count == 0 ? [] : layers.SelectMany(l => l.OwnLosses()).ToList();

    /// <summary>
    /// One weight's regularizer as Keras names it in a config (kernel_regularizer,
    /// recurrent_regularizer, embeddings_regularizer, ...): the key, the weight it penalizes
    /// (null until built), the regularizer set, and how to set it. One list per layer serves the
    /// penalties, the config a model file holds and loading it back, so no layer can save a
    /// regularizer it does not apply, or drop one on load.
    /// </summary>
    private protected sealed record RegularizerSlot(string Key, Variable? Weight, Regularizers.Regularizer? Regularizer,
                                                    Action<Regularizers.Regularizer?> Set);

    /// <summary>This layer's weight regularizers (Dense, the convolutions, Embedding, the recurrent layers, PReLU, the normalizations).</summary>
    private protected virtual IEnumerable<RegularizerSlot> RegularizerSlots => [];

    /// <summary>
    /// The regularizers given to <see cref="AddWeight"/> (Keras' <c>add_weight(regularizer=...)</c>):
    /// slots of their own, penalized like the built-in layers' but not part of the config (Keras
    /// keeps them on the variable, and a custom layer's config is its own to write).
    /// </summary>
    private List<RegularizerSlot>? _addedWeightRegularizers;

    /// <summary>Every weight regularizer of this layer: the built-in slots and those of <see cref="AddWeight"/>.</summary>
    private IEnumerable<RegularizerSlot> AllRegularizerSlots =>
        _addedWeightRegularizers is null ? RegularizerSlots : RegularizerSlots.Concat(_addedWeightRegularizers);

    /// <summary>
    /// The penalties of this layer's own weights whose regularizers are set (and which exist), as
    /// Keras 3 takes them: from the trainable weights only, so a frozen layer adds none.
    /// </summary>
    private IEnumerable<Tensor> WeightPenalties() =>
        AllRegularizerSlots.Where(s => s.Regularizer is not null && s.Weight is { Trainable: true }).Select(s => s.Regularizer!.Call(s.Weight!));

    /// <summary>Whether a weight regularizer is set (asked without computing a penalty).</summary>
    private bool HasWeightRegularizer => AllRegularizerSlots.Any(s => s.Regularizer is not null);

    /// <summary>Records the activity penalty of an output (called by <see cref="Call(Tensor)"/>).</summary>
    private protected void RecordActivity(Tensor output) =>
        _activityLoss = ActivityRegularizer?.Call(output);

    /// <summary>Adds the regularizers that are set to a config (Keras' keys), leaving unset ones out.</summary>
    private void AddRegularizerConfig(JsonObject c)
    {
        if (ActivityRegularizer is not null) c["activity_regularizer"] = ActivityRegularizer.GetConfig();
        foreach (var slot in RegularizerSlots)
            if (slot.Regularizer is not null) c[slot.Key] = slot.Regularizer.GetConfig();
    }

    /// <summary>Sets the regularizers a saved config names (what <see cref="AddRegularizerConfig"/> wrote, or Keras did).</summary>
    internal void ApplyRegularizerConfig(JsonObject c)
    {
        if (c["activity_regularizer"] is { } activity) ActivityRegularizer = Regularizers.FromConfig(activity);
        foreach (var slot in RegularizerSlots)
            if (c[slot.Key] is { } entry) slot.Set(Regularizers.FromConfig(entry));
    }

    /// <summary>
    /// The sum of <paramref name="penalties"/> added to <paramref name="loss"/>, which may be null (a
    /// model compiled without a loss, whose loss comes from its layers); null when there is nothing.
    /// A penalty of several elements (an AddLoss of a batch's values) counts as the sum of its
    /// elements, as Keras' compute_loss sums each of <c>model.losses</c>.
    /// </summary>
    internal static Tensor? SumOfLosses(Tensor? loss, IReadOnlyList<Tensor> penalties)
    {
        foreach (var p in penalties)
        {
            var scalar = p.Shape.Rank == 0 ? p : NF.ReduceSum(p);
            loss = loss is null ? scalar : loss + (scalar.DType == loss.DType ? scalar : NF.Cast(scalar, loss.DType));
        }
        return loss;
    }
}
