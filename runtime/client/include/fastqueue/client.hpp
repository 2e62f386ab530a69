// fastqueue/client.hpp -- the C++ client library: submit tasks to a control
// plane, wait for their results, read task records and cancel tasks.
//
// A Client owns its ZeroMQ sockets and is not thread-safe: use one Client per
// thread. Each call waits at most options().timeout in total. A request that
// timed out may or may not have reached the control plane; its late answer
// is recognised by task id and ignored by later calls. Many clients may talk
// to one control plane at once; every reply carries its task id, so answers
// never cross.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "fastqueue/subworker_status.hpp"
#include "fastqueue/task.hpp"

namespace fastqueue {

struct ClientOptions {
    // The control plane's base address: base+0..3 take submissions, base+4
    // answers queries.
    std::string control_plane_address = "tcp://127.0.0.1:5555";
    // How long a call waits for the control plane's answer before it gives up.
    std::chrono::milliseconds timeout{30000};
    // A submission not acknowledged within this time is sent again, with the
    // same task id, until `timeout` runs out. The control plane answers a
    // task id it already has without running the task again, so a resend
    // after a lost acknowledgement is safe. Must be positive.
    std::chrono::milliseconds resend_interval{1000};
    // CURVE (docs/security.md): this client's certificate (a .key_secret
    // file from `fastqueue keygen`) and the control plane's public
    // certificate (its .key file). Both empty: plaintext. Give both or
    // neither; a control plane that refuses the key, or whose security does
    // not match, fails a call with ClientError(auth_failed) at once.
    std::string curve_secret_key_file{};
    std::string control_plane_key_file{};
};

// How a task's life is bounded; every member defaults to "not set".
// Out-of-range values are refused with ClientError(invalid_argument) before
// anything is sent (the limits are in docs/protocol.md, "SUBMIT options").
struct TaskOptions {
    // Run-time limit of one attempt, counted from its start (up to a week).
    // Not set: the task's plugin default applies, else the control plane's
    // --default-task-timeout. A task past its limit ends as failure
    // "timed out after N s".
    std::chrono::milliseconds task_timeout{0};
    // Attempts after the first for failures the handler marks retryable (up to 100).
    std::uint32_t max_retries = 0;
    // Base of the exponential backoff between attempts (1 s when not set,
    // up to an hour); each wait is capped at 5 minutes before jitter.
    std::chrono::milliseconds retry_backoff{0};
    // Hold the task until this long after the control plane accepts it ...
    std::chrono::milliseconds countdown{0};
    // ... or until this time (at most one of countdown and eta; at most 30
    // days ahead). Until then the task is `scheduled`.
    std::optional<Timestamp> eta;
};

// Why a client call failed.
enum class ClientErrorKind {
    unreachable,       // no answer from the control plane within the timeout
    result_timeout,    // the task was accepted but did not end within the timeout
    busy,              // the control plane's queue is full; nothing was queued, retry later
    refused,           // the control plane refused the request (reason in what())
    protocol,          // the control plane answered with something malformed
    invalid_argument,  // bad address, task id or task name, caught before sending
    auth_failed,       // the CURVE handshake failed: key refused, or plaintext against CURVE
};

class ClientError : public std::runtime_error {
public:
    ClientError(ClientErrorKind kind, const std::string& message)
        : std::runtime_error(message), kind_(kind) {}
    ClientErrorKind kind() const { return kind_; }

private:
    ClientErrorKind kind_;
};

enum class CancelResult {
    cancelled,   // the task was queued; it will never run
    cancelling,  // the task is running; its cancellation flag was raised
    finished,    // the task had already ended
    not_found,   // no record of the task
};

class Client {
public:
    // Connects lazily; throws ClientError(invalid_argument) for a bad address
    // (not tcp://HOST:PORT, host "*", or base+4 above 65535), a timeout
    // that is not positive, or a CURVE certificate file that cannot be used.
    explicit Client(ClientOptions options);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Builds the conventional payload {"args": <args_json>, "kwargs": <kwargs_json>}.
    // args_json must be a JSON array and kwargs_json a JSON object (an empty
    // string stands for [] and {} respectively), each nested at most
    // kMaxArgumentNesting arrays and objects deep; throws
    // ClientError(invalid_argument) otherwise.
    static std::string make_payload(std::string_view args_json, std::string_view kwargs_json);

    // The deepest args_json or kwargs_json make_payload takes: with the
    // payload object around it, the 1024 levels the plugin wrapper reads.
    static constexpr int kMaxArgumentNesting = 1023;

    // Submits a task and waits until it ends; returns its final record
    // (state success, failure or cancelled). Throws ClientError: unreachable
    // when no acknowledgement came within the timeout, result_timeout when the
    // task was acknowledged but did not end in time, refused, protocol.
    TaskRecord submit_and_wait(std::string_view task_name, std::string_view payload,
                               Priority priority = Priority::normal,
                               const TaskOptions& task_options = {});

    // Submits a task and returns its id once the control plane has
    // acknowledged it. Throws ClientError as above.
    std::string submit(std::string_view task_name, std::string_view payload,
                       Priority priority = Priority::normal, const TaskOptions& task_options = {});

    // The task's current record, or std::nullopt when the control plane has
    // none (unknown, expired or evicted id). task_id may be in either case;
    // throws ClientError(invalid_argument) when it is not a UUID.
    std::optional<TaskRecord> get(std::string_view task_id);

    // Asks the control plane to cancel a task. task_id as for get().
    CancelResult cancel(std::string_view task_id);

    // The control plane's view of its subworkers (WORKERS on the query port).
    SubworkerPoolStatus get_subworker_status();

    const ClientOptions& options() const { return options_; }

private:
    struct Impl;
    ClientOptions options_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace fastqueue
