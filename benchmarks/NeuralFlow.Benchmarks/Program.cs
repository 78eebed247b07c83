using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/NeuralFlow.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
