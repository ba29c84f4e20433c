#pragma once

#include "exchange.h"

#include <QString>

// One exchange as a raw HTTP capture reads (curl -v, Wireshark's "Follow HTTP stream"):
// request line, headers, blank line, body; then the status line, headers, blank line,
// body. What the Protocol panel shows for the selected row.
QString exchangeAsText(const Exchange &exchange);
