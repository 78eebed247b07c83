using System.Text.Json;

namespace NeuralFlow.Keras;

public partial class Model
{
    // Stateful recurrent layers' kept states travel in the weights file (Save's archive and
    // SaveWeights' safetensors) beside the weights, as "states/{k}/{i}": state i of the k-th
    // stateful layer of the layer tree, listed in the metadata under StatesKey. They are not
    // weights (not in Variables, so weight matching, the optimizer and CountParams never see
    // them), but a reloaded model must continue its sequences where the saved one stopped.
    // They are restored by order, as the weights of another instance of the architecture are.
    private const string StatesKey = "neuralflow.rnn_states";

    private List<Layers.RNN> StatefulLayers() => LayerTree().OfType<Layers.RNN>().Where(r => r.Stateful).ToList();

    /// <summary>Adds the kept states of every stateful layer that has them to <paramref name="tensors"/>, and their keys to <paramref name="metadata"/>.</summary>
    private void AddStates(Dictionary<string, Tensor> tensors, Dictionary<string, string> metadata)
    {
        var layers = StatefulLayers();
        var keys = new List<string>();
        for (int k = 0; k < layers.Count; k++)
        {
            var states = layers[k].States ?? [];
            for (int i = 0; i < states.Count; i++)
            {
                string key = $"states/{k}/{i}";
                tensors.Add(key, states[i]);
                keys.Add(key);
            }
        }
        if (keys.Count > 0) metadata[StatesKey] = JsonSerializer.Serialize(keys);
    }

    /// <summary>The file's tensors without the states <see cref="AddStates"/> listed (what the weights are matched against).</summary>
    private static Dictionary<string, Tensor> WithoutStates(Dictionary<string, Tensor> file, IReadOnlyDictionary<string, string> metadata)
    {
        var listed = StateKeys(metadata).ToHashSet(StringComparer.Ordinal);
        return listed.Count == 0 ? file : file.Where(p => !listed.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
    }

    // The state keys a file lists, in the order written (layer by layer, state by state).
    private static string[] StateKeys(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(StatesKey, out var json)) return [];
        try { return JsonSerializer.Deserialize<string[]>(json) ?? []; }
        catch (JsonException e) { throw new InvalidDataException($"the weights file's '{StatesKey}' metadata is not a list of names: {e.Message}", e); }
    }

    /// <summary>Sets every stateful layer's kept states from a file of <see cref="AddStates"/>; a file without states leaves them be.</summary>
    private void RestoreStates(string method, Dictionary<string, Tensor> file, IReadOnlyDictionary<string, string> metadata, string path)
    {
        var listed = StateKeys(metadata);
        var layers = StatefulLayers();
        // A twin built with stateful: false (for export or serving) takes the weights alone, as in Keras.
        if (listed.Length == 0 || layers.Count == 0) return;
        var saved = new List<Tensor>?[layers.Count];
        foreach (var key in listed)
        {
            var parts = key.Split('/');
            if (parts.Length != 3 || parts[0] != "states" || !int.TryParse(parts[1], out int k) || !int.TryParse(parts[2], out int i) || !file.TryGetValue(key, out var state))
                throw new InvalidDataException($"{method}: '{path}' lists a recurrent state '{key}' that it does not hold as states/{{layer}}/{{state}}.");
            if (k < 0 || k >= layers.Count)
                throw new InvalidDataException(
                    $"{method}: '{path}' holds the states of {listed.Select(n => n.Split('/')[1]).Distinct().Count()} stateful recurrent layer(s), but {Name} has {layers.Count}{(layers.Count == 0 ? "" : $" ({string.Join(", ", layers.Select(l => l.Name))})")}.");
            var states = saved[k] ??= [];
            if (i != states.Count) throw new InvalidDataException($"{method}: '{path}' lists the states of {layers[k].Name} out of order ('{key}').");
            states.Add(state);
        }
        for (int k = 0; k < layers.Count; k++)
        {
            if (saved[k] is not { } states) continue;
            if (states.Count != layers[k].StateCount)
                throw new InvalidDataException($"{method}: '{path}' holds {states.Count} state(s) for {layers[k].Name}, a {layers[k].GetType().Name} of {layers[k].StateCount}.");
            layers[k].ResetStates(states);
        }
    }
}
