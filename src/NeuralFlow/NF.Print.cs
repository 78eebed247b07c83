namespace NeuralFlow;

public static partial class NF
{
    /// <summary>
    /// Prints <paramref name="values"/> separated by spaces, then a new line, to standard error
    /// (<c>tf.print</c>, whose default stream is standard error): a tensor as its values (what its
    /// <see cref="Tensor.ToString"/> shows, without the shape and dtype), a scalar <c>StringTensor</c> as its text,
    /// anything else as its <c>ToString</c>. Unlike <c>Console.WriteLine</c>, which an <c>NF.Function</c> runs only
    /// while tracing, it prints at every call: reading the values on the host makes the function run
    /// eagerly, with that reason in <see cref="TracedFunction.EagerReason"/>.
    /// </summary>
    public static void Print(params object?[] values) => Print(Console.Error, values);

    /// <summary>Prints <paramref name="values"/> as <see cref="Print(object[])"/> does, to <paramref name="output"/> (tf.print's <c>output_stream</c>).</summary>
    public static void Print(TextWriter output, params object?[] values)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(values);
        output.WriteLine(string.Join(" ", values.Select(v => v switch
        {
            Tensor t => t.ValuesText(),
            Data.StringTensor { Rank: 0 } text => text.Item(),   // tf.print shows a string scalar bare
            null => "None",
            _ => v.ToString(),
        })));
    }
}
