namespace Citrine.Attestation.Dcap.Collateral;

/// <summary>One entry of the TCB Evaluation Data Numbers document.</summary>
public sealed record TcbEvaluationDataNumber(int Number, DateTimeOffset TcbRecoveryEventDate, DateTimeOffset TcbDate);

/// <summary>
/// The inner "tcbEvaluationDataNumbers" object of the Intel PCS response (id SGX or TDX, version 1):
/// which evaluation data numbers Intel still publishes.
/// </summary>
public sealed record TcbEvaluationDataNumbers(string Id, int Version, DateTimeOffset IssueDate, DateTimeOffset NextUpdate, IReadOnlyList<TcbEvaluationDataNumber> Numbers)
{
    public static TcbEvaluationDataNumbers Parse(ReadOnlyMemory<byte> json)
    {
        const string P = "tcbEvaluationDataNumbers";
        using var doc = JsonFields.Parse(json, P);
        var root = doc.RootElement;
        var list = new List<TcbEvaluationDataNumber>();
        var i = 0;
        foreach (var e in JsonFields.Array(root, "tcbEvalNumbers", P))
        {
            var p = $"{P}.tcbEvalNumbers[{i++}]";
            list.Add(new TcbEvaluationDataNumber(JsonFields.Int(e, "tcbEvaluationDataNumber", p), JsonFields.Time(e, "tcbRecoveryEventDate", p), JsonFields.Time(e, "tcbDate", p)));
        }
        if (list.Count == 0)
        {
            throw new CollateralFormatException($"{P}.tcbEvalNumbers", "lists no number");
        }
        return new TcbEvaluationDataNumbers(JsonFields.String(root, "id", P), JsonFields.Int(root, "version", P), JsonFields.Time(root, "issueDate", P), JsonFields.Time(root, "nextUpdate", P), list);
    }

    /// <summary>
    /// The number collateral must have reached at <paramref name="now"/> when each TCB recovery
    /// event gets <paramref name="grace"/> before it is enforced: the highest number whose
    /// tcbRecoveryEventDate + grace is not after now. When no event is that old, the lowest number
    /// Intel still publishes (a number missing from the list is no longer supported).
    /// </summary>
    public TcbEvaluationDataNumber RequiredAfterGrace(DateTimeOffset now, TimeSpan grace)
    {
        TcbEvaluationDataNumber? required = null;
        var lowest = Numbers[0];
        foreach (var n in Numbers)
        {
            if (n.Number < lowest.Number)
            {
                lowest = n;
            }
            if (n.TcbRecoveryEventDate <= now - grace && (required is null || n.Number > required.Number))
            {
                required = n;
            }
        }
        return required ?? lowest;
    }
}
