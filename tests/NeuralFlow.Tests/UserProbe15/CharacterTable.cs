namespace NeuralFlow.Tests.UserProbe15;

/// <summary>
/// keras.io's CharacterTable (examples/nlp/addition_rnn.py): one-hot encodes a string of the
/// given characters into [rows, chars] and decodes a row of scores back by arg-max.
/// </summary>
internal sealed class CharacterTable(string chars)
{
    private readonly char[] _chars = chars.Distinct().Order().ToArray();

    public int Count => _chars.Length;

    /// <summary>One-hot rows for <paramref name="c"/>, <paramref name="numRows"/> of them (the string padded by the caller).</summary>
    public float[] Encode(string c, int numRows)
    {
        var x = new float[numRows * _chars.Length];
        for (int i = 0; i < c.Length; i++) x[i * _chars.Length + Array.IndexOf(_chars, c[i])] = 1;
        return x;
    }

    /// <summary>The characters of the rows' arg-max (calc_argmax) or of given indices.</summary>
    public string Decode(IEnumerable<long> indices) => new(indices.Select(i => _chars[i]).ToArray());
}
