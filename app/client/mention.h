#pragma once

#include <QStringView>

// Whether `text` mentions `name`: it holds the name, in any case (Qt's case folding, so
// "ANA", "Ana" and "ana" are one), as a whole word, with or without a leading "@". A word
// here ends where a letter, digit, combining mark or "_" does not continue it, so "ana,",
// "(ana)", "@ana:" and "ana's" mention ana while "banana", "anabel", "ana_b" and "@anas"
// do not. A name with spaces or punctuation inside ("ana maría", "bo.b") is matched whole.
// An empty (or blank) name is mentioned by nothing. "@room" mentions everyone
// (mentionsEveryone).
bool mentions(QStringView text, QStringView name);
