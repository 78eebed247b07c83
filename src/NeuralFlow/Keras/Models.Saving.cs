namespace NeuralFlow.Keras;

public static partial class Models
{
    /// <summary>
    /// Keras' <c>keras.models.load_model(path, custom_objects=...)</c>: the model a <c>.keras</c> archive, a NeuralFlow
    /// model file or a legacy <c>.h5</c> holds; the same as <see cref="Model.Load(string, CustomObjects?)"/>, under the
    /// name a Keras user looks for.
    /// </summary>
    public static Model LoadModel(string path, CustomObjects? customObjects = null) => Model.Load(path, customObjects);

    /// <summary>Keras' <c>keras.models.save_model(model, path)</c>: <see cref="Model.Save(string)"/>.</summary>
    public static void SaveModel(Model model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Save(path);
    }
}
