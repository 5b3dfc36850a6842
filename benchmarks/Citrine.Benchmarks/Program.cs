using BenchmarkDotNet.Running;

// Run one area: dotnet run -c Release --project benchmarks/Citrine.Benchmarks -- --filter '*Hpke*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
