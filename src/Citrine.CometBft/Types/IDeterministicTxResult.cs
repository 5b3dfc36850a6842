namespace Citrine.CometBft.Types;

/// <summary>
/// The part of an ABCI <c>ExecTxResult</c> that CometBFT commits to in <c>LastResultsHash</c>
/// (types/results.go <c>deterministicExecTxResult</c>): code, data, gas wanted and gas used; log,
/// info, events and codespace are left out because they may differ between nodes.
/// </summary>
public interface IDeterministicTxResult
{
    uint Code { get; }

    byte[] Data { get; }

    long GasWanted { get; }

    long GasUsed { get; }
}
