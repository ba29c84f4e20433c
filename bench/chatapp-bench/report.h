// The results: every thread's figures added up, per subscriber group and per
// subscriber, printed as text or as one JSON object.
#pragma once

#include <memory>
#include <vector>

#include "util.h"
#include "worker.h"

namespace bench {

// What the coordinator measured around the phases.
struct RunInfo {
    bool aborted = false;
    const char *abortReason = "";
    double connectSeconds = 0;
    int64_t runStart = 0, sendStart = 0, sendEnd = 0, drainEnd = 0, runEnd = 0;
    ProcStats serverBefore, serverStart, serverEnd, idleAfter;
    double benchCpu = 0; // over the measured phase
};

void printResults(const Config &cfg, const std::vector<std::unique_ptr<Worker>> &workers,
                  const std::vector<AckLog> &acks, const RunInfo &run);

} // namespace bench
