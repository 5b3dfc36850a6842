namespace Citrine.Chain.Blocks;

/// <summary>A least-recently-used map from height to value, bounded to <c>capacity</c> entries; not thread-safe.</summary>
internal sealed class RecentCache<T>(int capacity)
    where T : class
{
    private readonly Dictionary<long, LinkedListNode<(long Height, T Value)>> _map = [];
    private readonly LinkedList<(long Height, T Value)> _order = new();

    public int Count => _map.Count;

    public bool TryGet(long height, out T? value)
    {
        if (_map.TryGetValue(height, out var node))
        {
            _order.Remove(node);
            _order.AddFirst(node);
            value = node.Value.Value;
            return true;
        }
        value = null;
        return false;
    }

    public void Add(long height, T value)
    {
        if (_map.TryGetValue(height, out var existing))
        {
            _order.Remove(existing);
        }
        var node = _order.AddFirst((height, value));
        _map[height] = node;
        while (_map.Count > capacity)
        {
            var last = _order.Last!;
            _order.RemoveLast();
            _map.Remove(last.Value.Height);
        }
    }
}
