using System.Text.Json;
using System.Text.Json.Nodes;

namespace NeuralFlow.Keras;

public partial class Model
{
    /// <summary>
    /// The architecture as a JSON string (Keras' <c>model.to_json()</c>): the same
    /// <c>{"class_name", "config"}</c> entry a saved model's config.json holds, without weights,
    /// optimizer or compile settings. <see cref="FromJson"/> rebuilds it with fresh weights; copy
    /// weights across with <see cref="Layer.GetWeights"/> / <see cref="Layer.SetWeights"/> or
    /// <see cref="SaveWeights"/> / <see cref="LoadWeights"/>. A subclassed model is written as Keras 3
    /// writes one: its class (registered name, or its type with a module) and its <see cref="Layer.GetConfig"/>,
    /// which <see cref="FromJson"/> hands to the class's registered factory (Keras' <c>from_config</c>).
    /// </summary>
    public string ToJson(bool indented = false) => ModelEntry().ToJsonString(new JsonSerializerOptions { WriteIndented = indented });

    /// <summary>
    /// A new model from the JSON of <see cref="ToJson"/> (Keras' <c>keras.models.model_from_json</c>):
    /// the same layers and connections, its weights freshly initialized, not compiled. Layer types of
    /// your own must be registered first (<see cref="KerasSerialization.Register{TLayer}"/>). The JSON of
    /// Keras 3's <c>model.to_json()</c> (objects with a <c>module</c>) is read too.
    /// JSON that is not a model is an <see cref="ArgumentException"/> saying what is wrong.
    /// </summary>
    /// <param name="json">The text of <see cref="ToJson"/> (or of Keras' <c>to_json</c>).</param>
    /// <param name="customObjects">Keras' <c>custom_objects</c>, as <see cref="FromConfig"/> takes them.</param>
    public static Model FromJson(string json, IReadOnlyDictionary<string, Func<JsonObject, Layer>>? customObjects = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(json);
        if (customObjects is not null) return KerasSerialization.WithCustomObjects(customObjects, () => FromJson(json));
        JsonNode? node;
        try { node = JsonNode.Parse(json); }
        catch (JsonException e) { throw new ArgumentException($"FromJson: the text is not JSON: {e.Message}", nameof(json), e); }
        if (node is not JsonObject entry || entry["class_name"]?.GetValueKind() is not JsonValueKind.String)
            throw new ArgumentException("FromJson: expected a JSON object with \"class_name\" and \"config\", as ToJson writes.", nameof(json));
        try
        {
            // Keras 3's to_json (serialize_keras_object) names each object's module; its layer calls
            // and references take the translation a .keras archive's config.json takes.
            if (entry.ContainsKey("module")) Saving.Keras3Config.Translate(entry, "the model JSON");
            return FromEntry(entry, "the model JSON");
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or InvalidOperationException or KeyNotFoundException or NullReferenceException)
        {
            throw new ArgumentException($"FromJson: {e.Message}", nameof(json), e);
        }
    }
}
