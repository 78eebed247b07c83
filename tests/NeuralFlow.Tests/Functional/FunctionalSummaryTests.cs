using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Functional;

/// <summary>Summary() of a functional model: Keras' table with input layers and "Connected to".</summary>
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
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal("Model: \"tiny_resnet\"", lines[0]);
        Assert.Matches(@"^Layer \(type\)\s+Output Shape\s+Param #\s+Connected to$", lines[2]);
        Assert.Matches(@"^image \(InputLayer\)\s+\(None, 8, 8, 1\)\s+0\s+\[\]$", lines[4]);   // Keras 3: no list around an input's shape
        Assert.Matches(@"^stem \(Conv2D\)\s+\(None, 8, 8, 4\)\s+40\s+\['image\[0\]\[0\]'\]$", lines[6]);
        Assert.Matches(@"^branch \(Conv2D\)\s+\(None, 8, 8, 4\)\s+148\s+\['stem\[0\]\[0\]'\]$", lines[8]);
        Assert.Matches(@"^join \(Add\)\s+\(None, 8, 8, 4\)\s+0\s+\['branch\[0\]\[0\]', 'stem\[0\]\[0\]'\]$", lines[10]);
        Assert.Matches(@"^pool \(GlobalAveragePooling2D\)\s+\(None, 4\)\s+0\s+\['join\[0\]\[0\]'\]$", lines[12]);
        Assert.Matches(@"^head \(Dense\)\s+\(None, 3\)\s+15\s+\['pool\[0\]\[0\]'\]$", lines[14]);
        Assert.Contains("Total params: 203", text);
        Assert.Contains("Trainable params: 203", text);
        Assert.Contains("Non-trainable params: 0", text);
    }

    [Fact]
    public void A_shared_layer_is_one_row_connected_to_each_call()
    {
        var a = Layers.Input([3], name: "sa");
        var b = Layers.Input([3], name: "sb");
        var shared = new Layers.Dense(2, name: "shared_dense");
        var model = new Model([a, b], [new Layers.Maximum(name: "max").Call([shared.Call(a), shared.Call(b)])]);
        var text = model.SummaryText();
        Assert.Single(text.Split('\n'), l => l.StartsWith("shared_dense (Dense)"));
        Assert.Contains("['sa[0][0]', 'sb[0][0]']", text);
        Assert.Contains("['shared_dense[0][0]', 'shared_dense[1][0]']", text);
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
        Assert.Matches(@"(?m)^encoder \(Functional\)\s+\(None, 2\)\s+10", text);
        var stacked = new Sequential(Layers.Input([4]), encoder, new Layers.Dense(1, name: "out"));
        Assert.Matches(@"(?m)^│ encoder \(Functional\)\s+│", stacked.SummaryText());
    }
}
