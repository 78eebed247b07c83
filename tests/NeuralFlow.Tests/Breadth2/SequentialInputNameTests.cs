using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Breadth2;

/// <summary>
/// <c>keras.Sequential([keras.Input(shape=(8,)), ...], name="mlp")</c>: a Sequential from an input
/// and a list of layers takes a name (the params overload cannot); and Summary prints an input
/// layer's shape as Keras 3 does, "(None, 8)" (tf.keras 2 printed "[(None, 8)]").
/// </summary>
public sealed class SequentialInputNameTests
{
    [Fact]
    public void An_input_a_layer_list_and_a_name_make_a_built_named_model()
    {
        var model = new Sequential(Layers.Input([8]), [new Layers.Dense(4, name: "hidden"), new Layers.Dense(1)], name: "mlp");
        Assert.Equal("mlp", model.Name);
        Assert.True(model.Built);
        Assert.Equal(2, model.Layers.Count);
        Assert.Equal(41, model.CountParams());
        Assert.Contains("Model: \"mlp\"", model.SummaryText());
        var viaList = new Sequential(Layers.Input([3]), new List<Layer> { new Layers.Dense(2) });
        Assert.Single(viaList.Layers);
        Assert.Throws<ArgumentNullException>(() => new Sequential(Layers.Input([3]), (IEnumerable<Layer>)null!, name: "x"));
    }

    [Fact]
    public void Summary_prints_an_input_shape_as_a_tuple()
    {
        var input = Layers.Input([8], name: "features");
        var model = new Model(input, new Layers.Dense(2, name: "out").Call(input));
        Assert.Equal(["features (InputLayer)", "(None, 8)", "0"], SummaryCells.Row(model.SummaryText(), "features (InputLayer)"));
        Assert.DoesNotContain("[(None", model.SummaryText());
    }
}
