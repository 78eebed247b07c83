using NeuralFlow.Data;

namespace NeuralFlow;

public static partial class NF
{
    public static partial class Numpy
    {
        /// <summary>
        /// The numbers of the text file <paramref name="path"/> as one array (<c>np.loadtxt</c>):
        /// one row per line, fields split by <paramref name="delimiter"/> (whitespace when null),
        /// text from <paramref name="comments"/> to the end of a line and blank lines ignored, the
        /// first <paramref name="skipRows"/> lines skipped, only <paramref name="useCols"/> kept
        /// (negative positions count from the end), at most <paramref name="maxRows"/> rows read. The
        /// result is squeezed as NumPy's (one row or one column gives a vector) unless
        /// <paramref name="ndmin"/> asks for more axes. Every field must be a number: a missing or
        /// malformed one, or a row with another number of fields, is an <see cref="InvalidDataException"/>
        /// naming the file, line and column (use <see cref="GenFromTxt"/> for files with gaps).
        /// </summary>
        public static Tensor LoadTxt(string path, DType dtype = DType.Float64, TextDelimiter? delimiter = null, string? comments = "#", int skipRows = 0,
                                     IReadOnlyList<int>? useCols = null, int? maxRows = null, int ndmin = 0)
        {
            CheckTextDType(dtype);
            // NumPy's loadtxt takes one character; genfromtxt any string.
            if (delimiter is { Text.Length: > 1 } several)
                throw new ArgumentException($"loadtxt: the delimiter must be a single character or null (whitespace), not \"{several.Text}\"; NF.Numpy.GenFromTxt takes longer ones.", nameof(delimiter));
            var rows = TextRows(path, delimiter, comments, skipRows, 0, maxRows, useCols, "loadtxt");
            var column = new CsvColumn("", 0, dtype, null);
            var values = new CsvColumnValues(column);
            int width = rows.Count == 0 ? 0 : rows[0].Fields.Length;
            for (int r = 0; r < rows.Count; r++)
                for (int c = 0; c < width; c++)
                {
                    string field = rows[r].Fields[c];
                    values.Add(column.Parse(field) ??
                        throw new InvalidDataException($"loadtxt: '{path}', line {rows[r].Line}, column {rows[r].Columns[c] + 1}: could not convert '{field}' to {dtype.Name()}" +
                                                       (field.Trim().Length == 0 ? " (a missing value: GenFromTxt reads those as NaN)." : ".")));
                }
            return TextArray(values, rows.Count, width, ndmin);
        }

        /// <summary>
        /// The numbers of the text file <paramref name="path"/> with gaps filled (<c>np.genfromtxt</c>):
        /// as <see cref="LoadTxt"/>, but a field that is empty, one of <paramref name="missingValues"/>
        /// (e.g. "?" or "NA") or not a number becomes <paramref name="fillingValue"/>: NaN for floats and
        /// -1 for integers by default, as NumPy's. <paramref name="skipHeader"/> lines are skipped at the
        /// start and <paramref name="skipFooter"/> rows at the end. A row with another number of fields is
        /// an <see cref="InvalidDataException"/> naming the file and line.
        /// </summary>
        public static Tensor GenFromTxt(string path, DType dtype = DType.Float64, TextDelimiter? delimiter = null, string? comments = "#", int skipHeader = 0,
                                        int skipFooter = 0, IReadOnlyList<int>? useCols = null, IReadOnlyList<string>? missingValues = null,
                                        double? fillingValue = null, int? maxRows = null, int ndmin = 0)
        {
            if (skipFooter < 0) throw new ArgumentOutOfRangeException(nameof(skipFooter), skipFooter, "genfromtxt: skipFooter cannot be negative.");
            CheckTextDType(dtype);
            var rows = TextRows(path, delimiter, comments, skipHeader, skipFooter, maxRows, useCols, "genfromtxt");
            var missing = new HashSet<string>(missingValues ?? [], StringComparer.Ordinal);
            double fill = fillingValue ?? (dtype.IsFloating() ? double.NaN : -1);
            // The filling value in the column's type, as NumPy casts it.
            object filler = dtype switch { DType.Float32 => (object)(float)fill, DType.Int32 => (int)fill, DType.Int64 => (long)fill, _ => fill };
            var column = new CsvColumn("", 0, dtype, null);
            var values = new CsvColumnValues(column);
            int width = rows.Count == 0 ? 0 : rows[0].Fields.Length;
            for (int r = 0; r < rows.Count; r++)
                for (int c = 0; c < width; c++)
                {
                    string field = rows[r].Fields[c].Trim();
                    values.Add(missing.Contains(field) ? filler : column.Parse(field) ?? filler);
                }
            return TextArray(values, rows.Count, width, ndmin);
        }

        private readonly record struct TextRow(string[] Fields, int[] Columns, int Line);

        // The kept fields of each data line; every line must have the first one's field count.
        private static List<TextRow> TextRows(string path, TextDelimiter? delimiter, string? comments, int skipLines, int skipFooter, int? maxRows,
                                              IReadOnlyList<int>? useCols, string function)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            if (skipLines < 0) throw new ArgumentOutOfRangeException(nameof(skipLines), skipLines, $"{function}: the number of lines to skip cannot be negative.");
            if (maxRows is < 0) throw new ArgumentOutOfRangeException(nameof(maxRows), maxRows, $"{function}: maxRows cannot be negative.");
            if (delimiter is { Text: var text } && (text.Length == 0 || text.Contains('\n') || text.Contains('\r')))
                throw new ArgumentException($"{function}: the delimiter cannot be empty or hold a line break.", nameof(delimiter));
            var rows = new List<TextRow>();
            int lineNumber = 0, width = -1;
            int[]? columns = null;
            foreach (var raw in File.ReadLines(path))
            {
                lineNumber++;
                if (lineNumber <= skipLines) continue;
                int at = string.IsNullOrEmpty(comments) ? -1 : raw.IndexOf(comments, StringComparison.Ordinal);
                string line = at < 0 ? raw : raw[..at];
                if (line.Trim().Length == 0) continue;
                var fields = delimiter is { } d ? line.Split(d.Text) : line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (width < 0)
                {
                    width = fields.Length;
                    columns = useCols is null ? Enumerable.Range(0, width).ToArray() : useCols.Select(c => c < -width || c >= width
                        ? throw new ArgumentOutOfRangeException(nameof(useCols), c, $"{function}: useCols holds column {c}, but '{path}' has {width} columns.")
                        : c < 0 ? c + width : c).ToArray();
                }
                else if (fields.Length != width)
                    throw new InvalidDataException($"{function}: '{path}', line {lineNumber} has {fields.Length} fields, the lines before it {width}; use useCols to keep the columns every line has.");
                rows.Add(new TextRow(columns!.Select(c => fields[c]).ToArray(), columns!, lineNumber));
                if (skipFooter == 0 && rows.Count == maxRows) break;
            }
            if (skipFooter > 0) rows.RemoveRange(Math.Max(0, rows.Count - skipFooter), Math.Min(skipFooter, rows.Count));
            if (maxRows is { } max && rows.Count > max) rows.RemoveRange(max, rows.Count - max);
            return rows;
        }

        private static void CheckTextDType(DType dtype)
        {
            if (dtype is not (DType.Float32 or DType.Float64 or DType.Int32 or DType.Int64))
                throw new ArgumentException($"Text files load as float32, float64, int32 or int64, not {dtype.Name()}.", nameof(dtype));
        }

        // The values (read as the CSV readers read a column of the dtype: floats as strtod, with nan and inf;
        // integers whole numbers only, every digit kept) in NumPy's shape.
        private static Tensor TextArray(CsvColumnValues values, int rows, int width, int ndmin)
        {
            if (ndmin is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(ndmin), ndmin, "ndmin must be 0, 1 or 2.");
            // NumPy squeezes the [rows, columns] table, then adds leading axes up to ndmin.
            int[] shape = new[] { rows, width }.Where(n => n != 1).ToArray();
            if (rows == 0) shape = [0];
            while (shape.Length < ndmin) shape = [1, .. shape];
            if (ndmin == 2 && rows > 1 && width == 1) shape = [rows, 1];
            return values.ToTensor(new Shape(shape));
        }
    }
}
