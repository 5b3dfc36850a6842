using Citrine.Ics23.Proofs;

namespace Citrine.Ics23.Verification;

/// <summary>
/// Where a path lies in the tree, read from the padding of each inner step (ICS23 IsLeftMost,
/// IsRightMost, IsLeftNeighbor). A step whose prefix holds i siblings is the child at
/// position i of <see cref="InnerSpec.ChildOrder"/>; placeholder siblings equal to
/// <see cref="InnerSpec.EmptyChild"/> count as absent (sparse trees).
/// </summary>
public static class Neighbors
{
    /// <summary>True when every step is the left-most child, or only empty siblings lie to its left.</summary>
    public static bool IsLeftMost(InnerSpec spec, IReadOnlyList<InnerOp> path, int start = 0, int count = -1)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(path);
        var end = count < 0 ? path.Count : start + count;
        var (minPrefix, maxPrefix, suffix) = GetPadding(spec, 0);
        for (var i = start; i < end; i++)
        {
            var step = path[i];
            if (!HasPadding(step, minPrefix, maxPrefix, suffix) && !LeftBranchesAreEmpty(spec, step))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>True when every step is the right-most child, or only empty siblings lie to its right.</summary>
    public static bool IsRightMost(InnerSpec spec, IReadOnlyList<InnerOp> path, int start = 0, int count = -1)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(path);
        var end = count < 0 ? path.Count : start + count;
        var (minPrefix, maxPrefix, suffix) = GetPadding(spec, spec.ChildOrder.Count - 1);
        for (var i = start; i < end; i++)
        {
            var step = path[i];
            if (!HasPadding(step, minPrefix, maxPrefix, suffix) && !RightBranchesAreEmpty(spec, step))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// True when <paramref name="right"/> is the next leaf after <paramref name="left"/>: strip the
    /// common steps near the root; the first differing steps must be adjacent children of the same
    /// node; below them the left path must be right-most and the right path left-most.
    /// </summary>
    public static bool IsLeftNeighbor(InnerSpec spec, IReadOnlyList<InnerOp> left, IReadOnlyList<InnerOp> right)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var l = left.Count - 1;
        var r = right.Count - 1;
        while (l >= 0 && r >= 0 && SameStep(left[l], right[r]))
        {
            l--;
            r--;
        }
        if (l < 0 || r < 0)
        {
            // One path is a prefix of the other (or both are empty): no divergent node, no neighbours.
            return false;
        }
        if (OrderFromPadding(spec, right[r]) != OrderFromPadding(spec, left[l]) + 1)
        {
            return false;
        }
        return IsRightMost(spec, left, 0, l) && IsLeftMost(spec, right, 0, r);
    }

    /// <summary>True when all siblings before this step's position are the spec's empty child.</summary>
    public static bool LeftBranchesAreEmpty(InnerSpec spec, InnerOp op)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(op);
        var leftBranches = OrderFromPadding(spec, op);
        if (leftBranches == 0)
        {
            return false;
        }
        var prefix = op.Prefix.Span;
        var actualPrefix = prefix.Length - (leftBranches * spec.ChildSize);
        if (actualPrefix < 0)
        {
            return false;
        }
        var empty = spec.EmptyChild.Span;
        for (var i = 0; i < leftBranches; i++)
        {
            var from = actualPrefix + (i * spec.ChildSize);
            if (!empty.SequenceEqual(prefix.Slice(from, spec.ChildSize)))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>True when all siblings after this step's position are the spec's empty child.</summary>
    public static bool RightBranchesAreEmpty(InnerSpec spec, InnerOp op)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(op);
        var index = OrderFromPadding(spec, op);
        var rightBranches = spec.ChildOrder.Count - 1 - index;
        if (rightBranches == 0)
        {
            return false;
        }
        var suffix = op.Suffix.Span;
        if (suffix.Length != rightBranches * spec.ChildSize)
        {
            return false;
        }
        var empty = spec.EmptyChild.Span;
        for (var i = 0; i < rightBranches; i++)
        {
            if (!empty.SequenceEqual(suffix.Slice(i * spec.ChildSize, spec.ChildSize)))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Which child position this step's padding says it is (ICS23 orderFromPadding).</summary>
    public static int OrderFromPadding(InnerSpec spec, InnerOp op)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(op);
        for (var branch = 0; branch < spec.ChildOrder.Count; branch++)
        {
            var (minPrefix, maxPrefix, suffix) = GetPadding(spec, branch);
            if (HasPadding(op, minPrefix, maxPrefix, suffix))
            {
                return branch;
            }
        }
        throw new Ics23VerificationException(Ics23Error.PaddingUnrecognized, $"inner op padding (prefix {op.Prefix.Length}, suffix {op.Suffix.Length} bytes) fits no child position");
    }

    private static bool SameStep(InnerOp a, InnerOp b) =>
        a.Prefix.Span.SequenceEqual(b.Prefix.Span) && a.Suffix.Span.SequenceEqual(b.Suffix.Span);

    private static bool HasPadding(InnerOp op, long minPrefix, long maxPrefix, long suffix) =>
        op.Prefix.Length >= minPrefix && op.Prefix.Length <= maxPrefix && op.Suffix.Length == suffix;

    private static (long MinPrefix, long MaxPrefix, long Suffix) GetPadding(InnerSpec spec, int branch)
    {
        var index = GetPosition(spec.ChildOrder, branch);
        var prefix = (long)index * spec.ChildSize;
        var suffix = (long)(spec.ChildOrder.Count - 1 - index) * spec.ChildSize;
        return (prefix + spec.MinPrefixLength, prefix + spec.MaxPrefixLength, suffix);
    }

    private static int GetPosition(IReadOnlyList<int> order, int branch)
    {
        if (branch < 0 || branch >= order.Count)
        {
            throw new Ics23VerificationException(Ics23Error.InvalidChildOrder, $"invalid branch {branch} for a child order of {order.Count}");
        }
        for (var i = 0; i < order.Count; i++)
        {
            if (order[i] == branch)
            {
                return i;
            }
        }
        throw new Ics23VerificationException(Ics23Error.InvalidChildOrder, $"branch {branch} not found in child order [{string.Join(',', order)}]");
    }
}
