using Citrine.Attestation.Dcap;
using Citrine.Attestation.Dcap.Collateral;
using Citrine.Attestation.Dcap.Pck;
using Citrine.Attestation.Dcap.Verification;
using FsCheck;
using FsCheck.Fluent;

namespace Citrine.Attestation.Tests.Dcap;

/// <summary>TCB level selection, TDX module rules and the status merge, on constructed collateral.</summary>
public sealed class TcbEvaluationTests
{
    private static readonly DateTimeOffset Date = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static byte[] Svn(params byte[] first)
    {
        var b = new byte[16];
        first.CopyTo(b, 0);
        return b;
    }

    private static TcbLevel Level(byte[] sgx, ushort pce, byte[]? tdx, TcbStatus status, params string[] advisories) =>
        new(sgx, pce, tdx, Date, status, advisories);

    private static TcbInfo Info(IReadOnlyList<TcbLevel> levels, TdxModule? module = null, IReadOnlyList<TdxModuleIdentity>? identities = null) =>
        new(module is null && identities is null ? "SGX" : "TDX", 3, Date, Date.AddDays(30), new byte[6], new byte[2], 0, 17, module, identities ?? [], levels);

    private static PckExtensions Pck(byte[] comps, ushort pce) => new([], comps, pce, comps, new byte[2], new byte[6], SgxType.Standard);

    [Fact]
    public void Selects_the_highest_level_the_platform_meets_whatever_the_document_order()
    {
        var low = Level(Svn(1, 1), 5, null, TcbStatus.OutOfDate, "INTEL-SA-1");
        var high = Level(Svn(3, 3), 10, null, TcbStatus.UpToDate);
        var info = Info([low, high]);
        Assert.Same(high, Verifier.SelectTcbLevel(info, Pck(Svn(3, 4), 10), null));
        Assert.Same(low, Verifier.SelectTcbLevel(info, Pck(Svn(3, 2), 10), null));
        Assert.Same(low, Verifier.SelectTcbLevel(info, Pck(Svn(3, 3), 9), null));
        Assert.Null(Verifier.SelectTcbLevel(info, Pck(Svn(0, 9), 10), null));
        Assert.Null(Verifier.SelectTcbLevel(info, Pck(Svn(9, 9), 4), null));
    }

    [Fact]
    public void Tdx_components_count_from_index_two_when_the_module_major_version_is_set()
    {
        var level = Level(Svn(1), 1, Svn(5, 5, 3), TcbStatus.UpToDate);
        var info = Info([level], identities: []);
        var pck = Pck(Svn(1), 1);
        // Major version 0: every component counts, so 0 < 5 fails.
        Assert.Null(Verifier.SelectTcbLevel(info, pck, Svn(0, 0, 3)));
        // Major version 1: components 0 and 1 are skipped.
        Assert.Same(level, Verifier.SelectTcbLevel(info, pck, Svn(0, 1, 3)));
        Assert.Null(Verifier.SelectTcbLevel(info, pck, Svn(0, 1, 2)));
        // A level without TDX components never matches a TD.
        Assert.Null(Verifier.SelectTcbLevel(Info([Level(Svn(1), 1, null, TcbStatus.UpToDate)]), pck, Svn(9, 9, 9)));
    }

    private static TdReportBody Td(byte[] teeTcbSvn, byte[] mrSignerSeam, byte[] seamAttributes) =>
        new(teeTcbSvn, new byte[48], mrSignerSeam, seamAttributes, new byte[8], new byte[8], new byte[48], new byte[48], new byte[48], new byte[48], [new byte[48], new byte[48], new byte[48], new byte[48]], new byte[64], null, null);

    [Fact]
    public void Tdx_module_rules_each_have_their_reason()
    {
        var signer = Enumerable.Repeat((byte)7, 48).ToArray();
        var identity = new TdxModuleIdentity("TDX_01", signer, new byte[8], Enumerable.Repeat((byte)0xff, 8).ToArray(),
            [new EnclaveTcbLevel(4, Date, TcbStatus.UpToDate, []), new EnclaveTcbLevel(2, Date, TcbStatus.OutOfDate, ["INTEL-SA-9"])]);
        var info = Info([], new TdxModule(signer, new byte[8], Enumerable.Repeat((byte)0xff, 8).ToArray()), [identity]);

        Assert.Equal(VerificationReason.None, Verifier.CheckTdxModule(info, Td(Svn(5, 1), signer, new byte[8])).Reason);
        Assert.Equal(TcbStatus.OutOfDate, Verifier.CheckTdxModule(info, Td(Svn(3, 1), signer, new byte[8])).Level!.Status);
        Assert.Equal(VerificationReason.TdxModuleTcbLevelNotFound, Verifier.CheckTdxModule(info, Td(Svn(1, 1), signer, new byte[8])).Reason);
        Assert.Equal(VerificationReason.TdxModuleIdentityNotFound, Verifier.CheckTdxModule(info, Td(Svn(5, 2), signer, new byte[8])).Reason);
        Assert.Equal(VerificationReason.TdxModuleMrSignerMismatch, Verifier.CheckTdxModule(info, Td(Svn(5, 1), new byte[48], new byte[8])).Reason);
        Assert.Equal(VerificationReason.TdxModuleAttributesMismatch, Verifier.CheckTdxModule(info, Td(Svn(5, 1), signer, [1, 0, 0, 0, 0, 0, 0, 0])).Reason);
        // Major version 0 uses "tdxModule" and has no level of its own.
        var v0 = Verifier.CheckTdxModule(info, Td(Svn(5, 0), signer, new byte[8]));
        Assert.Equal(VerificationReason.None, v0.Reason);
        Assert.Null(v0.Level);
        Assert.Equal(VerificationReason.TdxModuleMrSignerMismatch, Verifier.CheckTdxModule(info, Td(Svn(5, 0), new byte[48], new byte[8])).Reason);
        Assert.Equal(VerificationReason.TdxModuleIdentityNotFound, Verifier.CheckTdxModule(Info([], null, [identity]), Td(Svn(5, 0), signer, new byte[8])).Reason);
        var revoked = identity with { TcbLevels = [new EnclaveTcbLevel(0, Date, TcbStatus.Revoked, [])] };
        Assert.Equal(VerificationReason.TdxModuleTcbRevoked, Verifier.CheckTdxModule(Info([], null, [revoked]), Td(Svn(5, 1), signer, new byte[8])).Reason);
    }

    [Fact]
    public void Combined_status_is_the_worst_and_advisories_keep_platform_order_without_duplicates()
    {
        var platform = Level(Svn(), 0, null, TcbStatus.SWHardeningNeeded, "INTEL-SA-2", "INTEL-SA-1");
        var qe = new EnclaveTcbLevel(0, Date, TcbStatus.OutOfDate, ["INTEL-SA-1", "INTEL-SA-3"]);
        var module = new EnclaveTcbLevel(0, Date, TcbStatus.UpToDate, ["INTEL-SA-4"]);
        var (status, advisories) = Verifier.Combine(platform, qe, module);
        Assert.Equal(TcbStatus.OutOfDate, status);
        Assert.Equal(["INTEL-SA-2", "INTEL-SA-1", "INTEL-SA-3", "INTEL-SA-4"], advisories);
    }

    [FsCheck.Xunit.Property]
    public Property Combined_status_is_never_better_than_any_part(byte p, byte q, byte m)
    {
        var ps = (TcbStatus)(p % 7);
        var qs = (TcbStatus)(q % 7);
        var ms = (TcbStatus)(m % 7);
        var (status, _) = Verifier.Combine(Level(Svn(), 0, null, ps), new EnclaveTcbLevel(0, Date, qs, []), new EnclaveTcbLevel(0, Date, ms, []));
        return (status >= ps && status >= qs && status >= ms && (status == ps || status == qs || status == ms || IsJoinOfConfigurationAndOutOfDateOrSwHardening(status, ps, qs, ms))).ToProperty();
    }

    // The only statuses not equal to a part: a configuration condition joined with OutOfDate or SWHardeningNeeded.
    private static bool IsJoinOfConfigurationAndOutOfDateOrSwHardening(TcbStatus status, params TcbStatus[] parts) =>
        (status == TcbStatus.OutOfDateConfigurationNeeded && parts.Any(p => p is TcbStatus.ConfigurationNeeded or TcbStatus.ConfigurationAndSWHardeningNeeded) && parts.Any(p => p is TcbStatus.OutOfDate))
        || (status == TcbStatus.ConfigurationAndSWHardeningNeeded && parts.Any(p => p is TcbStatus.ConfigurationNeeded) && parts.Any(p => p is TcbStatus.SWHardeningNeeded));

    [Fact]
    public void Combined_status_of_configuration_needed_platform_and_out_of_date_qe_is_out_of_date_configuration_needed()
    {
        var platform = Level(Svn(), 0, null, TcbStatus.ConfigurationNeeded);
        var qe = new EnclaveTcbLevel(0, Date, TcbStatus.OutOfDate, []);
        Assert.Equal(TcbStatus.OutOfDateConfigurationNeeded, Verifier.Combine(platform, qe, null).Status);
        var module = new EnclaveTcbLevel(0, Date, TcbStatus.OutOfDate, []);
        Assert.Equal(TcbStatus.OutOfDateConfigurationNeeded, Verifier.Combine(platform, new EnclaveTcbLevel(0, Date, TcbStatus.UpToDate, []), module).Status);
    }

    [Fact]
    public void Combined_status_of_configuration_needed_and_sw_hardening_needed_is_both()
    {
        var platform = Level(Svn(), 0, null, TcbStatus.ConfigurationNeeded);
        var qe = new EnclaveTcbLevel(0, Date, TcbStatus.SWHardeningNeeded, []);
        Assert.Equal(TcbStatus.ConfigurationAndSWHardeningNeeded, Verifier.Combine(platform, qe, null).Status);
    }
}
