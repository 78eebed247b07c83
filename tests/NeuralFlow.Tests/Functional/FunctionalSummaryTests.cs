using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Functional;

/// <summary>
/// Summary() of a functional model as Keras 3 prints it (keras/src/utils/summary_utils.py through rich): input
/// layers as rows; a graph that is not a chain gets a fourth column, "Connected to" (inbound tensors as
/// layer[node][tensor], "-" for an input), columns at 0.3/0.56/0.74 of the line; a chain of single-input
/// calls prints as a Sequential. Before: tf.keras 2's dashed table, with quotes around each inbound tensor.
/// </summary>
public sealed class FunctionalSummaryTests
{
    [Fact]
    public void Summary_lists_inputs_shapes_params_and_inbound_layers()
    {
        var inputs = Layers.Input([8, 8, 1], name: "image");
        var stem = new Layers.Conv2D(4, 3, padding: "same", name: "stem").Call(inputs);
        var branch = new Layers.Conv2D(4, 3, padding: "same", name: "branch").Call(stem);
        var joined = new Layers.Add(name: "join").Call([branch, stem]);
        var pooled = new Layers.GlobalAveragePooling2D(name: "pool").Call(joined);
        var model = new Model(inputs, new Layers.Dense(3, name: "head").Call(pooled), name: "tiny_resnet");
        var text = model.SummaryText();
        var lines = text.Split('\n');
        Assert.Equal("Model: \"tiny_resnet\"", lines[0]);
        Assert.Equal("┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃", lines[2]);
        Assert.Equal("│ image (InputLayer)  │ (None, 8, 8, 1)   │          0 │ -                 │", lines[4]);
        Assert.Equal(
            [
                ["image (InputLayer)", "(None, 8, 8, 1)", "0", "-"],
                ["stem (Conv2D)", "(None, 8, 8, 4)", "40", "image[0][0]"],
                ["branch (Conv2D)", "(None, 8, 8, 4)", "148", "stem[0][0]"],
                ["join (Add)", "(None, 8, 8, 4)", "0", "branch[0][0], stem[0][0]"],
                ["pool (GlobalAveragePool…", "(None, 4)", "0", "join[0][0]"],
                ["head (Dense)", "(None, 3)", "15", "pool[0][0]"],
            ],
            SummaryCells.Rows(text));
        Assert.Contains("Total params: 203", text);
        Assert.Contains("Trainable params: 203", text);
        Assert.Contains("Non-trainable params: 0", text);
    }

    [Fact]
    public void A_chain_prints_as_a_sequential_with_its_input_as_in_the_keras_guide()
    {
        // The functional API guide's first model (keras.io/guides/functional_api): Keras 3 prints three columns.
        var inputs = Layers.Input([784], name: "input_layer");
        var x = new Layers.Dense(64, activation: "relu", name: "dense").Call(inputs);
        x = new Layers.Dense(64, activation: "relu", name: "dense_1").Call(x);
        var model = new Model(inputs, new Layers.Dense(10, name: "dense_2").Call(x), name: "mnist_model");
        var expected = string.Join("\n",
            "Model: \"mnist_model\"",
            "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓",
            "┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃",
            "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩",
            "│ input_layer (InputLayer)        │ (None, 784)            │             0 │",
            "├─────────────────────────────────┼────────────────────────┼───────────────┤",
            "│ dense (Dense)                   │ (None, 64)             │        50,240 │",
            "├─────────────────────────────────┼────────────────────────┼───────────────┤",
            "│ dense_1 (Dense)                 │ (None, 64)             │         4,160 │",
            "├─────────────────────────────────┼────────────────────────┼───────────────┤",
            "│ dense_2 (Dense)                 │ (None, 10)             │           650 │",
            "└─────────────────────────────────┴────────────────────────┴───────────────┘",
            " Total params: 55,050 (215.04 KB)",
            " Trainable params: 55,050 (215.04 KB)",
            " Non-trainable params: 0 (0.00 B)",
            "");
        Assert.Equal(expected, model.SummaryText().Replace("\r", ""));
    }

    [Fact]
    public void A_word_wider_than_its_column_is_cut_with_an_ellipsis_as_rich_does()
    {
        // rich.table.Column's overflow is "ellipsis": a word longer than the column is not folded.
        var inputs = Layers.Input([4, 4, 2], name: "img");
        var pooled = new Layers.MaxPooling2D(2, name: "max_pooling2d").Call(inputs);
        var other = new Layers.Conv2D(2, 1, strides: 2, name: "conv").Call(inputs);
        var model = new Model(inputs, new Layers.Add(name: "add").Call([other, pooled]));
        var text = model.SummaryText();
        Assert.Contains("│                     │                   │            │ max_pooling2d[0]… │", text);
        Assert.Equal("conv[0][0], max_pooling2d[0]…", SummaryCells.Row(text, "add (Add)")[3]);
    }

    [Fact]
    public void A_shared_layer_is_one_row_connected_to_each_call()
    {
        var a = Layers.Input([3], name: "sa");
        var b = Layers.Input([3], name: "sb");
        var shared = new Layers.Dense(2, name: "shared_dense");
        var model = new Model([a, b], [new Layers.Maximum(name: "max").Call([shared.Call(a), shared.Call(b)])]);
        var text = model.SummaryText();
        Assert.Equal(["shared_dense (Dense)", "(None, 2)", "8", "sa[0][0], sb[0][0]"], SummaryCells.Row(text, "shared_dense (Dense)"));
        // Each inbound name is wider than the column: rich cuts both.
        Assert.Equal("shared_dense[0][… shared_dense[1][…", SummaryCells.Row(text, "max (Maximum)")[3]);
        Assert.Contains("Total params: 8", text);
    }

    [Fact]
    public void A_nested_functional_model_shows_as_functional_as_in_keras()
    {
        // Keras 3: keras.Model(inputs, outputs) is a Functional, and a summary row names that class.
        var inner = Layers.Input([4], name: "inner_in");
        var encoder = new Model(inner, new Layers.Dense(2, name: "code").Call(inner), name: "encoder");
        var outer = Layers.Input([4], name: "outer_in");
        var model = new Model(outer, new Layers.Dense(1, name: "score").Call(encoder.Call(outer)), name: "scorer");
        var text = model.SummaryText();
        Assert.Equal(["encoder (Functional)", "(None, 2)", "10"], SummaryCells.Row(text, "encoder (Functional)"));
        var stacked = new Sequential(Layers.Input([4]), encoder, new Layers.Dense(1, name: "out"));
        Assert.Matches(@"(?m)^│ encoder \(Functional\)\s+│", stacked.SummaryText());
    }
}
