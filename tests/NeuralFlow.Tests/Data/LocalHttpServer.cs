using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NeuralFlow.Tests.Data;

/// <summary>
/// A tiny HTTP/1.1 file server on 127.0.0.1 (a free port) for download tests: serves the given
/// bodies by path, 404 otherwise, one request per connection. It stops on Dispose, or by itself
/// after <c>lifetime</c>, so a failing test cannot leave it running.
/// </summary>
internal sealed class LocalHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Dictionary<string, byte[]> _files;
    private readonly CancellationTokenSource _stop;
    private readonly Task _loop;

    public LocalHttpServer(Dictionary<string, byte[]> files, TimeSpan? lifetime = null)
    {
        _files = files;
        _stop = new CancellationTokenSource(lifetime ?? TimeSpan.FromMinutes(2));
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string BaseUrl => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/data/";

    public List<string> Requests { get; } = [];

    private async Task ServeAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                await using var stream = client.GetStream();
                var path = await ReadRequestPathAsync(stream);
                lock (Requests) Requests.Add(path);
                var name = path.StartsWith("/data/") ? path["/data/".Length..] : "";
                var found = _files.TryGetValue(name, out var body);
                body ??= Encoding.ASCII.GetBytes("not found");
                var head = $"HTTP/1.1 {(found ? "200 OK" : "404 Not Found")}\r\nContent-Length: {body.Length}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                await stream.WriteAsync(body, _stop.Token);
            }
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
        catch (SocketException) { }
    }

    private async Task<string> ReadRequestPathAsync(NetworkStream stream)
    {
        var header = new StringBuilder();
        var buffer = new byte[1];
        while (!header.ToString().EndsWith("\r\n\r\n") && header.Length < 8192)
        {
            if (await stream.ReadAsync(buffer, _stop.Token) == 0) break;
            header.Append((char)buffer[0]);
        }
        var requestLine = header.ToString().Split("\r\n")[0].Split(' ');
        return requestLine.Length > 1 ? requestLine[1] : "";
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _loop.Wait(TimeSpan.FromSeconds(10)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
