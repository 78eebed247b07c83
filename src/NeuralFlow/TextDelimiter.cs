namespace NeuralFlow;

/// <summary>
/// The field delimiter of <c>NF.Numpy.LoadTxt</c>/<c>GenFromTxt</c>, given as a character or a
/// string: NumPy takes a str (<c>delimiter=","</c>), which C# users write either way
/// (<c>delimiter: ","</c> or <c>delimiter: ','</c>).
/// </summary>
public readonly record struct TextDelimiter(string Text)
{
    /// <summary>A one-character delimiter.</summary>
    public static implicit operator TextDelimiter(char c) => new(c.ToString());

    /// <summary>A delimiter of any length (GenFromTxt's "::").</summary>
    public static implicit operator TextDelimiter(string text) => new(text ?? throw new ArgumentNullException(nameof(text)));
}
