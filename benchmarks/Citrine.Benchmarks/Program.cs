using BenchmarkDotNet.Running;
using Citrine.Benchmarks;

// Wall clock against a running devnet (benchmarks/execution-throughput.sh), not BenchmarkDotNet.
if (args.Length > 0 && args[0] == "execution-throughput")
{
    return await ExecutionThroughput.RunAsync(args[1..]);
}

// Run one area: dotnet run -c Release --project benchmarks/Citrine.Benchmarks -- --filter '*Hpke*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
