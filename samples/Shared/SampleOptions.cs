// Command-line options shared by the samples: "--name value" pairs, --backend, --help.
// Linked into each sample by its csproj (<Compile Include="../Shared/SampleOptions.cs" />).
using NeuralFlow;

static class SampleOptions
{
    /// <summary>
    /// Reads <paramref name="args"/> as "--name value" pairs and hands each value to its handler;
    /// "--backend NAME" selects the backend. Returns null to go on, else the exit code
    /// (0 after --help, 2 after an unknown option, with a line on stderr).
    /// </summary>
    public static int? Parse(string[] args, string usage, Dictionary<string, Action<string>> options)
    {
        options.TryAdd("--backend", name => NF.UseBackend(name));
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] is "--help" or "-h")
            {
                Console.WriteLine($"usage: {usage}");
                return 0;
            }
            if (!options.TryGetValue(args[i], out var handle))
            {
                Console.Error.WriteLine($"unknown argument {args[i]}; usage: {usage}");
                return 2;
            }
            if (i + 1 >= args.Length)
            {
                Console.Error.WriteLine($"{args[i]} needs a value; usage: {usage}");
                return 2;
            }
            handle(args[++i]);
        }
        return null;
    }
}
