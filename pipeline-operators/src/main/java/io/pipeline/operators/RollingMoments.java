package io.pipeline.operators;

/**
 * The values of one key's rolling window, in arrival order, with running count, sum, mean, variance, minimum and
 * maximum, each in O(1) amortized per value and without allocation once the ring has grown to the window.
 *
 * <p><b>Numerics.</b> Sums are kept of {@code y = x − shift}, {@code Σy} and {@code Σy²}; {@code shift} is
 * re-chosen as the window's mean at every exact recomputation, which makes {@code Σy² − (Σy)²/n} well conditioned
 * even for values around 1e9 ± 1 (plain Welford's relative error there is about 1e-7). An exact two-pass
 * recomputation over the ring (with Neumaier's compensated summation) runs after every window's worth of removals,
 * bounding the drift of adding and removing to about {@code n × 1e-16} relative, and as soon as {@code Σy²} falls
 * below 1e-4 of its peak since the last one (a large value left the window, cancelling most of the sums). Plain
 * rather than compensated running sums: the recomputations already bound the error, and compensation cost a
 * tenth of the operator's time. Minimum and maximum come from monotonic deques of ring indexes.
 *
 * <p>Not thread-safe.
 */
final class RollingMoments {
    private static final int INITIAL_CAPACITY = 16;

    /** The most values held: the count of a count window, unbounded (growing as needed) for a time window. */
    private final int limit;
    private final boolean withTimes;
    private double[] values;
    private long[] times;
    private int[] minQ;
    private int[] maxQ;
    private int capacity;
    private int head;
    private int size;
    private int minHead;
    private int minSize;
    private int maxHead;
    private int maxSize;

    private double shift;
    private double s1;
    private double s2;
    private double peak;
    private int removals;
    private long newestTime = Long.MIN_VALUE;

    /**
     * A window of at most {@code count} values, or (count 0) a ring that grows as a time window needs. Either way
     * the ring starts small and doubles as values arrive, up to {@code count}: a key that has seen three values
     * holds room for about three, however large the window (a count window of a million values over 10,000 keys
     * must not reserve 160 GB up front).
     */
    RollingMoments(int count, boolean withTimes) {
        boolean growable = count == 0;
        this.limit = growable ? Integer.MAX_VALUE : count;
        this.withTimes = withTimes || growable;
        this.capacity = Math.min(limit, INITIAL_CAPACITY);
        this.values = new double[capacity];
        this.times = this.withTimes ? new long[capacity] : null;
        this.minQ = new int[capacity];
        this.maxQ = new int[capacity];
    }

    int size() {
        return size;
    }

    boolean isFull() {
        return size == limit;
    }

    /** Adds a value at the newest end; a full count window first drops its oldest. */
    void add(double x, long time) {
        if (size == capacity) {
            if (capacity < limit) {
                grow();
            } else {
                removeOldest();
            }
        }
        if (size == 0) {
            shift = x;
        }
        int index = head + size;
        if (index >= capacity) {
            index -= capacity;
        }
        values[index] = x;
        if (withTimes) {
            times[index] = time;
        }
        size++;
        if (time > newestTime) {
            newestTime = time;
        }
        double y = x - shift;
        add1(y);
        add2(y * y);
        if (s2 > peak) {
            peak = s2;
        }
        pushMin(index, x);
        pushMax(index, x);
    }

    /** Removes values whose time is at or before {@code cutoff}, oldest first, stopping at a newer one. */
    void removeUpTo(long cutoff) {
        while (size > 0 && times[head] <= cutoff) {
            removeOldest();
        }
    }

    void removeOldest() {
        double x = values[head];
        double y = x - shift;
        add1(-y);
        add2(-(y * y));
        if (minSize > 0 && minQ[minHead] == head) {
            minHead = next(minHead);
            minSize--;
        }
        if (maxSize > 0 && maxQ[maxHead] == head) {
            maxHead = next(maxHead);
            maxSize--;
        }
        head = next(head);
        size--;
        if (size == 0) {
            s1 = s2 = peak = 0;
            removals = 0;
        } else if (++removals >= size || s2 * 1e4 < peak) {
            recompute();
        }
    }

    /** The newest event time added (the window's end), or {@code Long.MIN_VALUE} if none. */
    long newestTime() {
        return newestTime;
    }

    double sum() {
        return size * shift + s1;
    }

    double mean() {
        return shift + s1 / size;
    }

    /** The sample variance (divided by n − 1); 0 for fewer than two values. */
    double variance() {
        if (size < 2) {
            return 0;
        }
        double m2 = s2 - s1 * s1 / size;
        return m2 > 0 ? m2 / (size - 1) : 0;
    }

    /** The shift the sums are taken from: {@code sum = size × shift + sumY}. */
    double shift() {
        return shift;
    }

    /** {@code Σ(x − shift)}. */
    double sumY() {
        return s1;
    }

    /** {@code Σ(x − shift)²}. */
    double sumY2() {
        return s2;
    }

    double min() {
        return values[minQ[minHead]];
    }

    double max() {
        return values[maxQ[maxHead]];
    }

    double first() {
        return values[head];
    }

    double last() {
        int index = head + size - 1;
        return values[index >= capacity ? index - capacity : index];
    }

    /** The {@code i}-th value from the oldest. */
    double value(int i) {
        int index = head + i;
        return values[index >= capacity ? index - capacity : index];
    }

    /** The time of the {@code i}-th value from the oldest (only when kept). */
    long time(int i) {
        int index = head + i;
        return times[index >= capacity ? index - capacity : index];
    }

    /** Copies the values, oldest first, into {@code into} (at least {@link #size()} long). */
    void copyValues(double[] into) {
        for (int i = 0; i < size; i++) {
            into[i] = value(i);
        }
    }

    /** Bytes of the arrays this window holds, for documentation and benchmarks. */
    long stateBytes() {
        return 8L * capacity * (withTimes ? 2 : 1) + 8L * capacity;
    }

    private void recompute() {
        double sum = 0;
        double comp = 0;
        for (int i = 0; i < size; i++) {
            double v = value(i);
            double t = sum + v;
            comp += Math.abs(sum) >= Math.abs(v) ? (sum - t) + v : (v - t) + sum;
            sum = t;
        }
        shift = (sum + comp) / size;
        double a = 0;
        double ca = 0;
        double b = 0;
        double cb = 0;
        for (int i = 0; i < size; i++) {
            double y = value(i) - shift;
            double t = a + y;
            ca += Math.abs(a) >= Math.abs(y) ? (a - t) + y : (y - t) + a;
            a = t;
            double y2 = y * y;
            t = b + y2;
            cb += b >= y2 ? (b - t) + y2 : (y2 - t) + b;
            b = t;
        }
        s1 = a + ca;
        s2 = b + cb;
        peak = s2;
        removals = 0;
    }

    private void add1(double v) {
        s1 += v;
    }

    private void add2(double v) {
        s2 += v;
    }

    private void pushMin(int index, double x) {
        while (minSize > 0 && values[minQ[back(minHead, minSize)]] >= x) {
            minSize--;
        }
        int at = minHead + minSize;
        minQ[at >= capacity ? at - capacity : at] = index;
        minSize++;
    }

    private void pushMax(int index, double x) {
        while (maxSize > 0 && values[maxQ[back(maxHead, maxSize)]] <= x) {
            maxSize--;
        }
        int at = maxHead + maxSize;
        maxQ[at >= capacity ? at - capacity : at] = index;
        maxSize++;
    }

    private int back(int qHead, int qSize) {
        int at = qHead + qSize - 1;
        return at >= capacity ? at - capacity : at;
    }

    private int next(int index) {
        return index + 1 == capacity ? 0 : index + 1;
    }

    /** Doubles the ring (up to the limit), keeping values in order; the deques are rebuilt for the new indexes. */
    private void grow() {
        int newCapacity = (int) Math.min(limit, 2L * capacity);
        double[] newValues = new double[newCapacity];
        long[] newTimes = withTimes ? new long[newCapacity] : null;
        for (int i = 0; i < size; i++) {
            newValues[i] = value(i);
            if (withTimes) {
                newTimes[i] = time(i);
            }
        }
        values = newValues;
        times = newTimes;
        minQ = new int[newCapacity];
        maxQ = new int[newCapacity];
        capacity = newCapacity;
        head = 0;
        minHead = minSize = maxHead = maxSize = 0;
        for (int i = 0; i < size; i++) {
            pushMin(i, values[i]);
            pushMax(i, values[i]);
        }
    }
}
