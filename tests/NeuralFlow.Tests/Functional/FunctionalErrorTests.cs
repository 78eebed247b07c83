using NeuralFlow.Keras;

namespace NeuralFlow.Tests.Functional;

/// <summary>Every misuse of the functional API is a clear .NET exception naming the tensors or layers.</summary>
public sealed class FunctionalErrorTests
{
    [Fact]
    public void An_output_that_needs_another_input_is_a_disconnected_graph()
    {
        var a = Layers.Input([3], name: "err_a");
        var b = Layers.Input([3], name: "err_b");
        var sum = new Layers.Add(name: "err_sum").Call([a, b]);
        var e = Assert.Throws<ArgumentException>(() => new Model(a, sum, name: "half"));
        Assert.Contains("disconnected", e.Message);
        Assert.Contains("'err_b'", e.Message);
        Assert.Contains("'err_sum'", e.Message);
    }

    [Fact]
    public void An_input_that_reaches_no_output_is_refused()
    {
        var a = Layers.Input([3], name: "used_in");
        var b = Layers.Input([3], name: "unused_in");
        var e = Assert.Throws<ArgumentException>(() => new Model([a, b], [new Layers.Dense(2).Call(a)]));
        Assert.Contains("'unused_in' is not connected", e.Message);
    }

    [Fact]
    public void Inputs_must_come_from_Input_and_have_distinct_names()
    {
        var a = Layers.Input([3], name: "same");
        var b = Layers.Input([3], name: "same");
        var e = Assert.Throws<ArgumentException>(() => new Model([a, b], [new Layers.Add().Call([a, b])]));
        Assert.Contains("'same'", e.Message);
        var h = new Layers.Dense(2, name: "not_an_input").Call(a);
        e = Assert.Throws<ArgumentException>(() => new Model(h, new Layers.Dense(1).Call(h)));
        Assert.Contains("'not_an_input'", e.Message);
        Assert.Contains("Layers.Input", e.Message);
        Assert.Throws<ArgumentException>(() => new Model(Array.Empty<KerasTensor>(), [h]));
    }

    [Fact]
    public void Two_layers_of_one_name_are_refused()
    {
        var a = Layers.Input([3]);
        var h = new Layers.Dense(2, name: "twin").Call(a);
        var e = Assert.Throws<ArgumentException>(() => new Model(a, new Layers.Dense(2, name: "twin").Call(h)));
        Assert.Contains("'twin'", e.Message);
    }

    [Fact]
    public void Calling_with_the_wrong_number_or_shape_of_inputs_names_them()
    {
        var a = Layers.Input([3], name: "first_in");
        var b = Layers.Input([2], name: "second_in");
        var model = new Model([a, b], [new Layers.Concatenate().Call([a, b])], name: "joined");
        using var x3 = NF.Zeros([4, 3]);
        using var x5 = NF.Zeros([4, 5]);
        var e = Assert.Throws<ArgumentException>(() => model.Call(x3));
        Assert.Contains("expects 2 input(s)", e.Message);
        Assert.Contains("first_in, second_in", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Call([x3, x5]));
        Assert.Contains("'second_in' expects shape (None, 2)", e.Message);
        Assert.Contains("(4, 5)", e.Message);
        var fixedBatch = Layers.Input([3], batchSize: 2, name: "fixed_in");
        var m2 = new Model(fixedBatch, new Layers.Dense(1).Call(fixedBatch));
        Assert.Contains("(2, 3)", Assert.Throws<ArgumentException>(() => m2.Call(x3)).Message);
    }

    [Fact]
    public void Merge_layers_check_their_inputs()
    {
        using var a = NF.Zeros([2, 3]);
        using var b = NF.Zeros([2, 4]);
        Assert.Contains("list", Assert.Throws<ArgumentException>(() => new Layers.Add().Call(a)).Message);
        var e = Assert.Throws<ArgumentException>(() => new Layers.Add(name: "bad_add").Call([a, b]));
        Assert.Contains("bad_add", e.Message);
        Assert.Contains("(2, 3), (2, 4)", e.Message);
        Assert.Contains("exactly 2", Assert.Throws<ArgumentException>(() => new Layers.Subtract().Call([a, a, a])).Message);
        Assert.Contains("at least 2", Assert.Throws<ArgumentException>(() => new Layers.Multiply().Call([a])).Message);
        using var c = NF.Zeros([3, 3]);
        Assert.Contains("axis -1", Assert.Throws<ArgumentException>(() => new Layers.Concatenate().Call([a, c])).Message);
        Assert.Contains("axis 2", Assert.Throws<ArgumentException>(() => new Layers.Concatenate(axis: 2).Call([a, a])).Message);
        // Symbolic calls check the same way, when the model is built.
        Assert.Throws<ArgumentException>(() => new Layers.Add().Call([Layers.Input([3]), Layers.Input([4])]));
    }

    [Fact]
    public void Bad_inputs_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Layers.Input([-1, 3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Layers.Input([3], batchSize: 0));
        Assert.Throws<ArgumentNullException>(() => new Layers.Dense(2).Call((KerasTensor)null!));
    }

    [Fact]
    public void A_subclassed_model_still_needs_its_Call()
    {
        var e = Assert.Throws<NotImplementedException>(() => new Empty().Call(NF.Zeros([1, 2])));
        Assert.Contains("Call", e.Message);
    }

    private sealed class Empty : Model;
}
