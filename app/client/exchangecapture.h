#pragma once

#include "exchange.h"

class QNetworkReply;

// What of a request and its answer goes into an Exchange, masked and bounded. ApiClient
// calls these; they live apart so that what is hidden is decided in one place.
namespace ExchangeCapture {

// Shown instead of a secret. Wholly masked, not "••••abcd": a protocol log is made to be
// shared (handed in, attached to a bug report), and a student needs to see that a bearer
// token travels, not which one.
inline constexpr char mask[] = "••••••••";

// The request as the reply holds it, right after QNetworkAccessManager took it: start
// time, URL and headers (Authorization masked), and the body it was given.
void captureRequest(Exchange &exchange, const QNetworkReply &reply, const QByteArray &body);
// The answer: version, headers and the body the caller read from the reply.
void captureResponse(Exchange &exchange, const QNetworkReply &reply, const QByteArray &body);

// At most ExchangeBody::maxBytes of `bytes`, with a "password" or "token" of a JSON
// object body masked (the sign-in request and its answer carry them).
ExchangeBody boundedBody(const QByteArray &bytes);

} // namespace ExchangeCapture
