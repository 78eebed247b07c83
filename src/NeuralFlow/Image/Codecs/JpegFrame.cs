namespace NeuralFlow.Image.Codecs;

/// <summary>One component of a JPEG frame: its sampling factors, tables, and the DCT coefficients decoded so far.</summary>
internal sealed class JpegComponent
{
    public int Id, H, V, QuantTable;
    public int DcTable, AcTable, DcPrediction;
    /// <summary>The component's own size in samples (ceil(width * H / Hmax) by ceil(height * V / Vmax)).</summary>
    public int Width, Height;
    /// <summary>The blocks stored per row and column: the MCU grid, so interleaved scans' padding blocks fit.</summary>
    public int BlocksPerLine, BlocksPerColumn;
    /// <summary>64 coefficients per block, natural (row-major) order, rows of blocks top to bottom; null until a scan reaches the component.</summary>
    public short[]? Coefficients;
    /// <summary>Whether a DC scan has covered the component (progressive AC scans need one first).</summary>
    public bool HasDc;
}

/// <summary>The frame header (SOF) and the tables and settings the scans use.</summary>
internal sealed class JpegFrame
{
    public int Width, Height, MaxH, MaxV, McusPerLine, McusPerColumn;
    public bool Progressive;
    public JpegComponent[] Components = [];
    public readonly ushort[]?[] Quant = new ushort[4][];
    public readonly JpegHuffman?[] DcTables = new JpegHuffman[4], AcTables = new JpegHuffman[4];
    public int RestartInterval;
    /// <summary>The Adobe APP14 transform flag (0: the 3 components are RGB, 1: YCbCr), -1 without the marker.</summary>
    public int AdobeTransform = -1;
    public bool Jfif;

    /// <summary>
    /// Zig-zag position to natural (row-major) index, with 16 extra entries of 63 as libjpeg has, so
    /// that a corrupt run length past the block's end lands on the last coefficient instead of outside.
    /// </summary>
    public static readonly int[] NaturalOrder =
    [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
        63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
    ];
}
