using System.Globalization;

namespace NeuralFlow.Keras;

public static partial class Callbacks
{
    /// <summary>
    /// Writes one CSV row per epoch: <c>epoch</c> and every log entry in key order
    /// (<c>tf.keras.callbacks.CSVLogger</c>). Each row is flushed as the epoch ends, so a killed
    /// run keeps every finished epoch; with <paramref name="append"/> a resumed run adds its rows
    /// under the existing header instead of starting a new file. The columns are the first epoch's
    /// logs, and their "val_" twins when that epoch was not validated (as Keras), so a Fit with
    /// <c>validationFreq</c> above 1 keeps its validation values ("NA" on the other epochs).
    /// </summary>
    public sealed class CSVLogger(string filename, string separator = ",", bool append = false) : Callback
    {
        private readonly string _filename = string.IsNullOrEmpty(filename) ? throw new ArgumentException("CSVLogger: filename is empty.", nameof(filename)) : filename;
        private StreamWriter? _writer;
        private string[]? _keys;

        /// <inheritdoc/>
        public override void OnTrainBegin()
        {
            _writer?.Dispose();
            bool continuing = append && File.Exists(_filename) && new FileInfo(_filename).Length > 0;
            _keys = continuing ? HeaderKeys() : null;
            _writer = new StreamWriter(_filename, append, new System.Text.UTF8Encoding(false));
        }

        // The keys of an existing file's header, so appended rows keep its columns.
        private string[] HeaderKeys()
        {
            using var reader = new StreamReader(_filename);
            var header = reader.ReadLine() ?? "";
            return header.Split(separator).Skip(1).ToArray();
        }

        /// <inheritdoc/>
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
        {
            if (_writer is null) OnTrainBegin();
            if (_keys is null)
            {
                _keys = logs.Keys.Order(StringComparer.Ordinal).ToArray();
                // Keras: a first epoch without validation (validationFreq > 1) still gets the val_
                // columns, so that later epochs' validation is not dropped for want of a column.
                if (_keys.Length > 0 && !_keys.Any(k => k.StartsWith("val_", StringComparison.Ordinal)))
                    _keys = [.. _keys, .. _keys.Select(k => "val_" + k)];
                _writer!.WriteLine(string.Join(separator, ["epoch", .. _keys]));
            }
            // Keras writes "NA" for a key an epoch lacks (validation on some epochs only).
            var cells = _keys.Select(k => logs.TryGetValue(k, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "NA");
            _writer!.WriteLine(string.Join(separator, [epoch.ToString(CultureInfo.InvariantCulture), .. cells]));
            _writer.Flush();
        }

        /// <inheritdoc/>
        public override void OnTrainEnd()
        {
            _writer?.Dispose();
            _writer = null;
        }
    }
}
