// The command line: what to drive, with what load, and how to report it.
#pragma once

#include <cstdint>
#include <string>

namespace bench {

enum class SubMode { Sse, LongPollChatApp, LongPollNchan, PollChatApp };
enum class PubFormat { Form, Raw };

struct Options {
    std::string publishUrl, subscribeUrl;
    SubMode subMode = SubMode::Sse;
    PubFormat pubFormat = PubFormat::Form;
    bool pubFormatGiven = false;
    // A second group of subscribers, in the same rooms, following another URL or in
    // another mode (the flood runs SSE and long polls side by side).
    std::string alsoSubscribeUrl;
    SubMode alsoSubMode = SubMode::LongPollChatApp;
    bool alsoSubModeGiven = false;
    int alsoSubsPerRoom = -1; // -1: as many as --subscribers-per-room
    int rooms = 1;
    int senders = 0;
    int subsPerRoom = 0;
    double rate = 0;
    double duration = 10;
    double drain = 5;
    int messageBytes = 100;
    int threads = 1;
    int sourceAddresses = 1;
    bool idle = false;
    bool flood = false;
    bool perSubscriber = false;
    bool fanoutOnce = false;
    std::string readyFile, goFile;
    long serverPid = 0;
    double maxSeconds = 120;
    int connectBatch = 32;
    double connectTimeout = 60;
    bool json = false;
    int pollIntervalMs = 1000;
    int waitSeconds = 25;
    int settleMs = 300;
    std::string roomPrefix = "bench";
    bool createRooms = true;
    // Self-test and fault injection
    uint32_t injectDrop = 0, injectDup = 0, injectReorder = 0;
    int chaosCloseMs = 0;
    bool noResume = false;
};

Options parseOptions(int argc, char **argv);
// Die with the option's name unless v is a number in range.
double parseDouble(const char *name, const char *v);
long parseLong(const char *name, const char *v, long lo, long hi);
const char *modeName(SubMode m);

} // namespace bench
