#pragma once

#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <algorithm>
#include <functional>
#include <utility>
#include <vector>

// Answers a committed batch of a writer (SqliteWriter, PostgresWriter): each job's callback
// with its result, on its context's thread. One posted event per batch and context, not
// one per message: a batch can hold thousands of appends, and their answers must keep
// their order. `Job` has a kind (Append, Change or CreateRoom), a context and a callback
// for each kind; `Result` the outcome for each.
template<typename Job, typename Result>
void answerBatch(std::vector<Job> &jobs, const std::vector<Result> &results)
{
    std::vector<std::pair<QPointer<QObject>, std::vector<std::function<void()>>>> byContext;
    for (size_t i = 0; i < jobs.size(); ++i) {
        Job &job = jobs[i];
        if (!job.context)
            continue;
        std::function<void()> answer;
        if (job.kind == Job::Kind::Append)
            answer = [done = std::move(job.onAppended), outcome = results[i].appended] { done(outcome); };
        else if (job.kind == Job::Kind::Change)
            answer = [done = std::move(job.onChanged), outcome = results[i].changed] { done(outcome); };
        else
            answer = [done = std::move(job.onRoom), outcome = results[i].room] { done(outcome); };
        auto slot = std::find_if(byContext.begin(), byContext.end(),
                                 [&](const auto &entry) { return entry.first == job.context; });
        if (slot == byContext.end())
            slot = byContext.insert(byContext.end(), {job.context, {}});
        slot->second.push_back(std::move(answer));
    }
    for (auto &[context, answers] : byContext) {
        QMetaObject::invokeMethod(
            context.data(),
            [answers = std::move(answers)] {
                for (const auto &answer : answers)
                    answer();
            },
            Qt::QueuedConnection);
    }
}
