// Latency histograms, merged over threads after the run.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace bench {

// A log-linear histogram (HDR-like): exact below 128, then 128 sub-buckets per power of
// two (< 0.8 % relative error). Values are nanoseconds.

struct Histogram {
    static constexpr int subBits = 7;
    static constexpr int sub = 1 << subBits;
    static constexpr int buckets = (64 - subBits + 1) * sub;
    std::vector<uint64_t> counts = std::vector<uint64_t>(buckets, 0);
    uint64_t total = 0;
    int64_t maxValue = 0;

    static int indexOf(uint64_t v)
    {
        if (v < uint64_t(sub))
            return int(v);
        const int e = 63 - __builtin_clzll(v);
        const int shift = e - subBits;
        return ((shift + 1) << subBits) + int((v >> shift) - sub);
    }
    static uint64_t midpointOf(int b)
    {
        if (b < sub)
            return uint64_t(b);
        const int g = b >> subBits;
        const uint64_t m = uint64_t(b & (sub - 1)) + sub;
        const int shift = g - 1;
        const uint64_t lo = m << shift;
        const uint64_t hi = ((m + 1) << shift) - 1;
        return lo + (hi - lo) / 2;
    }
    void record(int64_t v)
    {
        if (v < 0)
            v = 0;
        ++counts[indexOf(uint64_t(v))];
        ++total;
        if (v > maxValue)
            maxValue = v;
    }
    void merge(const Histogram &o)
    {
        for (int i = 0; i < buckets; ++i)
            counts[i] += o.counts[i];
        total += o.total;
        maxValue = std::max(maxValue, o.maxValue);
    }
    int64_t percentile(double p) const
    {
        if (total == 0)
            return 0;
        uint64_t want = uint64_t(p / 100.0 * double(total) + 0.5);
        if (want < 1)
            want = 1;
        if (want > total)
            want = total;
        uint64_t seen = 0;
        for (int i = 0; i < buckets; ++i) {
            seen += counts[i];
            if (seen >= want)
                return std::min<int64_t>(int64_t(midpointOf(i)), maxValue);
        }
        return maxValue;
    }
};

} // namespace bench
