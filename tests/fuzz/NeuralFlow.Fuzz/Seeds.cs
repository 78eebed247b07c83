namespace NeuralFlow.Fuzz;

/// <summary>
/// The seed corpus (tests/fuzz/corpus/idx/seed-*): small valid IDX files, raw and gzip, and the
/// edge cases around them. `--make-seeds` rewrites these files; inputs the fuzzer found that
/// once failed are kept beside them as crash-* and are never rewritten.
/// </summary>
internal static class Seeds
{
    public static IEnumerable<(string Name, byte[] Bytes)> All()
    {
        byte[] labels = [.. Header(8, 3), 1, 7, 9];
        byte[] images = [.. Header(8, 2, 3, 3), .. Enumerable.Range(0, 18).Select(i => (byte)(i * 14))];
        yield return ("seed-labels-3.idx", labels);
        yield return ("seed-images-2x3x3.idx", images);
        yield return ("seed-labels-3.idx.gz", Mutator.Gzip(labels));
        yield return ("seed-images-2x3x3.idx.gz", Mutator.Gzip(images));
        yield return ("seed-empty-labels.idx", Header(8, 0));
        yield return ("seed-empty-images-0x28x28.idx", Header(8, 0, 28, 28));
        yield return ("seed-rank-8.idx", [.. Header(8, 1, 1, 1, 1, 1, 1, 1, 2), 5, 6]);
        yield return ("seed-rank-9.idx", [.. Header(8, 1, 1, 1, 1, 1, 1, 1, 1, 1), 5]);
        yield return ("seed-rank-0.idx", [0, 0, 8, 0, 5]);
        yield return ("seed-empty.bin", []);
        yield return ("seed-magic-only.idx", [0, 0, 8, 1]);
        yield return ("seed-header-cut.idx", Header(8, 2, 3, 3)[..9]);
        yield return ("seed-data-cut.idx", images[..^4]);
        yield return ("seed-trailing-data.idx", [.. labels, 42]);
        yield return ("seed-type-float.idx", [.. Header(0x0D, 1), 0, 0, 0x80, 0x3F]);
        yield return ("seed-negative-dim.idx", [.. Header(8, 2, -1, 3), 1, 2, 3]);
        yield return ("seed-dims-overflow.idx", [.. Header(8, 65536, 65536, 65536), 1]);
        yield return ("seed-zip-magic.bin", [0x50, 0x4B, 0x03, 0x04, 0, 0, 0, 0]);
        yield return ("seed-gzip-cut.gz", Mutator.Gzip(images)[..^6]);
        yield return ("seed-gzip-trailing-garbage.gz", [.. Mutator.Gzip(labels), 0xDE, 0xAD, 0xBE, 0xEF]);
        // A valid file split over two gzip members (what `cat a.gz b.gz` makes); gunzip reads both.
        yield return ("seed-gzip-two-members.gz", [.. Mutator.Gzip(labels[..6]), .. Mutator.Gzip(labels[6..])]);
        yield return ("seed-gzip-of-gzip.gz", Mutator.Gzip(Mutator.Gzip(labels)));
    }

    public static byte[] Header(byte type, params int[] dims)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)dims.Length };
        foreach (var d in dims) bytes.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        return bytes.ToArray();
    }
}
