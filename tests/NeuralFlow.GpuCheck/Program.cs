using NeuralFlow;
using NeuralFlow.Backends;
using NeuralFlow.GpuCheck;

// NeuralFlow.GpuCheck tests [--prefix Cuda] [--filter Conformance,Parity,...]
// NeuralFlow.GpuCheck steps [--device gpu:0] [--steps 200] [--batch 128]
// NeuralFlow.GpuCheck info
string Option(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

switch (args.Length > 0 ? args[0] : "info")
{
    case "tests":
        var filters = Option("--filter", "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return TestRunner.Run(Option("--prefix", "Cuda"), filters);
    case "steps":
        return StepTimer.Run(Device.Parse(Option("--device", "gpu:0")), int.Parse(Option("--steps", "200")), int.Parse(Option("--batch", "128")));
    case "info":
        Console.WriteLine($"devices: {string.Join(", ", NF.Devices())}");
        Console.WriteLine($"default: {BackendRegistry.Default.Description}");
        if (!NF.Cuda.IsAvailable) Console.WriteLine($"no GPU: {NF.Cuda.Failure}");
        return 0;
    default:
        Console.Error.WriteLine("usage: NeuralFlow.GpuCheck tests|steps|info [options]");
        return 2;
}
