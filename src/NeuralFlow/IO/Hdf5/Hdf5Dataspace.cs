namespace NeuralFlow.IO.Hdf5;

/// <summary>A dataspace message: the dimensions (none for a scalar), each checked to be sane.</summary>
internal static class Hdf5Dataspace
{
    public const int MaxRank = 32;

    /// <summary>The dimensions, or null for a null dataspace (no elements).</summary>
    public static long[]? Read(Hdf5Cursor c, string what)
    {
        var source = c.Source;
        int version = c.U8();
        int rank = c.U8();
        int flags = c.U8();
        bool isNull = false;
        if (version == 1) c.Skip(5);
        else if (version == 2) isNull = c.U8() == 2;
        else throw source.Corrupt($"the dataspace of {what} has version {version}");
        if (rank > MaxRank) throw source.Corrupt($"the dataspace of {what} has rank {rank}, past {MaxRank}");
        var dims = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            ulong d = c.Length();
            if (d > int.MaxValue) throw source.Corrupt($"the dataspace of {what} has dimension {i} of {d}, an absurd size");
            dims[i] = (long)d;
        }
        if ((flags & 1) != 0) for (int i = 0; i < rank; i++) c.Length();   // maximum dimensions
        return isNull ? null : dims;
    }

    /// <summary>The number of elements of <paramref name="dims"/>, failing when it overflows <paramref name="cap"/>.</summary>
    public static long Count(Hdf5Source source, long[] dims, long cap, string what)
    {
        long n = 1;
        foreach (var d in dims)
        {
            if (d != 0 && n > cap / d) throw source.Corrupt($"{what} has shape [{string.Join(", ", dims)}], too many elements");
            n *= d;
        }
        return n;
    }
}
