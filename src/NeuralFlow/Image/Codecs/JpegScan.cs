namespace NeuralFlow.Image.Codecs;

/// <summary>
/// The entropy-coded data of one JPEG scan (ITU T.81 Annex F and G): sequential Huffman scans, and the
/// four kinds of progressive scan (DC first and refinement, AC first with end-of-band runs, AC
/// refinement), into the components' coefficient arrays. Restart markers reset the DC predictions and
/// the end-of-band run.
/// </summary>
internal sealed class JpegScan(JpegFrame frame, JpegComponent[] components, int start, int end, int high, int low)
{
    private const string Format = "JPEG";
    private int _eobRun;

    /// <summary>Decodes the scan's data from <paramref name="position"/>; returns the position of the marker after it.</summary>
    public int Decode(byte[] data, int position)
    {
        var bits = new JpegBitReader(data, position);
        bool single = components.Length == 1;
        var c0 = components[0];
        int mcusPerLine = single ? (c0.Width + 7) / 8 : frame.McusPerLine;
        int mcus = single ? mcusPerLine * ((c0.Height + 7) / 8) : frame.McusPerLine * frame.McusPerColumn;
        foreach (var c in frame.Components) c.DcPrediction = 0;
        for (int mcu = 0; mcu < mcus; mcu++)
        {
            if (frame.RestartInterval > 0 && mcu > 0 && mcu % frame.RestartInterval == 0)
            {
                CheckNotShort(bits);
                if (!bits.Restart()) throw ImageLimits.Invalid(Format, $"a restart marker is missing after MCU {mcu} (corrupt data)");
                foreach (var c in components) c.DcPrediction = 0;
                _eobRun = 0;
            }
            int row = mcu / mcusPerLine, column = mcu % mcusPerLine;
            if (single)
            {
                DecodeBlock(bits, c0, row * c0.BlocksPerLine + column);
                continue;
            }
            foreach (var c in components)
                for (int v = 0; v < c.V; v++)
                    for (int h = 0; h < c.H; h++)
                        DecodeBlock(bits, c, (row * c.V + v) * c.BlocksPerLine + column * c.H + h);
        }
        CheckNotShort(bits);
        return JpegBitReader.NextMarker(data, bits.Position);
    }

    // libjpeg reads zeros past a marker and warns; TF's decoder fails on such truncated data, and so do we.
    private static void CheckNotShort(JpegBitReader bits)
    {
        if (bits.ReadPastEnd) throw ImageLimits.Invalid(Format, "the entropy-coded data ends before the scan's last block (truncated or corrupt file)");
    }

    private void DecodeBlock(JpegBitReader bits, JpegComponent c, int block)
    {
        var coefficients = c.Coefficients.AsSpan(block * 64, 64);
        if (!frame.Progressive) DecodeSequential(bits, c, coefficients);
        else if (start == 0) DecodeDc(bits, c, coefficients);
        else if (high == 0) DecodeAcFirst(bits, c, coefficients);
        else DecodeAcRefine(bits, c, coefficients);
    }

    private void DecodeSequential(JpegBitReader bits, JpegComponent c, Span<short> block)
    {
        int s = frame.DcTables[c.DcTable]!.Decode(bits);
        c.DcPrediction += bits.Receive(Category(s));
        block[0] = (short)c.DcPrediction;
        var ac = frame.AcTables[c.AcTable]!;
        for (int k = 1; k < 64; k++)
        {
            int rs = ac.Decode(bits), r = rs >> 4;
            s = rs & 15;
            if (s != 0)
            {
                k += r;
                block[JpegFrame.NaturalOrder[k]] = (short)bits.Receive(s);
            }
            else if (r == 15) k += 15;
            else break;
        }
    }

    private void DecodeDc(JpegBitReader bits, JpegComponent c, Span<short> block)
    {
        if (high == 0)
        {
            int s = frame.DcTables[c.DcTable]!.Decode(bits);
            c.DcPrediction += bits.Receive(Category(s));
            block[0] = (short)(c.DcPrediction << low);
        }
        else if (bits.Bit() != 0) block[0] |= (short)(1 << low);
    }

    private void DecodeAcFirst(JpegBitReader bits, JpegComponent c, Span<short> block)
    {
        if (_eobRun > 0) { _eobRun--; return; }
        var ac = frame.AcTables[c.AcTable]!;
        for (int k = start; k <= end; k++)
        {
            int rs = ac.Decode(bits), r = rs >> 4, s = rs & 15;
            if (s != 0)
            {
                k += r;
                block[JpegFrame.NaturalOrder[k]] = (short)(bits.Receive(s) << low);
            }
            else if (r == 15) k += 15;
            else
            {
                _eobRun = (1 << r) - 1 + bits.Bits(r);
                break;
            }
        }
    }

    // Refinement: one correction bit for each coefficient already nonzero, new coefficients of
    // magnitude 1 placed after r zero-history ones (libjpeg's decode_mcu_AC_refine).
    private void DecodeAcRefine(JpegBitReader bits, JpegComponent c, Span<short> block)
    {
        int p1 = 1 << low, m1 = -1 << low;
        int k = start;
        if (_eobRun == 0)
        {
            var ac = frame.AcTables[c.AcTable]!;
            for (; k <= end; k++)
            {
                int rs = ac.Decode(bits), r = rs >> 4, s = rs & 15;
                if (s != 0) s = bits.Bit() != 0 ? p1 : m1; // the size must be 1; libjpeg warns and goes on otherwise
                else if (r != 15)
                {
                    _eobRun = 1 << r;
                    if (r != 0) _eobRun += bits.Bits(r);
                    break;
                }
                do
                {
                    int at = JpegFrame.NaturalOrder[k];
                    if (block[at] != 0) Correct(bits, block, at, p1, m1);
                    else if (--r < 0) break;
                    k++;
                } while (k <= end);
                if (s != 0) block[JpegFrame.NaturalOrder[k]] = (short)s;
            }
        }
        if (_eobRun > 0)
        {
            for (; k <= end; k++)
            {
                int at = JpegFrame.NaturalOrder[k];
                if (block[at] != 0) Correct(bits, block, at, p1, m1);
            }
            _eobRun--;
        }
    }

    private static void Correct(JpegBitReader bits, Span<short> block, int at, int p1, int m1)
    {
        if (bits.Bit() != 0 && (block[at] & p1) == 0) block[at] = (short)(block[at] + (block[at] >= 0 ? p1 : m1));
    }

    // A DC difference category above 15 cannot be received (libjpeg limits it the same way).
    private static int Category(int s) =>
        s <= 15 ? s : throw ImageLimits.Invalid(Format, $"a DC difference has category {s} (at most 15; corrupt data)");
}
