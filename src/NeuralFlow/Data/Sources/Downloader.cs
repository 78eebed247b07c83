using System.Diagnostics;
using System.Security.Cryptography;

namespace NeuralFlow.Data.Sources;

/// <summary>
/// Downloads one file to a temporary name beside its destination while hashing it, and renames
/// it into place only when its SHA-256 matches: a broken, cut or tampered download never leaves
/// a file that looks complete.
/// </summary>
internal static class Downloader
{
    private static readonly HttpClient Client = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) })
    {
        Timeout = Timeout.InfiniteTimeSpan, // the whole transfer is bounded by Datasets.DownloadTimeout instead
    };

    /// <summary>Fetches <paramref name="url"/> into <paramref name="destination"/>; any failure throws and leaves nothing behind.</summary>
    public static void Fetch(string url, string destination, string sha256, TextWriter? progress) =>
        FetchAsync(url, destination, sha256, progress).GetAwaiter().GetResult();

    private static async Task FetchAsync(string url, string destination, string sha256, TextWriter? progress)
    {
        var temp = $"{destination}.{Guid.NewGuid():N}.part";
        using var timeout = new CancellationTokenSource(Datasets.DownloadTimeout);
        try
        {
            using var response = await Client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new HttpRequestException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            var meter = new ProgressMeter(progress, Path.GetFileName(destination), url, response.Content.Headers.ContentLength);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false))
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                int n;
                while ((n = await body.ReadAsync(buffer, timeout.Token).ConfigureAwait(false)) > 0)
                {
                    await file.WriteAsync(buffer.AsMemory(0, n), timeout.Token).ConfigureAwait(false);
                    hash.AppendData(buffer, 0, n);
                    meter.Advance(n);
                }
                file.Flush(flushToDisk: true);
            }
            meter.Done();
            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (!actual.Equals(sha256, StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"SHA-256 mismatch: expected {sha256}, got {actual} ({meter.Bytes:N0} bytes); the download was discarded");
            File.Move(temp, destination, overwrite: true);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"no complete download within {Datasets.DownloadTimeout.TotalSeconds:0} s (Datasets.DownloadTimeout)");
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>"name: 42% (4.2 of 9.9 MB)", redrawn in place on a terminal, a line per quarter otherwise.</summary>
    private sealed class ProgressMeter
    {
        private readonly TextWriter? _writer;
        private readonly string _name;
        private readonly long? _total;
        private readonly bool _inPlace;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _lastDraw = -1000;
        private int _lastQuarter;

        public ProgressMeter(TextWriter? writer, string name, string url, long? total)
        {
            _writer = writer;
            _name = name;
            _total = total;
            _inPlace = ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected;
            writer?.WriteLine($"Downloading {name} from {url}");
        }

        public long Bytes { get; private set; }

        public void Advance(int bytes)
        {
            Bytes += bytes;
            if (_writer is null) return;
            if (_inPlace)
            {
                if (_clock.ElapsedMilliseconds - _lastDraw < 200) return;
                _lastDraw = _clock.ElapsedMilliseconds;
                _writer.Write($"\r  {Describe()}   ");
            }
            else if (_total is > 0 && (int)(4 * Bytes / _total.Value) is var quarter && quarter > _lastQuarter && quarter < 4)
            {
                _lastQuarter = quarter;
                _writer.WriteLine($"  {Describe()}");
            }
        }

        public void Done()
        {
            if (_writer is null) return;
            if (_inPlace) _writer.Write('\r');
            _writer.WriteLine($"  {Describe()} in {_clock.Elapsed.TotalSeconds:0.0} s");
        }

        private string Describe() => _total is > 0
            ? $"{_name}: {100 * Bytes / _total.Value}% ({Bytes / 1e6:0.0} of {_total.Value / 1e6:0.0} MB)"
            : $"{_name}: {Bytes / 1e6:0.0} MB";
    }
}
